/**
 * `brrt` — the command line, thin over the build library.
 *
 *   brrt build --spec <file> --out <dir> [--no-response-validators]
 *                                            compile a spec into a generated module
 *   brrt check --spec <file>                 only check it (exit 1 with file:line:col lines)
 *   brrt serve --spec <file> [--port N] [--mock] [--insecure]
 *                                            build and serve it on a local workerd
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { buildSpec, displayPath, type BuildSummary } from "../build/index.ts";
import { formatDiagnostic, type Diagnostic } from "../build/diagnostics.ts";
import { measureWorkerBundle, WORKERS_GZIP_LIMIT_FREE } from "../build/measure-worker.ts";
import { prepareSpecWorker } from "../build/spec-worker.ts";
import { startWorkerd } from "../build/workerd-process.ts";

/**
 * V8 tuned for a short, CPU-bound run. A build runs a lot of different code once or a few
 * thousand times (the YAML parser, ajv's code generator, the bundler), and V8's optimising
 * compiler spent ~2.5 s of CPU on DigitalOcean's ~7 s, on the second core, which the build then
 * cannot use for anything else (on a 2-core machine). Optimising fewer functions (an interrupt
 * budget 8 times V8's default, so a function must run longer before it is optimised) and without
 * inlining, the process used a third less CPU and no more on the main thread (DigitalOcean,
 * interleaved runs: process CPU ~6.5-8 s -> 4.5-5.1 s, wall ~6-7.5 s -> 4.7-5.3 s). Both flags are
 * read when a function's budget is reset or an optimising compile runs, so setting them here,
 * before any code is hot, takes effect. BRRT_V8_DEFAULTS=1 keeps V8's defaults.
 */
if (process.env.BRRT_V8_DEFAULTS !== "1") setFlagsFromString("--no-turbo-inlining --interrupt-budget=1056000");

const USAGE = `usage:
  brrt build --spec <file> --out <dir> [--no-response-validators]
  brrt check --spec <file>
  brrt serve --spec <file> [--port <n>] [--mock] [--insecure]`;

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const line = formatDiagnostic({ ...d, file: displayPath(d.file) });
    (d.severity === "error" ? console.error : console.warn)(line);
  }
}

function printSummary(summary: BuildSummary, outDir: string | undefined): void {
  console.log(`built ${summary.title} ${summary.version} in ${Math.round(summary.milliseconds)} ms`);
  console.log(
    `  ${summary.files} file(s), ${summary.paths} paths, ${summary.operations} operations, ${summary.schemas} schemas, ${summary.validators} validators`,
  );
  const where = outDir === undefined ? "output" : `${displayPath(path.resolve(outDir))}/`;
  console.log(`  ${where} ${kib(summary.rawBytes)} raw, ${kib(summary.gzipBytes)} gzip`);
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: {
        spec: { type: "string" },
        out: { type: "string" },
        port: { type: "string" },
        mock: { type: "boolean", default: false },
        insecure: { type: "boolean", default: false },
        "no-response-validators": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return 0;
  }
  const spec = values.spec ?? fail(`--spec is required\n${USAGE}`);

  switch (command) {
    case "build":
    case "check": {
      const outDir = command === "build" ? values.out ?? fail(`--out is required\n${USAGE}`) : undefined;
      const result = await buildSpec({ spec, outDir, responses: !values["no-response-validators"] });
      printDiagnostics(result.diagnostics);
      if (!result.ok) return 1;
      printSummary(result.summary, outDir);
      if (outDir !== undefined) {
        // What a deployment weighs: the minified app bundle for this module, gzip as wrangler counts it.
        const bundle = await measureWorkerBundle(outDir);
        const share = ((bundle.gzipBytes / WORKERS_GZIP_LIMIT_FREE) * 100).toFixed(0);
        console.log(`  worker bundle (minified) ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip (${share} % of the 3 MiB free-plan limit)`);
      }
      return 0;
    }
    case "serve":
      return serve(spec, values.port ?? "8787", values.mock, values.insecure);
    default:
      fail(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
}

async function serve(spec: string, portText: string, mock: boolean, insecure: boolean): Promise<number> {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be 1-65535, got ${JSON.stringify(portText)}`);
  if (insecure) {
    console.warn("!!! --insecure: every security requirement of the spec is SKIPPED. Never expose this server. !!!");
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "brrt-serve-"));
  const prepared = await prepareSpecWorker({ spec, dir, mock, insecure });
  printDiagnostics(prepared.build.diagnostics);
  if (!prepared.ok) {
    await rm(dir, { recursive: true, force: true });
    return 1;
  }
  printSummary(prepared.build.summary, undefined);
  const workerd = await startWorkerd({ configFile: prepared.configFile, port, cwd: dir, readyPath: "/openapi.json" });
  workerd.child.stdout?.pipe(process.stdout);
  workerd.child.stderr?.pipe(process.stderr);
  console.log(`listening on ${workerd.url}${mock ? " (mock mode)" : ""}`);

  const shutdown = async (): Promise<void> => {
    await workerd.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      void shutdown().then(() => resolve(0));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    workerd.child.once("exit", (code) => {
      if (stopping) return;
      console.error(`workerd exited with code ${code}`);
      void rm(dir, { recursive: true, force: true }).then(() => resolve(1));
    });
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Only a bug gets here (bad input is reported as diagnostics): say so without a stack flood.
    console.error(`brrt: internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.BRRT_DEBUG) console.error(error);
    process.exit(70);
  },
);
