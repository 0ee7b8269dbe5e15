/**
 * Build-time side of `x-websocket` / `x-sse` (shapes documented in
 * src/durable/realtime-extensions.ts, which both this check and the runtime parse with):
 *
 * - {@link checkRealtimeExtensions} refuses what could never work, as `file:line:col`
 *   diagnostics at the operation: a realtime extension on a method other than GET, both on one
 *   operation, a malformed shape, a room/channel template naming a parameter the operation does
 *   not declare in its path.
 * - {@link checkRealtimeSchemas} refuses an `x-websocket` message schema the room could not check
 *   a message with (it would throw on every message).
 * - {@link embedRealtimeSchemas} makes the `message` / `event` schemas self-contained. They
 *   travel verbatim in `OperationMeta.extensions` and are compiled inside the Durable Object at
 *   run time, where the rest of the document is not available, so every `#/...` reference they
 *   reach is copied under the schema's own `$defs` and rewritten to point there.
 */
import type { JsonSchema, JsonValue } from "../runtime/compiled-spec.ts";
import {
  parseRealtimeExtension,
  SSE_EXTENSION,
  templateParams,
  WEBSOCKET_EXTENSION,
} from "../durable/realtime-extensions.ts";
import { diagnostic, type Diagnostic } from "./diagnostics.ts";
import type { OperationDraft } from "./operation-draft.ts";
import { inPlaceCycleChecker } from "./validators/in-place-cycles.ts";
import { isSchemaObject, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS } from "./validators/keywords.ts";
import { notJsonSchema } from "./validators/meta-schema.ts";
import { compilesAsUnicode } from "./validators/response-schemas.ts";

/** Schemas bigger than this ride in a header on every connect: worth a warning. */
const LARGE_SCHEMA_BYTES = 16_384;

function label(op: OperationDraft): string {
  return `${op.method} ${op.path} (${op.operationId})`;
}

function checkOperation(op: OperationDraft): Diagnostic[] {
  const parsed = parseRealtimeExtension(op.extensions);
  if (parsed === undefined) return [];
  const out: Diagnostic[] = [];
  const which = op.extensions[WEBSOCKET_EXTENSION] !== undefined ? WEBSOCKET_EXTENSION : SSE_EXTENSION;
  if (op.method !== "GET") {
    out.push(diagnostic(op.source, `${which} on ${label(op)}: realtime sessions are opened with GET, not ${op.method}`));
  }
  if (!parsed.ok) {
    for (const problem of parsed.problems) out.push(diagnostic(op.source, `${problem.path} on ${label(op)}: ${problem.message}`));
    return out;
  }
  const { value } = parsed;
  const key = value.kind === "websocket" ? "room" : "channel";
  for (const name of templateParams(value.template)) {
    const declared = op.parameters.find((p) => p.name === name);
    if (declared === undefined) {
      out.push(diagnostic(op.source, `${which}.${key} on ${label(op)} names parameter "${name}", which the operation does not declare`));
    } else if (declared.in !== "path") {
      out.push(
        diagnostic(
          declared.source,
          `${which}.${key} on ${label(op)} names ${declared.in} parameter "${name}": only path parameters can name a ${key} (they are always present)`,
        ),
      );
    }
  }
  const schema = value.kind === "websocket" ? value.config.message : value.config.event;
  if (schema !== undefined && JSON.stringify(schema).length > LARGE_SCHEMA_BYTES) {
    out.push(
      diagnostic(
        op.source,
        `${which} on ${label(op)}: the ${value.kind === "websocket" ? "message" : "event"} schema is over ${LARGE_SCHEMA_BYTES} bytes and is sent to the Durable Object on every connect`,
        "warning",
      ),
    );
  }
  return out;
}

export function checkRealtimeExtensions(operations: readonly OperationDraft[]): Diagnostic[] {
  return operations.flatMap(checkOperation);
}

/** Every `pattern` and `patternProperties` name in a schema and the schemas it holds (not through `$ref`: the embedded copy has its targets under `$defs`). */
function patternsOf(schema: unknown, out: Set<string> = new Set()): Set<string> {
  if (!isSchemaObject(schema)) return out;
  if (typeof schema.pattern === "string") out.add(schema.pattern);
  if (isSchemaObject(schema.patternProperties)) for (const name of Object.keys(schema.patternProperties)) out.add(name);
  for (const [keyword, value] of Object.entries(schema)) {
    if (SCHEMA_KEYWORDS.has(keyword)) patternsOf(value, out);
    if (SCHEMA_ARRAY_KEYWORDS.has(keyword) && Array.isArray(value)) for (const item of value) patternsOf(item, out);
    if ((SCHEMA_MAP_KEYWORDS.has(keyword) || keyword === "$defs") && isSchemaObject(value)) for (const item of Object.values(value)) patternsOf(item, out);
  }
  return out;
}

