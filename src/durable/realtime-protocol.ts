/**
 * What the dispatch stage (realtime.ts, in the router's isolate) tells a room or channel Durable
 * Object about a session it has already admitted, and small helpers both Durable Objects share.
 *
 * The grant travels in one request header on the internal `stub.fetch()`: a WebSocket upgrade has
 * to go through `fetch` anyway, and one header keeps the connect to a single round trip. The
 * router always overwrites the header, so a client cannot forge one; only code holding the
 * namespace binding can reach the Durable Object directly.
 */
import { Problem } from "../runtime/problem.ts";
import type { Auth } from "../runtime/security/types.ts";
import type { SseChannelConfig, WebSocketRoomConfig } from "./realtime-extensions.ts";

export const GRANT_HEADER = "x-brrt-realtime-grant";

interface GrantBase {
  readonly operationId: string;
  /** The room/channel name the template rendered to (also the Durable Object's name). */
  readonly name: string;
  readonly auth: Auth;
  readonly params: Readonly<Record<string, unknown>>;
}
export interface WebSocketGrant extends GrantBase {
  readonly kind: "websocket";
  readonly config: WebSocketRoomConfig;
}
export interface SseGrant extends GrantBase {
  readonly kind: "sse";
  readonly config: SseChannelConfig;
}
export type SessionGrant = WebSocketGrant | SseGrant;

/** Read the grant the router attached; a request without one did not come through dispatchRealtime. */
export function readGrant<K extends SessionGrant["kind"]>(request: Request, kind: K): Extract<SessionGrant, { kind: K }> | Problem {
  const raw = request.headers.get(GRANT_HEADER);
  if (raw === null) return new Problem(400, "Bad Request", "This Durable Object only accepts sessions forwarded by dispatchRealtime().");
  let grant: SessionGrant;
  try {
    grant = JSON.parse(raw) as SessionGrant;
  } catch {
    return new Problem(400, "Bad Request", "The realtime session grant is not JSON.");
  }
  if (grant.kind !== kind) return new Problem(400, "Bad Request", `This Durable Object serves ${kind} sessions, not ${String(grant.kind)}.`);
  return grant as Extract<SessionGrant, { kind: K }>;
}

/** UTF-8 length without allocating an encoded copy. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** SSE event type names: one line, bounded (a line break would let a name inject fields). */
export const EVENT_NAME = /^[^\r\n]{1,128}$/;
