/**
 * Splits the cost of our pipeline into its stages inside workerd, next to the other contenders,
 * with the in-isolate loop of bench/e2e/workers/loop.ts: for each target and endpoint, workerd's
 * CPU time (all threads, nanosecond scheduler accounting from /proc) for one request running the
 * target `n` times and for one running it `3n` times; the difference over `2n` is the cost of one
 * iteration (the fixed costs of the HTTP request cancel out, and time the VM spends elsewhere is
 * not counted). The "request-only" target (construct the Request, nothing else) is subtracted.
 *
 *   node --import tsx bench/e2e/loop-run.ts [--n=2000] [--rounds=5] [--only=target,...]
 *                                           [--patched=name=<checkout>,...]
 *
 * `--patched` adds the full pipeline bundled from other checkouts as targets `brrtrouter-edge@name`,
 * timed in the same workerd, interleaved with the others: the steadiest way on a shared machine to
 * compare a runtime change with what it replaces (no HTTP, no wrk, one core).
 *
 * One workerd, one request at a time, no wrk: one core busy. Writes /work/notes/e2e/loop.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleWorker } from "../../src/build/bundle-worker.ts";
import { buildSpec, formatDiagnostic } from "../../src/build/index.ts";
import { benchToken, timedRequest } from "./requests.ts";
import { cpuSeconds, median, serveBundle } from "./serve.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(flag("n") ?? 2000);
const rounds = Number(flag("rounds") ?? 5);
const only = flag("only")?.split(",");
const patched = (flag("patched") ?? "")
  .split(",")
  .filter((item) => item !== "")
  .map((item) => {
    const eq = item.indexOf("=");
    return { name: `brrtrouter-edge@${item.slice(0, eq)}`, root: path.resolve(item.slice(eq + 1)) };
  });

const dir = mkdtempSync(path.join(os.tmpdir(), "brrt-e2e-loop-"));
const built = await buildSpec({ spec: path.resolve(import.meta.dirname, "spec.yaml"), outDir: path.join(dir, "generated") });
if (!built.ok) throw new Error(built.diagnostics.map(formatDiagnostic).join("\n"));
const token = await benchToken();
const shapes = Object.fromEntries(
  (["GET /items/{id}", "POST /items"] as const).map((endpoint) => {
    const r = timedRequest(endpoint, token);
    return [r.method, { method: r.method, url: `http://bench.local${r.path}`, headers: r.headers, body: r.body }];
  }),
);
const entry = path.join(dir, "loop-entry.ts");
writeFileSync(
  entry,
  [
    `import * as spec from ${JSON.stringify(path.join(dir, "generated/spec.js"))};`,
    `import { loopWorker } from ${JSON.stringify(path.resolve(import.meta.dirname, "workers/loop.ts"))};`,
    ...patched.map((p, i) => `import { brrtWorker as brrtWorker${i} } from ${JSON.stringify(path.join(p.root, "bench/e2e/workers/brrt.ts"))};`),
    `export default loopWorker(spec, ${JSON.stringify(shapes)}, {${patched.map((p, i) => `${JSON.stringify(p.name)}: brrtWorker${i}(spec, "full")`).join(", ")}});`,
    "",
  ].join("\n"),
);
const bundle = path.join(dir, "loop.js");
writeFileSync(bundle, (await bundleWorker(entry)).code);
const server = await serveBundle(dir, bundle);

/** workerd CPU milliseconds spent answering one loop request. */
async function timeLoop(target: string, endpoint: string, count: number, retry = true): Promise<number> {
  const started = cpuSeconds(server.child.pid!) * 1000;
  let response: Response;
  try {
    response = await fetch(`${server.url}/loop?target=${encodeURIComponent(target)}&endpoint=${endpoint}&n=${count}`);
  } catch (error) {
    // Now and then workerd drops a kept-alive connection between two loops: one retry on a new one.
    if (retry) return timeLoop(target, endpoint, count, false);
    throw new Error(`${target} ${endpoint} n=${count}: ${String(error)}\nworkerd said:\n${server.output().slice(-2000)}`);
  }
  const text = await response.text();
  if (response.status !== 204) throw new Error(`${target} ${endpoint}: ${response.status} ${text}`);
  return cpuSeconds(server.child.pid!) * 1000 - started;
}

try {
  const all = (await (await fetch(`${server.url}/targets`)).json()) as string[];
  const names = all.filter((t) => t === "request-only" || only === undefined || only.includes(t) || patched.some((p) => p.name === t));
  const endpoints = ["GET", "POST"];
  // Warm-up: every target on both endpoints, so the JIT has settled before any timing.
  for (const endpoint of endpoints) for (const name of names) await timeLoop(name, endpoint, n);
  const samples = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const endpoint of endpoints) {
      for (const name of names) {
        const short = await timeLoop(name, endpoint, n);
        const long = await timeLoop(name, endpoint, 3 * n);
        const key = `${name}\u0000${endpoint}`;
        samples.set(key, [...(samples.get(key) ?? []), ((long - short) * 1000) / (2 * n)]);
      }
    }
  }
  const rows: { target: string; endpoint: string; usPerIteration: number; usOverRequestOnly: number; samplesUs: number[] }[] = [];
  for (const endpoint of endpoints) {
    const base = median(samples.get(`request-only\u0000${endpoint}`)!);
    console.log(`\n${endpoint}: µs per iteration in workerd (median of ${rounds}; Request construction = ${base.toFixed(2)} µs subtracted)`);
    for (const name of names) {
      const us = median(samples.get(`${name}\u0000${endpoint}`)!);
      const list = samples.get(`${name}\u0000${endpoint}`)!;
      rows.push({ target: name, endpoint, usPerIteration: Math.round(us * 100) / 100, usOverRequestOnly: Math.round((us - base) * 100) / 100, samplesUs: list.map((v) => Math.round(v * 10) / 10) });
      // On a shared machine contention only ever adds CPU time: the lower quartile is the steadier figure.
      const sorted = [...list].sort((a, b) => a - b);
      const q1 = sorted[Math.floor((sorted.length - 1) / 4)]!;
      console.log(`  ${name.padEnd(26)} ${(us - base).toFixed(2).padStart(8)} µs  (q1 ${(q1 - base).toFixed(1).padStart(6)})   samples ${list.map((v) => v.toFixed(0)).join(" ")}`);
    }
  }
  mkdirSync("/work/notes/e2e", { recursive: true });
  writeFileSync("/work/notes/e2e/loop.json", `${JSON.stringify({ date: new Date().toISOString(), n, rounds, rows }, null, 2)}\n`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
