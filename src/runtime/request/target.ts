/**
 * The request target as the pipeline reads it: `pathname` and `search` exactly as WHATWG
 * `new URL(request.url)` gives them, and the `URL` itself only when someone asks for it.
 *
 * In workerd `new URL()` plus its getters costs ~2 µs of CPU a request, and the matcher and the
 * parameter parser need only two strings. When `request.url` is already in the form the URL
 * parser would leave untouched (an http(s) URL whose path and query hold only characters it
 * never re-encodes, no dot segment, no `%2e`, no fragment) the two strings are cut out of it
 * directly; anything else goes through `new URL()`, so the answer is the parser's in every case.
 * test/runtime/request-target.test.ts holds both paths to `new URL()` on generated URLs.
 */

/** What the matcher, the parameter parser and the authoriser read of the URL (a `URL` has both). */
export interface UrlParts {
  /** As `URL.pathname`: still percent-encoded, dot segments resolved. */
  readonly pathname: string;
  /** As `URL.search`: `""` or `?` + the query, still encoded. */
  readonly search: string;
}

// Characters the WHATWG URL parser copies unchanged into an http(s) path and query. `%` is kept
// (the parser never validates escapes); `'` is re-encoded in the query of special schemes, so it
// is path-only; `?` only counts in the query (in the path it starts the query).
const PATH_SAFE = new Uint8Array(128);
const QUERY_SAFE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/%") {
  PATH_SAFE[c.charCodeAt(0)] = 1;
  QUERY_SAFE[c.charCodeAt(0)] = 1;
}
PATH_SAFE["'".charCodeAt(0)] = 1;
QUERY_SAFE["?".charCodeAt(0)] = 1;

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUESTION = 0x3f;

export class RequestUrl implements UrlParts {
  readonly pathname: string;
  readonly search: string;
  readonly #href: string;
  #url: URL | undefined;

  constructor(href: string) {
    this.#href = href;
    const queryStart = fastQueryStart(href);
    if (queryStart === -1) {
      const url = new URL(href);
      this.#url = url;
      this.pathname = url.pathname;
      this.search = url.search;
      return;
    }
    // The fast path only accepts "http://" and "https://" followed by an authority without "/".
    this.pathname = href.slice(href.indexOf("/", href.charCodeAt(4) === 0x73 ? 8 : 7), queryStart);
    // `URL.search` is "" for an empty query (`/path?`).
    this.search = queryStart >= href.length - 1 ? "" : href.slice(queryStart);
  }

  /** The parsed URL (built on first use; the handler's `request.url`). */
  get url(): URL {
    return (this.#url ??= new URL(this.#href));
  }
}

/** Whether `href` takes the fast path (no `new URL()`); for tests. */
export function splitsWithoutParser(href: string): boolean {
  return fastQueryStart(href) !== -1;
}

/**
 * Where the query starts (its `?`, or the end) when `href` is an http(s) URL the URL parser would
 * not change in path or query; -1 otherwise.
 */
function fastQueryStart(href: string): number {
  let i: number;
  if (href.startsWith("http://")) i = 7;
  else if (href.startsWith("https://")) i = 8;
  else return -1;
  const length = href.length;
  // Authority: up to the first "/"; "?", "#", "\" or a control/space there means an unusual form.
  for (; i < length; i++) {
    const c = href.charCodeAt(i);
    if (c === SLASH) break;
    if (c === QUESTION || c === 0x23 || c === 0x5c || c <= 0x20 || c >= 0x7f) return -1;
  }
  if (i === length) return -1;
  for (; i < length; i++) {
    const c = href.charCodeAt(i);
    if (c === QUESTION) break;
    if (c >= 128 || PATH_SAFE[c] === 0) return -1;
    // A segment starting with "." may be a dot segment; "%2e" may spell one: let the parser resolve them.
    if (c === DOT && href.charCodeAt(i - 1) === SLASH) return -1;
    if (c === PERCENT && href.charCodeAt(i + 1) === 0x32 && (href.charCodeAt(i + 2) | 0x20) === 0x65) return -1;
  }
  const queryStart = i;
  for (i++; i < length; i++) {
    const c = href.charCodeAt(i);
    if (c >= 128 || QUERY_SAFE[c] === 0) return -1;
  }
  return queryStart;
}
