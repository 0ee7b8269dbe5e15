/**
 * Realtime end to end against a real `workerd serve` with Durable Object storage on disk:
 * 1,000 WebSocket clients in one room, an SSE client resuming across a workerd restart, and the
 * refusals a client sees over the wire (400/401/426 problems, error frames, 1009, slow consumers).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startRealtimeServer, type RealtimeServer } from "./realtime-server.ts";

let server: RealtimeServer;

beforeAll(async () => {
  server = await startRealtimeServer();
});

afterAll(async () => {
  await server?.close();
});

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl()}${path}`, { perMessageDeflate: false, headers });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_request, response) => reject(new Error(`unexpected ${response.statusCode}`)));
  });
}

/** The HTTP answer a failed upgrade got (status, headers, body). */
function refusedUpgrade(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl()}${path}`, { perMessageDeflate: false, headers });
    ws.once("open", () => reject(new Error("upgrade unexpectedly accepted")));
    ws.once("error", () => undefined);
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body, type: response.headers["content-type"] }));
    });
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once("message", (data) => resolve(JSON.parse(String(data)))));
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once("close", (code) => resolve(code)));
}

async function stats(room: string, kind = "chat"): Promise<number> {
  const response = await fetch(`${server.url()}/stats/${room}?kind=${kind}`);
  return ((await response.json()) as { sessions: number }).sessions;
}

describe("WebSocket fan-out", () => {
  it("1,000 clients in one room each receive all 100 broadcasts, in order", async () => {
    const clients: WebSocket[] = [];
    // Connect in waves so the accept queue is never flooded.
    for (let wave = 0; wave < 10; wave++) clients.push(...(await Promise.all(Array.from({ length: 100 }, () => open("/chat/big")))));
    expect(await stats("big")).toBe(1000);

    const received = clients.map(() => [] as number[]);
    const done = Promise.all(
      clients.map(
        (ws, i) =>
          new Promise<void>((resolve, reject) => {
            ws.on("message", (data) => {
              const message = JSON.parse(String(data)) as { seq?: number; type?: string };
              if (message.type === "error") reject(new Error(String(data)));
              received[i]!.push(message.seq!);
              if (received[i]!.length === 100) resolve();
            });
          }),
      ),
    );
    // One client sends 100 messages (validated by the room, then broadcast to all, sender included).
    for (let seq = 0; seq < 100; seq++) clients[0]!.send(JSON.stringify({ text: `m${seq}`, seq }));
    await done;
    const expected = Array.from({ length: 100 }, (_, i) => i);
    for (const seqs of received) expect(seqs).toEqual(expected);

    await Promise.all(clients.map((ws) => new Promise<void>((resolve) => (ws.once("close", () => resolve()), ws.close(1000)))));
  });

  it("publish() from an ordinary handler reaches every client", async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => open("/chat/pub")));
    const messages = clients.map(nextMessage);
    const response = await fetch(`${server.url()}/publish/pub`, { method: "POST", body: JSON.stringify({ text: "hi" }) });
    expect(await response.json()).toEqual({ delivered: 5 });
    expect(await Promise.all(messages)).toEqual(clients.map(() => ({ text: "hi" })));
    for (const ws of clients) ws.close();
  });
});

describe("refusals over the wire", () => {
  it("a plain GET to a WebSocket operation gets a 426 problem naming the upgrade", async () => {
    const response = await fetch(`${server.url()}/chat/lobby`);
    expect(response.status).toBe(426);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    // workerd strips the hop-by-hop Upgrade header on the wire (the runtime test sees it set); the body carries it.
    expect(await response.json()).toMatchObject({ status: 426, upgrade: "websocket" });
  });

  it("a room parameter failing its schema is a 400 problem, not a broken socket", async () => {
    const refused = await refusedUpgrade("/chat/NOT_A_ROOM!");
    expect(refused.status).toBe(400);
    expect(refused.type).toBe("application/problem+json");
    expect(JSON.parse(refused.body)).toMatchObject({ status: 400, errors: [{ in: "path", name: "roomId" }] });
  });

  it("a missing credential is a 401 problem before any upgrade; with it the session opens", async () => {
    const refused = await refusedUpgrade("/secure/vault");
    expect(refused.status).toBe(401);
    const ws = await open("/secure/vault", { "x-api-key": "test-key" });
    ws.close();
  });

  it("an invalid message gets an error frame and the socket stays open; an oversize one closes it with 1009", async () => {
    const ws = await open("/chat/strict");
    const error = nextMessage(ws);
    ws.send(JSON.stringify({ text: "" }));
    expect(await error).toMatchObject({ type: "error", status: 400, pointer: "/text" });
    const echo = nextMessage(ws);
    ws.send(JSON.stringify({ text: "fine" }));
    expect(await echo).toEqual({ text: "fine" });
    const code = closed(ws);
    ws.send(JSON.stringify({ text: "x".repeat(2000) }));
    expect(await code).toBe(1009);
  });

  it("a client that never reads is cut off (1013 server-side) while a reading client gets everything", async () => {
    const reader = await open("/flow/slow");
    const stalled = await open("/flow/slow");
    let got = 0;
    let sent = 0;
    let caughtUp: (() => void) | undefined;
    reader.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type?: string; sent?: number; text?: string };
      if (frame.type === "brrt.sync") reader.send(JSON.stringify({ type: "brrt.ack", sent: frame.sent }));
      if (frame.text !== undefined && ++got === sent) caughtUp?.();
    });
    // The stalled client stops reading from its TCP socket altogether.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = JSON.stringify({ text: "y".repeat(400) });
    while ((await stats("slow", "flow")) === 2 && sent < 500) {
      sent++;
      reader.send(payload); // broadcast by the room to both clients
    }
    expect(await stats("slow", "flow")).toBe(1);
    // 4 KiB window / ~413 bytes per message: cut after about ten messages.
    expect(sent).toBeLessThan(100);
    if (got < sent) await new Promise<void>((resolve) => (caughtUp = resolve));
    expect(got).toBe(sent);
    reader.close();
    stalled.terminate();
  });
});

interface Frame {
  id?: string;
  event?: string;
  data?: string;
}

/** A minimal SSE client over fetch: frames as they arrive; `stop()` drops the connection. */
function sse(url: string, lastEventId?: string) {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  const responsePromise = fetch(url, { headers, signal: controller.signal });
  let buffer = "";
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const decoder = new TextDecoder();
  return {
    async nextEvent(): Promise<Frame> {
      reader ??= (await responsePromise).body!.getReader();
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: Frame = {};
          for (const line of block.split("\n")) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m !== null) frame[m[1] as keyof Frame] = m[2];
          }
          if (frame.data !== undefined) return frame;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    },
    stop: () => controller.abort(),
  };
}

async function emit(channel: string, n: number): Promise<number> {
  const response = await fetch(`${server.url()}/emit/${channel}`, { method: "POST", body: JSON.stringify({ event: "tick", data: { n } }) });
  return ((await response.json()) as { id: number }).id;
}

describe("SSE across a workerd restart", () => {
  it("a client that disconnected mid-stream resumes with Last-Event-ID and gets exactly what it missed", async () => {
    const first = sse(`${server.url()}/events/feed`);
    const seen: Frame[] = [];
    const firstEvent = first.nextEvent();
    // The subscription is open once workerd answers; publish after that so it is live.
    for (let n = 1; n <= 5; n++) await emit("feed", n);
    seen.push(await firstEvent);
    while (seen.length < 5) seen.push(await first.nextEvent());
    expect(seen.map((f) => f.id)).toEqual(["1", "2", "3", "4", "5"]);
    first.stop(); // mid-stream

    for (let n = 6; n <= 10; n++) await emit("feed", n);
    await server.restart(); // the log is on disk; memory is gone
    for (let n = 11; n <= 12; n++) await emit("feed", n);

    const resumed = sse(`${server.url()}/events/feed`, seen.at(-1)!.id);
    const missed: Frame[] = [];
    while (missed.length < 7) missed.push(await resumed.nextEvent());
    expect(missed.map((f) => f.id)).toEqual(["6", "7", "8", "9", "10", "11", "12"]);
    expect(missed.map((f) => JSON.parse(f.data!) as { n: number })).toEqual([6, 7, 8, 9, 10, 11, 12].map((n) => ({ n })));
    expect(new Set(missed.map((f) => f.event))).toEqual(new Set(["tick"]));
    // And it is live again: the next event arrives once, with the next id.
    const live = resumed.nextEvent();
    expect(await emit("feed", 13)).toBe(13);
    expect((await live).id).toBe("13");
    resumed.stop();
  });
});
