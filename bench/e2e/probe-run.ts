/**
 * Where our pipeline's time goes inside workerd: each probe of bench/e2e/workers/probes.ts (the
 * bare worker plus one piece of the pipeline's per-request work) and the pipeline variants of
 * bench/e2e/contenders.ts, served by workerd and loaded by wrk with the bench's own two requests.
 * The figure that matters is workerd's CPU time per request (from /proc), which does not depend
 * on how wrk and workerd share the cores; req/s are shown too.
 *
 *   node --import tsx bench/e2e/probe-run.ts [--rounds=3] [--duration=4] [--only=probe,...]
 *
 * Writes /work/notes/e2e/probes.json (a profiling aid for the lead, not a published result).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bundleWorker } from "../../src/build/bundle-worker.ts";
import { bundleContender, contenders } from "./contenders.ts";
import { benchToken, ENDPOINTS, timedRequest, type EndpointName } from "./requests.ts";
import { cpuSeconds, median, serveBundle } from "./serve.ts";
import { PROBES } from "./workers/probes.ts";
import { ensureWrk, runWrk, writeWrkScript, type WrkParams } from "./wrk.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(flag("rounds") ?? 3);
const params: WrkParams = { threads: 2, connections: 50, durationSeconds: Number(flag("duration") ?? 4) };
const only = flag("only")?.split(",");

ensureWrk();
const dir = mkdtempSync(path.join(os.tmpdir(), "brrt-e2e-probes-"));
const token = await benchToken();
const scripts = new Map<EndpointName, string>();
for (const endpoint of ENDPOINTS) {
  const file = path.join(dir, `${endpoint.startsWith("GET") ? "get" : "post"}.lua`);
  writeWrkScript(file, timedRequest(endpoint, token));
  scripts.set(endpoint, file);
}

const bundles = new Map<string, string>();
for (const probe of PROBES) {
  if (only !== undefined && !only.includes(probe) && probe !== "none") continue;
  const entry = path.join(dir, `probe-${probe}.ts`);
  writeFileSync(entry, `import { probeWorker } from ${JSON.stringify(path.resolve(import.meta.dirname, "workers/probes.ts"))};\nexport default probeWorker(${JSON.stringify(probe)});\n`);
  const file = path.join(dir, `probe-${probe}.js`);
  writeFileSync(file, (await bundleWorker(entry)).code);
  bundles.set(`probe:${probe}`, file);
}
for (const contender of contenders) {
  if (!contender.name.startsWith("brrtrouter-edge")) continue;
  if (only !== undefined && !only.includes(contender.name)) continue;
  bundles.set(contender.name, (await bundleContender(contender, dir)).file);
}

const cpu = new Map<string, number[]>();
const rps = new Map<string, number[]>();
for (let round = 1; round <= rounds; round++) {
  for (const [name, file] of bundles) {
    const server = await serveBundle(dir, file);
    try {
      for (const endpoint of ENDPOINTS) {
        const script = scripts.get(endpoint)!;
        await runWrk(server.url, script, params, 1);
        const before = cpuSeconds(server.child.pid!);
        const report = await runWrk(server.url, script, params);
        const us = ((cpuSeconds(server.child.pid!) - before) * 1e6) / report.requests;
        if (report.errors > 0) throw new Error(`${name} ${endpoint}: ${report.errors} non-2xx answers`);
        const key = `${name}\u0000${endpoint}`;
        cpu.set(key, [...(cpu.get(key) ?? []), us]);
        rps.set(key, [...(rps.get(key) ?? []), report.requestsPerSecond]);
        console.log(`  round ${round} ${name.padEnd(26)} ${endpoint.padEnd(16)} ${report.requestsPerSecond.toFixed(0).padStart(6)} req/s  ${us.toFixed(1).padStart(6)} µs cpu/req  load ${os.loadavg()[0]!.toFixed(2)}`);
      }
    } finally {
      await server.stop();
    }
  }
}

const rows: { name: string; endpoint: EndpointName; requestsPerSecond: number; cpuUsPerRequest: number; cpuUsOverBare: number; samplesCpuUs: number[] }[] = [];
for (const endpoint of ENDPOINTS) {
  const floor = median(cpu.get(`probe:none\u0000${endpoint}`)!);
  console.log(`\n${endpoint}: workerd CPU µs per request (median of ${rounds}), and over the bare worker`);
  for (const name of bundles.keys()) {
    const key = `${name}\u0000${endpoint}`;
    const us = median(cpu.get(key)!);
    const row = { name, endpoint, requestsPerSecond: Math.round(median(rps.get(key)!)), cpuUsPerRequest: Math.round(us * 10) / 10, cpuUsOverBare: Math.round((us - floor) * 10) / 10, samplesCpuUs: cpu.get(key)!.map((v) => Math.round(v * 10) / 10) };
    rows.push(row);
    console.log(`  ${name.padEnd(26)} ${String(row.requestsPerSecond).padStart(6)} req/s  ${row.cpuUsPerRequest.toFixed(1).padStart(6)} µs  +${row.cpuUsOverBare.toFixed(1).padStart(6)} µs`);
  }
}
mkdirSync("/work/notes/e2e", { recursive: true });
writeFileSync("/work/notes/e2e/probes.json", `${JSON.stringify({ date: new Date().toISOString(), wrk: params, rounds, rows }, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
