/**
 * Runs a real `workerd serve` process for a config file and says when it is ready: the
 * readiness signal is an HTTP answer on the socket, never a fixed sleep. Used by `brrt serve`,
 * the end-to-end tests and the workerd-pi scripts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";

export interface WorkerdProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything workerd printed so far (stdout + stderr), for diagnostics. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface StartOptions {
  readonly configFile: string;
  readonly port: number;
  readonly host?: string;
  /** Path answered when ready (any HTTP status counts as an answer). */
  readonly readyPath?: string;
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Binary to run (an arm64 workerd under qemu, say); default: the `workerd` npm package's. */
  readonly command?: readonly string[];
  /** Extra `workerd serve` flags. */
  readonly flags?: readonly string[];
}

/** Path of the workerd binary the `workerd` npm package installed for this platform. */
export function workerdBinary(): string {
  const require = createRequire(import.meta.url);
  const mod = require("workerd") as { default: string };
  return mod.default;
}

/** A port the OS says is free right now. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

export async function startWorkerd(options: StartOptions): Promise<WorkerdProcess> {
  const host = options.host ?? "127.0.0.1";
  const url = `http://${host}:${options.port}`;
  const [command, ...prefixArgs] = options.command ?? [workerdBinary()];
  const args = [...prefixArgs, "serve", options.configFile, "--socket-addr", `http=${host}:${options.port}`, ...(options.flags ?? [])];
  const child = spawn(command!, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exited = code;
      resolve(code);
    }),
  );

  const stop = async (graceMs = 5000): Promise<number | null> => {
    if (exited !== undefined) return exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exit;
    clearTimeout(timer);
    return code;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const probe = `${url}${options.readyPath ?? "/"}`;
  let delay = 20;
  while (!(await answers(probe))) {
    if (exited !== undefined) throw new Error(`workerd exited with code ${exited} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`workerd did not answer ${probe} in time:\n${output}`);
    }
    // Back off between probes: this polls for a readiness signal, it does not wait a fixed time.
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
  return { child, url, output: () => output, stop };
}
