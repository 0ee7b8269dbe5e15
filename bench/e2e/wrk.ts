/**
 * wrk, the load generator of the end-to-end bench: installing it when missing (Debian package),
 * writing the Lua script for one request, running it and reading its `--latency` report.
 */
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";

export interface WrkParams {
  readonly threads: number;
  readonly connections: number;
  readonly durationSeconds: number;
}

/** One request, repeated by every connection. */
export interface WrkRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface WrkReport {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p75Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx/3xx: must be 0 for a valid run. */
  readonly errors: number;
  /** Connect/read/write/timeout socket errors (a timeout is a request slower than wrk's --timeout). */
  readonly socketErrors: number;
  readonly raw: string;
}

function hasWrk(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // `wrk --version` exits 1 after printing its version: only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/** Installs the Debian package when wrk is missing (the bench runs as root on the dev/CI machines). */
export function ensureWrk(): void {
  if (hasWrk()) return;
  console.log("wrk not found: apt-get install -y wrk");
  const install = () => execFileSync("apt-get", ["install", "-y", "wrk"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  try {
    install();
  } catch {
    // A fresh machine has no package lists yet.
    execFileSync("apt-get", ["update"], { stdio: "inherit" });
    install();
  }
  if (!hasWrk()) throw new Error("wrk is still missing after apt-get install");
}

export function wrkVersion(): string {
  try {
    return execFileSync("wrk", ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? "";
    return stdout.split("\n")[0]?.trim() ?? "unknown";
  }
}

const lua = (value: string): string => JSON.stringify(value); // JSON string escapes are valid Lua.

export function writeWrkScript(file: string, request: WrkRequest): void {
  const lines = [`wrk.method = ${lua(request.method)}`, `wrk.path = ${lua(request.path)}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`wrk.headers[${lua(name)}] = ${lua(value)}`);
  if (request.body !== undefined) lines.push(`wrk.body = ${lua(request.body)}`);
  writeFileSync(file, `${lines.join("\n")}\n`);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (match === null) throw new Error(`wrk: unreadable duration ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function parseWrk(raw: string): WrkReport {
  const percentile = (p: number): number => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(raw);
    if (match === null) throw new Error(`wrk: no ${p}% latency in report (run with --latency):\n${raw}`);
    return durationMs(match[1]!);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(raw);
  const total = /^\s*(\d+) requests in/m.exec(raw);
  if (rps === null || total === null) throw new Error(`wrk: unreadable report:\n${raw}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(raw);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  const errors = non2xx === null ? 0 : Number(non2xx[1]);
  return {
    requests: Number(total[1]),
    requestsPerSecond: Number(rps[1]),
    p50Ms: percentile(50),
    p75Ms: percentile(75),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    errors,
    socketErrors,
    raw,
  };
}

export async function runWrk(baseUrl: string, script: string, params: WrkParams, durationSeconds = params.durationSeconds): Promise<WrkReport> {
  // A generous --timeout: on a loaded 2-core box a request may wait seconds; it is a slow answer, not an error.
  const args = ["-t", String(params.threads), "-c", String(params.connections), "-d", `${durationSeconds}s`, "--timeout", "10s", "--latency", "-s", script, baseUrl];
  const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${out}`);
  return parseWrk(out);
}
