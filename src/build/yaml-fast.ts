/**
 * A fast path for the YAML every large spec is written in: block mappings and sequences, plain,
 * quoted and block scalars, JSON-like flow collections. It builds the same values and records the
 * same positions as the general loader (load.ts, over the `yaml` package) at a fraction of the
 * cost — the `yaml` package builds a full document model (tokens, CST, nodes) that the loader
 * then walks again; on DigitalOcean's 2,850 files that was most of the build.
 *
 * It is exact or it declines: on anything outside the plain subset (anchors, aliases, tags,
 * directives, several documents, tabs, CR, explicit keys, merge keys, duplicate keys, empty
 * items, odd indentation, any construct the `yaml` package would warn or err about, ...) it returns
 * `undefined` and the caller parses the file with the `yaml` package. Scalars are resolved by the
 * `yaml` package's own code (its core-schema tags, and `CST.resolveAsScalar` for folded and
 * escaped scalars), so a value taken here is the value the package gives. The corpus test
 * (test/build/build-yaml-fast.test.ts) compares both paths on every corpus file.
 */
import { CST, isScalar, Schema } from "yaml";
import type { LineColumn, NodeLocation, SourceIndex } from "./positions.ts";

export interface FastParse {
  readonly value: unknown;
  /** Objects holding a string `$ref`, in the order the general loader lists them (each at its mapping's end). */
  readonly refs: readonly ({ $ref: string } & Record<string, unknown>)[];
}

/** Thrown to leave the fast path; never escapes this module. */
const DECLINE: unique symbol = Symbol("decline");

/** Characters the fast path leaves to the `yaml` package: tabs, CR, BOM, controls, non-characters, line separators. */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_CHARS = /[\u0000-\u0008\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
/** Directives and document markers. */
const DOCUMENT_MARKERS = /^(?:%|(?:---|\.\.\.)(?:[ \n]|$))/m;

const schema = new Schema({ schema: "core", merge: true });
const valueTags = schema.tags.filter((tag) => tag.default === true && tag.test !== undefined);
const RESOLVE_OPTIONS = { intAsBigInt: false } as never;

/** Exactly what the `yaml` package's core schema makes of a plain scalar, then the loader's own conversion. */
function resolvePlain(source: string): unknown {
  for (const tag of valueTags) {
    if (tag.test!.test(source)) {
      let failed = false;
      const resolved = (tag.resolve as (s: string, onError: (m: string) => void, o: never) => unknown)(source, () => (failed = true), RESOLVE_OPTIONS);
      if (failed) throw DECLINE;
      return jsValue(isScalar(resolved) ? resolved.value : resolved);
    }
  }
  return source;
}

/** The loader's conversion of scalar values (load.ts `scalar`). */
function jsValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "symbol" || value instanceof Uint8Array) throw DECLINE;
  return value;
}

function decline(): never {
  throw DECLINE;
}

/** Own enumerable property even for `__proto__` (as load.ts does). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

const SPACE = 32;
const NEWLINE = 10;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** Characters that may not start a plain scalar here (indicators the `yaml` package treats specially). */
const PLAIN_START_DECLINED = new Set(["&", "*", "!", "%", "@", "`", ",", "]", "}", "?", "#", "|", ">", "'", '"', "[", "{"]);
const FLOW_INDICATORS = new Set([",", "[", "]", "{", "}"]);

class FastYamlParser {
  private readonly text: string;
  private readonly length: number;
  private readonly lineStarts: number[] = [0];
  private lineHint = 0;
  /** The next line to look at after the node just parsed. */
  private line = 0;
  readonly refs: ({ $ref: string } & Record<string, unknown>)[] = [];

