/**
 * OpenAPI 3.0 → 3.1 (JSON Schema 2020-12) normalisation of a bundled document, in place.
 *
 * Applied whatever version the document declares: real documents that say `openapi: 3.1.0` still
 * use 3.0 keywords (`nullable`, boolean `exclusiveMinimum`), and a 2020-12 validator would silently
 * ignore or reject them. Only Schema Objects are touched, found by walking the OpenAPI structure
 * (never `example`/`default`/`enum` values, which merely look like schemas). Objects are edited in
 * place so they keep their source positions; objects we create inherit the position of the schema
 * they came from. Changes:
 *
 * - `nullable: true` → `"null"` added to `type` (and `null` to `enum`); when the schema's meaning
 *   comes from `$ref`/`allOf`/`oneOf`/`anyOf` (which would still reject null) it is wrapped instead:
 *   `{ anyOf: [<the schema>, { type: "null" }] }`, annotations staying outside. `nullable: false` is dropped.
 * - boolean `exclusiveMinimum`/`exclusiveMaximum` → the numeric form (taking `minimum`/`maximum`).
 * - `example` → `examples: [example]` (when there is no `examples` already).
 * - `openapi` → `3.1.0`.
 */
import type { SourceIndex } from "./positions.ts";
import { InternalRefs, internalRef, internalRefSegments, isObject, refOf } from "./spec-refs.ts";

const SINGLE_SUBSCHEMA = ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"];
const SUBSCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];
/** Stay on the outside when a nullable schema is wrapped: they describe the whole value. */
const ANNOTATIONS = new Set(["title", "description", "default", "examples", "example", "deprecated", "readOnly", "writeOnly", "externalDocs", "xml", "$comment"]);
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export interface NormaliseReport {
  /** How many schema objects were changed. */
  readonly schemasChanged: number;
}

/**
 * Walks every Schema Object reachable through the OpenAPI structure. In "inline" mode it replaces
 * references that stand where OpenAPI allows none (see {@link inlineMisplacedRefs}); in "normalise"
 * mode it rewrites 3.0 keywords.
 */
class SchemaWalker {
  private readonly done = new Set<object>();
  /** Per kind of OpenAPI object, the objects already walked as that kind. */
  private readonly visited = new Map<string, Set<object>>();
  private readonly refs: InternalRefs;
  /** Nullable schemas to wrap once the walk is over (wrapping moves keys that refs may walk through). */
  private readonly pendingWraps: Record<string, unknown>[] = [];
  /** Keys moved by normalisation, per object: old key → the path now leading to the same value. */
  readonly moves = new Map<object, Map<string, string[]>>();
  changed = 0;

  constructor(
    private readonly document: Record<string, unknown>,
    private readonly index: SourceIndex,
    private readonly mode: "inline" | "normalise",
  ) {
    this.refs = new InternalRefs(document);
  }

  private recordMove(node: object, key: string, to: string[]): void {
    const moves = this.moves.get(node) ?? new Map<string, string[]>();
    moves.set(key, to);
    this.moves.set(node, moves);
  }

  /** True the first time (node, kind) is met: walks are DAG-safe and cycle-safe. */
  private first(node: object, kind: string): boolean {
    let nodes = this.visited.get(kind);
    if (!nodes) this.visited.set(kind, (nodes = new Set<object>()));
    if (nodes.has(node)) return false;
    nodes.add(node);
    return true;
  }

  private resolve(value: unknown, kind: string): Record<string, unknown> | undefined {
    const target = this.refs.deref(value);
    return isObject(target) && this.first(target, kind) ? target : undefined;
  }

  private eachValue(map: unknown, visit: (value: unknown) => void): void {
    if (!isObject(map)) return;
    for (const [key, value] of Object.entries(map)) if (!key.startsWith("x-")) visit(value);
  }

