/**
 * Response schemas as data: the linked schemas of response bodies and headers, written as JSON
 * texts that the runtime interprets with @cfworker/json-schema when response validation is on
 * (src/runtime/response-schemas.ts), instead of ajv code that every worker start would compile
 * although production leaves response validation off.
 *
 *   entries → linker (ajv-document.ts: references resolved, writeOnly variants) → one JSON text
 *   per reachable schema, `$ref`s rewritten to `#/$defs/<index>` into the same list
 *
 * The texts are rewritten where cfworker and ajv (our request path) would disagree:
 *
 * - a writeOnly refusal (the linker leaves `{writeOnly: true}` where a response must not carry
 *   a value) becomes `{not: true, writeOnly: true}`: cfworker fails `not: true` for any value,
 *   and the runtime reports it as the `writeOnly` keyword, as ajv's custom keyword did;
 * - string formats we check (src/runtime/formats.ts) become `brrt:<name>`, which the runtime
 *   registers with cfworker, so both paths use the same checks (cfworker's own `date-time`
 *   accepts a space, its `time` no offset); formats we do not check are dropped (annotations,
 *   as ajv treats them); numeric formats (int32, ...) become a range check under `allOf`, marked
 *   `x-brrt-format` so the runtime reports a `format` error;
 * - patterns are compiled by cfworker with the `u` flag, which rejects identity escapes real
 *   specs write (`\:`): those escapes are dropped (same meaning); a pattern still not valid is
 *   left out and reported.
 */
import { formats } from "../../runtime/formats.ts";
import { buildAjvDocument, type FlavourPolicy, type LinkOptions } from "./ajv-document.ts";
import { inPlaceCycleChecker } from "./in-place-cycles.ts";
import { notJsonSchema } from "./meta-schema.ts";
import { SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS, isSchemaObject, resolvePointer } from "./keywords.ts";

export interface ResponseSchemaOptions {
  readonly documentUri: string;
  readonly remotes?: Readonly<Record<string, unknown>>;
  readonly writeOnlyInResponses: FlavourPolicy["writeOnlyInResponses"];
  /** "annotate": no format is checked. */
  readonly formats?: "assert" | "annotate";
  /** The document's reference index, if the caller has one (see ajv-document.ts `indexDocument`). */
  readonly index?: LinkOptions["index"];
}

export interface CompiledResponseSchemas {
  /** JSON text per schema; a `$ref` inside is `#/$defs/<index>` into this same list. */
  readonly texts: readonly string[];
  /** Per entry: its index in `texts`, or undefined (accepts anything, or failed: see `failures`). Equal schemas share an index. */
  readonly indexes: readonly (number | undefined)[];
  /** Per entry: why it cannot be checked, if it cannot. */
  readonly failures: readonly (string | undefined)[];
  /** Patterns left out because no Unicode regular expression means the same (see module comment). */
  readonly uncheckedPatterns: readonly string[];
}

/** Where the runtime expects a schema of the list (cfworker resolves `$ref`s against it). */
export const RESPONSE_SCHEMA_POINTER_PREFIX = "#/$defs/";
/** The prefix of the format names the runtime registers with cfworker. */
export const RESPONSE_FORMAT_PREFIX = "brrt:";
/** Marks the `allOf` member that range-checks a numeric format. */
export const NUMERIC_FORMAT_MARKER = "x-brrt-format";

const FLOAT_MAX = 3.4028234663852886e38;
/** What src/runtime/formats.ts checks for numbers, as JSON Schema (a build test compares the two). */
const NUMERIC_RANGES: Readonly<Record<string, Record<string, unknown>>> = {
  int32: { type: "integer", minimum: -(2 ** 31), maximum: 2 ** 31 - 1 },
  int64: { type: "integer", minimum: -(2 ** 63), exclusiveMaximum: 2 ** 63 },
  float: { minimum: -FLOAT_MAX, maximum: FLOAT_MAX },
  double: { minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE },
};

