/**
 * Compact data for the generated matcher module. V8 compiles every module at worker start, and a
 * module's top level is fully parsed, turned into bytecode and run: an array literal of hundreds
 * of strings or numbers costs a token and a bytecode-level element each. One string literal is one
 * token; splitting it (or `JSON.parse`-ing it) at module start runs in native code. A decoding loop
 * written in JS would run in V8's interpreter at start and cost more than it saves (measured: a
 * char-by-char integer decoder took ~1 ms for DigitalOcean's tables, JSON.parse ~0.1 ms).
 */

/** The first of `candidates` that occurs in none of `texts` (undefined when each occurs somewhere). */
export function separatorFor(texts: readonly string[], candidates: readonly string[]): string | undefined {
  return candidates.find((c) => texts.every((t) => !t.includes(c)));
}

/** Separators tried for name lists, most readable first. */
const NAME_SEPARATORS = [" ", ",", "|", "\t", "\n", "\u0001", "\u0002"];

/**
 * JS expression for the array `names` (strings, possibly empty): one string literal split on a
 * separator that occurs in no name; an array literal if every separator occurs in some name.
 */
export function nameList(names: readonly string[]): string {
  const separator = separatorFor(names, NAME_SEPARATORS);
  if (separator === undefined || names.length === 0) return JSON.stringify(names);
  return `${JSON.stringify(names.join(separator))}.split(${JSON.stringify(separator)})`;
}
