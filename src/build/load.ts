/**
 * Reads one YAML or JSON file into plain JS values while recording, for every object and array,
 * where it was written (see {@link SourceIndex}). JSON goes through the same YAML 1.2 parser, which
 * accepts it and gives the same positions for free. Most files are read by the faster reader in
 * load-fast.ts, which hands back to this exact one whatever it cannot read identically.
 *
 * Values are built from the AST by hand (rather than `doc.toJS()`) because only here do we still
 * know which AST node each object came from.
 */
import { readFileSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node as YamlNode, Pair, YAMLError } from "yaml";
import { diagnostic, type Diagnostic } from "./diagnostics.ts";
import { lazyLineCounter, parseSpecTextFast } from "./load-fast.ts";
import type { LineColumn, SourceIndex } from "./positions.ts";

export interface LoadedFile {
  /** Absolute path. */
  readonly path: string;
  /** Path as shown in diagnostics (relative to the working directory). */
  readonly displayPath: string;
  /** Parsed content; `undefined` when the file could not be read or is empty. */
  readonly value: unknown;
  /** Every object in this file holding a string `$ref`, in document order. */
  readonly refs: readonly RefHolder[];
  readonly diagnostics: readonly Diagnostic[];
  /** False when the file could not be read at all. */
  readonly readable: boolean;
}

/** An object with a `$ref` string, and the file it is written in (refs resolve relative to it). */
export interface RefHolder {
  readonly holder: { $ref: string } & Record<string, unknown>;
  readonly file: string;
}

const MERGE_KEY = "<<";

/**
 * How many values aliases may add to a file, each alias counting every value it names (aliases
 * inside included). The loader shares an aliased node's value, but everything after it (bundling,
 * checks, validators, the document's JSON) walks the values as a tree: nine nested lists of ten
 * aliases ("billion laughs") are 100 lines that name 10^9 values. A spec that shares a few
 * schemas or responses by alias stays far below.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol" && key.value.description === MERGE_KEY;
}

/** Turns one YAML document's AST into JS values and records positions in `index`. */
class ValueBuilder {
  readonly refs: RefHolder[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** AST node → built value, so YAML aliases keep object identity. */
  private readonly built = new Map<YamlNode, unknown>();
  private readonly inProgress = new Set<YamlNode>();
  /** Each alias's anchored node (`Alias.resolve` walks the whole document per call). */
  private readonly targets = new Map<YamlNode, YamlNode | undefined>();
  /** How many values each node names when its aliases are expanded (see MAX_ALIAS_EXPANSION). */
  private readonly sizes = new Map<YamlNode, number>();
  private readonly sizing = new Set<YamlNode>();
  /** Values added by the aliases read so far. */
  private expanded = 0;
  private refusedExpansion = false;

  constructor(
    private readonly path: string,
    private readonly displayPath: string,
    private readonly lines: LineCounter,
    private readonly index: SourceIndex,
    private readonly doc: ReturnType<typeof parseDocument>,
  ) {}

  private pos(offset: number | undefined): LineColumn {
    const p = this.lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  }

  /** Records `out`'s positions, packed as text offsets, unpacked only if asked for (positions.ts). */
  private record(out: object, offsets: number[], keys?: string[]): void {
    const items = keys === undefined ? offsets.length - 1 : undefined;
    this.index.setPacked(out, { file: this.displayPath, data: offsets, at: 0, lines: this.lines, keys, items });
  }

  private target(alias: YamlNode & { resolve(doc: ReturnType<typeof parseDocument>): YamlNode | undefined }): YamlNode | undefined {
    if (!this.targets.has(alias)) this.targets.set(alias, alias.resolve(this.doc));
    return this.targets.get(alias);
  }

  /** Values `node` names with its aliases expanded (a recursive alias counts as one). */
  private size(node: unknown): number {
    if (node === null || node === undefined || isScalar(node)) return 1;
    const yamlNode = node as YamlNode;
    const known = this.sizes.get(yamlNode);
    if (known !== undefined) return known;
    if (this.sizing.has(yamlNode)) return 1;
    this.sizing.add(yamlNode);
    let size = 1;
    if (isAlias(node)) size = this.size(this.target(node));
    else if (isMap(node)) for (const pair of node.items) size += this.size(pair.key) + this.size(pair.value);
    else if (isSeq(node)) for (const item of node.items) size += this.size(item);
    this.sizing.delete(yamlNode);
    this.sizes.set(yamlNode, size);
    return size;
  }

  build(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const at = { file: this.displayPath, ...this.pos(node.range?.[0]) };
      const target = this.target(node);
      if (!target) {
        this.diagnostics.push(diagnostic(at, `YAML alias *${node.source} has no anchor &${node.source} before it`));
        return null;
      }
      if (this.inProgress.has(target)) {
        this.diagnostics.push(diagnostic(at, `recursive YAML alias *${node.source} is not supported`));
        return null;
      }
      this.expanded += this.size(target);
      if (this.expanded > MAX_ALIAS_EXPANSION) {
        if (!this.refusedExpansion) {
          this.refusedExpansion = true;
          this.diagnostics.push(diagnostic(at, `YAML aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString("en")} values (from *${node.source} on): not read`));
        }
        return null;
      }
      return this.built.has(target) ? this.built.get(target) : this.build(target);
    }
    if (isScalar(node)) return this.scalar(node.value);
    if (isMap(node)) return this.map(node);
    if (isSeq(node)) return this.seq(node);
    return null;
  }

  private scalar(value: unknown): unknown {
    if (value === undefined) return null;
    if (typeof value === "bigint") return Number(value);
    if (typeof value === "symbol") return value.description ?? null;
    if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
    return value;
  }

