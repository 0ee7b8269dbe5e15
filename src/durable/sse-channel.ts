/**
 * Server-Sent-Events channels: one Durable Object per channel name holds the open streams,
 * numbers every event with a monotonic id, keeps the last `retainEvents` events in SQLite and
 * replays from `Last-Event-ID` when a client reconnects.
 *
 * No event lost, none duplicated: every stream has a cursor into the log. A resuming stream
 * first catches up by reading the log in batches, each written only after the client has taken
 * the previous one (so a big backlog never piles up in memory); events published meanwhile are
 * only logged. When a batch read finds nothing newer, the stream turns live in that same
 * synchronous step (a Durable Object runs one event at a time), and from then on `publish`
 * writes to it directly. So each event reaches a stream exactly once: from the log or live.
 * Ids come from a counter in SQLite written in the same implicit transaction as the event, so
 * they survive restarts and never go backwards.
 *
 * A stream cannot hibernate (it is an open response), so a channel with subscribers stays in
 * memory; it sends a `: ping` comment every `heartbeatSeconds` while any stream is open (a timer,
 * cleared when the last stream ends), which also detects clients that went away.
 *
 * Slow consumers: bytes written to a live stream and not yet taken by the response pump are
 * counted; over `maxQueuedBytes` the stream is ended (its queue dropped at once). The client's
 * EventSource reconnects with Last-Event-ID and catches up from the log, paced as above.
 *
 * Gaps: when a client asks to resume from an id older than the log keeps, the replay starts
 * with `event: brrt.gap` (`data: {"from":a,"to":b}` — the ids it can no longer get); when it asks
 * for an id the channel never issued (storage reset), with `event: brrt.reset` and the whole log.
 */
import { DurableObject } from "cloudflare:workers";
import { Problem, isProblem } from "../runtime/problem.ts";
import { SSE_DEFAULTS, type SseChannelConfig } from "./realtime-extensions.ts";
import { EVENT_NAME, readGrant } from "./realtime-protocol.ts";

/** What a handler publishes: `data` is JSON-encoded; `event` names the SSE event type (default "message"). */
export interface ChannelEvent<Data = unknown> {
  readonly event?: string;
  readonly data: Data;
}

export interface PublishedEvent {
  /** The event's id in this channel (what clients send back as Last-Event-ID). */
  readonly id: number;
  /** How many open streams it was written to. */
  readonly delivered: number;
}

interface OpenStream {
  readonly writer: WritableStreamDefaultWriter<string>;
  /** Ends the stream at once: errors the writable side (dropping its queue), closes the readable cleanly. */
  readonly terminate: () => void;
  /** Characters written and not yet read by the response pump (≤ bytes; ASCII frames are equal). */
  pending: number;
  readonly maxQueued: number;
  ended: boolean;
  /** Live streams get each event as it is published; the others are still catching up from the log. */
  live: boolean;
}

/** Events read from the log per catch-up step. */
const REPLAY_BATCH = 100;

interface EventRow extends Record<string, SqlStorageValue> {
  id: number;
  event: string | null;
  data: string;
}

const encoder = new TextEncoder();

