/**
 * Nesting depth of JSON text, found by one linear scan before `JSON.parse`.
 *
 * Why before: a 100,000-deep `[[[[…` parses fine in V8 but then overflows the stack of any
 * recursive consumer (generated validators, handlers' walkers). Counting brackets outside strings
 * is O(n) with no allocation, and strings are skipped with `indexOf` rather than char by char.
 * The scan does not check syntax; `JSON.parse` still does that afterwards.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;

/** Whether arrays/objects in `text` nest deeper than `maxDepth` (`[]` is depth 1). Stops at the first level too deep. */
export function jsonDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_SQUARE || c === CLOSE_CURLY) {
      depth--;
    } else if (c === QUOTE) {
      i = endOfString(text, i + 1);
      if (i === -1) return false; // unterminated: JSON.parse will refuse it
    }
  }
  return false;
}

/** Index of the quote closing a string whose content starts at `from`, or -1. */
function endOfString(text: string, from: number): number {
  let search = from;
  for (;;) {
    const quote = text.indexOf('"', search);
    if (quote === -1) return -1;
    // The quote is escaped iff an odd number of backslashes precede it.
    let backslashes = 0;
    for (let j = quote - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    search = quote + 1;
  }
}
