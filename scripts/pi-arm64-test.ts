/**
 * `npm run test:arm64` — the self-hosted pet store on the arm64 workerd a Raspberry Pi 5 runs,
 * emulated here with qemu user mode: build the config from wrangler.toml, start the arm64
 * binary, exercise the app over HTTP, stop it with SIGTERM, start it again and read the stored
 * data back. Prints one line per check and closes with `arm64: N passed, N failed`; exits 1 on
 * any failure. Installs what it needs itself (scripts/pi-arm64.ts), cached in workerd-pi/.arm64/.
 *
 *   node --import tsx scripts/pi-arm64-test.ts [--config wrangler.toml] [--websocket /path]...
 *
 * Timings printed here are of an emulated CPU: they show the binary works, not how fast a Pi is.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ChildProcess } from "node:child_process";
import { freePort, startWorkerd, type WorkerdProcess } from "../src/build/workerd-process.ts";
import { ensureArm64Workerd, type Arm64Workerd } from "./pi-arm64.ts";
import { afterRestartChecks, runChecks, servingChecks, webSocketEchoCheck, type Check, type CheckContext, type CheckResult } from "./pi-checks.ts";
import { buildForWorkerd } from "./pi-config.ts";
import { STORAGE_SERVICE } from "./pi-env.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const READY_TIMEOUT_MS = 120_000;

const results: CheckResult[] = [];
const live = new Set<ChildProcess>();

function report(result: CheckResult): void {
  results.push(result);
  const time = `${(result.milliseconds / 1000).toFixed(2)} s`;
  console.log(result.ok ? `ok      ${result.name} (${time})` : `FAILED  ${result.name} (${time})\n        ${result.error?.split("\n").join("\n        ")}`);
}

/** Runs one step as a check; returns its value, or undefined when it failed. */
async function step<T>(name: string | ((value: T) => string), body: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  try {
    const value = await body();
    report({ name: typeof name === "string" ? name : name(value), ok: true, milliseconds: performance.now() - started });
    return value;
  } catch (error) {
    const label = typeof name === "string" ? name : "step";
    report({ name: label, ok: false, milliseconds: performance.now() - started, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

function summary(): number {
  const failed = results.filter((r) => !r.ok).length;
  console.log("(emulated arm64 under qemu: timings show the binary works, they are not Raspberry Pi performance figures)");
  console.log(`arm64: ${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

/**
 * Starts the emulated workerd the way brrtrouter-edge.service does: the listen address and the
 * storage directory given on the command line (`--socket-addr`, `--directory-path`).
 */
async function start(arm64: Arm64Workerd, configFile: string, port: number, dataDir: string): Promise<WorkerdProcess> {
  await mkdir(dataDir, { recursive: true });
  const workerd = await startWorkerd({
    command: arm64.command,
    configFile,
    port,
    flags: ["--directory-path", `${STORAGE_SERVICE}=${dataDir}`],
    readyPath: "/openapi.json",
    timeoutMs: READY_TIMEOUT_MS,
    cwd: path.dirname(configFile),
  });
  live.add(workerd.child);
  workerd.child.once("exit", () => live.delete(workerd.child));
  return workerd;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: "string", default: path.join(repoRoot, "wrangler.toml") },
      websocket: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const checks: Check[] = [...servingChecks, ...values.websocket.map((wsPath) => webSocketEchoCheck(wsPath))];

  const arm64 = await step(
    (a: Arm64Workerd) => `arm64 workerd ${a.version} ready under qemu (links ${a.needed.join(", ")})`,
    () => ensureArm64Workerd(repoRoot, (line) => console.log(`        ${line}`)),
  );
  if (arm64 === undefined) return summary();

  const work = path.join(repoRoot, "workerd-pi", ".arm64", "run");
  await rm(work, { recursive: true, force: true });
  const port = await freePort();
  const built = await step("pi:build: wrangler deploy --dry-run bundle + workerd config from wrangler.toml", () =>
    buildForWorkerd({
      wranglerConfig: values.config,
      buildDir: path.join(work, ".build"),
      configFile: path.join(work, "config.capnp"),
      dataDir: path.join(work, "data"),
      listen: `127.0.0.1:${port}`,
    }),
  );
  if (built === undefined) return summary();

  // Not the directory baked into the config: the override is what the systemd unit relies on.
  const servedData = path.join(work, "data-served");
  const context: CheckContext = { baseUrl: `http://127.0.0.1:${port}`, state: new Map() };
  let workerd: WorkerdProcess | undefined;
  try {
    const startedAt = performance.now();
    workerd = await step(
      () => `arm64 workerd started and answered /openapi.json in ${((performance.now() - startedAt) / 1000).toFixed(2)} s (emulated)`,
      () => start(arm64, built.configFile, port, servedData),
    );
    if (workerd === undefined) return summary();
    await runChecks(checks, context, report);

    const first = workerd;
    const code = await step("SIGTERM stops workerd cleanly (exit code 0)", async () => {
      const exit = await first.stop(30_000);
      if (exit !== 0) throw new Error(`exit code ${exit}\n${first.output().slice(-2000)}`);
      return exit;
    });
    workerd = undefined;
    if (code === undefined) return summary();

    const restartedAt = performance.now();
    workerd = await step(
      () => `arm64 workerd restarted on the same data directory in ${((performance.now() - restartedAt) / 1000).toFixed(2)} s (emulated)`,
      () => start(arm64, built.configFile, port, servedData),
    );
    if (workerd === undefined) return summary();
    await runChecks(afterRestartChecks, context, report);
    await step("the Durable Object's SQLite files are in the --directory-path directory", async () => {
      const files = await readdir(servedData, { recursive: true });
      if (!files.some((file) => file.endsWith(".sqlite"))) throw new Error(`no .sqlite file under ${servedData}`);
    });
  } finally {
    await workerd?.stop(10_000);
  }
  return summary();
}

/** Whatever happens, leave no emulated workerd behind. */
function killLive(): void {
  for (const child of live) child.kill("SIGKILL");
}
process.once("exit", killLive);
// Importing wrangler installs SIGINT/SIGTERM handlers that exit with code 0: an interrupted run
// must not look like a passing one.
process.removeAllListeners("SIGINT");
process.removeAllListeners("SIGTERM");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killLive();
    process.exit(1);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    report({ name: "arm64 run", ok: false, milliseconds: 0, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    process.exit(summary());
  },
);