  run(): void {
    const doc = this.document;
    this.eachValue(doc.paths, (p) => this.pathItem(p));
    this.eachValue(doc.webhooks, (p) => this.pathItem(p));
    const components = doc.components;
    if (isObject(components)) {
      this.eachValue(components.schemas, (s) => this.schema(s));
      this.eachValue(components.parameters, (p) => this.parameter(p));
      this.eachValue(components.headers, (h) => this.parameter(h));
      this.eachValue(components.requestBodies, (b) => this.requestBody(b));
      this.eachValue(components.responses, (r) => this.response(r));
      this.eachValue(components.callbacks, (c) => this.callback(c));
      this.eachValue(components.pathItems, (p) => this.pathItem(p));
    }
    if (this.mode === "normalise") {
      for (const s of this.pendingWraps) this.wrapNullable(s);
      if (typeof doc.openapi === "string" && doc.openapi !== "3.1.0") doc.openapi = "3.1.0";
    }
  }

  private pathItem(value: unknown): void {
    const item = this.resolve(value, "pathItem");
    if (!item) return;
    if (Array.isArray(item.parameters)) for (const p of item.parameters) this.parameter(p);
    for (const method of HTTP_METHODS) {
      if (this.mode === "inline") this.inline(item, method);
      this.operation(item[method]);
    }
  }

  private operation(value: unknown): void {
    const op = this.resolve(value, "operation");
    if (!op) return;
    if (Array.isArray(op.parameters)) for (const p of op.parameters) this.parameter(p);
    this.requestBody(op.requestBody);
    this.eachValue(op.responses, (r) => this.response(r));
    this.eachValue(op.callbacks, (c) => this.callback(c));
  }

  private callback(value: unknown): void {
    const callback = this.resolve(value, "callback");
    if (callback) this.eachValue(callback, (p) => this.pathItem(p));
  }

  /** Parameter and Header objects share the schema/content shape. */
  private parameter(value: unknown): void {
    const p = this.resolve(value, "parameter");
    if (!p) return;
    this.schema(p.schema);
    this.content(p.content);
  }

  private requestBody(value: unknown): void {
    const body = this.resolve(value, "requestBody");
    if (body) this.content(body.content);
  }

  private response(value: unknown): void {
    const response = this.resolve(value, "response");
    if (!response) return;
    this.eachValue(response.headers, (h) => this.parameter(h));
    this.content(response.content);
  }

  private content(value: unknown): void {
    this.eachValue(value, (m) => {
      const media = this.resolve(m, "mediaType");
      if (!media) return;
      this.schema(media.schema);
      if (isObject(media.encoding)) this.eachValue(media.encoding, (e) => isObject(e) && this.eachValue(e.headers, (h) => this.parameter(h)));
    });
  }

  schema(value: unknown): void {
    if (!isObject(value) || !this.first(value, "schema")) return;
    const ref = refOf(value);
    if (ref !== undefined && internalRefSegments(ref)) this.schema(this.refs.resolve(ref, false));
    if (this.mode === "normalise") this.normaliseNode(value);
    else for (const keyword of SUBSCHEMA_MAPS) this.inline(value, keyword);
    for (const keyword of SINGLE_SUBSCHEMA) if (isObject(value[keyword])) this.schema(value[keyword]);
    for (const keyword of SUBSCHEMA_LISTS) if (Array.isArray(value[keyword])) for (const s of value[keyword] as unknown[]) this.schema(s);
    for (const keyword of SUBSCHEMA_MAPS) this.eachSchemaIn(value[keyword]);
  }

  private eachSchemaIn(map: unknown): void {
    if (!isObject(map)) return;
    for (const s of Object.values(map)) this.schema(s);
  }

  /**
   * `holder[key]` is a `{ $ref }` where OpenAPI allows no Reference Object (an Operation, a
   * `properties` map, ...): JSON Reference semantics say "this value is the target", so put the
   * target there (shared, never copied). Left alone if that would make the data cyclic.
   */
  private inline(holder: Record<string, unknown>, key: string): void {
    const ref = refOf(holder[key]);
    if (ref === undefined || !internalRefSegments(ref)) return;
    const target = this.refs.resolve(ref);
    if (!isObject(target) || reaches(target, holder)) return;
    holder[key] = target;
    this.changed++;
  }

