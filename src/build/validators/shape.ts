/**
 * Coercion shapes: what the runtime needs to turn raw strings (path, query, header, cookie,
 * form fields) into typed values, computed once at build time from the resolved schema.
 */
import type { ValueShape } from "../../runtime/compiled-spec.ts";
import { isSchemaObject, resolvePointer, type SchemaObject } from "./keywords.ts";
import { documentPointer } from "./schema-copy.ts";

const ANY: ValueShape = { type: "any" };
const SCALARS = new Set(["string", "integer", "number", "boolean", "null"]);

/** The coercion shape of `schema`, following internal `$ref`s into `document`; a cycle becomes `any`. */
export function shapeOf(schema: unknown, document: unknown): ValueShape {
  return shape(schema, document, new Set());
}

function shape(schema: unknown, document: unknown, visiting: Set<unknown>): ValueShape {
  if (!isSchemaObject(schema) || visiting.has(schema)) return ANY;
  visiting.add(schema);
  try {
    return ownShape(schema, document, visiting);
  } finally {
    visiting.delete(schema);
  }
}

function ownShape(schema: SchemaObject, document: unknown, visiting: Set<unknown>): ValueShape {
  const typed = declaredShape(schema, document, visiting);
  if (typed !== undefined) return typed;
  const pointer = documentPointer(schema.$ref);
  if (pointer !== undefined) {
    const target = shape(resolvePointer(document, pointer), document, visiting);
    if (target.type !== "any") return target;
  }
  if (Array.isArray(schema.allOf)) {
    const merged = schema.allOf.map((member) => shape(member, document, visiting)).reduce(intersect, ANY);
    if (merged.type !== "any") return merged;
  }
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const options = schema[keyword];
    if (Array.isArray(options) && options.length > 0) return union(options.map((option) => shape(option, document, visiting)));
  }
  return inferred(schema, document, visiting);
}

/** From `type` (a name or a list of names). */
function declaredShape(schema: SchemaObject, document: unknown, visiting: Set<unknown>): ValueShape | undefined {
  const { type } = schema;
  if (typeof type === "string") return shapeForType(type, schema, document, visiting);
  if (Array.isArray(type) && type.length > 0) return union(type.map((t) => (typeof t === "string" ? shapeForType(t, schema, document, visiting) : ANY)));
  return undefined;
}

function shapeForType(type: string, schema: SchemaObject, document: unknown, visiting: Set<unknown>): ValueShape {
  if (type === "array") return { type: "array", items: shape(schema.items, document, visiting) };
  if (type === "object") return objectShape(schema, document, visiting);
  return SCALARS.has(type) ? ({ type } as ValueShape) : ANY;
}

function objectShape(schema: SchemaObject, document: unknown, visiting: Set<unknown>): ValueShape {
  const properties: Record<string, ValueShape> = {};
  if (isSchemaObject(schema.properties)) {
    for (const name in schema.properties) properties[name] = shape(schema.properties[name], document, visiting);
  }
  return { type: "object", properties, additional: shape(schema.additionalProperties, document, visiting) };
}

/** No `type`: guess from the keywords that only make sense for one type. */
function inferred(schema: SchemaObject, document: unknown, visiting: Set<unknown>): ValueShape {
  if (isSchemaObject(schema.properties) || isSchemaObject(schema.additionalProperties)) return objectShape(schema, document, visiting);
  if (schema.items !== undefined) return { type: "array", items: shape(schema.items, document, visiting) };
  const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined;
  if (values !== undefined && values.length > 0) return union(values.map(shapeOfValue));
  return ANY;
}

function shapeOfValue(value: unknown): ValueShape {
  if (value === null) return { type: "null" };
  if (typeof value === "string") return { type: "string" };
  if (typeof value === "boolean") return { type: "boolean" };
  if (typeof value === "number") return Number.isInteger(value) ? { type: "integer" } : { type: "number" };
  return ANY;
}

/** `allOf`: objects merge their properties; otherwise the first member that says anything wins. */
function intersect(a: ValueShape, b: ValueShape): ValueShape {
  if (a.type === "any") return b;
  if (b.type === "any") return a;
  if (a.type === "object" && b.type === "object") {
    return { type: "object", properties: { ...a.properties, ...b.properties }, additional: a.additional.type === "any" ? b.additional : a.additional };
  }
  return a;
}

/** Alternatives in order, without duplicates; one alternative is itself; an `any` alternative makes the union `any`. */
function union(options: readonly ValueShape[]): ValueShape {
  const flat: ValueShape[] = [];
  const seen = new Set<string>();
  for (const option of options) {
    for (const member of option.type === "union" ? option.options : [option]) {
      if (member.type === "any") return ANY;
      const key = JSON.stringify(member);
      if (!seen.has(key)) {
        seen.add(key);
        flat.push(member);
      }
    }
  }
  if (flat.length === 0) return ANY;
  if (flat.length === 1) return flat[0] as ValueShape;
  return { type: "union", options: flat };
}
