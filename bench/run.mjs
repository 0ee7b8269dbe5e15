#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark, one after another (never two at once: they would share the
 * cores and distort each other), each printing its own table and writing bench/results/<name>.json.
 *
 *   node bench/run.mjs [--quick] [--only=route,validate,security,build,realtime,e2e] [--dry-run]
 *
 * `--quick` is passed to the benchmarks that take it (shorter runs, for a smoke check). A
 * benchmark whose script is missing is reported as skipped; one that fails does not stop the
 * rest, and the run exits non-zero at the end.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const dryRun = argv.includes("--dry-run");

/**
 * name: also the results file (bench/results/<name>.json); script: relative to the repo root;
 * node: flags before the script; takesQuick: understands --quick; env: extra environment (quick mode).
 */
const benchmarks = [
  { name: "route", script: "bench/route/run.ts", node: ["--expose-gc", "--import", "tsx"], takesQuick: true },
  { name: "validate", script: "bench/validate/run.ts", node: ["--import", "tsx"], takesQuick: true },
  { name: "security", script: "bench/security/run.ts", node: ["--import", "tsx"], takesQuick: true },
  { name: "build", script: "bench/build/run.ts", node: ["--import", "tsx"], takesQuick: true },
  {
    name: "realtime",
    script: "bench/realtime/fanout.ts",
    node: ["--import", "tsx"],
    takesQuick: false,
    // fanout.ts is sized by environment variables; quick mode uses a tenth of the clients.
    quickEnv: { CLIENTS: "100", PACED: "20", BURST: "50", SSE_STREAMS: "20", SSE_EVENTS: "20" },
  },
  { name: "e2e", script: "bench/e2e/run.ts", node: ["--import", "tsx"], takesQuick: true },
];

if (only !== undefined) {
  const unknown = only.filter((name) => !benchmarks.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${benchmarks.map((b) => b.name).join(", ")}`);
    process.exit(2);
  }
}

const outcomes = [];
for (const bench of benchmarks) {
  if (only !== undefined && !only.includes(bench.name)) continue;
  const script = path.join(root, bench.script);
  if (!existsSync(script)) {
    console.log(`\n=== ${bench.name}: skipped — ${bench.script} does not exist (yet)`);
    outcomes.push({ name: bench.name, status: "skipped", seconds: 0 });
    continue;
  }
  const args = [...bench.node, bench.script, ...(quick && bench.takesQuick ? ["--quick"] : [])];
  console.log(`\n=== ${bench.name}: node ${args.join(" ")}`);
  if (dryRun) {
    outcomes.push({ name: bench.name, status: "dry run", seconds: 0 });
    continue;
  }
  const started = performance.now();
  // cwd is the repo root: some benchmarks resolve their results path from it.
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...(quick ? bench.quickEnv : {}) },
  });
  const seconds = (performance.now() - started) / 1000;
  const status = result.status === 0 ? "ok" : `failed (${result.error?.message ?? (result.signal !== null ? `signal ${result.signal}` : `exit ${result.status}`)})`;
  outcomes.push({ name: bench.name, status, seconds });
}

console.log("\n=== summary");
for (const outcome of outcomes) {
  const file = `bench/results/${outcome.name}.json`;
  console.log(`  ${outcome.name.padEnd(10)} ${outcome.status.padEnd(24)} ${outcome.seconds.toFixed(0).padStart(5)} s   ${outcome.status === "ok" ? file : ""}`);
}
process.exit(outcomes.some((o) => o.status.startsWith("failed")) ? 1 : 0);
