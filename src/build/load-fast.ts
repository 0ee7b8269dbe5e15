/**
 * The fast way to read a spec file: `js-yaml`, with positions taken from its node events.
 *
 * Why two parsers: the `yaml` package is the exact one (every YAML 1.2 construct, precise errors
 * and warnings), but it is slow on a large split spec: DigitalOcean's 2,900 files take ~3.4 s to
 * parse with it and ~0.7 s with js-yaml, positions included. So a file is read here first, and only when this path cannot
 * vouch for giving what the `yaml` path (load.ts) gives does it return `undefined`, and the
 * caller parses the file again with `yaml`. That happens for:
 *
 * - anything js-yaml rejects: the `yaml` path then reports the problem with its own message;
 * - constructs whose meaning or warnings differ between the two, found by a conservative scan of
 *   the text: tags (`!`), anchors (`&name`, so no aliases either: an alias without an anchor is an
 *   error in js-yaml), merge keys (`<<`), explicit keys (`? `), directives (`%`), a byte-order mark;
 * - what only shows in the parsed result: a key that is not a plain scalar (a collection or an
 *   empty key), an implicit key over 1,024 characters, an empty document, or node events that do
 *   not pair up with the result (flow mappings with a missing value, say).
 *
 * Scalars resolve by the YAML 1.2 core schema exactly as `yaml` resolves them (same patterns, same
 * conversions); js-yaml's own core schema also accepts `0b…` and `_` digit separators.
 *
 * Known leniency, not worth a second parse of every file: js-yaml accepts a comment written
 * straight after a closing quote (`"x"#c`) and a flow collection continued on a less indented
 * line, which `yaml` reports as errors; the values read are the ones the author meant.
 */
import jsyaml from "js-yaml";
import { LineCounter } from "yaml";
import type { LoadedFile, RefHolder } from "./load.ts";
import type { SourceIndex } from "./positions.ts";

const scalar = (tag: string, pattern: RegExp, construct: (text: string) => unknown): jsyaml.Type =>
  new jsyaml.Type(tag, { kind: "scalar", resolve: (text: string | null) => text !== null && pattern.test(text), construct });

/** The patterns and conversions of `yaml`'s core schema (yaml/dist/schema/core), in its order. */
const CORE_1_2 = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type("tag:yaml.org,2002:null", { kind: "scalar", resolve: (text: string | null) => text === null || /^(?:~|[Nn]ull|NULL)?$/.test(text), construct: () => null }),
    scalar("tag:yaml.org,2002:bool", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === "t" || text[0] === "T"),
    scalar("tag:yaml.org,2002:int", /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (text) =>
      text.startsWith("0o") ? parseInt(text.slice(2), 8) : text.startsWith("0x") ? parseInt(text.slice(2), 16) : parseInt(text, 10),
    ),
    // One type per tag: js-yaml keeps only the last of several implicit types with the same tag.
    scalar(
      "tag:yaml.org,2002:float",
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
      (text) => {
        const special = text.slice(-3).toLowerCase();
        if (special === "nan") return NaN;
        if (special === "inf") return text[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        return parseFloat(text);
      },
    ),
  ],
});

/**
 * Node properties, merge keys, explicit keys and directives, wherever they could start a node.
 * Over-matches (a `&name` inside a block scalar of Go code, say): those files just take the
 * `yaml` path. Never under-matches: each of these starts at a line start or after a space or a
 * flow indicator.
 */
