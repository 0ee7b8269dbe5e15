/**
 * Schemas that apply themselves to the same value again: `Loop: { allOf: [{ $ref: Loop }] }`,
 * or `A: { $ref: B }` with `B: { anyOf: [..., { $ref: A }] }`. Every keyword on such a cycle
 * (`$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`) checks the
 * value it was given, not a part of it, so once evaluation enters the cycle it never leaves:
 * ajv compiles it to a function that calls itself with the same arguments, and the first
 * request it checks overflows the stack. JSON Schema 2020-12 leaves such schemas undefined
 * (§9.4.1). Recursion through `properties`, `items` and the like is fine: each step goes
 * one level into the value, which is finite.
 *
 * Works on a linked document (ajv-document.ts), whose only references are `#/...` pointers.
 */
import { isSchemaObject, resolvePointer, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS, type SchemaObject } from "./keywords.ts";

/** Keywords that apply their subschemas to the value itself. */
const IN_PLACE_SINGLE = ["not", "if", "then", "else"] as const;
const IN_PLACE_LISTS = ["allOf", "anyOf", "oneOf"] as const;
const IN_PLACE_MAPS = ["dependentSchemas"] as const;

/** Schema keywords that hold definitions rather than apply them: reached only through `$ref`. */
const DEFINITIONS = new Set(["$defs", "definitions"]);

type Edge = readonly [via: string, target: unknown];

/**
 * `check(pointer)`: why the schema at `pointer` (or any schema it reaches) never finishes
 * checking a value, or undefined. Results are shared between calls on the same `root`.
 */
export function inPlaceCycleChecker(root: unknown): (pointer: string) => string | undefined {
  const follow = (schema: SchemaObject): unknown => (typeof schema.$ref === "string" ? resolvePointer(root, schema.$ref) : undefined);

  function* inPlace(schema: SchemaObject): Iterable<Edge> {
    if (typeof schema.$ref === "string") yield ["$ref", follow(schema)];
    for (const keyword of IN_PLACE_SINGLE) if (keyword in schema) yield [keyword, schema[keyword]];
    for (const keyword of IN_PLACE_LISTS) {
      const list = schema[keyword];
      if (Array.isArray(list)) for (let i = 0; i < list.length; i++) yield [`${keyword}/${i}`, list[i]];
    }
    for (const keyword of IN_PLACE_MAPS) {
      const map = schema[keyword];
      if (isSchemaObject(map)) for (const [name, sub] of Object.entries(map)) yield [`${keyword}/${name}`, sub];
    }
  }

  function* every(schema: SchemaObject): Iterable<unknown> {
    if (typeof schema.$ref === "string") yield follow(schema);
    for (const [keyword, value] of Object.entries(schema)) {
      if (DEFINITIONS.has(keyword)) continue;
      if (SCHEMA_KEYWORDS.has(keyword) && isSchemaObject(value)) yield value;
      if (SCHEMA_ARRAY_KEYWORDS.has(keyword) && Array.isArray(value)) yield* value;
      if (SCHEMA_MAP_KEYWORDS.has(keyword) && isSchemaObject(value)) yield* Object.values(value);
    }
  }

  // Cycle search over the in-place edges: the usual three colours, shared by every search.
  const finished = new Set<object>();
  const cycleThrough = new Map<object, string>();

  const findCycle = (start: SchemaObject): string | undefined => {
    const open = new Map<object, number>();
    const route: string[] = [];
    const visit = (schema: SchemaObject): string | undefined => {
      const openedAt = open.get(schema);
      if (openedAt !== undefined) return route.slice(openedAt).join("/");
      if (finished.has(schema)) return undefined;
      const known = cycleThrough.get(schema);
      if (known !== undefined) return known;
      open.set(schema, route.length);
      for (const [via, target] of inPlace(schema)) {
        if (!isSchemaObject(target)) continue;
        route.push(via);
        const cycle = visit(target);
        route.pop();
        if (cycle !== undefined) return cycle;
      }
      open.delete(schema);
      finished.add(schema);
      return undefined;
    };
    const cycle = visit(start);
    if (cycle !== undefined) cycleThrough.set(start, cycle);
    return cycle;
  };

  // Schemas whose whole reach was searched and found finite.
  const clean = new Set<object>();

  return (pointer) => {
    const entry = resolvePointer(root, pointer);
    const seen = new Set<object>();
    const stack: unknown[] = [entry];
    while (stack.length > 0) {
      const schema = stack.pop();
      if (!isSchemaObject(schema) || seen.has(schema) || clean.has(schema)) continue;
      seen.add(schema);
      const cycle = findCycle(schema);
      if (cycle !== undefined) return `it applies itself to the same value again (${cycle}), so checking any value would never end`;
      for (const next of every(schema)) stack.push(next);
    }
    for (const schema of seen) clean.add(schema);
    return undefined;
  };
}
