/**
 * Internal `$ref`s (`#/...`) of a bundled document: following them, and writing them in one
 * canonical form (JSON pointer, RFC 6901 escaping, percent-encoded as a URI fragment).
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function refOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.$ref === "string" ? value.$ref : undefined;
}

/** Segments of an internal reference (`#/a/b~1c` → ["a", "b/c"]), or undefined if it is not one. */
export function internalRefSegments(ref: string): string[] | undefined {
  if (!ref.startsWith("#")) return undefined;
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    fragment = ref.slice(1);
  }
  if (fragment === "") return [];
  if (!fragment.startsWith("/")) return undefined;
  return fragment
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Characters allowed raw in a URI fragment besides alphanumerics (RFC 3986 pchar / "/" / "?"). */
const FRAGMENT_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?]/;

function encodeFragmentSegment(segment: string): string {
  const escaped = segment.replace(/~/g, "~0").replace(/\//g, "~1");
  let out = "";
  for (const ch of escaped) out += FRAGMENT_SAFE.test(ch) ? ch : encodeURIComponent(ch);
  return out;
}

/** A ref made only of characters that need no escaping is canonical already (the common case). */
const ALREADY_CANONICAL = /^#(\/([A-Za-z0-9\-._!$&'()*+,;=:@?]|~[01])*)*$/;

export function internalRef(segments: readonly string[]): string {
  return "#" + segments.map((s) => "/" + encodeFragmentSegment(s)).join("");
}

function child(container: unknown, segment: string): unknown {
  if (Array.isArray(container)) return /^(0|[1-9]\d*)$/.test(segment) ? container[Number(segment)] : undefined;
  if (isObject(container) && Object.prototype.hasOwnProperty.call(container, segment)) return container[segment];
  return undefined;
}

/**
 * The value an internal reference points at, following references met on the way and at the end
 * (a reference to a reference). Undefined when it does not resolve.
 */
export function resolveInternal(document: unknown, ref: string, followFinal = true): unknown {
  let hops = 0;
  const walk = (segments: readonly string[]): unknown => {
    let current: unknown = document;
    for (const segment of segments) {
      const through = refOf(current);
      if (through !== undefined) {
        if (hops++ > 64) return undefined;
        const target = internalRefSegments(through);
        if (!target) return undefined;
        current = walk(target);
      }
      current = child(current, segment);
      if (current === undefined) return undefined;
    }
    return current;
  };
  const segments = internalRefSegments(ref);
  if (!segments) return undefined;
  let value = walk(segments);
  while (followFinal && refOf(value) !== undefined && hops++ <= 64) {
    const next = internalRefSegments(refOf(value)!);
    if (!next) return undefined;
    value = walk(next);
  }
  return hops > 64 ? undefined : value;
}

/**
 * Resolves internal references of one document with a cache. Only for phases that do not change
 * what a pointer leads to (bundled refs can point anywhere, e.g. `#/paths/~1a/get/...`).
 */
export class InternalRefs {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly document: unknown) {}

  resolve(ref: string, followFinal = true): unknown {
    const key = followFinal ? ref : "\u0000" + ref;
    if (this.cache.has(key)) return this.cache.get(key);
    const value = resolveInternal(this.document, ref, followFinal);
    this.cache.set(key, value);
    return value;
  }

  /** `value` itself, or what it references if it is a `$ref` object. */
  deref(value: unknown): unknown {
    const ref = refOf(value);
    return ref === undefined ? value : this.resolve(ref);
  }
}

/**
 * Rewrites every internal `$ref` in canonical form (e.g. ref-parser's `#/paths/~1a~1{id}/get`
 * becomes `#/paths/~1a~1%7Bid%7D/get`), so each is a valid URI reference. Returns how many changed.
 */
export function canonicaliseInternalRefs(document: unknown): number {
  let changed = 0;
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    const ref = refOf(value);
    if (ref !== undefined) {
      const segments = ALREADY_CANONICAL.test(ref) ? undefined : internalRefSegments(ref);
      if (segments) {
        const canonical = internalRef(segments);
        if (canonical !== ref) {
          (value as { $ref: string }).$ref = canonical;
          changed++;
        }
      }
    }
    for (const v of Object.values(value)) walk(v);
  };
  walk(document);
  return changed;
}