const NEEDS_EXACT_PARSER = /(?:^|[\s[{,])(?:!|&\S|\?(?:\s|$))|<<|^%/m;

/** yaml's limit for implicit keys (KEY_OVER_1024_CHARS). */
const MAX_IMPLICIT_KEY = 1024;

/** What a finished child node left for its parent: where it starts, where it ends, its value. */
interface Child {
  readonly start: number;
  readonly end: number;
  readonly value: unknown;
  /** Nothing was read (an empty value, or a key looked for past a mapping's last entry). */
  readonly empty: boolean;
}

/** An open node: where js-yaml started reading it, and its finished children in order. */
interface Frame {
  readonly opened: number;
  readonly children: Child[];
}

/** js-yaml's parser state as its listener sees it (the fields read here). */
interface ListenerState {
  readonly position: number;
  readonly kind: string | null;
  readonly result: unknown;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

/**
 * Turns js-yaml's open/close events into the positions load.ts records: a node starts where its
 * content starts (past separation space and comments), as `yaml` counts it; an empty node where
 * js-yaml met it, past spaces on that line.
 */
class PositionRecorder {
  private readonly frames: Frame[] = [];
  /**
   * Collections already recorded. js-yaml may read a node as a possible implicit key, find no
   * `:` after it and hand the result to the enclosing node as its own: that outer node then
   * closes with the same collection, and only the inner one has the children.
   */
  private readonly recorded = new Set<object>();
  readonly refs: RefHolder[] = [];
  /** Set when the events do not fit the result: the caller falls back to the exact parser. */
  unsure = false;

  constructor(
    private readonly text: string,
    private readonly path: string,
    private readonly displayPath: string,
    private readonly index: SourceIndex,
    private readonly lines: LineCounter,
  ) {}

  readonly listen = (event: "open" | "close", state: ListenerState): void => {
    if (event === "open") {
      this.frames.push({ opened: state.position, children: [] });
      return;
    }
    const frame = this.frames.pop()!;
    const start = state.kind === null ? this.skipSpaces(frame.opened) : this.skipSeparation(frame.opened);
    const value = state.result;
    // The outer close of a node handed up (see `recorded`) records nothing more.
    const handedUp = typeof value === "object" && value !== null && this.recorded.has(value);
    if (!handedUp && state.kind === "mapping") this.mapping(value as Record<string, unknown>, start, frame.children);
    else if (!handedUp && state.kind === "sequence") this.sequence(value as unknown[], start, frame.children);
    this.frames[this.frames.length - 1]?.children.push({ start, end: state.position, value, empty: state.kind === null });
  };

  private skipSpaces(at: number): number {
    while (isSpace(this.text.charCodeAt(at))) at++;
    return at;
  }

  private skipSeparation(at: number): number {
    const text = this.text;
    for (;;) {
      const code = text.charCodeAt(at);
      if (isSpace(code) || code === 10 || code === 13) at++;
      else if (code === 35) {
        const newline = text.indexOf("\n", at);
        at = newline === -1 ? text.length : newline;
      } else return at;
    }
  }

  private mapping(out: Record<string, unknown>, start: number, children: readonly Child[]): void {
    this.recorded.add(out);
    // js-yaml looks for one more key after the last entry (at `...`, say) and finds nothing.
    const pairs = children.length % 2 !== 0 && children[children.length - 1]!.empty ? children.length - 1 : children.length;
    if (pairs % 2 !== 0) {
      this.unsure = true;
      return;
    }
    const offsets = [start];
    const keys: string[] = [];
    for (let i = 0; i < pairs; i += 2) {
      const key = children[i]!;
      const keyValue = key.value;
      if (keyValue === null || typeof keyValue === "object" || key.end - key.start > MAX_IMPLICIT_KEY) {
        this.unsure = true;
        return;
      }
      keys.push(String(keyValue));
      offsets.push(key.start, children[i + 1]!.start);
    }
    this.index.setPacked(out, { file: this.displayPath, data: offsets, at: 0, lines: this.lines, keys });
    if (typeof out.$ref === "string") this.refs.push({ holder: out as RefHolder["holder"], file: this.path });
  }

  private sequence(out: unknown[], start: number, children: readonly Child[]): void {
    this.recorded.add(out);
    if (children.length !== out.length) {
      // An empty item (`-` and nothing) is pushed without node events: no position to give.
      this.unsure = true;
      return;
    }
    const offsets = [start];
    for (const child of children) offsets.push(child.start);
    this.index.setPacked(out, { file: this.displayPath, data: offsets, at: 0, lines: this.lines, items: children.length });
  }
}

/**
 * A LineCounter filled from the text itself on first use: most files never have a position asked
 * for. (The one `yaml` fills while parsing misses line breaks while it recovers from some errors.)
 */
export function lazyLineCounter(text: string): LineCounter {
  const lines = new LineCounter();
  let filled = false;
  const linePos = lines.linePos;
  lines.linePos = (offset: number) => {
    if (!filled) {
      filled = true;
      lines.addNewLine(0);
      for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines.addNewLine(at + 1);
    }
    return linePos(offset);
  };
  return lines;
}

/**
 * Parses `text` (read from `path`) the fast way, recording positions in `index`, or returns
 * `undefined` when the exact parser must read it (see the module comment). Positions recorded
 * before giving up belong to objects nothing refers to afterwards (the index holds them weakly).
 */
export function parseSpecTextFast(text: string, path: string, displayPath: string, index: SourceIndex): LoadedFile | undefined {
  if (text.charCodeAt(0) === 0xfeff || NEEDS_EXACT_PARSER.test(text)) return undefined;
  const recorder = new PositionRecorder(text, path, displayPath, index, lazyLineCounter(text));
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: CORE_1_2, listener: recorder.listen });
  } catch {
    return undefined;
  }
  if (recorder.unsure || value === null || value === undefined) return undefined;
  return { path, displayPath, value, refs: recorder.refs, diagnostics: [], readable: true };
}
