/**
 * Helpers for the realtime tests inside workerd: a WebSocket client with an awaitable message
 * queue, and an SSE reader that parses frames as they arrive. Waiting is always on an event
 * (a message, a close, a chunk), never a fixed sleep.
 */
import { env } from "cloudflare:workers";
import type { OperationMeta } from "../../src/runtime/compiled-spec.ts";
import type { Auth } from "../../src/runtime/security/types.ts";
import { dispatchRealtime, type RealtimeEnv } from "../../src/durable/realtime.ts";

export const realtimeEnv = env as unknown as Required<RealtimeEnv>;

export interface TestSocket {
  readonly ws: WebSocket;
  /** Next text frame, parsed as JSON when it is JSON. */
  next(): Promise<unknown>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Frames received and not yet taken with next(). */
  readonly backlog: unknown[];
}

function parse(data: unknown): unknown {
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

export function wrapSocket(ws: WebSocket): TestSocket {
  const backlog: unknown[] = [];
  const waiters: ((value: unknown) => void)[] = [];
  let closeInfo: { code: number; reason: string } | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener("close", (event) => {
      closeInfo = { code: event.code, reason: event.reason };
      resolve(closeInfo);
      for (const waiter of waiters.splice(0)) waiter({ closed: closeInfo });
    });
  });
  ws.addEventListener("message", (event) => {
    const value = parse(event.data);
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(value);
    else backlog.push(value);
  });
  return {
    ws,
    backlog,
    closed,
    next() {
      if (backlog.length > 0) return Promise.resolve(backlog.shift());
      if (closeInfo !== undefined) return Promise.resolve({ closed: closeInfo });
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

export async function upgrade(
  op: OperationMeta,
  params: Readonly<Record<string, unknown>>,
  auth: Auth = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const request = new Request(`https://rt.test${op.path}`, { headers: { upgrade: "websocket", ...headers } });
  return dispatchRealtime(request, op, params, auth, realtimeEnv);
}

export async function connect(op: OperationMeta, params: Readonly<Record<string, unknown>>, auth: Auth = {}): Promise<TestSocket> {
  const response = await upgrade(op, params, auth);
  if (response.status !== 101 || response.webSocket === null) {
    throw new Error(`expected 101, got ${response.status}: ${await response.text()}`);
  }
  const ws = response.webSocket;
  const socket = wrapSocket(ws);
  ws.accept();
  return socket;
}

export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
  readonly retry?: string;
}

export interface SseReader {
  readonly response: Response;
  /** Next frame (blank-line separated block). */
  next(): Promise<SseFrame>;
  /** Next frame that carries data (skips comments and retry-only frames). */
  nextEvent(): Promise<SseFrame>;
  cancel(): Promise<void>;
}

function parseFrame(block: string): SseFrame {
  const frame: Record<string, string> = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) frame.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      frame[field] = frame[field] === undefined ? value : `${frame[field]}\n${value}`;
    }
  }
  return frame;
}

export function sseReader(response: Response): SseReader {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<SseFrame> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        return parseFrame(block);
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return {
    response,
    next,
    async nextEvent() {
      for (;;) {
        const frame = await next();
        if (frame.data !== undefined) return frame;
      }
    },
    cancel: () => reader.cancel(),
  };
}

export async function subscribe(op: OperationMeta, params: Readonly<Record<string, unknown>>, lastEventId?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  return dispatchRealtime(new Request(`https://rt.test${op.path}`, { headers }), op, params, {}, realtimeEnv);
}
