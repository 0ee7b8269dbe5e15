/**
 * Schema-aware walks over normalised 2020-12 schemas: find the document `$ref`s a schema reaches,
 * and make the copy ajv compiles (annotations dropped, read/write-only rules applied, document
 * `$ref`s redirected to flavoured variants).
 */
import {
  ANNOTATION_KEYWORDS,
  SCHEMA_ARRAY_KEYWORDS,
  SCHEMA_KEYWORDS,
  SCHEMA_MAP_KEYWORDS,
  isSchemaObject,
  pointerFromSegments,
  pointerSegments,
  type SchemaObject,
} from "./keywords.ts";

/** Which annotation turns into a refusal: readOnly in requests, writeOnly in responses. */
export type RefusedFlag = "readOnly" | "writeOnly";

/** A `$ref` into the bundled document (`#`, `#/components/...`), in canonical escaping. */
export function documentPointer(ref: unknown): string | undefined {
  if (typeof ref !== "string" || !ref.startsWith("#")) return undefined;
  if (ref !== "#" && !ref.startsWith("#/")) return undefined; // `#anchor`: left to ajv
  return pointerFromSegments(pointerSegments(ref));
}

export interface SchemaScan {
  /** Document pointers the schema `$ref`s (outside any nested `$id` resource). */
  readonly refs: Set<string>;
  /** Flags set as keywords somewhere in the schema itself (not through refs). */
  readonly flags: Set<RefusedFlag>;
}

/** Calls `visit(schemaObject, insideResource)` for the schema and every subschema under a schema keyword. */
function walkSchemas(node: unknown, visit: (schema: SchemaObject, insideResource: boolean) => void, insideResource: boolean): void {
  if (!isSchemaObject(node)) return;
  const inner = insideResource || typeof node.$id === "string";
  visit(node, inner);
  for (const key in node) {
    const value = node[key];
    if (SCHEMA_MAP_KEYWORDS.has(key)) {
      if (isSchemaObject(value)) for (const name in value) walkSchemas(value[name], visit, inner);
    } else if (Array.isArray(value)) {
      if (SCHEMA_ARRAY_KEYWORDS.has(key)) for (const item of value) walkSchemas(item, visit, inner);
    } else if (SCHEMA_KEYWORDS.has(key)) {
      walkSchemas(value, visit, inner);
    }
  }
}

export function scanSchema(schema: unknown, insideResource = false): SchemaScan {
  const refs = new Set<string>();
  const flags = new Set<RefusedFlag>();
  walkSchemas(
    schema,
    (node, inResource) => {
      if (node.readOnly === true) flags.add("readOnly");
      if (node.writeOnly === true) flags.add("writeOnly");
      if (!inResource) {
        const pointer = documentPointer(node.$ref);
        if (pointer !== undefined) refs.add(pointer);
      }
    },
    insideResource,
  );
  return { refs, flags };
}

export interface CopyOptions {
  /** Replace every subschema carrying this flag by a refusal, and drop such properties from `required`. */
  readonly refuse?: RefusedFlag;
  /** Where a document `$ref` should point in this copy (flavoured variants live elsewhere). */
  readonly redirect: (pointer: string) => string;
  /** Whether the schema a property points to carries `flag` (through `$ref`s and `allOf`). */
  readonly carriesFlag: (schema: unknown, flag: RefusedFlag) => boolean;
  /** Accept anything where a file upload would be (`format: binary`, `contentMediaType`): bodies that are not JSON. */
  readonly filesAsAny?: boolean;
  /**
   * For a subschema (never the copy's root): the `$ref` to use instead of copying it, when it is a
   * shared target compiled on its own. Found by object identity with the bundled document.
   */
  readonly sharedRef?: (node: SchemaObject) => string | undefined;
}

/** The copy ajv sees. Values of non-schema keywords (`enum`, `const`, ...) are shared, never mutated. */
export function copySchema(node: unknown, options: CopyOptions, insideResource = false, isRoot = true): unknown {
  if (!isSchemaObject(node)) return node;
  if (!isRoot && !insideResource && options.sharedRef !== undefined) {
    const ref = options.sharedRef(node);
    if (ref !== undefined) return { $ref: ref };
  }
  const { refuse } = options;
  if (refuse !== undefined && node[refuse] === true) return { [refuse]: true };
  if (options.filesAsAny === true && isFileSchema(node)) return {};
  const inner = insideResource || typeof node.$id === "string";
  const out: Record<string, unknown> = {};
  for (const key in node) {
    const value = node[key];
    if (ANNOTATION_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && !inner) {
      const pointer = documentPointer(value);
      out[key] = pointer === undefined ? value : options.redirect(pointer);
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isSchemaObject(value)) {
      const map: Record<string, unknown> = {};
      for (const name in value) map[name] = copySchema(value[name], options, inner, false);
      out[key] = map;
    } else if (Array.isArray(value)) {
      out[key] = SCHEMA_ARRAY_KEYWORDS.has(key) ? value.map((item) => copySchema(item, options, inner, false)) : value;
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = copySchema(value, options, inner, false);
    } else {
      out[key] = value;
    }
  }
  // A read-only property may be listed in `required` for the benefit of responses (OpenAPI 3.0
  // spelled this out): a request must then be allowed to leave it out.
  if (refuse !== undefined && Array.isArray(node.required) && isSchemaObject(node.properties)) {
    const properties = node.properties;
    const required = node.required.filter((name) => typeof name !== "string" || !options.carriesFlag(properties[name], refuse));
    if (required.length !== node.required.length) out.required = required;
  }
  return out;
}

function isFileSchema(node: SchemaObject): boolean {
  return node.format === "binary" || typeof node.contentMediaType === "string" || typeof node.contentEncoding === "string";
}

/** True when `schema` holds nothing ajv would check (only annotations). */
export function acceptsAnything(copy: unknown): boolean {
  if (copy === true) return true;
  return isSchemaObject(copy) && Object.keys(copy).length === 0;
}
