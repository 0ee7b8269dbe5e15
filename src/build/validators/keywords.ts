/**
 * Where JSON Schema keeps its subschemas, so that walkers only ever treat a value as a schema
 * when it sits under a keyword that holds schemas (never a property *named* `example`, never the
 * inside of an `example` value).
 */

/** Keywords whose value is one schema. */
export const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  "additionalProperties",
  "propertyNames",
  "items", // a schema in 2020-12; an array of schemas in older drafts (handled by the walker)
  "additionalItems",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contentSchema",
]);

/** Keywords whose value is an array of schemas. */
export const SCHEMA_ARRAY_KEYWORDS: ReadonlySet<string> = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"]);

/** Keywords whose value maps names to schemas. `dependencies` mixes schemas and string arrays. */
export const SCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"]);

/**
 * Annotations that never change a validation result. They are dropped from the copies handed to
 * ajv: less to walk at build time, and ajv never mistakes an `example` carrying `$id` for a schema
 * resource ("duplicate schema URI"). `readOnly`/`writeOnly` are consumed by the flavour rewrite.
 */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  "title",
  "description",
  "example",
  "examples",
  "default",
  "externalDocs",
  "xml",
  "discriminator",
  "deprecated",
  "$comment",
  "readOnly",
  "writeOnly",
  "contentMediaType",
  "contentEncoding",
]);

export type SchemaObject = { readonly [keyword: string]: unknown };

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Escape one JSON pointer segment (RFC 6901). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Split a `#/a/b` fragment pointer into unescaped, URI-decoded segments. */
export function pointerSegments(pointer: string): string[] {
  const body = pointer.startsWith("#") ? pointer.slice(1) : pointer;
  if (body === "") return [];
  // Most segments (`components`, `schemas`, a name) hold neither `%` nor `~`: nothing to decode or unescape.
  return body
    .slice(1)
    .split("/")
    .map((s) => (s.includes("%") || s.includes("~") ? unescapePointerSegment(safeDecodeURIComponent(s)) : s));
}

export function pointerFromSegments(segments: readonly string[]): string {
  return "#" + segments.map((s) => "/" + escapePointerSegment(s)).join("");
}

function safeDecodeURIComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The value a `#/...` pointer names in `root`, or undefined. */
export function resolvePointer(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isSchemaObject(node)) node = Object.hasOwn(node, segment) ? node[segment] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}
