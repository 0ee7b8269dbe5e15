/**
 * Media types: parsing a `Content-Type` and choosing the declared media type range it falls in.
 *
 * Declared ranges are compiled once per operation (lower-cased, split, parser chosen); a request
 * then costs one header parse and a few string compares.
 *
 * Precedence (most specific wins, whatever the declaration order):
 *   1. exact `type/subtype`                          `application/merge-patch+json`
 *   2. structured-suffix range `type/*+suffix`        `application/*+json`
 *   3. type range `type/*`                            `text/*`, `application/*`
 *   4. `*\/*`
 * A `+json` type is NOT matched by a bare `application/json` declaration: the spec must declare it
 * (or `application/*+json`). Parameters (`charset`, `boundary`, …) never take part in matching.
 */

import type { MediaTypeMeta, Validator } from "../compiled-spec.ts";

/** How a body of this media type is read. */
export type BodyKind = "json" | "form" | "multipart" | "text" | "bytes";

export interface ParsedMediaType {
  readonly type: string;
  readonly subtype: string;
  /** `type/subtype`, lower-case, no parameters. */
  readonly essence: string;
  readonly charset: string | undefined;
}

export interface MediaEntry {
  /** The key as written in the spec. */
  readonly range: string;
  readonly type: string;
  readonly subtype: string;
  /** For `type/*+suffix` ranges: `+suffix`. */
  readonly suffix: string | undefined;
  readonly kind: BodyKind;
  readonly meta: MediaTypeMeta;
  readonly validator: Validator | undefined;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** `text/plain; charset=UTF-8` → parts, or `undefined` when it is not a media type. */
export function parseMediaType(header: string): ParsedMediaType | undefined {
  const semicolon = header.indexOf(";");
  const essence = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const slash = essence.indexOf("/");
  if (slash <= 0) return undefined;
  const type = essence.slice(0, slash);
  const subtype = essence.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  let charset: string | undefined;
  if (semicolon !== -1) {
    for (const parameter of header.slice(semicolon + 1).split(";")) {
      const eq = parameter.indexOf("=");
      if (eq === -1 || parameter.slice(0, eq).trim().toLowerCase() !== "charset") continue;
      charset = parameter.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    }
  }
  return { type, subtype, essence, charset };
}

/** How a declared range is read. Wildcard ranges other than `text/*` and `*\/*+json` give the handler the bytes. */
export function bodyKindOf(type: string, subtype: string): BodyKind {
  if (subtype === "json" || subtype.endsWith("+json")) return "json";
  if (type === "application" && subtype === "x-www-form-urlencoded") return "form";
  if (type === "multipart" && subtype === "form-data") return "multipart";
  if (type === "text" || subtype === "xml" || subtype.endsWith("+xml")) return "text";
  return "bytes";
}

/** Compile an operation's (or response's) `content` map once. */
export function compileMediaEntries(
  content: Readonly<Record<string, MediaTypeMeta>>,
  validators: Readonly<Record<string, Validator>>,
): MediaEntry[] {
  const entries: MediaEntry[] = [];
  for (const range of Object.keys(content)) {
    const parsed = parseMediaType(range);
    if (parsed === undefined) continue;
    const meta = content[range]!;
    const plus = parsed.subtype.startsWith("*+") ? parsed.subtype.slice(1) : undefined;
    entries.push({
      range,
      type: parsed.type,
      subtype: parsed.subtype,
      suffix: plus,
      kind: bodyKindOf(parsed.type, parsed.subtype),
      meta,
      validator: lookupValidator(validators, meta.validator),
    });
  }
  return entries;
}

export function lookupValidator(validators: Readonly<Record<string, Validator>>, name: string | undefined): Validator | undefined {
  if (name === undefined) return undefined;
  const validator = Object.hasOwn(validators, name) ? validators[name] : undefined;
  // A missing validator is a build bug, not a client mistake: fail where it is found.
  if (validator === undefined) throw new Error(`generated spec has no validator named "${name}"`);
  return validator;
}

/** The declared entry `mediaType` falls in, by the precedence above; `undefined` when none. */
export function selectMediaEntry(entries: readonly MediaEntry[], mediaType: ParsedMediaType): MediaEntry | undefined {
  let best: MediaEntry | undefined;
  let bestRank = 0;
  for (const entry of entries) {
    const rank = matchRank(entry, mediaType);
    if (rank > bestRank) {
      best = entry;
      bestRank = rank;
      if (rank === 4) break;
    }
  }
  return best;
}

function matchRank(entry: MediaEntry, mediaType: ParsedMediaType): number {
  if (entry.type === "*") {
    if (entry.subtype === "*") return 1;
    return entry.suffix !== undefined && mediaType.subtype.endsWith(entry.suffix) ? 2 : 0;
  }
  if (entry.type !== mediaType.type) return 0;
  if (entry.subtype === mediaType.subtype) return 4;
  if (entry.suffix !== undefined) return mediaType.subtype.endsWith(entry.suffix) ? 3 : 0;
  return entry.subtype === "*" ? 2 : 0;
}
