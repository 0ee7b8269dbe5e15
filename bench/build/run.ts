/**
 * Build and start-up benchmark.
 *
 *   node --import tsx bench/build/run.ts [--quick] [--only=name,...]
 *
 * For each spec (DigitalOcean, the OAI examples, the example spec/openapi.yaml, and a synthetic
 * 10,000-operation API generated from the matcher's 10k route fixture):
 *
 * - build: wall time of a whole `node bin/brrt.js build` process (spawned, so module loading and
 *   the CLI's own work count), median of 3 (1 with --quick);
 * - generated module: raw and gzip size of the emitted files (.js, .txt and .bin; not spec.d.ts);
 * - worker bundle: the app (`createApp({ spec })`, runtime + generated module) bundled with
 *   bundleWorker, minified, with the generated data as separate Text/Data modules as wrangler
 *   uploads them: raw and gzip (zlib default level, summed over the modules), against
 *   the Workers limits (3 MiB gzip free plan, 10 MiB paid);
 * - start-up in real workerd. workerd's clocks do not advance while JavaScript runs, so the
 *   worker cannot time itself; it is timed from outside. Each measurement spawns
 *   `workerd serve` on the bundle and polls the socket (every 2 ms) until the first HTTP answer
 *   (a 404 for an unknown path, so the first request runs the router's match but no handler).
 *   The same is done for a bare worker (`fetch() { return new Response() }`); the start-up
 *   figure is the app's median minus the bare worker's median (9 rounds, 3 with --quick,
 *   interleaved, so load bursts hit both alike). That difference is what the bundle adds:
 *   reading, compiling and evaluating the module, plus the first request. Polling granularity
 *   (~2 ms) bounds precision. Wall time also counts waiting for a core on a busy machine, so
 *   workerd's own CPU time at the first answer (all threads, from /proc) is reported beside it,
 *   the same way: app median minus bare median. Each round measures both config forms: the
 *   encoded config (`workerd compile --config-only`, served with `--binary`) gives what the bundle
 *   itself costs, as on Cloudflare where no text config is parsed, and is the headline figure;
 *   the text `config.capnp` adds workerd parsing the config and the files it embeds (~15 µs per
 *   KiB here), which `workerd serve config.capnp` pays on every start.
 *
 * Prints a table and writes bench/results/build.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { writeWorkerBundle, type BundleResult } from "../../src/build/bundle-worker.ts";
import { measureWorkerBundle, WORKERS_GZIP_LIMIT_FREE, WORKERS_GZIP_LIMIT_PAID } from "../../src/build/measure-worker.ts";
import { renderWorkerdConfig } from "../../src/build/workerd-config.ts";
import { freePort, workerdBinary } from "../../src/build/workerd-process.ts";
import { syntheticRoutes } from "../../test/fixtures/routes/synthetic.ts";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const root = process.cwd();
const corpus = path.resolve(root, "../shared/corpus");
const work = path.join(root, ".tmp", "bench-build");
const BUILD_RUNS = quick ? 1 : 3;
const STARTUP_ROUNDS = quick ? 3 : 9;

interface Spec {
  readonly name: string;
  readonly file: string;
}

/** An OpenAPI 3.1 document with one operation per synthetic route, small schemas. */
function writeSyntheticSpec(file: string): void {
  const paths: Record<string, Record<string, unknown>> = {};
  const item = { type: "object", required: ["id"], properties: { id: { type: "string" }, name: { type: "string", maxLength: 64 }, count: { type: "integer", minimum: 0 } } };
  for (const route of syntheticRoutes(10_000)) {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      parameters: names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
      responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } } } },
    };
    if (route.method === "POST" || route.method === "PUT" || route.method === "PATCH") {
      operation.requestBody = { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } } };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  const document = { openapi: "3.1.0", info: { title: "Synthetic 10k", version: "1.0.0" }, paths, components: { schemas: { Item: item } } };
  writeFileSync(file, JSON.stringify(document));
}

function specs(): Spec[] {
  mkdirSync(work, { recursive: true });
  const synthetic = path.join(work, "synthetic-10k.json");
  writeSyntheticSpec(synthetic);
  const oai = readdirSync(path.join(corpus, "oai-examples"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ name: `oai/${f.replace(/\.yaml$/, "")}`, file: path.join(corpus, "oai-examples", f) }));
  const all = [
    { name: "digitalocean", file: path.join(corpus, "digitalocean/specification/DigitalOcean-public.v2.yaml") },
    ...oai,
    { name: "example", file: path.join(root, "spec/openapi.yaml") },
    { name: "synthetic-10k", file: synthetic },
  ];
  return only ? all.filter((s) => only.some((o) => s.name.includes(o))) : all;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function loadAverage(): number {
  return Number(os.loadavg()[0]!.toFixed(2));
}

