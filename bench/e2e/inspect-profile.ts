/**
 * A V8 CPU profile of one contender *inside workerd* while wrk drives it: `workerd serve
 * --inspector-addr`, the Chrome DevTools Protocol over a WebSocket (`Profiler.start/stop`), and a
 * summary of self time by function. Unlike profile.ts (Node, undici), the time here is workerd's
 * own: a C++ API call (a `Headers` getter, `new URL`, `crypto.subtle.digest`) is charged to the
 * JavaScript function that made it, so the summary shows which of our lines cross into C++ and
 * how often.
 *
 *   node --import tsx bench/e2e/inspect-profile.ts [--contender=brrtrouter-edge] [--endpoint=GET|POST]
 *                                                  [--duration=8] [--interval=50] [--top=40]
 *                                                  [--patched=<checkout>]
 *
 * Writes /work/notes/e2e/<contender>-<endpoint>-workerd.cpuprofile (open it in Chrome DevTools) and
 * the bundle its line numbers refer to (same name, .js).
 * Sampling adds its own overhead: read the shares, not the absolute times.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { freePort } from "../../src/build/workerd-process.ts";
import { brrt, bundleContender, contenders, type Contender } from "./contenders.ts";
import { benchToken, timedRequest, type EndpointName } from "./requests.ts";
import { serveBundle } from "./serve.ts";
import { runWrk, writeWrkScript } from "./wrk.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const contenderName = flag("contender") ?? "brrtrouter-edge";
const endpoint: EndpointName = (flag("endpoint") ?? "GET") === "POST" ? "POST /items" : "GET /items/{id}";
const durationSeconds = Number(flag("duration") ?? 8);
const intervalUs = Number(flag("interval") ?? 50);
const top = Number(flag("top") ?? 40);
const patched = flag("patched");

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** A minimal CDP client: numbered commands, answers matched by id. */
function cdp(url: string): Promise<{ send: (method: string, params?: object) => Promise<unknown>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    let next = 1;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    });
    socket.once("error", reject);
    socket.once("open", () =>
      resolve({
        send: (method, params = {}) =>
          new Promise((res, rej) => {
            const id = next++;
            pending.set(id, { resolve: res, reject: rej });
            socket.send(JSON.stringify({ id, method, params }));
          }),
        close: () => socket.close(),
      }),
    );
  });
}

/** Self time per function (name + source position), largest first, as shares of all samples. */
function summarise(profile: Profile): { share: number; selfMs: number; where: string }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url === "" ? "" : ` ${path.basename(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || "(anonymous)"}${file}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    total += us;
  }
  return [...byFunction]
    .map(([where, us]) => ({ where, selfMs: us / 1000, share: us / total }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

const dir = mkdtempSync(path.join(os.tmpdir(), "brrt-e2e-inspect-"));
try {
  const contender: Contender | undefined =
    patched !== undefined ? brrt("full", "patched", `from ${patched}`, path.resolve(patched)) : contenders.find((c) => c.name === contenderName);
  if (contender === undefined) throw new Error(`unknown contender ${contenderName}`);
  const { file } = await bundleContender(contender, dir);
  const inspectorPort = await freePort();
  const server = await serveBundle(dir, file, [`--inspector-addr=127.0.0.1:${inspectorPort}`]);
  try {
    const token = await benchToken();
    const script = path.join(dir, "request.lua");
    writeWrkScript(script, timedRequest(endpoint, token));
    const params = { threads: 2, connections: 50, durationSeconds };
    await runWrk(server.url, script, params, 2); // warm-up: JIT settled before sampling

    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { webSocketDebuggerUrl?: string; id?: string; title?: string }[];
    const target = targets.find((t) => t.webSocketDebuggerUrl !== undefined);
    const wsUrl = target?.webSocketDebuggerUrl ?? `ws://127.0.0.1:${inspectorPort}/${target?.id ?? ""}`;
    const client = await cdp(wsUrl);
    await client.send("Profiler.enable");
    await client.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await client.send("Profiler.start");
    const report = await runWrk(server.url, script, params);
    const { profile } = (await client.send("Profiler.stop")) as { profile: Profile };
    client.close();

    const out = path.join("/work/notes/e2e", `${contender.name}-${endpoint.startsWith("GET") ? "get" : "post"}-workerd.cpuprofile`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(profile));
    // The bundle the profile's line numbers refer to.
    copyFileSync(file, out.replace(/\.cpuprofile$/, ".js"));
    const rows = summarise(profile);
    const sampledMs = rows.reduce((sum, r) => sum + r.selfMs, 0);
    console.log(`${contender.name} ${endpoint}: ${report.requests} requests (${report.requestsPerSecond.toFixed(0)} req/s under the profiler), ${sampledMs.toFixed(0)} ms sampled = ${((sampledMs * 1000) / report.requests).toFixed(1)} µs/request of isolate-thread time`);
    console.log(`  self µs/req  share  function`);
    for (const row of rows.slice(0, top)) {
      console.log(`  ${((row.selfMs * 1000) / report.requests).toFixed(2).padStart(10)}  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.where}`);
    }
    console.log(`wrote ${out}`);
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