export function compileResponseSchemas(document: unknown, schemas: readonly unknown[], options: ResponseSchemaOptions): CompiledResponseSchemas {
  const linked = buildAjvDocument(
    document,
    schemas.map((schema) => ({ schema, flavour: "response" as const })),
    { documentUri: options.documentUri, remotes: options.remotes, index: options.index, readOnlyInRequests: "allow", writeOnlyInResponses: options.writeOnlyInResponses },
  );
  const indexOf = new Map<string, number>();
  const texts: string[] = [];
  const refsOf: number[][] = [];
  const broken: (string | undefined)[] = [];
  const unchecked = new Set<string>();
  const queue: string[] = [];
  const assign = (pointer: string): number => {
    let index = indexOf.get(pointer);
    if (index === undefined) {
      index = queue.push(pointer) - 1;
      indexOf.set(pointer, index);
    }
    return index;
  };
  for (const pointer of linked.entries) if (pointer !== undefined) assign(pointer);
  for (let next = 0; next < queue.length; next++) {
    const pointer = queue[next] as string;
    const refs: number[] = [];
    let failure: string | undefined;
    const node = resolvePointer(linked.root, pointer);
    const converter: Converter = {
      formats: options.formats ?? "assert",
      reference: (ref) => {
        if (!ref.startsWith("#/x-brrt") || resolvePointer(linked.root, ref) === undefined) {
          failure ??= `cannot resolve reference ${JSON.stringify(ref)}`;
          return ref;
        }
        const index = assign(ref);
        refs.push(index);
        return RESPONSE_SCHEMA_POINTER_PREFIX + index;
      },
      unchecked: (pattern) => unchecked.add(pattern),
    };
    if (node === undefined) failure = `cannot resolve ${pointer}`;
    const converted = node === undefined ? true : convert(node, converter);
    failure ??= notJsonSchema(converted);
    texts.push(JSON.stringify(converted));
    refsOf.push(refs);
    broken.push(failure);
  }

  // An entry fails when anything it reaches does (a reference left unresolved).
  const failureOf = (start: number): string | undefined => {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length > 0) {
      const index = stack.pop() as number;
      if (broken[index] !== undefined) return broken[index];
      for (const ref of refsOf[index] as number[]) if (!seen.has(ref)) stack.push((seen.add(ref), ref));
    }
    return undefined;
  };
  // The runtime's interpreter would recurse forever on such a schema, as ajv's code would.
  const neverEnds = inPlaceCycleChecker(linked.root);
  const failures = linked.entries.map((pointer) => (pointer === undefined ? undefined : (failureOf(indexOf.get(pointer) as number) ?? neverEnds(pointer))));
  const indexes = linked.entries.map((pointer, i) => (pointer === undefined || failures[i] !== undefined ? undefined : indexOf.get(pointer)));
  return { texts, indexes, failures, uncheckedPatterns: [...unchecked] };
}

interface Converter {
  readonly formats: "assert" | "annotate";
  reference(ref: string): string;
  unchecked(pattern: string): void;
}

/** The linked copy (only validation keywords, see schema-copy.ts) rewritten for cfworker. */
function convert(node: unknown, converter: Converter): unknown {
  if (!isSchemaObject(node)) return node;
  // The linker's refusal: whatever value is here, a response must not carry it.
  if (node.writeOnly === true) return { not: true, writeOnly: true };
  const out: Record<string, unknown> = {};
  let numericFormat: string | undefined;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (key === "$ref" && typeof value === "string") {
      out.$ref = converter.reference(value);
    } else if (key === "format" && typeof value === "string") {
      if (converter.formats === "annotate" || !Object.hasOwn(formats, value)) continue;
      if (typeof formats[value] === "function") out.format = RESPONSE_FORMAT_PREFIX + value;
      else if (Object.hasOwn(NUMERIC_RANGES, value)) numericFormat = value;
    } else if (key === "pattern" && typeof value === "string") {
      const pattern = unicodePattern(value);
      if (pattern === undefined) converter.unchecked(value);
      else out.pattern = pattern;
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isSchemaObject(value)) {
      const map: Record<string, unknown> = {};
      for (const name of Object.keys(value)) {
        const sub = Array.isArray(value[name]) ? value[name] : convert(value[name], converter);
        if (key !== "patternProperties") defineOwn(map, name, sub);
        else {
          const pattern = unicodePattern(name);
          if (pattern === undefined) converter.unchecked(name);
          else defineOwn(map, pattern, sub);
        }
      }
      out[key] = map;
    } else if (Array.isArray(value) && SCHEMA_ARRAY_KEYWORDS.has(key)) {
      out[key] = value.map((item) => convert(item, converter));
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = convert(value, converter);
    } else {
      defineOwn(out, key, value);
    }
  }
  if (numericFormat !== undefined) {
    const check = { [NUMERIC_FORMAT_MARKER]: numericFormat, if: { type: "number" }, then: NUMERIC_RANGES[numericFormat] };
    out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), check];
  }
  return out;
}

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Characters a Unicode-mode regular expression lets be escaped (outside a class; `-` too inside one). */
const SYNTAX_CHARACTERS = new Set("^$\\.*+?()[]{}|/");

/** Whether `source` compiles as a Unicode-mode (`u` flag) regular expression, as cfworker compiles patterns. */
export function compilesAsUnicode(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}

/**
 * `source` as a Unicode-mode regular expression with the same meaning, or undefined. Real specs
 * escape characters that need no escape (`\:`, `\-` outside a class, `\"`), which only non-Unicode
 * mode accepts (ajv's path falls back to it: src/runtime/validator-runtime.ts `pattern`).
 */
export function unicodePattern(source: string): string | undefined {
  if (compilesAsUnicode(source)) return source;
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "\\" && i + 1 < source.length) {
      const next = source[++i] as string;
      const keep = /[A-Za-z0-9]/.test(next) || SYNTAX_CHARACTERS.has(next) || (inClass && next === "-");
      out += keep ? c + next : next;
      continue;
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return compilesAsUnicode(out) ? out : undefined;
}
