/**
 * SSE channels inside workerd: numbering, the bounded SQLite log, Last-Event-ID replay (no loss,
 * no duplicate, gap and reset notices), heartbeats, and the slow-consumer cut-off.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dispatchRealtime, publishEvent, type SseChannel } from "../../src/durable/realtime.ts";
import { operations } from "../e2e/realtime-worker.ts";
import { realtimeEnv, sseReader, subscribe } from "./realtime-helpers.ts";

function freshChannel(): string {
  return `ch-${crypto.randomUUID().slice(0, 12)}`;
}

function channelStub(name: string): DurableObjectStub<SseChannel> {
  return realtimeEnv.CHANNELS.get(realtimeEnv.CHANNELS.idFromName(name));
}

async function publishMany(channel: string, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await publishEvent(realtimeEnv, channel, { event: "tick", data: { n } });
}

describe("streams", () => {
  it("answers text/event-stream, starts with retry:, and streams numbered events", async () => {
    const channel = freshChannel();
    const response = await subscribe(operations.events, { channel });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("no-cache");
    const reader = sseReader(response);
    expect(await reader.next()).toEqual({ retry: "3000" });

    expect(await publishEvent(realtimeEnv, channel, { event: "pet.created", data: { id: 1, name: "Rex" } })).toEqual({ id: 1, delivered: 1 });
    expect(await publishEvent(realtimeEnv, channel, { data: "line one\nline two" })).toEqual({ id: 2, delivered: 1 });
    expect(await reader.nextEvent()).toEqual({ id: "1", event: "pet.created", data: '{"id":1,"name":"Rex"}' });
    // Newlines inside data stay inside one JSON line.
    const second = await reader.nextEvent();
    expect(second).toEqual({ id: "2", data: '"line one\\nline two"' });
    await reader.cancel();
  });

  it("answers HEAD without opening a stream", async () => {
    const channel = freshChannel();
    const response = await dispatchRealtime(new Request("https://rt.test/events/x", { method: "HEAD" }), operations.events, { channel }, {}, realtimeEnv);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await channelStub(channel).openStreams()).toBe(0);
  });

  it("refuses an event name with a line break (it would inject fields)", async () => {
    await expect(publishEvent(realtimeEnv, freshChannel(), { event: "a\ndata: x", data: 1 })).rejects.toThrow(/line breaks/);
  });

  it("sends `: ping` heartbeats while a stream is open (heartbeatSeconds: 1 here)", async () => {
    const reader = sseReader(await subscribe(operations.events, { channel: freshChannel() }));
    await reader.next(); // retry
    expect(await reader.next()).toEqual({ comment: "ping" });
    await reader.cancel();
  });

  it("notices a client that went away and stops writing to it", async () => {
    const channel = freshChannel();
    const reader = sseReader(await subscribe(operations.events, { channel }));
    await reader.next();
    expect(await channelStub(channel).openStreams()).toBe(1);
    await reader.cancel();
    // The next write (event or heartbeat) finds the stream gone.
    for (let i = 0; i < 100 && (await channelStub(channel).openStreams()) > 0; i++) await publishEvent(realtimeEnv, channel, { data: i });
    expect(await channelStub(channel).openStreams()).toBe(0);
  });
});

describe("replay", () => {
  it("replays exactly the events after Last-Event-ID, then continues live", async () => {
    const channel = freshChannel();
    await publishMany(channel, 1, 5);
    const reader = sseReader(await subscribe(operations.events, { channel }, "2"));
    await publishEvent(realtimeEnv, channel, { event: "tick", data: { n: 6 } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await reader.nextEvent()).id!);
    expect(ids).toEqual(["3", "4", "5", "6"]);
    await reader.cancel();
  });

  it("replays a backlog bigger than maxQueuedBytes in full, paced by the reader", async () => {
    const channel = freshChannel();
    const data = "z".repeat(3000);
    for (let n = 1; n <= 45; n++) await publishEvent(realtimeEnv, channel, { data }); // ~135 KB > 64 KiB
    const reader = sseReader(await subscribe(operations.events, { channel }, "0"));
    for (let n = 1; n <= 45; n++) expect((await reader.nextEvent()).id).toBe(String(n));
    await publishEvent(realtimeEnv, channel, { data: "live" });
    expect(await reader.nextEvent()).toMatchObject({ id: "46", data: '"live"' });
    await reader.cancel();
  });

  it("without Last-Event-ID, starts live (no replay)", async () => {
    const channel = freshChannel();
    await publishMany(channel, 1, 3);
    const reader = sseReader(await subscribe(operations.events, { channel }));
    await publishEvent(realtimeEnv, channel, { data: "live" });
    expect(await reader.nextEvent()).toMatchObject({ id: "4", data: '"live"' });
    await reader.cancel();
  });

  it("keeps a bounded log (retainEvents: 50) and says which ids a too-old Last-Event-ID missed", async () => {
    const channel = freshChannel();
    // The channel learns its retention from the first subscriber's operation.
    const first = sseReader(await subscribe(operations.events, { channel }));
    await first.cancel();
    await publishMany(channel, 1, 60);
    await runInDurableObject(channelStub(channel), (_channel, state) => {
      const row = state.storage.sql.exec<{ n: number; lo: number; hi: number }>("SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM brrt_sse_events").one();
      expect(row).toEqual({ n: 50, lo: 11, hi: 60 });
      expect(state.storage.sql.exec<{ value: string }>("SELECT value FROM brrt_sse_meta WHERE key = 'last_id'").one().value).toBe("60");
    });
    const reader = sseReader(await subscribe(operations.events, { channel }, "5"));
    const gap = await reader.nextEvent();
    expect(gap).toEqual({ event: "brrt.gap", data: '{"from":6,"to":10}' });
    expect((await reader.nextEvent()).id).toBe("11");
    await reader.cancel();
  });

  it("answers an id the channel never issued with brrt.reset and the whole log", async () => {
    const channel = freshChannel();
    await publishMany(channel, 1, 2);
    const reader = sseReader(await subscribe(operations.events, { channel }, "999"));
    expect(await reader.nextEvent()).toEqual({ event: "brrt.reset", data: '{"lastEventId":2}' });
    expect((await reader.nextEvent()).id).toBe("1");
    expect((await reader.nextEvent()).id).toBe("2");
    await reader.cancel();
  });

  it("refuses a Last-Event-ID that is not an integer with a 400 problem", async () => {
    const response = await subscribe(operations.events, { channel: freshChannel() }, "abc");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ in: "header", name: "Last-Event-ID" }] });
  });

  it("loses and duplicates nothing when publishing races reconnects", async () => {
    const channel = freshChannel();
    const seen: number[] = [];
    let last = "0";
    const publishing = publishMany(channel, 1, 40);
    // Reconnect five times while events are being published, resuming from the last id seen.
    for (let round = 0; round < 5; round++) {
      const reader = sseReader(await subscribe(operations.events, { channel }, last));
      for (let k = 0; k < 5; k++) {
        const frame = await reader.nextEvent();
        seen.push(Number(frame.id));
        last = frame.id!;
      }
      await reader.cancel();
    }
    await publishing;
    const reader = sseReader(await subscribe(operations.events, { channel }, last));
    while (seen.length < 40) seen.push(Number((await reader.nextEvent()).id));
    await reader.cancel();
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe("slow consumers", () => {
  it("ends a stream whose client does not read once over maxQueuedBytes (64 KiB here); others keep receiving", async () => {
    const channel = freshChannel();
    const stalled = await subscribe(operations.events, { channel }); // never read
    const reader = sseReader(await subscribe(operations.events, { channel }));
    await reader.next();
    const data = "y".repeat(2000);
    let published = 0;
    let delivered = 2;
    // Each event is ~2 KiB: the stalled stream must be cut within a few MiB at most.
    while (delivered === 2 && published < 2000) {
      delivered = (await publishEvent(realtimeEnv, channel, { data })).delivered;
      published++;
      expect((await reader.nextEvent()).id).toBe(String(published));
    }
    expect(delivered).toBe(1);
    expect(published).toBeLessThan(2000);
    // The stalled stream has ended: what it holds is a gap-free prefix, and resuming from its
    // last id gives exactly the rest.
    const cut = sseReader(stalled);
    const got: number[] = [];
    for (;;) {
      const frame = await cut.nextEvent().catch(() => undefined);
      if (frame === undefined) break;
      got.push(Number(frame.id));
    }
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(got.length).toBeLessThan(published);
    const resumed = sseReader(await subscribe(operations.events, { channel }, String(got.length)));
    expect((await resumed.nextEvent()).id).toBe(String(got.length + 1));
    await resumed.cancel();
    await reader.cancel();
  });
});