  private normaliseNode(s: Record<string, unknown>): void {
    if (this.done.has(s)) return;
    this.done.add(s);
    let changed = false;
    for (const [exclusive, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
      if (typeof s[exclusive] !== "boolean") continue;
      if (s[exclusive] === true && typeof s[bound] === "number") {
        s[exclusive] = s[bound];
        delete s[bound];
      } else {
        delete s[exclusive];
      }
      changed = true;
    }
    if ("example" in s && !("examples" in s)) {
      s.examples = [s.example];
      this.index.aliasKey(s, "examples", "example");
      delete s.example;
      this.recordMove(s, "example", ["examples", "0"]);
      changed = true;
    }
    if ("nullable" in s && typeof s.nullable === "boolean") {
      const nullable = s.nullable;
      this.index.aliasKey(s, "type", "nullable");
      delete s.nullable;
      if (nullable) this.makeNullable(s);
      changed = true;
    }
    if (changed) this.changed++;
  }

  private makeNullable(s: Record<string, unknown>): void {
    const composed = "$ref" in s || "allOf" in s || "oneOf" in s || "anyOf" in s;
    if (composed) {
      this.pendingWraps.push(s);
      return;
    }
    const type = s.type;
    if (typeof type === "string" && type !== "null") s.type = [type, "null"];
    else if (Array.isArray(type) && !type.includes("null")) s.type = [...type, "null"];
    if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
  }

  private wrapNullable(s: Record<string, unknown>): void {
    const branch: Record<string, unknown> = {};
    for (const key of Object.keys(s)) {
      if (ANNOTATIONS.has(key) || key.startsWith("x-")) continue;
      branch[key] = s[key];
      delete s[key];
      this.recordMove(s, key, ["anyOf", "0", key]);
    }
    const nullSchema = { type: "null" };
    this.index.inherit(branch, s);
    this.index.inherit(nullSchema, s);
    this.done.add(branch);
    this.done.add(nullSchema);
    s.anyOf = [branch, nullSchema];
  }
}

/** True if `needle` is `from` or inside it (plain data walk; `$ref`s are not followed). */
function reaches(from: object, needle: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [from];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    if (value === needle) return true;
    seen.add(value);
    for (const v of Object.values(value)) stack.push(v);
  }
  return false;
}

/**
 * Bundled refs may point anywhere, including through a key normalisation moved (`.../owner/allOf/0`
 * once `owner` was wrapped for `nullable`, `.../example` once it became `examples[0]`): rewrite
 * those to the new path. Returns how many refs changed.
 */
function repairRefsThroughMoves(document: Record<string, unknown>, moves: ReadonlyMap<object, ReadonlyMap<string, string[]>>): number {
  if (moves.size === 0) return 0;
  let repaired = 0;
  const seen = new Set<object>();
  const fix = (holder: { $ref: string }): void => {
    const segments = internalRefSegments(holder.$ref);
    if (!segments) return;
    const out: string[] = [];
    let current: unknown = document;
    let changed = false;
    for (const segment of segments) {
      const moved = typeof current === "object" && current !== null ? moves.get(current)?.get(segment) : undefined;
      const steps = moved ?? [segment];
      if (moved) changed = true;
      for (const step of steps) {
        out.push(step);
        current = typeof current === "object" && current !== null ? (current as Record<string, unknown>)[step] : undefined;
      }
    }
    if (changed) {
      holder.$ref = internalRef(out);
      repaired++;
    }
  };
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (typeof (value as { $ref?: unknown }).$ref === "string") fix(value as { $ref: string });
    for (const v of Object.values(value)) walk(v);
  };
  walk(document);
  return repaired;
}

/** Normalises `document` in place; see the module comment for what changes. */
export function normaliseDocument(document: Record<string, unknown>, index: SourceIndex): NormaliseReport {
  const walker = new SchemaWalker(document, index, "normalise");
  walker.run();
  repairRefsThroughMoves(document, walker.moves);
  return { schemasChanged: walker.changed };
}

/**
 * Replaces internal references standing where OpenAPI allows none — an Operation written as
 * `get: { $ref }`, a schema's `properties: { $ref }` (both seen in DigitalOcean's spec) — by their
 * targets. Run after bundling (which leaves such refs when a target is used twice) and before
 * schema validation. Returns how many were replaced.
 */
export function inlineMisplacedRefs(document: Record<string, unknown>, index: SourceIndex): number {
  const walker = new SchemaWalker(document, index, "inline");
  walker.run();
  return walker.changed;
}