/** One whole `brrt build` process, wall time in ms. */
function timeBuild(spec: Spec, outDir: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [path.join(root, "bin/brrt.js"), "build", "--spec", spec.file, "--out", outDir], { cwd: root, encoding: "utf8" });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`brrt build ${spec.name} failed:\n${result.stderr}`);
  return elapsed;
}

function generatedSize(outDir: string): { rawBytes: number; gzipBytes: number } {
  const contents = Buffer.concat(
    readdirSync(outDir)
      .filter((f) => !f.endsWith(".d.ts"))
      .sort()
      .map((f) => readFileSync(path.join(outDir, f))),
  );
  return { rawBytes: contents.byteLength, gzipBytes: gzipSync(contents).byteLength };
}

/** Resolves when the server answers any HTTP request; polls every 2 ms. */
function firstAnswer(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const req = request({ host: "127.0.0.1", port, path: "/__brrt_startup_probe", agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", () => {
        if (performance.now() > deadline) reject(new Error(`no answer on port ${port}`));
        else setTimeout(attempt, 2);
      });
      req.end();
    };
    attempt();
  });
}

/**
 * CPU time (ms) the process has used so far, summed over all its threads (Linux: the first field
 * of /proc/<pid>/task/<tid>/schedstat is nanoseconds on a CPU). Less sensitive to other load on
 * the machine than wall time: waiting for a core does not count.
 */
function processCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

interface StartupSample {
  /** Spawn to first HTTP answer. */
  readonly wallMs: number;
  /** workerd's CPU time, all threads, at the first answer. */
  readonly cpuMs: number;
}

/** How workerd is given the config: the text `config.capnp`, or `config.bin` made from it by `workerd compile --config-only`. */
type ConfigForm = "text" | "binary";

