/**
 * OpenAPI `style`/`explode` deserialisation: one serialised parameter → a string, a list of
 * strings or a prototype-less record of strings, exactly inverting the OpenAPI 3.1 style examples
 * table (`color` = `blue` / `[blue, black, brown]` / `{R: 100, G: 200, B: 150}`):
 *
 * | style          | explode | primitive      | array                                | object                               |
 * |----------------|---------|----------------|--------------------------------------|--------------------------------------|
 * | matrix         | false   | `;color=blue`  | `;color=blue,black,brown`            | `;color=R,100,G,200,B,150`           |
 * | matrix         | true    | `;color=blue`  | `;color=blue;color=black;color=brown`| `;R=100;G=200;B=150`                 |
 * | label          | false   | `.blue`        | `.blue,black,brown`                  | `.R,100,G,200,B,150`                 |
 * | label          | true    | `.blue`        | `.blue.black.brown`                  | `.R=100.G=200.B=150`                 |
 * | simple         | false   | `blue`         | `blue,black,brown`                   | `R,100,G,200,B,150`                  |
 * | simple         | true    | `blue`         | `blue,black,brown`                   | `R=100,G=200,B=150`                  |
 * | form           | false   | `color=blue`   | `color=blue,black,brown`             | `color=R,100,G,200,B,150`            |
 * | form           | true    | `color=blue`   | `color=blue&color=black&color=brown` | `R=100&G=200&B=150`                  |
 * | spaceDelimited | false   |                | `color=blue%20black%20brown`         | `color=R%20100%20G%20200%20B%20150`  |
 * | pipeDelimited  | false   |                | `color=blue|black|brown`             | `color=R|100|G|200|B|150`            |
 * | deepObject     | true    |                |                                      | `color[R]=100&color[G]=200&color[B]=150` |
 *
 * Splitting happens on the still-encoded text where the caller has it (query, cookie, and path
 * segments recovered raw), and each piece is decoded afterwards, so `%2C` inside an item is data.
 * `spaceDelimited`/`pipeDelimited` have no escape for their delimiter, so they split after
 * decoding (accepting `%20`, `+`, `%7C` and `|` alike).
 */

import type { ParameterMeta } from "../compiled-spec.ts";
import { addRawEntry, newRawRecord, type RawRecord, type ShapeKind } from "./coerce.ts";
import type { Decode, RawPairs } from "./decode.ts";

/** A serialisation the style cannot read; `message` completes "<parameter> …". */
export class Malformed {
  constructor(readonly message: string) {}
}

export type RawValue = string | string[] | RawRecord;

const BAD_ESCAPE = new Malformed("is not correctly percent-encoded");
const ODD_PAIRS = new Malformed("must be a list of name,value pairs");
const BAD_ASSIGNMENT = new Malformed("must be a list of name=value entries");

function decodeAll(parts: string[], decode: Decode): string[] | Malformed {
  for (let i = 0; i < parts.length; i++) {
    const decoded = decode(parts[i]!);
    if (decoded === undefined) return BAD_ESCAPE;
    parts[i] = decoded;
  }
  return parts;
}

/** `R,100,G,200` → `{R: "100", G: "200"}`. */
function recordFromPairs(parts: readonly string[], decode: Decode): RawRecord | Malformed {
  if (parts.length % 2 !== 0) return ODD_PAIRS;
  const record = newRawRecord();
  for (let i = 0; i < parts.length; i += 2) {
    const key = decode(parts[i]!);
    const value = decode(parts[i + 1]!);
    if (key === undefined || value === undefined) return BAD_ESCAPE;
    addRawEntry(record, key, value);
  }
  return record;
}

/** `R=100,G=200` (already split) → `{R: "100", G: "200"}`. */
function recordFromAssignments(parts: readonly string[], decode: Decode): RawRecord | Malformed {
  const record = newRawRecord();
  for (const part of parts) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq === -1) return BAD_ASSIGNMENT;
    const key = decode(part.slice(0, eq));
    const value = decode(part.slice(eq + 1));
    if (key === undefined || value === undefined) return BAD_ESCAPE;
    addRawEntry(record, key, value);
  }
  return record;
}

function splitList(text: string, delimiter: string, kind: ShapeKind, explodedObject: boolean, decode: Decode): RawValue | Malformed {
  if (kind === "primitive") return decode(text) ?? BAD_ESCAPE;
  if (text === "") return kind === "array" ? [] : newRawRecord();
  const parts = text.split(delimiter);
  if (kind === "array") return decodeAll(parts, decode);
  return explodedObject ? recordFromAssignments(parts, decode) : recordFromPairs(parts, decode);
}

/**
 * A path (`simple`/`label`/`matrix`) or header (`simple`) value. `text` is the raw segment when the
 * caller could recover it, else the matcher's decoded value with `decode` the identity.
 */
export function deserialiseSingle(param: ParameterMeta, kind: ShapeKind, text: string, decode: Decode): RawValue | Malformed {
  switch (param.style) {
    case "label": {
      if (!text.startsWith(".")) return new Malformed('must start with "." (label style)');
      const rest = text.slice(1);
      if (param.explode) return splitList(rest, ".", kind, true, decode);
      return splitList(rest, ",", kind, false, decode);
    }
    case "matrix":
      return deserialiseMatrix(param, kind, text, decode);
    default:
      // simple (and any other style found in a path or header: read as simple)
      return splitList(text, ",", kind, param.explode, decode);
  }
}

