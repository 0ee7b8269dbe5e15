/**
 * The string literals of ajv's generated code, found in one left-to-right scan instead of a
 * global regular expression with a callback per literal (a large spec's module holds tens of
 * thousands of them, and compact-source.ts reads them several times).
 *
 * The scan finds exactly what the global regex `"(?:[^"\\]|\\.)*"` finds: from a `"`, the
 * first `"` not escaped by a backslash; a backslash escapes any character but a line terminator
 * (`.` does not match one), and where no closing quote can be reached that way the opening quote
 * is no literal and the search goes on from the next character, as the regex does.
 */

const QUOTE = 34;
const BACKSLASH = 92;

function isLineTerminator(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

/** The end (exclusive) of the literal opening at `start` (a `"`), or -1 where the regex finds none there. */
function literalEnd(code: string, start: number): number {
  const length = code.length;
  let i = start + 1;
  while (i < length) {
    const c = code.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      if (i + 1 >= length || isLineTerminator(code.charCodeAt(i + 1))) return -1;
      i += 2;
    } else i++;
  }
  return -1;
}

/** Start and end (exclusive) of each literal, flattened: `[start0, end0, start1, end1, ...]`. */
export function stringLiteralSpans(code: string): number[] {
  const spans: number[] = [];
  let from = 0;
  for (;;) {
    const start = code.indexOf('"', from);
    if (start < 0) return spans;
    const end = literalEnd(code, start);
    if (end < 0) {
      from = start + 1;
      continue;
    }
    spans.push(start, end);
    from = end;
  }
}

/**
 * The code with every string literal replaced by `"<index>"`, so that structural rewrites cannot
 * match inside a property name or a pattern; `restore` puts them back (any `"<digits>"` in the
 * text it is given). ajv writes strings only as JSON-style double-quoted literals; its only
 * regular expression literals (`/~/g`, `/\//g`) hold no quote.
 */
export interface MaskedCode {
  readonly masked: string;
  /** `text` (masked code, or a piece of it) with the literals put back. */
  restore(text: string): string;
  /** The placeholder of a literal to write into masked code (restored like the others). */
  placeholder(literal: string): string;
}

/** `code` with each string literal (quotes included, from `start` to `end`) replaced by `replace`'s text for it. */
function replaceLiterals(code: string, replace: (start: number, end: number) => string): string {
  const spans = stringLiteralSpans(code);
  const parts: string[] = [];
  let at = 0;
  for (let k = 0; k < spans.length; k += 2) {
    const start = spans[k] as number;
    const end = spans[k + 1] as number;
    parts.push(code.slice(at, start), replace(start, end));
    at = end;
  }
  parts.push(code.slice(at));
  return parts.join("");
}

export function maskStrings(code: string): MaskedCode {
  const strings: string[] = [];
  const masked = replaceLiterals(code, (start, end) => `"${strings.push(code.slice(start, end)) - 1}"`);
  return { masked, restore: (text) => restorePlaceholders(text, strings), placeholder: (literal) => `"${strings.push(literal) - 1}"` };
}

/**
 * `text.replace(/"(\d+)"/g, (_, index) => strings[index])`, as a scan: long masked texts have a
 * placeholder every few characters.
 */
function restorePlaceholders(text: string, strings: readonly string[]): string {
  const parts: string[] = [];
  let at = 0;
  let from = 0;
  for (;;) {
    const start = text.indexOf('"', from);
    if (start < 0) break;
    let end = start + 1;
    for (let c = text.charCodeAt(end); c >= 48 && c <= 57; c = text.charCodeAt(++end));
    if (end === start + 1 || text.charCodeAt(end) !== QUOTE) {
      from = start + 1;
      continue;
    }
    // As String.prototype.replace would, an index past the list reads back as "undefined".
    parts.push(text.slice(at, start), String(strings[Number(text.slice(start + 1, end))]));
    at = from = end + 1;
  }
  if (at === 0) return text;
  parts.push(text.slice(at));
  return parts.join("");
}

/** The code with every string literal's content blanked (same length): positions stay, no string can match. */
export function blankStrings(code: string): string {
  return replaceLiterals(code, (start, end) => `"${" ".repeat(end - start - 2)}"`);
}
