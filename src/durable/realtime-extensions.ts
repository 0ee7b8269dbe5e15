/**
 * The two OpenAPI extensions that turn a GET operation into a realtime session, and the one
 * parser both the build check (`src/build/check-realtime.ts`, for file:line:col diagnostics) and
 * the runtime dispatch (`realtime.ts`) use, so the shape is defined in exactly one place.
 *
 * ```yaml
 * /chat/{roomId}:
 *   get:
 *     operationId: chatRoom
 *     parameters: [{ name: roomId, in: path, required: true, schema: { type: string, pattern: "^[a-z0-9-]{1,64}$" } }]
 *     x-websocket:
 *       room: "chat:{roomId}"      # required: Durable Object name, a template over the operation's PATH parameters
 *       message: { ...schema }     # optional: JSON Schema (2020-12) every inbound text frame must satisfy once JSON-parsed;
 *                                  #   absent = any JSON value. `$ref`s into the document are embedded at build time.
 *       maxMessageBytes: 65536     # optional (1..1048576, default 65536): bigger inbound frames close the socket with 1009
 *       maxSessions: 1000          # optional (1..32768, default 1000): one more upgrade is refused with a 503 problem
 *       slowConsumer:              # optional: absent = no flow control (see websocket-room.ts for why it needs the client)
 *         maxUnackedBytes: 1048576 #   bytes sent to a socket and not yet acknowledged before `action` applies (1024..67108864)
 *         action: close            #   "close" (1013 Try Again Later, default) or "drop" (skip it until it acknowledges)
 * /pets/events:
 *   get:
 *     operationId: petEvents
 *     x-sse:
 *       channel: "pets"            # required: Durable Object name, a template over the operation's PATH parameters
 *       event: { ...schema }       # optional: JSON Schema of each event's `data` (documentation + generated client types)
 *       retainEvents: 1000         # optional (1..100000, default 1000): events kept in SQLite for Last-Event-ID replay
 *       heartbeatSeconds: 15       # optional (1..3600, default 15): `: ping` comment interval while streams are open
 *       maxStreams: 1000           # optional (1..32768, default 1000): one more stream is refused with a 503 problem
 *       maxQueuedBytes: 1048576    # optional (1024..67108864, default 1 MiB): a stream with more unread bytes is ended;
 *                                  #   its client reconnects with Last-Event-ID and catches up from the log
 *       retryMs: 3000              # optional (0..3600000, default 3000): the `retry:` reconnection delay sent first
 * ```
 *
 * Runtime-safe: no Node built-ins, pure functions over JSON values.
 */
import type { JsonSchema, JsonValue } from "../runtime/compiled-spec.ts";

export const WEBSOCKET_EXTENSION = "x-websocket";
export const SSE_EXTENSION = "x-sse";

/** A name template split into literal text and parameter references: `chat:{roomId}` → ["chat:", {param:"roomId"}]. */
export type NameTemplatePart = string | { readonly param: string };

export interface SlowConsumerPolicy {
  readonly maxUnackedBytes: number;
  readonly action: "close" | "drop";
}

/** What a room needs to know about the operation a session joined through. */
export interface WebSocketRoomConfig {
  readonly message?: JsonSchema;
  readonly maxMessageBytes: number;
  readonly maxSessions: number;
  readonly slowConsumer?: SlowConsumerPolicy;
}

export interface SseChannelConfig {
  readonly event?: JsonSchema;
  readonly retainEvents: number;
  readonly heartbeatSeconds: number;
  readonly maxStreams: number;
  readonly maxQueuedBytes: number;
  readonly retryMs: number;
}

export type RealtimeExtension =
  | { readonly kind: "websocket"; readonly template: readonly NameTemplatePart[]; readonly config: WebSocketRoomConfig }
  | { readonly kind: "sse"; readonly template: readonly NameTemplatePart[]; readonly config: SseChannelConfig };

/** One thing wrong with an extension, with the property path it is about (for the message only). */
export interface ExtensionProblem {
  readonly path: string;
  readonly message: string;
}

export type ParsedExtension = { readonly ok: true; readonly value: RealtimeExtension } | { readonly ok: false; readonly problems: readonly ExtensionProblem[] };

export const WEBSOCKET_DEFAULTS = { maxMessageBytes: 65_536, maxSessions: 1_000 } as const;
export const SSE_DEFAULTS = {
  retainEvents: 1_000,
  heartbeatSeconds: 15,
  maxStreams: 1_000,
  maxQueuedBytes: 1_048_576,
  retryMs: 3_000,
} as const;

