/**
 * The runtime side of `x-websocket` / `x-sse`: the dispatch stage forwards an operation that
 * declares one to the Durable Object named by its room/channel template, and any handler can
 * push into a room or channel with {@link publish} / {@link publishEvent}.
 *
 * Security and parameter validation have already run (the pipeline does them before dispatch),
 * so a refused client gets the usual problem response, never a broken socket. What is left here:
 * a non-upgrade request to a WebSocket operation (426 + `Upgrade: websocket`), a room name too
 * long to be one (400), and a missing binding (500, a deployment mistake).
 *
 * Bindings (wrangler.toml): `ROOMS` → WebSocketRoom, `CHANNELS` → SseChannel.
 * The extension shapes are documented in realtime-extensions.ts.
 *
 * This module imports the Durable Object classes as types only, so the router can import it
 * without pulling `cloudflare:workers` or the message validator into its own code path; the
 * public entry point is realtime.ts.
 */
import type { OperationMeta } from "../runtime/compiled-spec.ts";
import { Problem } from "../runtime/problem.ts";
import type { Auth } from "../runtime/security/types.ts";
import { MAX_NAME_LENGTH, parseRealtimeExtension, renderNameTemplate, type RealtimeExtension } from "./realtime-extensions.ts";
import { EVENT_NAME, GRANT_HEADER, type SessionGrant } from "./realtime-protocol.ts";
import type { ChannelEvent, PublishedEvent, SseChannel } from "./sse-channel.ts";
import type { WebSocketRoom } from "./websocket-room.ts";


/** Binding names the realtime dispatch and publish functions read from `env`. */
export const ROOMS_BINDING = "ROOMS";
export const CHANNELS_BINDING = "CHANNELS";

/** The part of the worker's Env realtime needs. Either binding may be absent if its kind is unused. */
export interface RealtimeEnv {
  readonly ROOMS?: DurableObjectNamespace<WebSocketRoom>;
  readonly CHANNELS?: DurableObjectNamespace<SseChannel>;
}

export type RealtimeKind = "websocket" | "sse";

/** Parsed extensions per operation; an operation object lives as long as the isolate. */
const prepared = new WeakMap<OperationMeta, RealtimeExtension | null>();

function extensionOf(op: OperationMeta): RealtimeExtension | undefined {
  let entry = prepared.get(op);
  if (entry === undefined) {
    const parsed = parseRealtimeExtension(op.extensions);
    // Most operations declare neither extension: finding that out is two property reads, so it
    // is not cached (createApp asks once per operation at start; a map entry each costs more).
    if (parsed === undefined) return undefined;
    // The build refuses malformed extensions (check-realtime.ts); one slipping through is treated as absent.
    entry = parsed.ok ? parsed.value : null;
    prepared.set(op, entry);
  }
  return entry ?? undefined;
}

/** Which realtime session an operation opens, if any. Cheap after the first call per operation. */
export function realtimeKindOf(op: OperationMeta): RealtimeKind | undefined {
  return extensionOf(op)?.kind;
}

function missingBinding(name: string): Response {
  return new Problem(500, "Internal Server Error", `The ${name} Durable Object binding is not configured for this worker.`).toResponse();
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * Forward an admitted request to its room or channel. `params` are the operation's parsed path
 * parameters (the template may name only those), `auth` what the authorise stage established;
 * both reach the Durable Object with the request and hooks see them on the session.
 */
export async function dispatchRealtime(
  request: Request,
  op: OperationMeta,
  params: Readonly<Record<string, unknown>>,
  auth: Auth,
  env: RealtimeEnv,
): Promise<Response> {
  const extension = extensionOf(op);
  if (extension === undefined) {
    return new Problem(500, "Internal Server Error", `Operation ${op.operationId} declares no valid x-websocket or x-sse.`).toResponse();
  }
  if (extension.kind === "sse" && request.method === "HEAD") {
    // What a GET would answer, without opening a stream nobody will read.
    return new Response(null, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform" } });
  }
  if (extension.kind === "websocket" && !isWebSocketUpgrade(request)) {
    return new Problem(426, "Upgrade Required", `${op.operationId} is a WebSocket endpoint: connect with "Upgrade: websocket".`, {
      // workerd drops hop-by-hop headers (Upgrade, Connection) from non-101 responses on the wire,
      // so the body says it too.
      headers: { upgrade: "websocket" },
      extensions: { operationId: op.operationId, upgrade: "websocket" },
    }).toResponse();
  }
  const name = renderNameTemplate(extension.template, params);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    return new Problem(400, "Bad Request", `The ${extension.kind === "websocket" ? "room" : "channel"} name must be 1 to ${MAX_NAME_LENGTH} characters.`).toResponse();
  }

  const grant: SessionGrant =
    extension.kind === "websocket"
      ? { kind: "websocket", operationId: op.operationId, name, auth, params, config: extension.config }
      : { kind: "sse", operationId: op.operationId, name, auth, params, config: extension.config };
  const headers = new Headers(request.headers);
  headers.set(GRANT_HEADER, JSON.stringify(grant));
  const forwarded = new Request(request.url, { method: "GET", headers });

  let stub: { fetch(request: Request): Promise<Response> };
  if (extension.kind === "websocket") {
    if (env.ROOMS === undefined) return missingBinding(ROOMS_BINDING);
    stub = env.ROOMS.get(env.ROOMS.idFromName(name));
  } else {
    if (env.CHANNELS === undefined) return missingBinding(CHANNELS_BINDING);
    stub = env.CHANNELS.get(env.CHANNELS.idFromName(name));
  }
  const response = await stub.fetch(forwarded);
  // A stub's response has immutable headers; the pipeline adds x-request-id, so hand back a mutable copy.
  return response.webSocket !== null && response.webSocket !== undefined
    ? new Response(null, { status: 101, webSocket: response.webSocket, headers: new Headers(response.headers) })
    : new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
}

function namespaceOf<K extends keyof RealtimeEnv>(env: RealtimeEnv, key: K): NonNullable<RealtimeEnv[K]> {
  const namespace = env[key];
  if (namespace === undefined) throw new TypeError(`realtime: the ${key} Durable Object binding is not configured`);
  return namespace as NonNullable<RealtimeEnv[K]>;
}

/**
 * Send `message` to every session in `room` (strings as-is, anything else JSON-encoded).
 * Resolves to how many sessions it was sent to; a room nobody joined is woken and answers 0.
 */
export async function publish(env: RealtimeEnv, room: string, message: unknown): Promise<number> {
  const rooms = namespaceOf(env, "ROOMS");
  const text = typeof message === "string" ? message : JSON.stringify(message);
  return rooms.get(rooms.idFromName(room)).broadcastText(text);
}

/** Append an event to `channel`'s log and stream it to its subscribers. Resolves to its id and fan-out. */
export async function publishEvent<Data>(env: RealtimeEnv, channel: string, event: ChannelEvent<Data>): Promise<PublishedEvent> {
  const channels = namespaceOf(env, "CHANNELS");
  // Checked here too so a bad name fails in the caller, not as an error inside the channel.
  if (event.event !== undefined && !EVENT_NAME.test(event.event)) {
    throw new TypeError("publishEvent: `event` must be 1-128 characters without line breaks");
  }
  return channels.get(channels.idFromName(channel)).publish(event as ChannelEvent);
}
