/**
 * Hot reload, end to end: a watcher is started on a temporary project (spec + worker +
 * wrangler.toml under .tmp/, so the generated module resolves the package as the real app's
 * does), the spec is edited and the new route must answer without a manual restart; then an
 * invalid edit must print `file:line:col` errors while the old routes keep answering.
 *
 * - `pi:watch` (scripts/pi-watch.ts): self-hosted workerd, restarted only after a good build.
 * - `npm run dev` (scripts/dev-watch.ts): wrangler dev, which reloads on the regenerated module.
 * - the restart is graceful: workerd finishes an in-flight request after SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildSpec } from "../../src/build/index.ts";
import { freePort, startWorkerd } from "../../src/build/workerd-process.ts";
import { buildForWorkerd } from "../../scripts/pi-config.ts";

const repoRoot = process.cwd();
/** How long the fixture worker's in-flight request lasts in the graceful-restart test. */
const IN_FLIGHT_MS = 1000;

const SPEC = `openapi: 3.1.0
info:
  title: Hot reload fixture
  version: "1"
paths:
  /hello:
    get:
      operationId: hello
      responses:
        "200":
          description: A greeting
          content:
            application/json:
              schema: { type: object }
              example: { greeting: hello }
  /slow:
    get:
      operationId: slow
      responses:
        "200":
          description: Answers after a second
          content:
            application/json:
              schema: { type: object }
`;

const NEW_ROUTE = `  /bye:
    get:
      operationId: bye
      responses:
        "200":
          description: A farewell
          content:
            application/json:
              schema: { type: object }
              example: { farewell: bye }
`;

/** A $ref to nothing: the build must refuse it with a position. */
const INVALID_ROUTE = `  /broken:
    get:
      operationId: broken
      responses:
        "200":
          $ref: "#/components/responses/Missing"
`;

interface Fixture {
  readonly dir: string;
  readonly spec: string;
  readonly out: string;
  readonly wranglerConfig: string;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function makeFixture(): Promise<Fixture> {
  const parent = path.join(repoRoot, ".tmp");
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, "hot-reload-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const runtime = path.relative(dir, path.join(repoRoot, "src/runtime/index.ts")).split(path.sep).join("/");
  await mkdir(path.join(dir, "spec"));
  await writeFile(path.join(dir, "spec", "openapi.yaml"), SPEC);
  await writeFile(
    path.join(dir, "worker.ts"),
    `import * as spec from "./generated/spec.js";
import { createApp } from ${JSON.stringify(runtime)};
export default createApp({
  spec,
  mock: true,
  handlers: {
    // The worker's own slow request (not a wait in the test): the test sends SIGTERM once the
    // "slow-request-started" line appears, while this request is still in flight.
    async slow() {
      console.log("slow-request-started");
      await new Promise((resolve) => setTimeout(resolve, ${IN_FLIGHT_MS}));
      return { body: { done: true } };
    },
  },
});
`,
  );
  await writeFile(
    path.join(dir, "wrangler.toml"),
    `name = "hot-reload-fixture"\nmain = "worker.ts"\ncompatibility_date = "2026-04-20"\ncompatibility_flags = ["nodejs_compat"]\n`,
  );
  return { dir, spec: path.join(dir, "spec", "openapi.yaml"), out: path.join(dir, "generated"), wranglerConfig: path.join(dir, "wrangler.toml") };
}

interface Watcher {
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
}

/** Runs a watcher script in its own process group, stopped (SIGTERM, then SIGKILL to the group) after the test. */
function startWatcher(script: string, args: readonly string[]): Watcher {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", script), ...args], {
    cwd: repoRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      }, 20_000);
      await exited;
      clearTimeout(timer);
    }
  });
  return {
    output: () => output,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}):\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} from ${script} in ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

