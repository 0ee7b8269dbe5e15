/**
 * Percent-decoding and `name=value` list splitting, shared by the query string, the `Cookie`
 * header and `application/x-www-form-urlencoded` bodies.
 *
 * Values are kept still-encoded until a parameter's style has split them on its delimiters, so
 * that an escaped delimiter (`%2C` in `ids=a%2Cb,c`) stays data, as RFC 6570 expansion intends.
 */

/** Decodes one component; `undefined` when it holds a malformed escape. */
export type Decode = (raw: string) => string | undefined;

const PLUS = /\+/g;

/** Query-string / form decoding: `+` is a space (WHATWG urlencoded), then percent escapes. */
export const decodeFormComponent: Decode = (raw) => {
  const text = raw.includes("+") ? raw.replace(PLUS, " ") : raw;
  return percentDecode(text);
};

/** Path and `allowReserved` decoding: `+` is a literal plus; only percent escapes are decoded. */
export const decodeUriComponent: Decode = percentDecode;

/** Cookie decoding: percent escapes when well-formed, otherwise the raw text (cookies predate percent-encoding rules). */
export const decodeCookieComponent: Decode = (raw) => percentDecode(raw) ?? raw;

/** Header values are not percent-encoded; list items are trimmed of optional whitespace. */
export const decodeHeaderItem: Decode = (raw) => raw.trim();

function percentDecode(text: string): string | undefined {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Name → raw (still-encoded) values in order of appearance; `Map` so that no name can reach a prototype. */
export type RawPairs = Map<string, string[]>;

/** Returned when a list has more pairs than allowed; nothing past the limit is parsed. */
export const TOO_MANY = Symbol("too many pairs");

/**
 * Split `a=1&b=2&a=3` into `{a: ["1","3"], b: ["2"]}`. Names are decoded (a malformed name is kept
 * as written), values are not. A pair without `=` has the empty value. Empty pieces are skipped.
 */
export function splitQueryPairs(text: string, maxPairs: number): RawPairs | typeof TOO_MANY {
  const pairs: RawPairs = new Map();
  let count = 0;
  let start = 0;
  const length = text.length;
  while (start <= length) {
    let end = text.indexOf("&", start);
    if (end === -1) end = length;
    if (end > start) {
      if (++count > maxPairs) return TOO_MANY;
      const eq = text.indexOf("=", start);
      const hasValue = eq !== -1 && eq < end;
      const rawName = text.slice(start, hasValue ? eq : end);
      const name = decodeFormComponent(rawName) ?? rawName;
      push(pairs, name, hasValue ? text.slice(eq + 1, end) : "");
    }
    start = end + 1;
  }
  return pairs;
}

/** Split a `Cookie` header (`a=1; b=2`) the same way; surrounding whitespace and DQUOTEs are removed. */
export function splitCookiePairs(header: string, maxPairs: number): RawPairs | typeof TOO_MANY {
  const pairs: RawPairs = new Map();
  let count = 0;
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=");
    const name = (eq === -1 ? piece : piece.slice(0, eq)).trim();
    if (name === "") continue;
    if (++count > maxPairs) return TOO_MANY;
    let value = eq === -1 ? "" : piece.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    push(pairs, name, value);
  }
  return pairs;
}

function push(pairs: RawPairs, name: string, value: string): void {
  const existing = pairs.get(name);
  if (existing === undefined) pairs.set(name, [value]);
  else existing.push(value);
}
