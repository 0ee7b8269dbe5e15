/**
 * Route-matching benchmark: our compiled matcher against rou3, rou3/compiler, find-my-way, hono's
 * TrieRouter and RegExpRouter, and itty-router, on three route sets, in one process.
 *
 *   node --expose-gc --import tsx bench/route/run.ts [--quick] [--only=name,...]
 *
 * For each set: every contender is built (heap held by the table: gc + heapUsed growth, after a
 * warm-up build of a one-route table; below a collection's noise it reads 0), then
 * checked on every request (a wrong answer disqualifies the row and is printed), then timed with
 * mitata over the same request list (the 10k set times an evenly spaced 1,000-request sample, so
 * the O(routes) routers finish), in interleaved rounds (5; median of the per-round mean and p50).
 * Writes bench/results/route.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { measure } from "mitata";
import { contenders, type Contender } from "./contenders.ts";
import { honoBenchSet } from "../../test/fixtures/routes/hono-bench.ts";
import { digitalOceanSet } from "../../test/fixtures/routes/digitalocean.ts";
import { syntheticSet } from "../../test/fixtures/routes/synthetic.ts";
import type { RouteRequest, RouteSet } from "../../test/fixtures/routes/types.ts";
import { compileMatcher } from "../../src/build/matcher/index.ts";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn("run with --expose-gc for memory figures");

interface Row {
  contender: string;
  status: "ok" | "wrong" | "refused";
  detail?: string;
  nsPerMatch?: number;
  p50NsPerMatch?: number;
  matchesPerSecond?: number;
  ratioToFastest?: number;
  heapBytes?: number;
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** A fresh loop per contender (new Function: its own feedback, no cross-contender polymorphism). */
function timingLoop(find: (m: string, p: string) => number, requests: readonly RouteRequest[]): () => number {
  return new Function(
    "find",
    "requests",
    "return function loop(){let x=0;for(let i=0;i<requests.length;i++){const r=requests[i];x+=find(r.method,r.path)}return x}",
  )(find, requests) as () => number;
}

function sample(requests: readonly RouteRequest[], max: number): RouteRequest[] {
  if (requests.length <= max) return [...requests];
  const step = requests.length / max;
  return Array.from({ length: max }, (_, i) => requests[Math.floor(i * step)]!);
}

async function runSet(set: RouteSet): Promise<{ set: string; origin: string; routes: number; timedRequests: number; rows: Row[]; generatedBytes: number }> {
  const timed = sample(set.requests, 1000);
  const built: Array<{ contender: Contender; find: (m: string, p: string) => number; row: Row }> = [];
  const rows: Row[] = [];
  const heapByContender = new Map<string, number>();
  for (const contender of contenders) {
    if (only && !only.some((o) => contender.name.includes(o))) continue;
    let find: (m: string, p: string) => number;
    try {
      // Warm up on a one-route table first: the contender's own module state and lazily compiled
      // code are then in place, so the heap growth below is what this table holds. (Not the same
      // table twice: code generators' sources would come from V8's compilation cache.)
      contender.build(set.routes.slice(0, 1));
      const before = heapUsed();
      find = contender.build(set.routes);
      heapByContender.set(contender.name, Math.max(0, heapUsed() - before));
    } catch (error) {
      rows.push({ contender: contender.name, status: "refused", detail: String((error as Error).message ?? error).slice(0, 160) });
      continue;
    }
    const heapBytes = heapByContender.get(contender.name);
    const wrong: string[] = [];
    for (const request of set.requests) {
      let got: number;
      try {
        got = find(request.method, request.path);
      } catch (error) {
        got = -2;
        if (wrong.length === 0) wrong.push(`threw ${String(error).slice(0, 80)}`);
      }
      if (got !== request.op && wrong.length < 3) wrong.push(`${request.method} ${request.path} → ${got === -1 ? "none" : got === -2 ? "throw" : set.routes[got]?.path} (want ${set.routes[request.op]!.path})`);
    }
    const row: Row = { contender: contender.name, status: wrong.length ? "wrong" : "ok", heapBytes };
    if (wrong.length) row.detail = wrong.join("; ");
    rows.push(row);
    built.push({ contender, find, row });
  }
  // Interleaved rounds: this runs on shared machines, where a burst of other work would otherwise
  // land on whichever contender happened to be measured then. Per contender: median over rounds.
  const loops = built.map(({ find }) => timingLoop(find, timed));
  const rounds = quick ? 2 : 5;
  const avgs = built.map((): number[] => []);
  const p50s = built.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < built.length; i++) {
      const stats = await measure(loops[i]!, { min_cpu_time: (quick ? 100 : 250) * 1e6 });
      avgs[i]!.push(stats.avg / timed.length);
      p50s[i]!.push(stats.p50 / timed.length);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  built.forEach(({ row }, i) => {
    row.nsPerMatch = median(avgs[i]!);
    row.p50NsPerMatch = median(p50s[i]!);
    row.matchesPerSecond = 1e9 / row.nsPerMatch;
  });
  const fastest = Math.min(...rows.filter((r) => r.status === "ok" && r.nsPerMatch).map((r) => r.nsPerMatch!));
  for (const row of rows) if (row.nsPerMatch) row.ratioToFastest = row.nsPerMatch / fastest;
  return {
    set: set.name,
    origin: set.origin,
    routes: set.routes.length,
    timedRequests: timed.length,
    rows,
    generatedBytes: compileMatcher(set.routes).length,
  };
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined ? "-" : n.toFixed(digits);
}

const results = [];
for (const make of [() => honoBenchSet, digitalOceanSet, () => syntheticSet(10_000)]) {
  const set = make();
  const result = await runSet(set);
  results.push(result);
  console.log(`\n## ${result.set}: ${result.routes} routes, ${result.timedRequests} timed requests, generated matcher ${(result.generatedBytes / 1024).toFixed(0)} KiB`);
  console.log(`${"contender".padEnd(26)} ${"ns/match".padStart(9)} ${"p50".padStart(7)} ${"matches/s".padStart(12)} ${"× fastest".padStart(9)} ${"heap KiB".padStart(9)}  status`);
  for (const row of [...result.rows].sort((a, b) => (a.nsPerMatch ?? Infinity) - (b.nsPerMatch ?? Infinity))) {
    console.log(
      `${row.contender.padEnd(26)} ${fmt(row.nsPerMatch).padStart(9)} ${fmt(row.p50NsPerMatch).padStart(7)} ${(row.matchesPerSecond ? Math.round(row.matchesPerSecond).toLocaleString("en") : "-").padStart(12)} ${fmt(row.ratioToFastest, 2).padStart(9)} ${fmt(row.heapBytes === undefined ? undefined : row.heapBytes / 1024, 0).padStart(9)}  ${row.status}${row.detail ? `: ${row.detail}` : ""}`,
    );
  }
  const us = result.rows.find((r) => r.contender === "brrt compiled");
  const peers = result.rows.filter((r) => !r.contender.startsWith("brrt") && r.status === "ok" && r.nsPerMatch);
  const best = peers.sort((a, b) => a.nsPerMatch! - b.nsPerMatch!)[0];
  if (us?.nsPerMatch && best) console.log(`brrt vs fastest peer (${best.contender}): ${(best.nsPerMatch! / us.nsPerMatch).toFixed(2)}× faster`);
}

const out = path.resolve(process.cwd(), "bench/results/route.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, results }, null, 2) + "\n");
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
