/**
 * One schema-aware descent used both to discover what a schema references and to make the copy
 * ajv compiles. Only values under schema keywords are treated as schemas: a property *named*
 * `example` is a schema, the inside of an `example` value never is.
 */
import { ANNOTATION_KEYWORDS, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS, isSchemaObject, type SchemaObject } from "./keywords.ts";

/** Which annotation turns into a refusal: readOnly in requests, writeOnly in responses. */
export type RefusedFlag = "readOnly" | "writeOnly";

/**
 * Identifiers and containers that only serve reference resolution, which the linker has already
 * done: the copies carry plain `#/x-brrt/...` pointers and nothing that declares a URI.
 */
const LINKED_AWAY = new Set(["$id", "$anchor", "$dynamicAnchor", "$schema", "$vocabulary", "$defs", "definitions", "$dynamicRef"]);

export interface DescentHooks<Context> {
  /** The context for a subschema (the linker enters a new resource where `$id` says so). */
  enter(node: SchemaObject, context: Context): Context;
  /** `$ref`/`$dynamicRef` → the pointer to write in the copy, or undefined to keep the value as written. */
  reference(node: SchemaObject, keyword: "$ref" | "$dynamicRef", value: string, context: Context): string | undefined;
  /** For a subschema (never the copy's root): a pointer to use instead of copying it (a shared target). */
  shared(node: SchemaObject, context: Context): string | undefined;
  /** Replace every subschema carrying this flag by a refusal and drop such properties from `required`. */
  readonly refuse?: RefusedFlag;
  /** Whether a property's schema carries `flag` (through references and `allOf`). */
  carriesFlag(schema: unknown, flag: RefusedFlag, context: Context): boolean;
  /** Accept anything where a file part would be (`format: binary`, `contentMediaType`): form bodies. */
  readonly filesAsAny?: boolean;
}

/** The copy ajv sees. Values of non-schema keywords (`enum`, `const`, ...) are shared, never mutated. */
export function copySchema<Context>(node: unknown, context: Context, hooks: DescentHooks<Context>, isRoot = true): unknown {
  if (!isSchemaObject(node)) return node;
  const here = hooks.enter(node, context);
  if (!isRoot) {
    const ref = hooks.shared(node, here);
    if (ref !== undefined) return { $ref: ref };
  }
  const { refuse } = hooks;
  if (refuse !== undefined && node[refuse] === true) return { [refuse]: true };
  if (hooks.filesAsAny === true && isFileSchema(node)) return {};
  // `enum: []` admits nothing (ajv refuses to compile it).
  if (Array.isArray(node.enum) && node.enum.length === 0) return false;

  const out: Record<string, unknown> = {};
  const refs: string[] = [];
  for (const key in node) {
    const value = node[key];
    if (key === "$ref" || key === "$dynamicRef") {
      if (typeof value === "string") refs.push(hooks.reference(node, key, value, here) ?? value);
      continue;
    }
    if (LINKED_AWAY.has(key) || ANNOTATION_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    if (SCHEMA_MAP_KEYWORDS.has(key) && isSchemaObject(value)) {
      const map: Record<string, unknown> = {};
      for (const name in value) setOwn(map, name, copySchema(value[name], here, hooks, false));
      out[key] = map;
    } else if (Array.isArray(value)) {
      out[key] = SCHEMA_ARRAY_KEYWORDS.has(key) ? value.map((item) => copySchema(item, here, hooks, false)) : value;
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = copySchema(value, here, hooks, false);
    } else {
      setOwn(out, key, value);
    }
  }
  workAroundAjv(out);
  // `$ref` and `$dynamicRef` side by side: both apply.
  if (refs.length === 1) out.$ref = refs[0];
  else if (refs.length === 2) {
    out.$ref = refs[0];
    out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), { $ref: refs[1] }];
  }
  // A read-only property may be listed in `required` for the benefit of responses (OpenAPI 3.0
  // spelled this out): a request must then be allowed to leave it out.
  if (refuse !== undefined && Array.isArray(node.required) && isSchemaObject(node.properties)) {
    const properties = node.properties;
    const required = node.required.filter((name) => typeof name !== "string" || !hooks.carriesFlag(properties[name], refuse, here));
    if (required.length !== node.required.length) out.required = required;
  }
  return out;
}

/**
 * Rewrites that keep the meaning of a copied schema but steer ajv away from its known gaps
 * (each one found by the conformance suite, see test/build/json-schema-suite.known-failures.ts).
 */