function deserialiseMatrix(param: ParameterMeta, kind: ShapeKind, text: string, decode: Decode): RawValue | Malformed {
  const wrongPrefix = new Malformed(`must start with ";${param.name}" (matrix style)`);
  if (!text.startsWith(";")) return wrongPrefix;
  if (param.explode && kind !== "primitive") {
    const entries = text.slice(1).split(";");
    if (kind === "object") return recordFromAssignments(entries, decode);
    // ;color=blue;color=black → every entry must name this parameter
    const prefix = param.name + "=";
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry === param.name) entries[i] = "";
      else if (entry.startsWith(prefix)) entries[i] = entry.slice(prefix.length);
      else return wrongPrefix;
    }
    return decodeAll(entries, decode);
  }
  const prefix = ";" + param.name;
  // RFC 6570: an empty value is written `;color` (no `=`)
  if (text === prefix) return splitList("", ",", kind, false, decode);
  if (!text.startsWith(prefix + "=")) return wrongPrefix;
  return splitList(text.slice(prefix.length + 1), ",", kind, false, decode);
}

/** Where a name/value-list parameter (query, cookie) is found: absent, or its raw value. */
export const ABSENT = Symbol("absent");

/**
 * A query or cookie parameter (`form`, `spaceDelimited`, `pipeDelimited`, `deepObject`) from the
 * request's name → raw values map. `propertyNames` is the object's declared properties, used for
 * exploded `form` objects whose properties are top-level names (`R=100&G=200`); `freeFormKeys` are
 * the names left to a free-form exploded object (no declared properties).
 */
export function deserialiseFromPairs(
  param: ParameterMeta,
  kind: ShapeKind,
  pairs: RawPairs,
  decode: Decode,
  propertyNames: readonly string[],
  freeFormKeys: (() => Iterable<string>) | undefined,
): RawValue | Malformed | typeof ABSENT {
  if (param.style === "deepObject" && kind === "object") return deepObject(param.name, pairs, decode);
  if (kind === "object" && param.explode && param.style !== "deepObject") {
    const record = newRawRecord();
    let found = false;
    const keys = freeFormKeys !== undefined ? freeFormKeys() : propertyNames;
    for (const key of keys) {
      const values = pairs.get(key);
      if (values === undefined) continue;
      for (const raw of values) {
        const value = decode(raw);
        if (value === undefined) return BAD_ESCAPE;
        addRawEntry(record, key, value);
        found = true;
      }
    }
    return found ? record : ABSENT;
  }
  const values = pairs.get(param.name);
  if (values === undefined) return ABSENT;
  if (kind === "primitive") {
    if (values.length > 1) return new Malformed("must be given only once");
    return decode(values[0]!) ?? BAD_ESCAPE;
  }
  if (kind === "array" && param.explode) return decodeAll(values.slice(), decode);
  // One serialised list per occurrence; several occurrences are read as one longer list.
  let result: RawValue | undefined;
  for (const raw of values) {
    const part = deserialiseDelimited(param, kind, raw, decode);
    if (part instanceof Malformed) return part;
    result = result === undefined ? part : merge(result, part);
  }
  return result!;
}

function deserialiseDelimited(param: ParameterMeta, kind: ShapeKind, raw: string, decode: Decode): RawValue | Malformed {
  if (param.style === "spaceDelimited" || param.style === "pipeDelimited") {
    const text = decode(raw);
    if (text === undefined) return BAD_ESCAPE;
    return splitList(text, param.style === "spaceDelimited" ? " " : "|", kind, false, identity);
  }
  return splitList(raw, ",", kind, false, decode);
}

function merge(into: RawValue, more: RawValue): RawValue {
  if (Array.isArray(into) && Array.isArray(more)) {
    for (const item of more) into.push(item);
    return into;
  }
  if (typeof into === "object" && typeof more === "object" && !Array.isArray(into) && !Array.isArray(more)) {
    for (const key in more) addRawEntry(into, key, more[key]);
  }
  return into;
}

const identity: Decode = (text) => text;

/**
 * `color[R]` with prefix `color[` → `R`. Only one level is defined by OpenAPI: `color[a][b]` is not
 * a property of `color` (so it is ignored, or refused as unknown under `strictQuery`).
 */
export function deepObjectProperty(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix) || !key.endsWith("]")) return undefined;
  const property = key.slice(prefix.length, -1);
  return property.includes("[") || property.includes("]") ? undefined : property;
}

/** `color[R]=100&color[G]=200` → `{R: "100", G: "200"}` (one level, as the OpenAPI spec defines it). */
function deepObject(name: string, pairs: RawPairs, decode: Decode): RawRecord | Malformed | typeof ABSENT {
  const prefix = name + "[";
  let record: RawRecord | undefined;
  for (const [key, values] of pairs) {
    const property = deepObjectProperty(key, prefix);
    if (property === undefined) continue;
    record ??= newRawRecord();
    for (const raw of values) {
      const value = decode(raw);
      if (value === undefined) return BAD_ESCAPE;
      addRawEntry(record, property, value);
    }
  }
  return record ?? ABSENT;
}
