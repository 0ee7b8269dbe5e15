/**
 * Writes plain JSON data as JSON texts in which every repeated subtree is written once. Real
 * specs repeat themselves: DigitalOcean's 658 operations carry the same 401/429/500 responses and
 * rate-limit headers hundreds of times. Writing each shared subtree once makes the generated
 * module smaller and the worker start faster: less text to scan, fewer objects to build and
 * freeze. Sharing is safe because the reader freezes what it builds.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Subtrees shorter than this (as JSON) are cheaper to repeat than to name. */
const MIN_SHARED_LENGTH = 24;

/** Marks a reference to a shared subtree inside JSON text: a string `"\u0000<n>"`. */
const REF = "\u0000";

export interface SharedJson {
  /** JSON text of each shared subtree; references to other shared subtrees inside it as `"\u0000<n>"`. */
  readonly shared: readonly string[];
  /** JSON text of each root value, in order, referring to shared subtrees the same way. */
  readonly roots: readonly string[];
}

/**
 * The roots and their shared subtrees as JSON texts, for a generated module that materialises
 * them with `JSON.parse` (on first use) rather than evaluating object literals at module start:
 * V8 parses JSON text several times faster than it evaluates the same literal. A reference to a
 * shared subtree is written as the string `"\u0000<n>"` (index into `shared`); a real string that
 * starts with U+0000 gets a second one in front, so nothing is ambiguous. The reader (a
 * `JSON.parse` reviver) undoes both.
 */
export function emitSharedJson(roots: readonly unknown[]): SharedJson {
  const canonical = new Map<object, string>();
  const counts = new Map<string, number>();
  const string = (text: string): string => JSON.stringify(text.startsWith(REF) ? REF + text : text);
  const scalar = (node: Json): string => (typeof node === "string" ? string(node) : JSON.stringify(node));
  const entries = (node: { [key: string]: Json }): [string, Json][] => Object.entries(node).filter(([, v]) => v !== undefined);
  const visit = (node: Json): string => {
    if (node === null || typeof node !== "object") return scalar(node);
    const known = canonical.get(node);
    if (known !== undefined) {
      counts.set(known, (counts.get(known) ?? 0) + 1);
      return known;
    }
    const text = Array.isArray(node)
      ? `[${node.map(visit).join(",")}]`
      : `{${entries(node)
          .map(([k, v]) => `${JSON.stringify(k)}:${visit(v)}`)
          .join(",")}}`;
    canonical.set(node, text);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    return text;
  };
  for (const root of roots) visit(root as Json);

  const names = new Map<string, number>();
  const shared: string[] = [];
  const write = (node: Json, isRoot: boolean): string => {
    if (node === null || typeof node !== "object") return scalar(node);
    const text = canonical.get(node)!;
    const named = names.get(text);
    if (named !== undefined) return JSON.stringify(REF + named);
    const literal = Array.isArray(node)
      ? `[${node.map((v) => write(v, false)).join(",")}]`
      : `{${entries(node)
          .map(([k, v]) => `${JSON.stringify(k)}:${write(v, false)}`)
          .join(",")}}`;
    if (!isRoot && (counts.get(text) ?? 0) > 1 && text.length >= MIN_SHARED_LENGTH) {
      names.set(text, shared.length);
      shared.push(literal);
      return JSON.stringify(REF + (shared.length - 1));
    }
    return literal;
  };
  const texts = roots.map((root) => write(root as Json, true));
  return { shared, roots: texts };
}