function workAroundAjv(out: Record<string, unknown>): void {
  // ajv ignores a property named `__proto__`; a pattern matching exactly that name is equivalent.
  const properties = out.properties;
  if (isSchemaObject(properties) && Object.hasOwn(properties, "__proto__")) {
    const rest: Record<string, unknown> = {};
    for (const name of Object.keys(properties)) if (name !== "__proto__") rest[name] = properties[name];
    out.properties = rest;
    out.patternProperties = { ...(isSchemaObject(out.patternProperties) ? out.patternProperties : {}), "^__proto__$": properties.__proto__ };
  }
  if ("if" in out && out.unevaluatedProperties !== undefined) {
    // What `if` evaluated counts only when `if` passed; ajv counts it either way and skips an `if`
    // without `then`/`else`. Written as (if ∧ then) ∨ (¬if ∧ else), it is an `anyOf`, which ajv
    // tracks per passing branch. A missing branch is left out, not written as `true` (ajv would
    // count `true` as evaluating everything).
    const condition = out.if;
    const branches = [
      out.then === undefined ? condition : { allOf: [condition, out.then] },
      out.else === undefined ? { not: condition } : { allOf: [{ not: condition }, out.else] },
    ];
    delete out.if;
    delete out.then;
    delete out.else;
    out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), { anyOf: branches }];
  } else if ("if" in out && out.unevaluatedItems !== undefined) {
    // For items ajv's per-branch tracking is off once `contains` is involved; an always-passing,
    // non-empty branch at least makes it evaluate `if` where it would skip it.
    out.then ??= { not: false };
    out.else ??= { not: false };
  }
  // ajv counts `contains` as evaluating every item. For `contains` beside `unevaluatedItems` (or
  // in `allOf` members, which must all pass anyway), the items it matches are evaluated — the same
  // as `unevaluatedItems` accepting whatever matches one of them — and the check itself can be
  // spelled so that ajv sees no evaluation: an array in which not every item fails it.
  if (out.unevaluatedItems !== undefined && out.unevaluatedItems !== true) {
    const contains: unknown[] = [];
    const collect = (schema: unknown): void => {
      if (!isSchemaObject(schema)) return;
      if (schema.contains !== undefined && schema.minContains === undefined && schema.maxContains === undefined) {
        const holder = schema as Record<string, unknown>;
        contains.push(holder.contains);
        holder.allOf = [...((holder.allOf as unknown[] | undefined) ?? []), { not: { type: "array", items: { not: holder.contains } } }];
        delete holder.contains;
      }
      if (Array.isArray(schema.allOf)) schema.allOf.forEach(collect);
    };
    collect(out);
    if (contains.length > 0) out.unevaluatedItems = { anyOf: [...contains, out.unevaluatedItems] };
  }
}

/** `o["__proto__"] = v` would set the prototype; a property of that name must be defined. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isFileSchema(node: SchemaObject): boolean {
  return node.format === "binary" || typeof node.contentMediaType === "string" || typeof node.contentEncoding === "string";
}

/** Flags set as keywords in the schema itself (its own subschemas, not `$defs`, not through references). */
export function ownFlags(node: unknown, into: Set<RefusedFlag> = new Set()): Set<RefusedFlag> {
  if (!isSchemaObject(node)) return into;
  if (node.readOnly === true) into.add("readOnly");
  if (node.writeOnly === true) into.add("writeOnly");
  for (const key in node) {
    const value = node[key];
    if (SCHEMA_MAP_KEYWORDS.has(key) && key !== "$defs" && key !== "definitions") {
      if (isSchemaObject(value)) for (const name in value) ownFlags(value[name], into);
    } else if (Array.isArray(value)) {
      if (SCHEMA_ARRAY_KEYWORDS.has(key)) for (const item of value) ownFlags(item, into);
    } else if (SCHEMA_KEYWORDS.has(key)) {
      ownFlags(value, into);
    }
  }
  return into;
}

/** True when a copy holds nothing ajv would check. */
export function acceptsAnything(copy: unknown): boolean {
  if (copy === true) return true;
  return isSchemaObject(copy) && Object.keys(copy).length === 0;
}

/** A `$ref` into the bundled document (`#`, `#/components/...`), as written. */
export function documentPointer(ref: unknown): string | undefined {
  if (typeof ref !== "string" || !ref.startsWith("#")) return undefined;
  return ref === "#" || ref.startsWith("#/") ? ref : undefined;
}
