/**
 * Emits plain JSON data as one JavaScript expression in which every repeated subtree is written
 * once. Real specs repeat themselves: DigitalOcean's 658 operations carry the same 401/429/500
 * responses and rate-limit headers hundreds of times. Writing each shared subtree once makes the
 * generated module smaller and, more to the point, makes the worker start faster: less text to
 * parse, fewer objects to allocate and freeze. Sharing is safe because the result is frozen.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Subtrees shorter than this (as JSON) are cheaper to repeat than to name. */
const MIN_SHARED_LENGTH = 24;

export interface SharedExpression {
  /** Statements declaring the shared subtrees (`const $0 = …;`), children before parents. */
  readonly declarations: string;
  /** The expression for the whole value, referring to the shared subtrees. */
  readonly expression: string;
  readonly shared: number;
}

export function emitShared(value: unknown): SharedExpression {
  // Pass 1: the canonical JSON of every object/array subtree, and how often it occurs.
  const canonical = new Map<object, string>();
  const counts = new Map<string, number>();
  const visit = (node: Json): string => {
    if (node === null || typeof node !== "object") return JSON.stringify(node);
    const known = canonical.get(node);
    if (known !== undefined) {
      counts.set(known, (counts.get(known) ?? 0) + 1);
      return known;
    }
    const text = Array.isArray(node)
      ? `[${node.map(visit).join(",")}]`
      : `{${Object.entries(node)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${JSON.stringify(k)}:${visit(v)}`)
          .join(",")}}`;
    canonical.set(node, text);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    return text;
  };
  visit(value as Json);

  // Pass 2: write the tree, naming each repeated subtree once (post-order, so children come first).
  const names = new Map<string, string>();
  const declarations: string[] = [];
  const write = (node: Json): string => {
    if (node === null || typeof node !== "object") return JSON.stringify(node);
    const text = canonical.get(node)!;
    const named = names.get(text);
    if (named !== undefined) return named;
    const literal = Array.isArray(node)
      ? `[${node.map(write).join(",")}]`
      : `{${Object.entries(node)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`)
          .join(",")}}`;
    if ((counts.get(text) ?? 0) > 1 && text.length >= MIN_SHARED_LENGTH) {
      const name = `$${names.size}`;
      names.set(text, name);
      declarations.push(`const ${name} = ${literal};`);
      return name;
    }
    return literal;
  };
  const expression = write(value as Json);
  return { declarations: declarations.join("\n"), expression, shared: names.size };
}