/** Upper bound of a room/channel name after substitution; longer names are refused with 400. */
export const MAX_NAME_LENGTH = 512;

interface IntegerRule {
  readonly min: number;
  readonly max: number;
}

const WEBSOCKET_INTEGERS: Readonly<Record<string, IntegerRule>> = {
  maxMessageBytes: { min: 1, max: 1_048_576 },
  maxSessions: { min: 1, max: 32_768 },
};
const SLOW_CONSUMER_INTEGERS: Readonly<Record<string, IntegerRule>> = {
  maxUnackedBytes: { min: 1_024, max: 67_108_864 },
};
const SSE_INTEGERS: Readonly<Record<string, IntegerRule>> = {
  retainEvents: { min: 1, max: 100_000 },
  heartbeatSeconds: { min: 1, max: 3_600 },
  maxStreams: { min: 1, max: 32_768 },
  maxQueuedBytes: { min: 1_024, max: 67_108_864 },
  retryMs: { min: 0, max: 3_600_000 },
};

function isObject(value: unknown): value is Readonly<Record<string, JsonValue>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `chat:{roomId}` → parts, or a message saying why it is not a template. */
export function parseNameTemplate(template: string): readonly NameTemplatePart[] | string {
  const parts: NameTemplatePart[] = [];
  let literal = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === "}") return `unmatched "}" at offset ${i}`;
    if (ch !== "{") {
      literal += ch;
      continue;
    }
    const end = template.indexOf("}", i + 1);
    if (end < 0) return `unclosed "{" at offset ${i}`;
    const name = template.slice(i + 1, end);
    if (name === "" || name.includes("{")) return `malformed parameter reference at offset ${i}`;
    if (literal !== "") parts.push(literal);
    literal = "";
    parts.push({ param: name });
    i = end;
  }
  if (literal !== "") parts.push(literal);
  if (parts.length === 0) return "is empty";
  return parts;
}

/** Parameter names a template refers to, in order, without duplicates. */
export function templateParams(parts: readonly NameTemplatePart[]): string[] {
  const names: string[] = [];
  for (const part of parts) if (typeof part !== "string" && !names.includes(part.param)) names.push(part.param);
  return names;
}

/** Substitute parameter values (already coerced by the parse stage): scalars as text, anything else as JSON. */
export function renderNameTemplate(parts: readonly NameTemplatePart[], params: Readonly<Record<string, unknown>>): string {
  let name = "";
  for (const part of parts) {
    if (typeof part === "string") {
      name += part;
      continue;
    }
    const value = params[part.param];
    name += typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value ?? null);
  }
  return name;
}

function checkKeys(value: Readonly<Record<string, unknown>>, allowed: readonly string[], at: string, problems: ExtensionProblem[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push({ path: `${at}.${key}`, message: `unknown property (allowed: ${allowed.join(", ")})` });
  }
}

function readIntegers(
  value: Readonly<Record<string, unknown>>,
  rules: Readonly<Record<string, IntegerRule>>,
  at: string,
  problems: ExtensionProblem[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const raw = value[key];
    if (raw === undefined) continue;
    if (typeof raw !== "number" || !Number.isInteger(raw) || raw < rule.min || raw > rule.max) {
      problems.push({ path: `${at}.${key}`, message: `must be an integer from ${rule.min} to ${rule.max}` });
      continue;
    }
    out[key] = raw;
  }
  return out;
}

function readSchema(value: unknown, at: string, problems: ExtensionProblem[]): JsonSchema | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean" || isObject(value)) return value as JsonSchema;
  problems.push({ path: at, message: "must be a JSON Schema (an object or a boolean)" });
  return undefined;
}

function readTemplate(value: Readonly<Record<string, unknown>>, key: string, at: string, problems: ExtensionProblem[]): readonly NameTemplatePart[] | undefined {
  const raw = value[key];
  if (typeof raw !== "string") {
    problems.push({ path: `${at}.${key}`, message: `is required and must be a string template such as "{roomId}"` });
    return undefined;
  }
  if (raw.length > MAX_NAME_LENGTH) {
    problems.push({ path: `${at}.${key}`, message: `must be at most ${MAX_NAME_LENGTH} characters` });
    return undefined;
  }
  const parts = parseNameTemplate(raw);
  if (typeof parts === "string") {
    problems.push({ path: `${at}.${key}`, message: `is not a valid template: ${parts}` });
    return undefined;
  }
  return parts;
}