/** One SSE frame. `data` is single-line JSON (JSON.stringify escapes newlines inside strings). */
export function formatEvent(id: number, event: string | null | undefined, data: string): string {
  return event === null || event === undefined ? `id: ${id}\ndata: ${data}\n\n` : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

function parseLastEventId(request: Request): number | undefined | Problem {
  const raw = request.headers.get("last-event-id");
  if (raw === null || raw.trim() === "") return undefined;
  const trimmed = raw.trim();
  if (!/^\d{1,15}$/.test(trimmed)) {
    return new Problem(400, "Bad Request", "Last-Event-ID must be an event id this channel issued (a non-negative integer).", {
      errors: [{ in: "header", name: "Last-Event-ID", pointer: "/Last-Event-ID", message: "is not a non-negative integer" }],
    });
  }
  return Number(trimmed);
}

export class SseChannel<Env = unknown> extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly streams = new Set<OpenStream>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private heartbeatMs: number = SSE_DEFAULTS.heartbeatSeconds * 1000;
  private lastId: number;
  private retain: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS brrt_sse_events (id INTEGER PRIMARY KEY, event TEXT, data TEXT NOT NULL, at INTEGER NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS brrt_sse_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.lastId = Number(this.meta("last_id") ?? 0);
    this.retain = Number(this.meta("retain") ?? SSE_DEFAULTS.retainEvents);
  }

  // ---- subscribe -------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const grant = readGrant(request, "sse");
    if (isProblem(grant)) return grant.toResponse();
    const lastEventId = parseLastEventId(request);
    if (isProblem(lastEventId)) return lastEventId.toResponse();
    const { config } = grant;
    this.configure(grant.name, config);
    if (this.streams.size >= config.maxStreams) {
      return new Problem(503, "Service Unavailable", `Channel ${JSON.stringify(grant.name)} is full (${config.maxStreams} streams).`, {
        headers: { "retry-after": "5" },
        extensions: { operationId: grant.operationId },
      }).toResponse();
    }

    let terminate: () => void = () => undefined;
    const { readable, writable } = new TransformStream<string, Uint8Array>({
      start: (controller) => {
        terminate = () => controller.terminate();
      },
      transform: (chunk, controller) => controller.enqueue(encoder.encode(chunk)),
    });
    const stream: OpenStream = {
      writer: writable.getWriter(),
      terminate,
      pending: 0,
      maxQueued: config.maxQueuedBytes,
      ended: false,
      live: lastEventId === undefined,
    };
    stream.writer.closed.catch(() => this.end(stream));

    this.write(stream, `retry: ${config.retryMs}\n\n`);
    this.streams.add(stream);
    this.startHeartbeat();
    if (lastEventId !== undefined) {
      this.catchUp(stream, this.startCursor(stream, lastEventId)).catch((error: unknown) => {
        console.warn("brrtrouter-edge: SSE catch-up ended", error);
        this.end(stream, "error");
      });
    }

    return new Response(readable, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    });
  }

  // ---- RPC -------------------------------------------------------------------------------------

  /** Append an event to the log and write it to every live stream (streams catching up read it from the log). */
  publish(event: ChannelEvent): PublishedEvent {
    if (event.event !== undefined && !EVENT_NAME.test(event.event)) {
      throw new TypeError("publishEvent: `event` must be 1-128 characters without line breaks");
    }
    const data = JSON.stringify(event.data ?? null);
    const id = this.lastId + 1;
    this.sql.exec("INSERT INTO brrt_sse_events (id, event, data, at) VALUES (?, ?, ?, ?)", id, event.event ?? null, data, Date.now());
    this.setMeta("last_id", String(id));
    this.lastId = id;
    this.sql.exec("DELETE FROM brrt_sse_events WHERE id <= ?", id - this.retain);
    const frame = formatEvent(id, event.event, data);
    let delivered = 0;
    for (const stream of this.streams) if (stream.live && this.write(stream, frame)) delivered++;
    return { id, delivered };
  }

  /** The id of the newest event (0 before the first). */
  latestEventId(): number {
    return this.lastId;
  }

  openStreams(): number {
    return this.streams.size;
  }

  // ---- internals -------------------------------------------------------------------------------

  /** First id to send after `lastEventId`, announcing a reset when the channel never issued that id. */
  private startCursor(stream: OpenStream, lastEventId: number): number {
    if (lastEventId <= this.lastId) return lastEventId + 1;
    // An id this channel never issued: its storage was reset. Start the client over.
    this.write(stream, `event: brrt.reset\ndata: ${JSON.stringify({ lastEventId: this.lastId })}\n\n`);
    return 1;
  }

  /**
   * Send the log from `cursor` on, one batch per turn of the client, then turn the stream live.
   * The check for "nothing newer" and `live = true` happen with no await in between.
   */
  private async catchUp(stream: OpenStream, cursor: number): Promise<void> {
    while (!stream.ended) {
      const rows = this.sql
        .exec<EventRow>("SELECT id, event, data FROM brrt_sse_events WHERE id >= ? ORDER BY id LIMIT ?", cursor, REPLAY_BATCH)
        .toArray();
      const first = rows[0]?.id ?? this.lastId + 1;
      let batch = "";
      if (first > cursor) {
        // Events the log no longer keeps (retention passed them): say which, then go on.
        batch += `event: brrt.gap\ndata: ${JSON.stringify({ from: cursor, to: first - 1 })}\n\n`;
      }
      for (const row of rows) batch += formatEvent(row.id, row.event, row.data);
      if (rows.length === 0) {
        if (batch !== "") this.write(stream, batch, true);
        stream.live = true;
        return;
      }
      cursor = rows[rows.length - 1]!.id + 1;
      this.write(stream, batch, true);
      // Wait for the client to take it: the writable side holds one chunk at most.
      await stream.writer.ready;
    }
  }

  /**
   * Queue `text` on a stream; false when the stream has ended. Never awaits. Catch-up batches
   * (`paced`) are exempt from the budget: they are written one at a time, after the last was taken.
   */
  private write(stream: OpenStream, text: string, paced = false): boolean {
    if (stream.ended) return false;
    stream.pending += text.length;
    if (!paced && stream.pending > stream.maxQueued) {
      this.end(stream, "slow consumer");
      return false;
    }
    stream.writer.write(text).then(
      () => {
        stream.pending -= text.length;
      },
      () => this.end(stream),
    );
    return true;
  }

  private end(stream: OpenStream, why?: "slow consumer" | "error"): void {
    if (stream.ended) return;
    stream.ended = true;
    this.streams.delete(stream);
    // Terminate (not close, which would queue behind the unread frames): the queue is freed at
    // once and the client sees the stream end, so its EventSource reconnects with Last-Event-ID.
    if (why !== undefined) stream.terminate();
    if (this.streams.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => {
      // Streams catching up are being written to anyway.
      for (const stream of this.streams) if (stream.live) this.write(stream, ": ping\n\n");
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat === undefined) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private configure(name: string, config: SseChannelConfig): void {
    if (this.meta("name") !== name) this.setMeta("name", name);
    if (this.retain !== config.retainEvents) {
      this.retain = config.retainEvents;
      this.setMeta("retain", String(config.retainEvents));
    }
    const heartbeatMs = config.heartbeatSeconds * 1000;
    if (heartbeatMs !== this.heartbeatMs) {
      this.heartbeatMs = heartbeatMs;
      // Restart at the new interval when already running.
      if (this.heartbeat !== undefined) {
        this.stopHeartbeat();
        this.startHeartbeat();
      }
    }
  }

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM brrt_sse_meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO brrt_sse_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}
