/**
 * Request bodies made from schemas, for the validation benchmark: "small" fills only required
 * properties, "large" fills every property and puts several items in every array. Works on the
 * linked schema document (every `$ref` a plain `#/...` pointer). A body is only a guess: the
 * benchmark keeps the ones every contender accepts.
 */
import { resolvePointer } from "../../src/build/validators/keywords.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = boolean | Record<string, unknown>;

export interface BodyOptions {
  /** Fill every property (true) or only the required ones. */
  readonly full: boolean;
  /** Items per array (at least minItems). */
  readonly arrayItems: number;
  /** Which `oneOf`/`anyOf` option to take (cycled), so a retry can try another. */
  readonly choice: number;
}

const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  "date-time": "2024-05-01T12:00:00Z",
  date: "2024-05-01",
  time: "12:00:00Z",
  email: "dev@example.com",
  uuid: "2eb8aa08-aa98-11ea-b4aa-73b441d16380",
  uri: "https://example.com/a",
  ipv4: "10.0.0.1",
  ipv6: "2001:db8::1",
  hostname: "example.com",
  byte: "aGVsbG8=",
};
const STRING_CANDIDATES = ["abc", "example", "abc-1", "a1", "1", "ABC", "abc.example.com", "10.0.0.0/24", "nyc1", "s-1vcpu-1gb", "ubuntu-22-04-x64", "v1.0.0"];

function testPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return true;
    }
  }
}

function stringFor(schema: Record<string, unknown>, index: number): string {
  const format = typeof schema.format === "string" ? FORMAT_SAMPLES[schema.format] : undefined;
  let value = format ?? STRING_CANDIDATES.find((c) => typeof schema.pattern !== "string" || testPattern(schema.pattern, c)) ?? "abc";
  if (index > 0 && format === undefined) value = `${value}${index}`;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  if (value.length < min) value = value.padEnd(min, "x");
  if (value.length > max) value = value.slice(0, max);
  return value;
}

function numberFor(schema: Record<string, unknown>, integer: boolean, index: number): number {
  const min = typeof schema.minimum === "number" ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : 1;
  const max = typeof schema.maximum === "number" ? schema.maximum : typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - 1 : Infinity;
  let value = Math.min(min + index, max);
  if (typeof schema.multipleOf === "number") value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
  return integer ? Math.round(value) : value;
}

export function bodyFor(root: unknown, schema: Schema, options: BodyOptions, depth = 0, index = 0): Json | undefined {
  if (schema === true) return "abc";
  if (schema === false || depth > 12) return undefined;
  if (schema.readOnly === true) return undefined; // a refusal marker in request variants
  if (typeof schema.$ref === "string") {
    const target = resolvePointer(root, schema.$ref) as Schema | undefined;
    const own = { ...schema };
    delete own.$ref;
    const fromRef = target === undefined ? undefined : bodyFor(root, target, options, depth + 1, index);
    if (Object.keys(own).length === 0) return fromRef;
    return merge(fromRef, bodyFor(root, own, options, depth, index));
  }
  if ("const" in schema) return schema.const as Json;
  if (Array.isArray(schema.enum)) return schema.enum[index % schema.enum.length] as Json;
  let result: Json | undefined;
  if (Array.isArray(schema.allOf)) for (const member of schema.allOf) result = merge(result, bodyFor(root, member as Schema, options, depth + 1, index));
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const alternatives = schema[keyword];
    if (Array.isArray(alternatives) && alternatives.length > 0) {
      result = merge(result, bodyFor(root, alternatives[options.choice % alternatives.length] as Schema, options, depth + 1, index));
    }
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === "string" ? [schema.type] : [];
  const type = types.find((t) => t !== "null") ?? (schema.properties !== undefined ? "object" : schema.items !== undefined ? "array" : undefined);
  switch (type) {
    case "object": {
      const out: Record<string, Json> = {};
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      for (const [name, property] of Object.entries(properties)) {
        if (!options.full && !required.has(name)) continue;
        const value = bodyFor(root, property, options, depth + 1, 0);
        if (value !== undefined) out[name] = value;
      }
      for (const name of required) if (!(name in out)) out[name] = "abc";
      return merge(result, out);
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
      const count = Math.min(Math.max(options.full ? options.arrayItems : 1, min), max);
      const items: Json[] = [];
      for (let i = 0; i < count; i++) {
        const item = bodyFor(root, (schema.items ?? true) as Schema, options, depth + 1, i);
        if (item !== undefined) items.push(item);
      }
      return items;
    }
    case "string":
      return result ?? stringFor(schema, index);
    case "integer":
    case "number":
      return result ?? numberFor(schema, type === "integer", index);
    case "boolean":
      return result ?? true;
    default:
      return result ?? (types.includes("null") ? null : undefined);
  }
}

function merge(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) return { ...a, ...b };
  return a;
}