  constructor(
    text: string,
    private readonly displayPath: string,
    private readonly index: SourceIndex,
  ) {
    this.text = text;
    this.length = text.length;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  // ---- positions and lines -------------------------------------------------------------

  private lineOf(offset: number): number {
    const starts = this.lineStarts;
    let hint = this.lineHint;
    if (starts[hint]! <= offset && (hint + 1 >= starts.length || starts[hint + 1]! > offset)) return hint;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    hint = lo;
    this.lineHint = hint;
    return hint;
  }

  private at(offset: number): LineColumn {
    const line = this.lineOf(offset);
    return { line: line + 1, column: offset - this.lineStarts[line]! + 1 };
  }

  private lineEnd(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.length;
  }

  /** Offset of the first non-space character of `line`. */
  private contentStart(line: number): number {
    let i = this.lineStarts[line]!;
    while (this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  private isBlankOrComment(line: number): boolean {
    const i = this.contentStart(line);
    return i >= this.length || this.text.charCodeAt(i) === NEWLINE || this.text.charCodeAt(i) === HASH;
  }

  /** First line from `line` on with content (not blank, not a comment), or -1 at the end. */
  private nextContentLine(line: number): number {
    for (let l = line; l < this.lineStarts.length; l++) if (!this.isBlankOrComment(l)) return l;
    return -1;
  }

  private indentOf(line: number): number {
    return this.contentStart(line) - this.lineStarts[line]!;
  }

  private isSpaceOrEnd(offset: number): boolean {
    const c = this.text.charCodeAt(offset);
    return offset >= this.length || c === SPACE || c === NEWLINE;
  }

  private isSequenceIndicator(offset: number): boolean {
    return this.text.charCodeAt(offset) === DASH && this.isSpaceOrEnd(offset + 1);
  }

  /** After `offset` on its line only spaces and maybe a comment (after a space) remain. */
  private restIsBlank(offset: number): boolean {
    let i = offset;
    while (this.text.charCodeAt(i) === SPACE) i++;
    if (i >= this.length || this.text.charCodeAt(i) === NEWLINE) return true;
    return this.text.charCodeAt(i) === HASH && i > offset;
  }

  private skipSpaces(offset: number): number {
    let i = offset;
    while (this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  // ---- document ------------------------------------------------------------------------

  parse(): unknown {
    if (UNSUPPORTED_CHARS.test(this.text) || DOCUMENT_MARKERS.test(this.text)) decline();
    const first = this.nextContentLine(0);
    if (first === -1) decline();
    const start = this.contentStart(first);
    const value = this.blockNode(start, first, -1, true);
    if (this.nextContentLine(this.line) !== -1) decline();
    return value;
  }

  /**
   * A node that starts at `start` (first content of its line, or after `- `), in a collection
   * indented `parentIndent`. `mapAllowed`: a `key:` here opens a block mapping (not after `key: `).
   */
  private blockNode(start: number, line: number, parentIndent: number, mapAllowed: boolean): unknown {
    const text = this.text;
    const ch = text[start]!;
    const column = start - this.lineStarts[line]!;
    if (this.isSequenceIndicator(start)) {
      if (!mapAllowed) decline();
      return this.blockSequence(line, column, false);
    }
    if (ch === "[" || ch === "{") {
      const value = this.flowCollection(start, parentIndent);
      return value;
    }
    if (ch === "|" || ch === ">") return this.blockScalar(start, line, parentIndent);
    if (ch === '"' || ch === "'") {
      const end = this.quotedEnd(start, parentIndent);
      const after = this.skipSpaces(end);
      if (text.charCodeAt(after) === COLON) {
        if (!mapAllowed) decline();
        return this.blockMapping(line, column);
      }
      const value = this.quotedValue(start, end);
      if (!this.restIsBlank(end)) decline();
      this.line = this.lineOf(end) + 1;
      return value;
    }
    if (this.plainKeyEnd(start) !== -1) {
      if (!mapAllowed) decline();
      return this.blockMapping(line, column);
    }
    return this.plainScalar(start, line, parentIndent);
  }

  // ---- block collections ---------------------------------------------------------------

  /**
   * If a plain key starts at `start` (`key: ...` / `key:` at the line's end), the offset of its
   * colon; -1 if the line holds a plain scalar instead.
   */
  private plainKeyEnd(start: number): number {
    const text = this.text;
    for (let i = start; i < this.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) return -1;
      if (c === COLON && this.isSpaceOrEnd(i + 1)) return i;
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  private blockMapping(firstLine: number, indent: number): Record<string, unknown> {
    const text = this.text;
    const out: Record<string, unknown> = {};
    const keys: NodeLocation["keys"] = new Map();
    let line = firstLine;
    let offset = this.lineStarts[line]! + indent;
    const location: NodeLocation = { file: this.displayPath, start: this.at(offset), keys, items: [] };
    for (;;) {
      // Key.
      let key: string;
      let colon: number;
      const keyStart = offset;
      const c = text[offset]!;
      if (c === '"' || c === "'") {
        const end = this.quotedEnd(offset, -1);
        if (this.lineOf(end - 1) !== line) decline();
        colon = this.skipSpaces(end);
        if (text.charCodeAt(colon) !== COLON || !this.isSpaceOrEnd(colon + 1)) decline();
        key = String(this.quotedValue(offset, end));
      } else {
        if (PLAIN_START_DECLINED.has(c) || (c === "-" && this.isSpaceOrEnd(offset + 1)) || (c === ":" && this.isSpaceOrEnd(offset + 1))) decline();
        colon = this.plainKeyEnd(offset);
        if (colon === -1) decline();
        let keyEnd = colon;
        while (text.charCodeAt(keyEnd - 1) === SPACE) keyEnd--;
        const source = text.slice(offset, keyEnd);
        if (source === "<<") decline();
        key = String(resolvePlain(source));
      }
      if (colon - keyStart > 1000 || keys.has(key)) decline();
      const keyPosition = this.at(keyStart);

      // Value.
      const valueStart = this.skipSpaces(colon + 1);
      let value: unknown;
      let valuePosition: LineColumn;
      if (this.restIsBlank(colon + 1)) {
        const next = this.nextContentLine(line + 1);
        const nextIndent = next === -1 ? -1 : this.indentOf(next);
        if (next !== -1 && nextIndent > indent) {
          const start = this.contentStart(next);
          valuePosition = this.at(start);
          value = this.blockNode(start, next, indent, true);
        } else if (next !== -1 && nextIndent === indent && this.isSequenceIndicator(this.contentStart(next))) {
          const start = this.contentStart(next);
          valuePosition = this.at(start);
          value = this.blockSequence(next, indent, true);
        } else {
          // An empty value: null, placed after the colon and its spaces (as the yaml package does).
          valuePosition = this.at(valueStart);
          value = null;
          this.line = line + 1;
        }
      } else {
        valuePosition = this.at(valueStart);
        value = this.blockNode(valueStart, line, indent, false);
      }
      define(out, key, value);
      keys.set(key, { key: keyPosition, value: valuePosition });

      // Next key, or the end of this mapping.
      const next = this.nextContentLine(this.line);
      if (next === -1) break;
      const nextIndent = this.indentOf(next);
      if (nextIndent < indent) {
        this.line = next;
        break;
      }
      if (nextIndent > indent) decline();
      line = next;
      offset = this.lineStarts[line]! + indent;
      if (this.isSequenceIndicator(offset)) decline();
    }
    this.index.set(out, location);
    if (typeof out.$ref === "string") this.refs.push(out as { $ref: string } & Record<string, unknown>);
    return out;
  }

  /** `inMapping`: the sequence is a mapping's value written at the mapping's own indentation. */
  private blockSequence(firstLine: number, indent: number, inMapping: boolean): unknown[] {
    const out: unknown[] = [];
    const items: LineColumn[] = [];
    let line = firstLine;
    let dash = this.lineStarts[line]! + indent;
    const location: NodeLocation = { file: this.displayPath, start: this.at(dash), keys: new Map(), items };
    for (;;) {
      if (!this.isSequenceIndicator(dash)) decline();
      let value: unknown;
      if (this.restIsBlank(dash + 1)) {
        const next = this.nextContentLine(line + 1);
        if (next === -1 || this.indentOf(next) <= indent) decline(); // an empty item
        const start = this.contentStart(next);
        items.push(this.at(start));
        value = this.blockNode(start, next, indent, true);
      } else {
        const start = this.skipSpaces(dash + 1);
        items.push(this.at(start));
        value = this.blockNode(start, line, indent, true);
      }
      out.push(value);
      const next = this.nextContentLine(this.line);
      if (next === -1) break;
      const nextIndent = this.indentOf(next);
      if (nextIndent < indent) {
        this.line = next;
        break;
      }
      if (nextIndent > indent) decline();
      dash = this.lineStarts[next]! + indent;
      if (!this.isSequenceIndicator(dash)) {
        if (!inMapping) decline();
        this.line = next;
        break;
      }
      line = next;
    }
    this.index.set(out, location);
    return out;
  }

  // ---- scalars ---------------------------------------------------------------------------

  /** A plain scalar in block context, maybe over several lines (folded by the yaml package). */
  private plainScalar(start: number, line: number, parentIndent: number): unknown {
    const text = this.text;
    const c = text[start]!;
    if (PLAIN_START_DECLINED.has(c) || ((c === "-" || c === ":") && this.isSpaceOrEnd(start + 1))) decline();
    let end = this.plainLineEnd(start);
    const commented = end !== this.trimmedLineEnd(line);
    let multiline = false;
    let next = line + 1;
    for (; next < this.lineStarts.length; next++) {
      const content = this.contentStart(next);
      if (content >= this.length || text.charCodeAt(content) === NEWLINE) continue; // blank line: folded
      if (content - this.lineStarts[next]! <= parentIndent || text.charCodeAt(content) === HASH) break;
      // After a comment the scalar has ended: a further line is the yaml package's to judge.
      if (commented) decline();
      const lineEnd = this.plainLineEnd(content);
      if (lineEnd !== this.trimmedLineEnd(next)) decline(); // a comment of its own
      end = lineEnd;
      multiline = true;
    }
    this.line = multiline ? this.lineOf(end) + 1 : line + 1;
    if (!multiline) {
      return resolvePlain(text.slice(start, end));
    }
    const source = text.slice(start, end);
    let failed = false;
    const resolved = CST.resolveAsScalar({ type: "scalar", offset: start, indent: parentIndent, source }, true, () => (failed = true));
    if (failed || resolved === null) decline();
    return resolvePlain(resolved.value);
  }

  /** End of a plain scalar's text on one line: before ` #`, before trailing spaces; declines at `: `. */
  private plainLineEnd(start: number): number {
    const text = this.text;
    let last = start;
    for (let i = start; i < this.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) break;
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) break;
      if (c === COLON && this.isSpaceOrEnd(i + 1)) decline();
      if (c !== SPACE) last = i + 1;
    }
    return last;
  }

  private trimmedLineEnd(line: number): number {
    let end = this.lineEnd(line);
    while (end > this.lineStarts[line]! && this.text.charCodeAt(end - 1) === SPACE) end--;
    return end;
  }

  /**
   * Offset just past the closing quote of the quoted scalar at `start`. A scalar over several
   * lines needs each further line indented past `parentIndent` (else the yaml package complains).
   */
  private quotedEnd(start: number, parentIndent: number): number {
    const text = this.text;
    const quote = text.charCodeAt(start);
    for (let i = start + 1; i < this.length; i++) {
      const c = text.charCodeAt(i);
      if (c === quote) {
        if (quote === 39 && text.charCodeAt(i + 1) === 39) {
          i++;
          continue;
        }
        return i + 1;
      }
      if (c === 92 && quote === 34) i++;
      else if (c === NEWLINE && parentIndent >= 0) {
        const line = this.lineOf(i + 1);
        const content = this.contentStart(line);
        const blank = content >= this.length || text.charCodeAt(content) === NEWLINE;
        if (!blank && content - this.lineStarts[line]! <= parentIndent) decline();
      }
    }
    return decline();
  }

  private quotedValue(start: number, end: number): unknown {
    const text = this.text;
    const inner = text.slice(start + 1, end - 1);
    const double = text.charCodeAt(start) === 34;
    if (!inner.includes("\n") && (double ? !inner.includes("\\") : !inner.includes("'"))) return inner;
    if (!double && !inner.includes("\n")) return inner.replace(/''/g, "'");
    let failed = false;
    const resolved = CST.resolveAsScalar(
      { type: double ? "double-quoted-scalar" : "single-quoted-scalar", offset: start, indent: 0, source: text.slice(start, end) },
      true,
      () => (failed = true),
    );
    if (failed || resolved === null) decline();
    return resolved.value;
  }

  /** `|` / `>` block scalars with strip or clip chomping; resolved by the yaml package. */
  private blockScalar(start: number, line: number, parentIndent: number): string {
    const text = this.text;
    let i = start + 1;
    let chomp = "";
    let explicitIndent = 0;
    for (; ; i++) {
      const c = text[i];
      if ((c === "-" || c === "+") && chomp === "") chomp = c;
      else if (c !== undefined && c >= "1" && c <= "9" && explicitIndent === 0) explicitIndent = Number(c);
      else break;
    }
    if (chomp === "+" || !this.restIsBlank(i)) decline();
    const header = text.slice(start, i);
    if (parentIndent < 0) decline(); // a block scalar at the root: the yaml package's rules differ there

    // Content lines: blank, or indented at least the content indentation. Blank lines holding
    // more spaces than that before the first or after the last content line follow rules of
    // their own in the yaml package: declined.
    let contentIndent = explicitIndent > 0 ? parentIndent + explicitIndent : -1;
    let lastContent = -1;
    let widestLeadingBlank = 0;
    let widestTrailingBlank = 0;
    for (let l = line + 1; l < this.lineStarts.length; l++) {
      const content = this.contentStart(l);
      const indent = content - this.lineStarts[l]!;
      if (content >= this.length || text.charCodeAt(content) === NEWLINE) {
        if (lastContent === -1) widestLeadingBlank = Math.max(widestLeadingBlank, indent);
        else widestTrailingBlank = Math.max(widestTrailingBlank, indent);
        continue;
      }
      if (contentIndent === -1) {
        if (indent <= parentIndent) break;
        contentIndent = indent;
      }
      if (indent < contentIndent) {
        if (indent > parentIndent) decline();
        break;
      }
      lastContent = l;
      widestTrailingBlank = 0;
    }
    if (widestLeadingBlank > contentIndent || widestTrailingBlank > contentIndent) decline();
    if (lastContent === -1) decline();
    const source = text.slice(this.lineStarts[line + 1]!, this.lineEnd(lastContent)) + "\n";
    let failed = false;
    const resolved = CST.resolveAsScalar(
      {
        type: "block-scalar",
        offset: start,
        indent: parentIndent,
        props: [{ type: "block-scalar-header", offset: start, indent: parentIndent, source: header }],
        source,
      },
      true,
      () => (failed = true),
    );
    if (failed || resolved === null) decline();
    this.line = lastContent + 1;
    return resolved.value;
  }

  // ---- flow collections --------------------------------------------------------------------

  /** A JSON-like flow collection starting at `start`; the rest of its last line must be blank. */
  private flowCollection(start: number, parentIndent: number): unknown {
    const flow = new FlowReader(this, start, parentIndent);
    const value = flow.node();
    if (!this.restIsBlank(flow.offset)) decline();
    this.line = this.lineOf(flow.offset) + 1;
    return value;
  }

  /** For FlowReader. */
  flowParts(): { text: string; index: SourceIndex; displayPath: string; at: (offset: number) => LineColumn; lineOf: (offset: number) => number; indentOf: (line: number) => number; quotedEnd: (start: number, parentIndent: number) => number; quotedValue: (start: number, end: number) => unknown; refs: FastYamlParser["refs"] } {
    return {
      text: this.text,
      index: this.index,
      displayPath: this.displayPath,
      at: (offset) => this.at(offset),
      lineOf: (offset) => this.lineOf(offset),
      indentOf: (line) => this.indentOf(line),
      quotedEnd: (start, parentIndent) => this.quotedEnd(start, parentIndent),
      quotedValue: (start, end) => this.quotedValue(start, end),
      refs: this.refs,
    };
  }
}

/** Flow collections (`[..]`, `{..}`), as JSON writes them: no comments, no implicit pairs, no trailing commas. */
class FlowReader {
  offset: number;
  private readonly parts: ReturnType<FastYamlParser["flowParts"]>;

  constructor(
    parser: FastYamlParser,
    start: number,
    private readonly parentIndent: number,
  ) {
    this.parts = parser.flowParts();
    this.offset = start;
  }

  /** Skips spaces and line breaks; each new line must be indented past the parent. */
  private skip(): void {
    const text = this.parts.text;
    for (;;) {
      const c = text.charCodeAt(this.offset);
      if (c === SPACE) this.offset++;
      else if (c === NEWLINE) {
        this.offset++;
        const line = this.parts.lineOf(this.offset);
        if (this.parentIndent >= 0 && this.parts.indentOf(line) <= this.parentIndent) decline();
      } else if (c === HASH) decline();
      else return;
    }
  }

  node(): unknown {
    this.skip();
    const text = this.parts.text;
    const c = text[this.offset];
    if (c === "[") return this.sequence();
    if (c === "{") return this.mapping();
    if (c === '"' || c === "'") {
      const start = this.offset;
      const end = this.parts.quotedEnd(start, this.parentIndent);
      this.offset = end;
      return this.parts.quotedValue(start, end);
    }
    return resolvePlain(this.plain());
  }

  /** A plain scalar inside a flow collection, on one line. */
  private plain(): string {
    const text = this.parts.text;
    const start = this.offset;
    const c = text[start];
    if (c === undefined || PLAIN_START_DECLINED.has(c) || ((c === "-" || c === ":") && /[ \n,[\]{}]/.test(text[start + 1] ?? " "))) decline();
    let end = start;
    let i = start;
    for (; i < text.length; i++) {
      const ch = text[i]!;
      if (FLOW_INDICATORS.has(ch) || ch === "\n") break;
      if (ch === ":") decline();
      if (ch === "#" && text[i - 1] === " ") decline();
      if (ch !== " ") end = i + 1;
    }
    this.offset = end;
    return text.slice(start, end);
  }

  private sequence(): unknown[] {
    const text = this.parts.text;
    const out: unknown[] = [];
    const items: LineColumn[] = [];
    const location: NodeLocation = { file: this.parts.displayPath, start: this.parts.at(this.offset), keys: new Map(), items };
    this.offset++;
    this.skip();
    if (text[this.offset] === "]") this.offset++;
    else {
      for (;;) {
        this.skip();
        items.push(this.parts.at(this.offset));
        out.push(this.node());
        this.skip();
        const c = text[this.offset];
        this.offset++;
        if (c === "]") break;
        if (c !== ",") decline();
      }
    }
    this.parts.index.set(out, location);
    return out;
  }

  private mapping(): Record<string, unknown> {
    const text = this.parts.text;
    const out: Record<string, unknown> = {};
    const keys: NodeLocation["keys"] = new Map();
    const location: NodeLocation = { file: this.parts.displayPath, start: this.parts.at(this.offset), keys, items: [] };
    this.offset++;
    this.skip();
    if (text[this.offset] === "}") this.offset++;
    else {
      for (;;) {
        this.skip();
        const keyStart = this.offset;
        const c = text[keyStart];
        let key: string;
        let quoted = false;
        if (c === '"' || c === "'") {
          const end = this.parts.quotedEnd(keyStart, this.parentIndent);
          if (this.parts.lineOf(end - 1) !== this.parts.lineOf(keyStart)) decline();
          key = String(this.parts.quotedValue(keyStart, end));
          this.offset = end;
          quoted = true;
        } else {
          key = this.plainKey();
        }
        if (keys.has(key) || key === "<<") decline();
        const keyPosition = this.parts.at(keyStart);
        if (text[this.offset] === " ") this.skip();
        if (text[this.offset] !== ":") decline();
        this.offset++;
        // After a plain key the colon needs a space (`a:b` is one scalar); JSON-like keys may run on.
        if (!quoted && text[this.offset] !== " " && text[this.offset] !== "\n") decline();
        this.skip();
        const v = text[this.offset];
        if (v === "," || v === "}") decline(); // an empty value
        const valuePosition = this.parts.at(this.offset);
        define(out, key, this.node());
        keys.set(key, { key: keyPosition, value: valuePosition });
        this.skip();
        const next = text[this.offset];
        this.offset++;
        if (next === "}") break;
        if (next !== ",") decline();
      }
    }
    this.parts.index.set(out, location);
    if (typeof out.$ref === "string") this.parts.refs.push(out as { $ref: string } & Record<string, unknown>);
    return out;
  }

  private plainKey(): string {
    const text = this.parts.text;
    const start = this.offset;
    const c = text[start];
    if (c === undefined || PLAIN_START_DECLINED.has(c) || c === "-" || c === ":") decline();
    let end = start;
    let i = start;
    for (; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === ":" || FLOW_INDICATORS.has(ch) || ch === "\n" || ch === "#") break;
      if (ch !== " ") end = i + 1;
    }
    if (text[i] !== ":") decline();
    this.offset = end;
    const source = text.slice(start, end);
    return String(resolvePlain(source));
  }
}

/**
 * Parses `text` when it is written in the plain subset; records every object's and array's
 * position in `index` under `displayPath`. `undefined`: use the general loader.
 */
export function parseYamlFast(text: string, displayPath: string, index: SourceIndex): FastParse | undefined {
  const parser = new FastYamlParser(text, displayPath, index);
  try {
    const value = parser.parse();
    return { value, refs: parser.refs };
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}