function parseWebSocket(value: unknown): ParsedExtension {
  const at = WEBSOCKET_EXTENSION;
  if (!isObject(value)) return { ok: false, problems: [{ path: at, message: "must be an object with at least `room`" }] };
  const problems: ExtensionProblem[] = [];
  checkKeys(value, ["room", "message", "maxMessageBytes", "maxSessions", "slowConsumer"], at, problems);
  const template = readTemplate(value, "room", at, problems);
  const message = readSchema(value.message, `${at}.message`, problems);
  const ints = readIntegers(value, WEBSOCKET_INTEGERS, at, problems);
  let slowConsumer: SlowConsumerPolicy | undefined;
  if (value.slowConsumer !== undefined) {
    const raw = value.slowConsumer;
    const sat = `${at}.slowConsumer`;
    if (!isObject(raw)) {
      problems.push({ path: sat, message: "must be an object { maxUnackedBytes, action }" });
    } else {
      checkKeys(raw, ["maxUnackedBytes", "action"], sat, problems);
      const sints = readIntegers(raw, SLOW_CONSUMER_INTEGERS, sat, problems);
      if (raw.maxUnackedBytes === undefined) problems.push({ path: `${sat}.maxUnackedBytes`, message: "is required" });
      if (raw.action !== undefined && raw.action !== "close" && raw.action !== "drop") {
        problems.push({ path: `${sat}.action`, message: 'must be "close" or "drop"' });
      }
      if (sints.maxUnackedBytes !== undefined) {
        slowConsumer = { maxUnackedBytes: sints.maxUnackedBytes, action: raw.action === "drop" ? "drop" : "close" };
      }
    }
  }
  if (problems.length > 0 || template === undefined) return { ok: false, problems };
  const config: WebSocketRoomConfig = {
    maxMessageBytes: ints.maxMessageBytes ?? WEBSOCKET_DEFAULTS.maxMessageBytes,
    maxSessions: ints.maxSessions ?? WEBSOCKET_DEFAULTS.maxSessions,
    ...(message === undefined ? {} : { message }),
    ...(slowConsumer === undefined ? {} : { slowConsumer }),
  };
  return { ok: true, value: { kind: "websocket", template, config } };
}

function parseSse(value: unknown): ParsedExtension {
  const at = SSE_EXTENSION;
  if (!isObject(value)) return { ok: false, problems: [{ path: at, message: "must be an object with at least `channel`" }] };
  const problems: ExtensionProblem[] = [];
  checkKeys(value, ["channel", "event", ...Object.keys(SSE_INTEGERS)], at, problems);
  const template = readTemplate(value, "channel", at, problems);
  const event = readSchema(value.event, `${at}.event`, problems);
  const ints = readIntegers(value, SSE_INTEGERS, at, problems);
  if (problems.length > 0 || template === undefined) return { ok: false, problems };
  const config: SseChannelConfig = {
    retainEvents: ints.retainEvents ?? SSE_DEFAULTS.retainEvents,
    heartbeatSeconds: ints.heartbeatSeconds ?? SSE_DEFAULTS.heartbeatSeconds,
    maxStreams: ints.maxStreams ?? SSE_DEFAULTS.maxStreams,
    maxQueuedBytes: ints.maxQueuedBytes ?? SSE_DEFAULTS.maxQueuedBytes,
    retryMs: ints.retryMs ?? SSE_DEFAULTS.retryMs,
    ...(event === undefined ? {} : { event }),
  };
  return { ok: true, value: { kind: "sse", template, config } };
}

/**
 * Read an operation's realtime extension. `undefined` when it declares neither; a refusal when it
 * declares both (which one would the request join?) or a malformed one.
 */
export function parseRealtimeExtension(extensions: Readonly<Record<string, JsonValue>>): ParsedExtension | undefined {
  const ws = extensions[WEBSOCKET_EXTENSION];
  const sse = extensions[SSE_EXTENSION];
  if (ws !== undefined && sse !== undefined) {
    return { ok: false, problems: [{ path: WEBSOCKET_EXTENSION, message: "an operation cannot declare both x-websocket and x-sse" }] };
  }
  if (ws !== undefined) return parseWebSocket(ws);
  if (sse !== undefined) return parseSse(sse);
  return undefined;
}
