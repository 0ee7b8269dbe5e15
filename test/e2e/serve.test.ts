/**
 * `brrt serve` end to end: a real `workerd serve` process on a free port, readiness from the
 * CLI's own "listening on" line (printed only once the socket answers), requests over
 * loopback, a graceful stop, and no process left behind.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/build/workerd-process.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** Processes whose command line mentions this port: what must be gone after a stop. */
function processesUsing(port: number): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes("workerd") && cmdline.includes(`:${port}`)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function startServe(args: readonly string[]): { child: ChildProcessWithoutNullStreams; ready: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [path.join(root, "bin/brrt.js"), "serve", ...args], { cwd: root });
  let output = "";
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`brrt serve exited (${code}) before listening:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", resolve));
}

describe("brrt serve --mock", () => {
  let port: number;
  let server: ReturnType<typeof startServe>;
  let base: string;

  beforeAll(async () => {
    port = await freePort();
    server = startServe(["--spec", "spec/openapi.yaml", "--port", String(port), "--mock"]);
    base = await server.ready;
  });

  afterAll(async () => {
    if (server.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await exited(server.child);
    }
  });

  it("prints the URL it listens on, only once the socket answers", () => {
    expect(base).toBe(`http://127.0.0.1:${port}`);
  });

  it("serves the document and mock examples; refuses what the spec refuses", async () => {
    const document = await fetch(`${base}/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { info: { title: string } }).info.title).toBe("BRRTRouter Edge Pet Store");

    const listed = await fetch(`${base}/pets?limit=2`);
    expect(listed.status).toBe(200);
    expect(listed.headers.get("x-brrt-mock")).toBe("true");

    const missing = await fetch(`${base}/no/such/path`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");

    const badQuery = await fetch(`${base}/pets?limit=many`);
    expect(badQuery.status).toBe(400);

    const unauthenticated = await fetch(`${base}/pets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Rex", species: "dog" }),
    });
    expect(unauthenticated.status).toBe(401);
  });

  it("stops gracefully on SIGTERM and leaves no workerd behind", async () => {
    expect(processesUsing(port).length).toBeGreaterThan(0);
    server.child.kill("SIGTERM");
    expect(await exited(server.child)).toBe(0);
    expect(processesUsing(port)).toEqual([]);
  });
});

describe("brrt serve with a bad spec", () => {
  it("exits 1 with file:line:col lines and never starts a server", async () => {
    const child = spawn(process.execPath, [path.join(root, "bin/brrt.js"), "serve", "--spec", "test/fixtures/specs/bad/duplicate-operation-id.yaml"], {
      cwd: root,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^test\/fixtures\/specs\/bad\/duplicate-operation-id\.yaml:\d+:\d+: .*operationId/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
