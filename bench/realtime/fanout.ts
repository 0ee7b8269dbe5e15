/**
 * Realtime figures on a real `workerd serve` (test/e2e/realtime-worker.ts, storage on disk):
 *
 * - WebSocket fan-out to 1,000 clients in one room: per-delivery latency (send → each client's
 *   receipt) for paced broadcasts, and delivered messages/s for a burst;
 * - SSE fan-out to 200 streams of one channel: per-delivery latency;
 * - the cost of checking messages against a schema that arrives at run time
 *   (@cfworker/json-schema, what the rooms use) next to ajv's generated code, in Node.
 *
 * Clients and server share the machine (2 cores here), so these are whole-loop figures.
 * Run: `npx tsx bench/realtime/fanout.ts` → bench/results/realtime.json. Not asserted anywhere.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Validator } from "@cfworker/json-schema";
import { Ajv2020 } from "ajv/dist/2020.js";
import WebSocket from "ws";
import { chatMessageSchema } from "../../test/e2e/realtime-schemas.ts";
import { startRealtimeServer } from "../../test/e2e/realtime-server.ts";

const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const PACED = Number(process.env.PACED ?? 50);
const BURST = Number(process.env.BURST ?? 200);
const SSE_STREAMS = Number(process.env.SSE_STREAMS ?? 200);
const SSE_EVENTS = Number(process.env.SSE_EVENTS ?? 50);

const now = (): number => performance.timeOrigin + performance.now();

/** CPU seconds used so far by a process (utime + stime from /proc), or NaN off Linux. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** CPU seconds of workerd and of this Node process (the clients) spent in `work`. */
async function cpuOf<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; workerdCpuS: number; clientsCpuS: number }> {
  const w0 = cpuSeconds(pid);
  const c0 = process.cpuUsage();
  const result = await work();
  const c = process.cpuUsage(c0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { result, workerdCpuS: round(cpuSeconds(pid) - w0), clientsCpuS: round((c.user + c.system) / 1e6) };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(samples: number[]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? NaN),
  };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function websocketFanout(base: string, pid: number | undefined): Promise<Record<string, unknown>> {
  const url = `${base}/chat/bench`;
  const connectStart = now();
  const clients: WebSocket[] = [];
  for (let wave = 0; wave < CLIENTS / 100; wave++) clients.push(...(await Promise.all(Array.from({ length: 100 }, () => open(url)))));
  const connectMs = now() - connectStart;

  const latencies: number[] = [];
  let expected = 0;
  let delivered = 0;
  let onAll: (() => void) | undefined;
  for (const ws of clients) {
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { sentAt?: number };
      if (message.sentAt !== undefined) latencies.push(now() - message.sentAt);
      if (++delivered === expected) onAll?.();
    });
  }
  const sender = clients[0]!;
  const round = async (count: number): Promise<number> => {
    delivered = 0;
    expected = count * clients.length;
    const done = new Promise<void>((resolve) => (onAll = resolve));
    const start = now();
    for (let seq = 0; seq < count; seq++) sender.send(JSON.stringify({ text: "bench", seq, sentAt: now() }));
    await done;
    return now() - start;
  };

  await round(5); // warm-up: isolate, JIT, room config
  latencies.length = 0;
  const lastClientMs: number[] = [];
  for (let i = 0; i < PACED; i++) lastClientMs.push(await round(1));
  const paced = summary(latencies);
  latencies.length = 0;
  const burstCpu = await cpuOf(pid, () => round(BURST));
  const burstMs = burstCpu.result;
  const burst = summary(latencies);
  await Promise.all(clients.map((ws) => new Promise<void>((resolve) => (ws.once("close", () => resolve()), ws.close()))));
  return {
    clients: clients.length,
    connectAllMs: Math.round(connectMs),
    paced: { broadcasts: PACED, deliveryLatency: paced, lastClientLatency: summary(lastClientMs) },
    burst: {
      broadcasts: BURST,
      deliveries: BURST * clients.length,
      ms: Math.round(burstMs),
      deliveredPerSecond: Math.round((BURST * clients.length) / (burstMs / 1000)),
      workerdCpuS: burstCpu.workerdCpuS,
      clientsCpuS: burstCpu.clientsCpuS,
      workerdCpuUsPerDelivery: Math.round(((burstCpu.workerdCpuS * 1e6) / (BURST * clients.length)) * 10) / 10,
      deliveryLatency: burst,
    },
  };
}