/**
 * The `x-websocket` message schema as the room will use it: interpreted by @cfworker/json-schema
 * in the Durable Object (realtime-message-check.ts), self-contained (embedSchema). Refused here
 * when that would throw on every message: a pattern JavaScript rejects with the `u` flag (compiled
 * when a message reaches it), a schema that applies itself to the same value again (the
 * interpreter recurses until the stack overflows), keywords of the wrong type (`enum: true`).
 * `x-sse` event schemas are documentation only.
 */
export function checkRealtimeSchemas(document: unknown, operations: readonly OperationDraft[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const op of operations) {
    const parsed = parseRealtimeExtension(op.extensions);
    if (parsed === undefined || !parsed.ok || parsed.value.kind !== "websocket") continue;
    const schema = parsed.value.config.message;
    if (schema === undefined || typeof schema === "boolean") continue;
    const embedded = embedSchema(document, schema);
    const where = `${WEBSOCKET_EXTENSION}.message on ${label(op)}`;
    for (const pattern of patternsOf(embedded)) {
      if (!compilesAsUnicode(pattern)) out.push(diagnostic(op.source, `${where}: pattern ${JSON.stringify(pattern)} is not a valid regular expression with the u flag, which the room checks messages with`));
    }
    const cycle = inPlaceCycleChecker(embedded)("#");
    if (cycle !== undefined) out.push(diagnostic(op.source, `${where}: ${cycle}`));
    const shape = notJsonSchema(embedded);
    if (shape !== undefined) out.push(diagnostic(op.source, `${where}: ${shape}`));
  }
  return out;
}

// ---- schema embedding ----------------------------------------------------------------------------

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((token) => decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolvePointer(document: unknown, tokens: readonly string[]): unknown {
  let node: unknown = document;
  for (const token of tokens) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** Copy `schema` with every document-internal `$ref` it reaches moved under its own `$defs`. */
export function embedSchema(document: unknown, schema: JsonSchema): JsonSchema {
  if (typeof schema === "boolean") return schema;
  const keys = new Map<string, string>();
  const defs: Record<string, JsonValue> = {};
  const used = new Set<string>(Object.keys((schema.$defs as Record<string, unknown> | undefined) ?? {}));

  const keyFor = (ref: string): string => {
    const known = keys.get(ref);
    if (known !== undefined) return known;
    const tokens = decodePointer(ref.slice(1));
    const base = tokens.join(".").replace(/[^A-Za-z0-9._-]/g, "_") || "root";
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
    used.add(key);
    keys.set(ref, key);
    const target = resolvePointer(document, tokens);
    // The bundler has checked every $ref resolves; a miss here would be a bundler bug, kept visible.
    defs[key] = target === undefined ? false : rewrite(target);
    return key;
  };

  const rewrite = (node: unknown): JsonValue => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== "object" || node === null) return node as JsonValue;
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#") ? `#/$defs/${pointerEscape(keyFor(v))}` : rewrite(v);
    }
    return out;
  };

  const root = rewrite(schema) as Record<string, JsonValue>;
  if (keys.size === 0) return root;
  return { ...root, $defs: { ...((root.$defs as Record<string, JsonValue> | undefined) ?? {}), ...defs } };
}

function pointerEscape(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * The operation with its realtime schemas made self-contained (unchanged when it declares no
 * realtime extension). Call on every operation before compiling validators.
 */
export function embedRealtimeSchemas(document: unknown, op: OperationDraft): OperationDraft {
  const ws = op.extensions[WEBSOCKET_EXTENSION];
  const sse = op.extensions[SSE_EXTENSION];
  const extensions: Record<string, JsonValue> = { ...op.extensions };
  let changed = false;
  const withSchema = (name: string, value: JsonValue | undefined, key: string) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    const schema = (value as Record<string, JsonValue>)[key];
    if (schema === undefined || (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema)))) return;
    extensions[name] = { ...(value as Record<string, JsonValue>), [key]: embedSchema(document, schema as JsonSchema) as JsonValue };
    changed = true;
  };
  withSchema(WEBSOCKET_EXTENSION, ws, "message");
  withSchema(SSE_EXTENSION, sse, "event");
  return changed ? { ...op, extensions } : op;
}