async function status(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Polls until `url` answers `expected`; returns how long that took. */
async function waitForStatus(url: string, expected: number, timeoutMs: number, watcher: Watcher): Promise<number> {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  let last: number | undefined;
  while ((last = await status(url)) !== expected) {
    if (Date.now() > deadline) throw new Error(`${url} answered ${last ?? "nothing"}, not ${expected}, after ${timeoutMs} ms:\n${watcher.output()}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
  }
  return performance.now() - started;
}

/** The edit / invalid-edit cycle both watchers must pass. */
async function exerciseHotReload(fixture: Fixture, baseUrl: string, watcher: Watcher, label: string): Promise<void> {
  await waitForStatus(`${baseUrl}/hello`, 200, 90_000, watcher);
  expect(await status(`${baseUrl}/bye`)).toBe(404);

  await appendFile(fixture.spec, NEW_ROUTE);
  const reloadMs = await waitForStatus(`${baseUrl}/bye`, 200, 60_000, watcher);
  console.log(`${label}: new route answering ${Math.round(reloadMs)} ms after the spec edit`);
  expect(await (await fetch(`${baseUrl}/bye`)).json()).toEqual({ farewell: "bye" });

  const before = watcher.output().length;
  await appendFile(fixture.spec, INVALID_ROUTE);
  await watcher.waitForOutput(/brrt build failed/, 60_000);
  const errors = watcher.output().slice(before);
  expect(errors).toMatch(/openapi\.yaml:\d+:\d+: .*Missing/);
  expect(await status(`${baseUrl}/bye`)).toBe(200);
  expect(await status(`${baseUrl}/hello`)).toBe(200);
  expect(await status(`${baseUrl}/broken`)).toBe(404);
}

describe("hot reload", () => {
  it("pi:watch rebuilds on a spec edit, restarts workerd, and keeps the old version on an invalid edit", async () => {
    const fixture = await makeFixture();
    const port = await freePort();
    const watcher = startWatcher("pi-watch.ts", [
      "--spec", fixture.spec,
      "--out", fixture.out,
      "--config", fixture.wranglerConfig,
      "--port", String(port),
      "--build-dir", path.join(fixture.dir, ".pi-build"),
      "--capnp", path.join(fixture.dir, "config.capnp"),
      "--data-dir", path.join(fixture.dir, "data"),
      "--grace-ms", "5000",
    ]);
    await exerciseHotReload(fixture, `http://127.0.0.1:${port}`, watcher, "pi:watch");
  }, 240_000);

  it("npm run dev: wrangler dev serves the regenerated module and keeps the old one on an invalid edit", async () => {
    const fixture = await makeFixture();
    const port = await freePort();
    const watcher = startWatcher("dev-watch.ts", [
      "--spec", fixture.spec,
      "--out", fixture.out,
      "--config", fixture.wranglerConfig,
      "--port", String(port),
    ]);
    await exerciseHotReload(fixture, `http://127.0.0.1:${port}`, watcher, "wrangler dev");
  }, 240_000);

  it("a restart is graceful: workerd finishes an in-flight request after SIGTERM and exits 0", async () => {
    const fixture = await makeFixture();
    const built = await buildSpec({ spec: fixture.spec, outDir: fixture.out });
    expect(built.ok).toBe(true);
    const port = await freePort();
    const config = await buildForWorkerd({
      wranglerConfig: fixture.wranglerConfig,
      buildDir: path.join(fixture.dir, ".pi-build"),
      configFile: path.join(fixture.dir, "config.capnp"),
      dataDir: path.join(fixture.dir, "data"),
      listen: `127.0.0.1:${port}`,
    });
    const workerd = await startWorkerd({ configFile: config.configFile, port, cwd: fixture.dir });
    cleanups.push(async () => void (await workerd.stop(1000)));

    const inFlight = fetch(`http://127.0.0.1:${port}/slow`, { signal: AbortSignal.timeout(30_000) });
    // The handler logs when it has the request: only then is it truly in flight.
    const deadline = Date.now() + 30_000;
    while (!workerd.output().includes("slow-request-started")) {
      if (Date.now() > deadline) throw new Error(`the slow request never arrived:\n${workerd.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exit = workerd.stop(15_000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    expect(await exit).toBe(0);
  }, 120_000);
});
