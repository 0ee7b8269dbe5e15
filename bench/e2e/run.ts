/**
 * End-to-end benchmark: wrk against `workerd serve` on loopback, one workerd process per
 * contender, one contender at a time. Contenders (bench/e2e/contenders.ts): a bare worker (the
 * floor), our pipeline (createApp + the compiled bench/e2e/spec.yaml), hono + @hono/zod-openapi,
 * chanfana on hono, plain itty-router — on the same two endpoints with the same JWT.
 *
 *   node --import tsx bench/e2e/run.ts [--quick] [--rounds=N] [--duration=S] [--connections=N]
 *                                      [--threads=N] [--only=name,...] [--patched=name=<checkout>,...]
 *
 * Before anything is timed, every contender must answer the checks of bench/e2e/requests.ts
 * (200/201 good, 400 bad, 401 without or with a forged token); one that fails is reported as
 * refused, with the reason, and not timed. Each timed run is preceded by a warm-up run of the
 * same request. Rounds interleave the contenders (bursts of other load on a shared machine hit
 * them all) and the table shows the median per figure. wrk and workerd share the machine's
 * cores, so the absolute figures are whole-loop figures, not a workerd capacity. `--patched=name=<dir>`
 * adds our pipeline bundled from another checkout (a proposed src/runtime change) to the same run.
 * Writes bench/results/e2e.json.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { workerdBinary, type WorkerdProcess } from "../../src/build/workerd-process.ts";
import { bundleContender, contenders, patchedContenders } from "./contenders.ts";
import { cpuSeconds, median, serveBundle } from "./serve.ts";
import { benchToken, checks, ENDPOINTS, timedRequest, type BenchRequest, type EndpointName } from "./requests.ts";
import { ensureWrk, runWrk, wrkVersion, writeWrkScript, type WrkParams, type WrkReport } from "./wrk.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = argv.includes("--quick");
const params: WrkParams = {
  threads: Number(flag("threads") ?? 2),
  connections: Number(flag("connections") ?? 50),
  durationSeconds: Number(flag("duration") ?? (quick ? 3 : 5)),
};
const rounds = Number(flag("rounds") ?? (quick ? 1 : 5));
const warmupSeconds = 1;
const only = flag("only")?.split(",");
const patched = flag("patched");
const all = patched === undefined ? contenders : [...contenders, ...patchedContenders(patched)];
const selected = all.filter((c) => c.floor === true || only === undefined || only.includes(c.name));

interface Sample extends Omit<WrkReport, "raw"> {
  /** workerd CPU time per request (user + system), from /proc: independent of how wrk shares the cores. */
  readonly workerdCpuUsPerRequest: number;
  readonly loadAverage1m: number;
}

interface Row {
  readonly contender: string;
  readonly description: string;
  readonly endpoint: EndpointName;
  readonly status: "ok" | "refused";
  readonly reason?: string;
  readonly bundleBytes?: number;
  readonly requestsPerSecond?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly ratioToBare?: number;
  readonly workerdCpuUsPerRequest?: number;
  readonly samples?: readonly Sample[];
}

async function send(base: string, request: BenchRequest): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, text: await response.text() };
}

/** The first failed check, or undefined when the contender answers every one correctly. */
async function failedCheck(base: string, token: string): Promise<string | undefined> {
  for (const check of checks(token)) {
    const { status, text } = await send(base, check.request);
    if (status !== check.status) return `${check.name}: got ${status} ${text.slice(0, 200)}`;
    if (check.body !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return `${check.name}: body is not JSON: ${text.slice(0, 200)}`;
      }
      if (!check.body(json)) return `${check.name}: unexpected body ${text.slice(0, 200)}`;
    }
  }
  return undefined;
}

const fmt = (n: number | undefined, digits: number): string => (n === undefined ? "-" : n.toFixed(digits));

function printTable(rows: readonly Row[]): void {
  const header = `${"contender".padEnd(34)} ${"endpoint".padEnd(16)} ${"req/s".padStart(8)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"×bare".padStart(6)} ${"cpu µs/req".padStart(10)}`;
  console.log(`\n${header}\n${"-".repeat(header.length)}`);
  for (const row of rows) {
    const name = row.contender.padEnd(34);
    if (row.status === "refused") {
      console.log(`${name} ${row.endpoint.padEnd(16)} refused: ${row.reason}`);
      continue;
    }
    console.log(
      `${name} ${row.endpoint.padEnd(16)} ${fmt(row.requestsPerSecond, 0).padStart(8)} ${fmt(row.p50Ms, 2).padStart(7)} ${fmt(row.p99Ms, 2).padStart(7)} ${fmt(row.ratioToBare, 2).padStart(6)} ${fmt(row.workerdCpuUsPerRequest, 1).padStart(10)}`,
    );
  }
}

