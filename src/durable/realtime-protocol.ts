/**
 * What the dispatch stage (realtime.ts, in the router's isolate) tells a room or channel Durable
 * Object about a session it has already admitted, and small helpers both Durable Objects share.
 *
 * The grant travels in one request header on the internal `stub.fetch()`: a WebSocket upgrade has
 * to go through `fetch` anyway, and one header keeps the connect to a single round trip. The
 * router always overwrites the header, so a client cannot forge one; only code holding the
 * namespace binding can reach the Durable Object directly.
 */
import { Validator as SchemaValidator, type OutputUnit } from "@cfworker/json-schema";
import type { JsonSchema } from "../runtime/compiled-spec.ts";
import { Problem, type ProblemError } from "../runtime/problem.ts";
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

/** `(value) => violations | undefined`: message/event validation with problem-shaped errors. */
export type MessageCheck = (value: unknown) => readonly ProblemError[] | undefined;

function toPointer(instanceLocation: string): string {
  return instanceLocation.startsWith("#") ? instanceLocation.slice(1) : instanceLocation;
}

/**
 * Compile a schema that arrived at run time (from the operation's extension, via the grant).
 * @cfworker/json-schema interprets the schema without eval, which Workers forbid; the cost is
 * measured in bench/realtime/ and paid once per schema per Durable Object instance.
 */
export function compileMessageCheck(schema: JsonSchema | undefined, maxErrors = 10): MessageCheck {
  if (schema === undefined || schema === true) return () => undefined;
  const validator = new SchemaValidator(schema as object, "2020-12", false);
  return (value) => {
    const result = validator.validate(value);
    if (result.valid) return undefined;
    // cfworker reports the wrapping keyword ("properties") beside the one that failed; keep the
    // deepest unit per instance location so the message names the actual violation.
    const deepest = new Map<string, OutputUnit>();
    for (const unit of result.errors) {
      const seen = deepest.get(unit.instanceLocation);
      if (seen === undefined || unit.keywordLocation.length > seen.keywordLocation.length) deepest.set(unit.instanceLocation, unit);
    }
    const leaves = [...deepest.values()].filter(
      (unit) => ![...deepest.keys()].some((other) => other !== unit.instanceLocation && other.startsWith(unit.instanceLocation + "/")),
    );
    return leaves.slice(0, maxErrors).map((unit) => ({ in: "body" as const, pointer: toPointer(unit.instanceLocation), message: unit.error }));
  };
}
