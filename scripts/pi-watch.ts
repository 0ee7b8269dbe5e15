/**
 * `npm run pi:watch` — self-hosted workerd with hot reload. On every change under the spec's
 * folder: `brrt build`, then the `wrangler deploy --dry-run` bundle and workerd config; only if
 * both succeed, and a trial workerd loads the new version, the serving workerd is stopped with
 * SIGTERM (it stops accepting, finishes in-flight requests, exits) and started again on the new
 * config with the same Durable Object storage. A bad edit prints its `file:line:col` errors and
 * the previous version keeps serving.
 *
 *   node --import tsx scripts/pi-watch.ts [--spec spec/openapi.yaml] [--out generated/petstore]
 *        [--config wrangler.toml] [--host 127.0.0.1] [--port 8787] [--build-dir DIR]
 *        [--capnp FILE] [--data-dir DIR] [--grace-ms 3000] [--watch DIR]...
 *
 * Between the old process exiting and the new one listening (a few hundred ms here) new
 * connections are refused: this is a development loop, not a zero-downtime deploy.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePort, startWorkerd, type WorkerdProcess } from "../src/build/workerd-process.ts";
import { buildForWorkerd, type PiBuildResult } from "./pi-config.ts";
import { defaultDataDir, secretsFromEnv, STORAGE_SERVICE } from "./pi-env.ts";
import { rebuildSpec, serialRunner, watchTree } from "./pi-spec-watch.ts";

const { values } = parseArgs({
  options: {
    spec: { type: "string", default: "spec/openapi.yaml" },
    out: { type: "string", default: "generated/petstore" },
    config: { type: "string", default: "wrangler.toml" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8787" },
    "build-dir": { type: "string", default: "workerd-pi/.build" },
    capnp: { type: "string", default: "workerd-pi/config.capnp" },
    "data-dir": { type: "string", default: defaultDataDir() },
    "grace-ms": { type: "string", default: "3000" },
    watch: { type: "string", multiple: true, default: [] },
  },
  strict: true,
});

const port = Number(values.port);
const graceMs = Number(values["grace-ms"]);
if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be 1-65535, got ${values.port}`);
const log = (line: string): void => console.log(`[pi:watch] ${line}`);

let serving: WorkerdProcess | undefined;
let stopping = false;

function relay(workerd: WorkerdProcess): void {
  workerd.child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk));
  workerd.child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  workerd.child.once("exit", (code, signal) => {
    if (serving === workerd && !stopping) {
      serving = undefined;
      log(`workerd exited (${signal ?? code}); it starts again on the next successful build`);
    }
  });
}

/**
 * Loads the new config in a throwaway workerd on another port, with empty storage, so a worker
 * that throws at start is caught while the old version still serves.
 */
async function trialStart(built: PiBuildResult): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "brrt-pi-watch-trial-"));
  try {
    const trial = await startWorkerd({
      configFile: built.configFile,
      port: await freePort(values.host),
      host: values.host,
      flags: built.durableObjects.length > 0 ? ["--directory-path", `${STORAGE_SERVICE}=${scratch}`] : [],
      timeoutMs: 30_000,
    });
    await trial.stop(1000);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function rebuild(reason: string): Promise<void> {
  const started = performance.now();
  log(`${reason}: rebuilding`);
  const spec = await rebuildSpec(values.spec, values.out);
  for (const line of spec.lines) (spec.ok ? console.log : console.error)(line);
  const keep = serving === undefined ? "nothing is serving yet: fix the spec" : "the previous version keeps serving";
  if (!spec.ok) return log(`brrt build failed; ${keep}`);

  let built: PiBuildResult;
  let trialMs = 0;
  try {
    built = await buildForWorkerd({
      wranglerConfig: values.config,
      buildDir: values["build-dir"],
      configFile: values.capnp,
      dataDir: values["data-dir"],
      listen: `${values.host}:${port}`,
      secrets: secretsFromEnv(),
    });
    const trialStarted = performance.now();
    await trialStart(built);
    trialMs = performance.now() - trialStarted;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return log(`bundle or workerd start failed; ${keep}`);
  }

  const restartStarted = performance.now();
  if (serving !== undefined) {
    const old = serving;
    serving = undefined;
    // SIGTERM: workerd stops accepting and lets in-flight requests finish. An open WebSocket
    // keeps it waiting, hence the SIGKILL after the grace period.
    await old.stop(graceMs);
  }
  if (stopping) return;
  const workerd = await startWorkerd({ configFile: built.configFile, port, host: values.host, timeoutMs: 30_000 });
  serving = workerd;
  relay(workerd);
  const ms = (value: number): string => `${Math.round(value)} ms`;
  log(
    `serving ${workerd.url} (${ms(performance.now() - started)} after the change: spec ${ms(spec.milliseconds)}, ` +
      `bundle + config ${ms(built.milliseconds)}, trial start ${ms(trialMs)}, restart ${ms(performance.now() - restartStarted)})`,
  );
}

const runner = serialRunner(rebuild);
const specDir = path.dirname(path.resolve(values.spec));
const ignore = [values.out, values["build-dir"], `${values["build-dir"]}.next`, values["data-dir"], values.capnp];
const closers = [specDir, ...values.watch].map((dir) =>
  watchTree(dir, (file) => runner.trigger(`${path.relative(process.cwd(), file)} changed`), ignore),
);
log(`watching ${[specDir, ...values.watch].map((dir) => path.relative(process.cwd(), dir) || ".").join(", ")}`);
runner.trigger("start");

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const close of closers) close();
  await runner.idle();
  await serving?.stop(graceMs);
  process.exit(0);
}
// Importing wrangler (for its config reader) installs SIGINT/SIGTERM handlers that call
// process.exit() at once, which would orphan the served workerd: this process owns shutdown.
process.removeAllListeners("SIGINT");
process.removeAllListeners("SIGTERM");
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