  private map(node: YamlNode & { items: Pair[] }): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // Start, then key and value offsets per key, in the order written (see PackedLocation).
    const offsets = [node.range?.[0] ?? 0];
    const keys: string[] = [];
    this.built.set(node, out);
    this.inProgress.add(node);
    const merges: Pair[] = [];
    for (const pair of node.items) {
      if (isMergeKey(pair.key)) {
        merges.push(pair);
        continue;
      }
      const keyNode = pair.key as YamlNode | null;
      const key = this.keyString(keyNode);
      const keyAt = keyNode?.range?.[0] ?? 0;
      const valueNode = pair.value as YamlNode | null;
      define(out, key, this.build(valueNode));
      keys.push(key);
      offsets.push(keyAt, valueNode?.range ? valueNode.range[0] : keyAt);
    }
    for (const pair of merges) this.merge(out, offsets, keys, pair);
    this.inProgress.delete(node);
    this.record(out, offsets, keys);
    if (typeof out.$ref === "string") this.refs.push({ holder: out as RefHolder["holder"], file: this.path });
    return out;
  }

  /** YAML merge keys (`<<: *base`): keys written explicitly win, earlier sources win over later. */
  private merge(out: Record<string, unknown>, offsets: number[], keys: string[], pair: Pair): void {
    const keyAt = (pair.key as YamlNode).range?.[0] ?? 0;
    const valueAt = (pair.value as YamlNode | null)?.range?.[0] ?? 0;
    const value = this.build(pair.value);
    const sources = Array.isArray(value) ? value : [value];
    for (const source of sources) {
      if (typeof source !== "object" || source === null || Array.isArray(source)) {
        this.diagnostics.push(diagnostic({ file: this.displayPath, ...this.pos(keyAt) }, "YAML merge key `<<` needs a mapping or a list of mappings"));
        continue;
      }
      for (const [k, v] of Object.entries(source)) {
        if (!Object.prototype.hasOwnProperty.call(out, k)) {
          define(out, k, v);
          keys.push(k);
          offsets.push(keyAt, valueAt);
        }
      }
    }
  }

  private keyString(key: YamlNode | null): string {
    if (key === null) return "";
    if (isScalar(key)) return String(this.scalar(key.value));
    // A collection used as a key: no JSON equivalent, so spell it as JSON text.
    this.diagnostics.push(diagnostic({ file: this.displayPath, ...this.pos(key.range?.[0]) }, "mapping keys must be scalars", "warning"));
    return JSON.stringify(this.build(key));
  }

  private seq(node: YamlNode & { items: unknown[] }): unknown[] {
    const out: unknown[] = [];
    const start = node.range?.[0] ?? 0;
    const offsets = [start];
    this.built.set(node, out);
    this.inProgress.add(node);
    for (const item of node.items) {
      const itemNode = item as YamlNode | null;
      offsets.push(itemNode?.range ? itemNode.range[0] : start);
      out.push(this.build(itemNode));
    }
    this.inProgress.delete(node);
    this.record(out, offsets);
    return out;
  }
}

/** Own enumerable property even for `__proto__`, so a spec key never touches the prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

function yamlDiagnostic(displayPath: string, lines: LineCounter, error: YAMLError, severity: Diagnostic["severity"]): Diagnostic {
  const p = lines.linePos(error.pos[0]);
  // yaml's messages end with "at line L, column C" and sometimes a code frame; the position is in the prefix already.
  const message = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  return diagnostic({ file: displayPath, line: p.line, column: p.col }, `YAML: ${message}`, severity);
}

/**
 * Parses text already read from `path`: the fast way (load-fast.ts) when that gives what the
 * `yaml` package would, else with `yaml` itself.
 */
export function parseSpecText(text: string, path: string, displayPath: string, index: SourceIndex): LoadedFile {
  return parseSpecTextFast(text, path, displayPath, index) ?? parseSpecTextExact(text, path, displayPath, index);
}

/** Parses text already read from `path` with the `yaml` package (every YAML 1.2 construct, its errors and warnings). */
export function parseSpecTextExact(text: string, path: string, displayPath: string, index: SourceIndex): LoadedFile {
  // Lines counted from the text, not by the parser: in some error recovery (a plain scalar line,
  // then another line, then `key: value`) the parser skips line breaks and every later position
  // drifts. On well-formed files both give the same positions.
  const lines = lazyLineCounter(text);
  const doc = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true, version: "1.2", keepSourceTokens: false });
  const builder = new ValueBuilder(path, displayPath, lines, index, doc);
  const value = builder.build(doc.contents);
  const diagnostics = [
    ...doc.errors.map((e) => yamlDiagnostic(displayPath, lines, e, "error")),
    ...doc.warnings.map((w) => yamlDiagnostic(displayPath, lines, w, "warning")),
    ...builder.diagnostics,
  ];
  return { path, displayPath, value: doc.contents === null ? undefined : value, refs: builder.refs, diagnostics, readable: true };
}

/** Reads and parses one file. Never throws for a missing or malformed file: that becomes `readable: false` / diagnostics. */
export async function loadSpecFile(path: string, displayPath: string, index: SourceIndex): Promise<LoadedFile> {
  return loadSpecFileSync(path, displayPath, index);
}

/** {@link loadSpecFile}, synchronously (for the loader's worker threads and its main-thread share). */
export function loadSpecFileSync(path: string, displayPath: string, index: SourceIndex): LoadedFile {
  let text: string;
  try {
    // Synchronous on purpose: fs/promises' readFile costs several thread-pool round trips per
    // file (open, stat, read, close), six to ten times a plain read for thousands of small files.
    text = readFileSync(path, "utf8");
  } catch {
    return { path, displayPath, value: undefined, refs: [], diagnostics: [], readable: false };
  }
  return parseSpecText(text, path, displayPath, index);
}
