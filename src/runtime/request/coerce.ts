/**
 * Raw strings → typed values, guided by the build-time {@link ValueShape}.
 *
 * A value that does not fit its shape is left as the string it was, so the validator reports it
 * ("must be integer") with the pointer of exactly that value. Coercion never throws.
 *
 * Objects built from client-chosen names (form fields, deepObject keys, `R=100,G=200`) are
 * prototype-less and never get a `__proto__`, `constructor` or `prototype` key, so no input can
 * reach `Object.prototype` here or later (a handler's `Object.assign({}, value)` included).
 */

import type { ValueShape } from "../compiled-spec.ts";

/** What style deserialisation produces before coercion: strings, lists of strings, prototype-less records (and `File`s from multipart). */
export type RawRecord = { [key: string]: unknown };

export type ShapeKind = "primitive" | "array" | "object";

/** Whether a parameter is serialised as one value, a list or a name/value map. */
export function shapeKind(shape: ValueShape): ShapeKind {
  if (shape.type === "array") return "array";
  if (shape.type === "object") return "object";
  if (shape.type === "union") {
    for (const option of shape.options) {
      if (option.type === "array") return "array";
      if (option.type === "object") return "object";
    }
  }
  return "primitive";
}

export function isForbiddenKey(key: string): boolean {
  return key === "__proto__" || key === "constructor" || key === "prototype";
}

export function newRawRecord(): RawRecord {
  return Object.create(null) as RawRecord;
}

/** Records built by this module are exactly the prototype-less ones; anything else (a `File`, a parsed default) is left alone. */
export function isRawRecord(value: unknown): value is RawRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === null;
}

/** Add `key: value`; a repeated key collects its values into a list. Forbidden keys are dropped. */
export function addRawEntry(record: RawRecord, key: string, value: unknown): void {
  if (isForbiddenKey(key)) return;
  const existing = record[key];
  if (existing === undefined) record[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else record[key] = [existing, value];
}

export function coerce(raw: unknown, shape: ValueShape): unknown {
  switch (shape.type) {
    case "any":
    case "string":
      return raw;
    case "integer":
    case "number":
      return typeof raw === "string" ? toNumber(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "null":
      return raw === "null" || raw === "" ? null : raw;
    case "array":
      return Array.isArray(raw) ? coerceItems(raw, shape.items) : raw;
    case "object":
      return isRawRecord(raw) ? coerceRecord(raw, shape.properties, shape.additional) : raw;
    case "union":
      return coerceUnion(raw, shape.options);
  }
}

/** JSON number grammar, but leading zeros allowed (`007` is 7 in a query string). */
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function toNumber(raw: string): number | string {
  if (!NUMBER.test(raw)) return raw;
  const n = Number(raw);
  // `1e400` is not a number a client meant; leave it for the validator to refuse as a string.
  return Number.isFinite(n) ? n : raw;
}

function coerceItems(items: unknown[], shape: ValueShape): unknown[] {
  // Items are our own per-request strings: coerce in place, no new array.
  if (shape.type === "any" || shape.type === "string") return items;
  for (let i = 0; i < items.length; i++) items[i] = coerce(items[i], shape);
  return items;
}

function coerceRecord(record: RawRecord, properties: Readonly<Record<string, ValueShape>>, additional: ValueShape): RawRecord {
  for (const key in record) {
    // `properties` is an ordinary object: without hasOwn, a key named `toString` would find a function.
    const shape = Object.hasOwn(properties, key) ? properties[key]! : additional;
    record[key] = coerce(record[key], shape);
  }
  return record;
}

/** Scalar options in the order a string is tried against them: the most specific reading wins. */
const SCALAR_ORDER = ["boolean", "integer", "number", "null"] as const;

function coerceUnion(raw: unknown, options: readonly ValueShape[]): unknown {
  if (typeof raw === "string") {
    const allowsString = options.some((o) => o.type === "string" || o.type === "any");
    for (const type of SCALAR_ORDER) {
      for (const option of options) {
        if (option.type !== type) continue;
        // With a string alternative, "" stays the empty string rather than becoming null.
        if (type === "null" && raw === "" && allowsString) continue;
        const value = coerce(raw, option);
        if (value !== raw) return value;
      }
    }
    return raw;
  }
  if (Array.isArray(raw)) {
    const option = options.find((o) => o.type === "array");
    return option === undefined ? raw : coerce(raw, option);
  }
  if (isRawRecord(raw)) {
    const option = options.find((o) => o.type === "object");
    return option === undefined ? raw : coerce(raw, option);
  }
  return raw;
}