async function sseFanout(base: string): Promise<Record<string, unknown>> {
  const latencies: number[] = [];
  let delivered = 0;
  let onAll: (() => void) | undefined;
  const expected = SSE_STREAMS * SSE_EVENTS;
  const controllers: AbortController[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < SSE_STREAMS; i++) {
    const controller = new AbortController();
    controllers.push(controller);
    const response = fetch(`${base}/events/bench`, { signal: controller.signal, headers: { accept: "text/event-stream" } });
    ready.push(
      response.then((r) => {
        const reader = r.body!.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        void (async () => {
          for (;;) {
            const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
            if (done) return;
            buffer += decoder.decode(value, { stream: true });
            let end: number;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (data === undefined) continue;
              latencies.push(now() - (JSON.parse(data) as { sentAt: number }).sentAt);
              if (++delivered === expected) onAll?.();
            }
          }
        })();
      }),
    );
  }
  await Promise.all(ready);
  const done = new Promise<void>((resolve) => (onAll = resolve));
  const start = now();
  for (let i = 0; i < SSE_EVENTS; i++) {
    await fetch(`${base}/emit/bench`, { method: "POST", body: JSON.stringify({ event: "tick", data: { i, sentAt: now() } }) }).then((r) => r.arrayBuffer());
  }
  await done;
  const ms = now() - start;
  for (const controller of controllers) controller.abort();
  return {
    streams: SSE_STREAMS,
    events: SSE_EVENTS,
    ms: Math.round(ms),
    deliveredPerSecond: Math.round(expected / (ms / 1000)),
    deliveryLatency: summary(latencies),
  };
}

function validationCost(): Record<string, unknown> {
  const valid = { text: "hello there", seq: 12, sentAt: 1_700_000_000_000 };
  const invalid = { text: "", seq: -1, extra: true };
  const time = (fn: () => void, iterations: number): number => {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    return ((performance.now() - start) * 1e6) / iterations; // ns per call
  };
  const compileCf = time(() => new Validator(chatMessageSchema as object, "2020-12", false), 2_000);
  const cf = new Validator(chatMessageSchema as object, "2020-12", false);
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const compileAjv = time(() => new Ajv2020({ allErrors: true, strict: false }).compile(chatMessageSchema), 50);
  const ajvValidate = ajv.compile(chatMessageSchema);
  for (let i = 0; i < 20_000; i++) (cf.validate(valid), ajvValidate(valid)); // warm-up
  return {
    schema: "test/e2e/realtime-schemas.ts chatMessageSchema",
    cfworkerCompileNs: Math.round(compileCf),
    cfworkerValidNs: Math.round(time(() => cf.validate(valid), 100_000)),
    cfworkerInvalidNs: Math.round(time(() => cf.validate(invalid), 100_000)),
    ajvCompileNs: Math.round(compileAjv),
    ajvValidNs: Math.round(time(() => ajvValidate(valid), 100_000)),
    ajvInvalidNs: Math.round(time(() => ajvValidate(invalid), 100_000)),
    note: "Node 20 / V8, same engine as workerd; ajv cannot compile inside a Worker (no eval), cfworker interprets",
  };
}

const server = await startRealtimeServer();
try {
  const results = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    websocket: await websocketFanout(server.wsUrl(), server.pid()),
    sse: await sseFanout(server.url()),
    validation: validationCost(),
  };
  const out = path.resolve(import.meta.dirname, "../results/realtime.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
} finally {
  await server.close();
}
