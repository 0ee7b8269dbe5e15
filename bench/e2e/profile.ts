/**
 * Where the time of the end-to-end bench goes, measured in Node on the very bundles workerd
 * serves (bundleWorker output imported as ES modules; Node has the same fetch/WebCrypto API).
 *
 *   node --import tsx bench/e2e/profile.ts [--n=20000] [--rounds=5] [--only=name,...]
 *                                          [--cpu-prof=<contender>] [--endpoint=GET|POST]
 *
 * For every contender and endpoint: µs per request over `n` sequential `fetch(request, env, ctx)`
 * calls (request construction included, identical for all), median of interleaved rounds, after
 * a warm-up. `--cpu-prof=name` also records a V8 CPU profile of that contender's hot loop only
 * (node:inspector), writes it to /work/notes/e2e/<name>-<endpoint>.cpuprofile and prints the
 * functions with the most self time. Not a substitute for the wrk figures: no HTTP, no workerd
 * I/O; it shows what our JavaScript costs next to the others'.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundleContender, contenders } from "./contenders.ts";
import { benchToken, ENDPOINTS, JWT_SECRET, timedRequest, type EndpointName } from "./requests.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(flag("n") ?? 20_000);
const rounds = Number(flag("rounds") ?? 5);
const only = flag("only")?.split(",");
const profileTarget = flag("cpu-prof");
const endpointFilter = flag("endpoint");
const endpoints = ENDPOINTS.filter((e) => endpointFilter === undefined || e.startsWith(endpointFilter));

type Fetch = (request: Request, env: unknown, ctx: unknown) => Promise<Response> | Response;
const env = { JWT_SECRET };
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };

const dir = mkdtempSync(path.join(os.tmpdir(), "brrt-e2e-profile-"));
const token = await benchToken();
const workers = new Map<string, Fetch>();
for (const contender of contenders) {
  if (only !== undefined && !only.includes(contender.name) && contender.floor !== true) continue;
  const { file } = await bundleContender(contender, dir);
  const mjs = file.replace(/\.js$/, ".mjs");
  writeFileSync(mjs, (await import("node:fs")).readFileSync(file));
  const mod = (await import(pathToFileURL(mjs).href)) as { default: { fetch: Fetch } };
  const worker = mod.default;
  workers.set(contender.name, (request, e, c) => worker.fetch(request, e, c));
}

function makeRequest(endpoint: EndpointName): () => Request {
  const spec = timedRequest(endpoint, token);
  const url = `http://bench.local${spec.path}`;
  return () => new Request(url, { method: spec.method, headers: spec.headers, body: spec.body });
}

async function loop(fetch: Fetch, make: () => Request, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const response = await fetch(make(), env, ctx);
    // Read the body as a client would; a Response left unread is not the same work.
    await response.arrayBuffer();
  }
  return ((performance.now() - started) * 1000) / count;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
};

const results = new Map<string, number[]>();
for (const endpoint of endpoints) {
  const make = makeRequest(endpoint);
  for (const [name, fetch] of workers) {
    const status = (await fetch(make(), env, ctx)).status;
    if (status !== 200 && status !== 201) throw new Error(`${name} ${endpoint}: answered ${status}`);
    await loop(fetch, make, Math.min(n, 5000)); // warm-up: JIT tiers, caches
  }
}
for (let round = 0; round < rounds; round++) {
  for (const endpoint of endpoints) {
    const make = makeRequest(endpoint);
    for (const [name, fetch] of workers) {
      const key = `${name}\u0000${endpoint}`;
      results.set(key, [...(results.get(key) ?? []), await loop(fetch, make, n)]);
    }
  }
}

console.log(`\nNode ${process.version}, ${n} sequential requests × ${rounds} rounds (median), µs per request incl. Request construction`);
for (const endpoint of endpoints) {
  const floor = median(results.get(`bare\u0000${endpoint}`)!);
  console.log(`\n${endpoint}`);
  for (const name of workers.keys()) {
    const us = median(results.get(`${name}\u0000${endpoint}`)!);
    console.log(`  ${name.padEnd(18)} ${us.toFixed(2).padStart(8)} µs   +${(us - floor).toFixed(2).padStart(7)} µs over bare`);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

if (profileTarget !== undefined) {
  const fetch = workers.get(profileTarget);
  if (fetch === undefined) throw new Error(`--cpu-prof: no contender ${profileTarget}`);
  const outDir = "/work/notes/e2e";
  mkdirSync(outDir, { recursive: true });
  for (const endpoint of endpoints) {
    const make = makeRequest(endpoint);
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 50 });
    await session.post("Profiler.start");
    await loop(fetch, make, n * 2);
    const { profile } = (await session.post("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[] } };
    session.disconnect();
    const file = path.join(outDir, `${profileTarget}-${endpoint.startsWith("GET") ? "get" : "post"}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const selfHits = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      total += hits;
      const where = node.callFrame.url === "" ? "(native)" : `${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      const key = `${node.callFrame.functionName || "(anonymous)"} ${where}`;
      selfHits.set(key, (selfHits.get(key) ?? 0) + hits);
    }
    console.log(`\nself time, ${profileTarget} ${endpoint} (${file}):`);
    for (const [key, hits] of [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      console.log(`  ${((hits / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
    }
  }
}

rmSync(dir, { recursive: true, force: true });