async function main(): Promise<void> {
  ensureWrk();
  const dir = mkdtempSync(path.join(os.tmpdir(), "brrt-bench-e2e-"));
  const token = await benchToken();
  const scripts = new Map<EndpointName, string>();
  for (const endpoint of ENDPOINTS) {
    const file = path.join(dir, `${endpoint.startsWith("GET") ? "get" : "post"}.lua`);
    writeWrkScript(file, timedRequest(endpoint, token));
    scripts.set(endpoint, file);
  }

  console.log(`e2e: wrk -t${params.threads} -c${params.connections} -d${params.durationSeconds}s --latency (after a ${warmupSeconds}s warm-up), ${rounds} round(s), ${os.cpus().length} cores shared by wrk and workerd`);

  // Bundle and check every contender once; a refused one is reported and never timed.
  const bundles = new Map<string, { file: string; bytes: number }>();
  const refused = new Map<string, string>();
  for (const contender of selected) {
    let bundle: { file: string; bytes: number };
    try {
      bundle = await bundleContender(contender, dir);
    } catch (error) {
      refused.set(contender.name, `does not bundle: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    let server: WorkerdProcess;
    try {
      server = await serveBundle(dir, bundle.file);
    } catch (error) {
      refused.set(contender.name, `workerd refused it: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`);
      continue;
    }
    try {
      const failure = contender.checked ? await failedCheck(server.url, token) : undefined;
      if (failure !== undefined) refused.set(contender.name, `wrong answer: ${failure}`);
      else bundles.set(contender.name, bundle);
    } finally {
      await server.stop();
    }
    console.log(`  ${contender.name}: ${refused.get(contender.name) ?? `checked, bundle ${(bundle.bytes / 1024).toFixed(1)} KiB`}`);
  }

  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const contender of selected) {
      const bundle = bundles.get(contender.name);
      if (bundle === undefined) continue;
      const server = await serveBundle(dir, bundle.file);
      try {
        const pid = server.child.pid!;
        for (const endpoint of ENDPOINTS) {
          const script = scripts.get(endpoint)!;
          await runWrk(server.url, script, params, warmupSeconds);
          const loadAverage1m = os.loadavg()[0]!;
          const cpuBefore = cpuSeconds(pid);
          const { raw: _raw, ...report } = await runWrk(server.url, script, params);
          const cpu = cpuSeconds(pid) - cpuBefore;
          if (report.errors > 0) throw new Error(`${contender.name} ${endpoint}: ${report.errors} non-2xx answers during the timed run`);
          const sample = { ...report, workerdCpuUsPerRequest: (cpu * 1e6) / report.requests, loadAverage1m };
          const key = `${contender.name}\u0000${endpoint}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.log(
            `  round ${round} ${contender.name.padEnd(16)} ${endpoint.padEnd(16)} ${report.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${report.p50Ms.toFixed(2)} ms  p99 ${report.p99Ms.toFixed(2)} ms  load ${loadAverage1m.toFixed(2)}`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  }

  const rows: Row[] = [];
  const floor = selected.find((c) => c.floor === true)!;
  for (const endpoint of ENDPOINTS) {
    const floorRps = median((samples.get(`${floor.name}\u0000${endpoint}`) ?? []).map((s) => s.requestsPerSecond));
    for (const contender of selected) {
      const name = contender.floor === true ? "bare worker" : contender.name;
      const reason = refused.get(contender.name);
      if (reason !== undefined) {
        rows.push({ contender: name, description: contender.description, endpoint, status: "refused", reason });
        continue;
      }
      const list = samples.get(`${contender.name}\u0000${endpoint}`) ?? [];
      const rps = median(list.map((s) => s.requestsPerSecond));
      rows.push({
        contender: name,
        description: contender.description,
        endpoint,
        status: "ok",
        bundleBytes: bundles.get(contender.name)?.bytes,
        requestsPerSecond: Math.round(rps),
        p50Ms: median(list.map((s) => s.p50Ms)),
        p99Ms: median(list.map((s) => s.p99Ms)),
        ratioToBare: Math.round((rps / floorRps) * 1000) / 1000,
        workerdCpuUsPerRequest: Math.round(median(list.map((s) => s.workerdCpuUsPerRequest)) * 10) / 10,
        samples: list,
      });
    }
  }
  printTable(rows);

  const workerdVersion = execFileSync(workerdBinary(), ["--version"], { encoding: "utf8" }).trim();
  const out = path.resolve(import.meta.dirname, "../results/e2e.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: "e2e",
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, workerd: workerdVersion, wrk: wrkVersion() },
        note: "wrk and workerd share the same 2 cores on loopback; req/s are whole-loop figures and vary ±30 % between rounds on this VM. Each figure is the median of interleaved rounds; ratios are against the bare worker serving the same request. workerdCpuUsPerRequest is workerd CPU (all threads, /proc scheduler accounting) per request, independent of how wrk shares the cores. p99 is dominated by scheduling on the shared box.",
        wrk: { ...params, warmupSeconds, rounds },
        goal: "≥ 0.9 of the bare worker's req/s for both endpoints (reported, not asserted)",
        rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