/** Spawn → first HTTP answer, wall and CPU ms, for the worker whose config is in `dir`. */
async function timeStartup(dir: string, form: ConfigForm): Promise<StartupSample> {
  const port = await freePort();
  const started = performance.now();
  const config = form === "text" ? ["config.capnp"] : ["--binary", "config.bin"];
  const child = spawn(workerdBinary(), ["serve", ...config, "--socket-addr", `http=127.0.0.1:${port}`], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await Promise.race([
      firstAnswer(port, started + 30_000),
      exited.then((code) => Promise.reject(new Error(`workerd exited (${code}):\n${stderr}`))),
    ]);
    const wallMs = performance.now() - started;
    return { wallMs, cpuMs: processCpuMs(child.pid!) };
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Writes worker.js, its Text/Data modules, and a workerd config serving them. */
async function writeWorker(dir: string, bundle: BundleResult): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const modules = await writeWorkerBundle(dir, bundle);
  writeFileSync(
    path.join(dir, "config.capnp"),
    renderWorkerdConfig({
      modules,
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["nodejs_compat"],
      address: "127.0.0.1:0",
      workerName: "brrt-bench",
    }),
  );
  // The same config, encoded: parsing the text config (and the files it embeds) is work workerd
  // does before any module is compiled, proportional to the bundle's bytes (see startupOf).
  const compiled = spawnSync(workerdBinary(), ["compile", "--config-only", "config.capnp"], { cwd: dir, maxBuffer: 256 * 1024 * 1024 });
  if (compiled.status !== 0) throw new Error(`workerd compile --config-only failed in ${dir}:\n${compiled.stderr.toString()}`);
  writeFileSync(path.join(dir, "config.bin"), compiled.stdout);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

const bareDir = path.join(work, "bare-worker");
const bareCode = `export default { fetch() { return new Response("bare", { status: 404 }); } };\n`;
await writeWorker(bareDir, { code: bareCode, bytes: bareCode.length, modules: [] });

/**
 * App minus bare worker, medians of interleaved rounds. With the binary config this is what the
 * bundle costs V8 and the runtime (read, compile, evaluate, first request), as on Cloudflare,
 * where no text config is parsed; with the text config workerd also parses the embedded files
 * (about 15 µs per KiB of bundle on this machine), which `workerd serve config.capnp` pays.
 */
function startupOf({ app, bare }: { app: readonly StartupSample[]; bare: readonly StartupSample[] }) {
  const wall = { app: app.map((s) => s.wallMs), bare: bare.map((s) => s.wallMs) };
  const cpu = { app: app.map((s) => s.cpuMs), bare: bare.map((s) => s.cpuMs) };
  const rounded = (values: readonly number[]): number[] => values.map((v) => Number(v.toFixed(1)));
  return {
    appFirstAnswerMs: Number(median(wall.app).toFixed(1)),
    bareFirstAnswerMs: Number(median(wall.bare).toFixed(1)),
    moduleStartupMs: Number((median(wall.app) - median(wall.bare)).toFixed(1)),
    moduleStartupCpuMs: Number((median(cpu.app) - median(cpu.bare)).toFixed(1)),
    appCpuRunsMs: rounded(cpu.app),
    bareCpuRunsMs: rounded(cpu.bare),
    appRunsMs: rounded(wall.app),
    bareRunsMs: rounded(wall.bare),
  };
}

const rows = [];
for (const spec of specs()) {
  const outDir = path.join(work, "out", spec.name.replace(/\//g, "-"));
  const loadBefore = loadAverage();
  const builds: number[] = [];
  for (let i = 0; i < BUILD_RUNS; i++) builds.push(timeBuild(spec, outDir));
  const generated = generatedSize(outDir);
  const bundle = await measureWorkerBundle(outDir);
  const workerDir = path.join(work, "workers", spec.name.replace(/\//g, "-"));
  await writeWorker(workerDir, bundle.bundle);

  const samples = { text: { app: [] as StartupSample[], bare: [] as StartupSample[] }, binary: { app: [] as StartupSample[], bare: [] as StartupSample[] } };
  for (let i = 0; i < STARTUP_ROUNDS; i++) {
    for (const form of ["binary", "text"] as const) {
      samples[form].bare.push(await timeStartup(bareDir, form));
      samples[form].app.push(await timeStartup(workerDir, form));
    }
  }
  const row = {
    spec: spec.name,
    buildMs: Math.round(median(builds)),
    buildRunsMs: builds.map(Math.round),
    loadAverage: { before: loadBefore, after: loadAverage() },
    generated,
    workerBundle: {
      rawBytes: bundle.rawBytes,
      gzipBytes: bundle.gzipBytes,
      freePlanShare: Number((bundle.gzipBytes / WORKERS_GZIP_LIMIT_FREE).toFixed(3)),
      paidPlanShare: Number((bundle.gzipBytes / WORKERS_GZIP_LIMIT_PAID).toFixed(3)),
    },
    startup: startupOf(samples.binary),
    startupTextConfig: startupOf(samples.text),
  };
  rows.push(row);
  console.log(
    `${spec.name}: build ${row.buildMs} ms, bundle ${kib(bundle.gzipBytes)} gzip, start-up +${row.startup.moduleStartupMs} ms wall, +${row.startup.moduleStartupCpuMs} ms CPU ` +
      `(text config: +${row.startupTextConfig.moduleStartupMs} / +${row.startupTextConfig.moduleStartupCpuMs}) (load ${loadBefore})`,
  );
}

const header = ["spec", "build (median)", "generated raw / gzip", "worker bundle raw / gzip", "of 3 MiB free", "start-up wall (app − bare)", "start-up CPU (app − bare)", "text config: wall / CPU"];
const table = rows.map((r) => [
  r.spec,
  `${r.buildMs} ms`,
  `${kib(r.generated.rawBytes)} / ${kib(r.generated.gzipBytes)}`,
  `${kib(r.workerBundle.rawBytes)} / ${kib(r.workerBundle.gzipBytes)}`,
  `${(r.workerBundle.freePlanShare * 100).toFixed(0)} %`,
  `${r.startup.moduleStartupMs} ms (${r.startup.appFirstAnswerMs} − ${r.startup.bareFirstAnswerMs})`,
  `${r.startup.moduleStartupCpuMs} ms`,
  `${r.startupTextConfig.moduleStartupMs} / ${r.startupTextConfig.moduleStartupCpuMs} ms`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
console.log("\n" + line(header) + "\n" + line(widths.map((w) => "-".repeat(w))) + "\n" + table.map(line).join("\n"));

const out = path.join(root, "bench/results/build.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      node: process.version,
      date: new Date().toISOString(),
      cpus: os.cpus().length,
      quick,
      method: {
        build: `wall time of a whole \`node bin/brrt.js build\` process, median of ${BUILD_RUNS}`,
        workerBundle: "createApp({ spec }) bundled by bundleWorker, minified, generated data as Text/Data modules (as wrangler uploads them); gzip at zlib's default level, summed over the modules",
        startup: `workerd serve --binary config.bin (the config encoded by workerd compile --config-only, so no text config is parsed: what the bundle costs V8 and the runtime, as on Cloudflare) spawned, socket polled every 2 ms until the first HTTP answer (404 path); app minus a bare worker, medians of ${STARTUP_ROUNDS} interleaved rounds; CPU: workerd's CPU time over all its threads at the first answer (/proc schedstat), app median minus bare median`,
        startupTextConfig: "the same, serving the text config.capnp: workerd also parses the config and the files it embeds, in proportion to the bundle's bytes",
      },
      limits: { freeGzipBytes: WORKERS_GZIP_LIMIT_FREE, paidGzipBytes: WORKERS_GZIP_LIMIT_PAID },
      results: rows,
    },
    null,
    2,
  ) + "\n",
);
console.log(`\nwrote ${path.relative(root, out)}`);
rmSync(path.join(work, "workers"), { recursive: true, force: true });
