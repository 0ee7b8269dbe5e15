/**
 * Loads an entry file and every file its `$ref`s reach, checks that each `$ref` resolves, and
 * bundles everything into one document whose only `$ref`s are internal (`#/...`).
 *
 * Files are loaded by us (with positions, see load.ts) and handed to json-schema-ref-parser through
 * a custom resolver/parser pair, so the bundled document is made of *our* objects: identity — and so
 * every position — survives bundling. Ref-parser's own errors are not used for diagnostics: we check
 * every `$ref` ourselves first, which lets us point at the `$ref` where it is written.
 */
import { $RefParser } from "@apidevtools/json-schema-ref-parser";
import type { FileInfo, ParserOptions } from "@apidevtools/json-schema-ref-parser";
import { getNewOptions } from "@apidevtools/json-schema-ref-parser/dist/lib/options.js";
import { toFileSystemPath } from "@apidevtools/json-schema-ref-parser/dist/lib/util/url.js";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { diagnostic, type Diagnostic } from "./diagnostics.ts";
import type { LoadedFile, RefHolder } from "./load.ts";
import { loadFiles } from "./load-parallel.ts";
import type { SourceIndex } from "./positions.ts";
import { bundleResolved } from "./ref-bundle.ts";

export interface BundleResult {
  /** The bundled entry document (the entry file's own root object, edited in place), or undefined if unreadable. */
  readonly document: unknown;
  /** Every file read, as display paths, in load order. */
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** Milliseconds spent loading files (read + YAML parse) and in ref-parser's bundle, for reports. */
  readonly timings: { readonly loadMs: number; readonly bundleMs: number };
  /** How many of the files were parsed in worker threads (load-parallel.ts). */
  readonly parsedInWorkers: number;
}

/** Where a `$ref` points: a file (absolute path) and a JSON pointer inside it. */
export type RefTarget =
  | { readonly kind: "file"; readonly file: string; readonly pointer: string }
  | { readonly kind: "remote"; readonly url: string }
  /** `#name` plain-name fragments (3.1 `$anchor`) — not checked here. */
  | { readonly kind: "anchor" }
  | { readonly kind: "malformed" };

export function displayPathOf(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative === "" ? absolute : relative;
}

/** A plain relative file reference (`../models/x.yml#/a`): resolvable without building URLs. */
const PLAIN_RELATIVE = /^[^:%?\\]*$/;

function pointerTarget(file: string, hash: string): RefTarget {
  let pointer: string;
  try {
    pointer = decodeURIComponent(hash);
  } catch {
    return { kind: "malformed" };
  }
  if (pointer !== "" && !pointer.startsWith("/")) return { kind: "anchor" };
  return { kind: "file", file, pointer };
}

/**
 * Every `$ref` is looked at several times (discovery, ordering, checking, inlining): resolved
 * targets are kept per (file, ref) for the duration of one load (cleared by loadAndBundle).
 */
const targetCache = new Map<string, RefTarget>();

export function refTarget(ref: string, fromFile: string): RefTarget {
  const key = `${fromFile}\u0000${ref}`;
  let target = targetCache.get(key);
  if (target === undefined) {
    target = computeRefTarget(ref, fromFile);
    targetCache.set(key, target);
  }
  return target;
}

function computeRefTarget(ref: string, fromFile: string): RefTarget {
  const hashAt = ref.indexOf("#");
  const filePart = hashAt < 0 ? ref : ref.slice(0, hashAt);
  if (PLAIN_RELATIVE.test(filePart) && !filePart.startsWith("//")) {
    // The common case, thousands of times in a large spec: skip the URL round trip.
    const file = filePart === "" ? fromFile : path.resolve(path.dirname(fromFile), filePart);
    return pointerTarget(file, hashAt < 0 ? "" : ref.slice(hashAt + 1));
  }
  let url: URL;
  try {
    url = new URL(ref, pathToFileURL(fromFile));
  } catch {
    return { kind: "malformed" };
  }
  if (url.protocol !== "file:") return { kind: "remote", url: url.href };
  let pointer: string;
  try {
    pointer = decodeURIComponent(url.hash.slice(1));
  } catch {
    return { kind: "malformed" };
  }
  if (pointer !== "" && !pointer.startsWith("/")) return { kind: "anchor" };
  url.hash = "";
  url.search = "";
  return { kind: "file", file: fileURLToPath(url), pointer };
}

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function isRefHolder(value: unknown): value is { $ref: string } {
  return typeof value === "object" && value !== null && typeof (value as { $ref?: unknown }).$ref === "string";
}

type Resolved = { readonly ok: true; readonly value: unknown; readonly file: string } | { readonly ok: false; readonly why?: string };

/**
 * Follows `pointer` inside `file`, going through `$ref`s met on the way (as ref-parser does).
 * A failure without `why` is one already reported where the intermediate `$ref` is written.
 */
function resolvePointer(files: ReadonlyMap<string, LoadedFile>, file: string, pointer: string, depth = 0): Resolved {
  const loaded = files.get(file);
  if (!loaded?.readable) return { ok: false, why: `file ${displayPathOf(file)} not found` };
  if (depth > 32) return { ok: false, why: "too many nested references" };
  let current: unknown = loaded.value;
  let currentFile = file;
  const segments = parsePointer(pointer);
  for (let i = 0; i < segments.length; i++) {
    if (isRefHolder(current)) {
      const target = refTarget(current.$ref, currentFile);
      if (target.kind !== "file") return { ok: false };
      const through = resolvePointer(files, target.file, target.pointer, depth + 1);
      if (!through.ok) return { ok: false };
      current = through.value;
      currentFile = through.file;
    }
    const next = step(current, segments[i]!);
    if (next === undefined) return { ok: false, why: `no "${segments.slice(0, i + 1).join("/")}" in ${displayPathOf(file)}` };
    current = next;
  }
  return { ok: true, value: current, file: currentFile };
}

function step(container: unknown, segment: string): unknown {
  if (Array.isArray(container)) return /^(0|[1-9]\d*)$/.test(segment) ? container[Number(segment)] : undefined;
  if (typeof container === "object" && container !== null && Object.prototype.hasOwnProperty.call(container, segment)) {
    return (container as Record<string, unknown>)[segment];
  }
  return undefined;
}

/** Loads the entry and, breadth first, every file an external `$ref` reaches (in parallel when there are many). */
function loadAll(entry: string, index: SourceIndex, meanwhile?: (entry: LoadedFile) => void): Promise<{ readonly files: Map<string, LoadedFile>; readonly parsedInWorkers: number }> {
  const targetsOf = function* (file: LoadedFile): Iterable<string> {
    for (const { holder, file: from } of file.refs) {
      const target = refTarget(holder.$ref, from);
      if (target.kind === "file") yield target.file;
    }
  };
  return loadFiles(entry, displayPathOf, index, targetsOf, meanwhile);
}

function checkRefs(files: ReadonlyMap<string, LoadedFile>, index: SourceIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const loaded of files.values()) {
    for (const { holder, file } of loaded.refs) {
      const ref = holder.$ref;
      const target = refTarget(ref, file);
      let problem: string | undefined;
      if (target.kind === "remote") problem = "remote references are not supported";
      else if (target.kind === "malformed") problem = "not a valid URI reference";
      else if (target.kind === "file") {
        const resolved = resolvePointer(files, target.file, target.pointer);
        if (!resolved.ok) problem = resolved.why;
      }
      if (problem) {
        const at = index.valuePosition(holder, "$ref") ?? { file: loaded.displayPath, line: 1, column: 1 };
        out.push(diagnostic(at, `cannot resolve $ref "${ref}": ${problem}`));
      }
    }
  }
  return out;
}

/**
 * Speed, not semantics: ref-parser's bundle keeps an inventory of every `$ref` it meets and scans
 * it linearly for each one it meets again (it re-crawls a file each time it is referenced), which
 * is quadratic; on DigitalOcean's ~6,000 refs that was most of the bundling time. Most referenced
 * files are referenced exactly once (2,500 of 2,850 there), and for those ref-parser would put the
 * target where the single `$ref` is anyway. So we do that ourselves first and leave ref-parser the
 * targets that really are shared. To keep every remaining ref meaning the same file wherever it
 * ends up, refs outside the entry file are first rewritten as absolute paths.
 */
function inlineSingleUseFiles(files: ReadonlyMap<string, LoadedFile>, entry: string): void {
  const incoming = new Map<string, number>();
  const targets = new Map<RefHolder["holder"], { file: string; pointer: string }>();
  for (const loaded of files.values()) {
    for (const { holder, file } of loaded.refs) {
      const target = refTarget(holder.$ref, file);
      if (target.kind !== "file") continue;
      incoming.set(target.file, (incoming.get(target.file) ?? 0) + 1);
      targets.set(holder, target);
    }
  }
  // One URL per file, not per ref: pathToFileURL is most of this loop's cost otherwise.
  const urlPaths = new Map<string, string>();
  for (const loaded of files.values()) {
    if (loaded.path === entry || !loaded.readable) continue;
    for (const { holder } of loaded.refs) {
      const target = targets.get(holder);
      if (!target) continue;
      let urlPath = urlPaths.get(target.file);
      if (urlPath === undefined) {
        urlPath = pathToFileURL(target.file).pathname;
        urlPaths.set(target.file, urlPath);
      }
      holder.$ref = urlPath + (target.pointer === "" ? "" : "#" + target.pointer);
    }
  }
  const single = (holder: RefHolder["holder"]): { file: string; pointer: string } | undefined => {
    const target = targets.get(holder);
    if (!target || target.file === entry || incoming.get(target.file) !== 1 || Object.keys(holder).length !== 1) return undefined;
    return files.get(target.file)?.readable ? target : undefined;
  };
  // Replace each single-use holder, found through its parent, by its target value.
  const seen = new Set<object>();
  const visit = (container: Record<string | number, unknown>, key: string | number): void => {
    let value = container[key];
    if (typeof value !== "object" || value === null) return;
    if (isRefHolder(value)) {
      const target = single(value as RefHolder["holder"]);
      const resolved = target ? resolvePointer(files, target.file, target.pointer) : undefined;
      if (resolved?.ok && !isRefHolder(resolved.value) && resolved.value !== undefined) {
        container[key] = resolved.value;
        value = resolved.value;
      }
    }
    walk(value);
  };
  const walk = (container: unknown): void => {
    if (typeof container !== "object" || container === null || seen.has(container)) return;
    seen.add(container);
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) visit(container as unknown as Record<number, unknown>, i);
    } else {
      for (const key of Object.keys(container)) visit(container as Record<string, unknown>, key);
    }
  };
  for (const loaded of files.values()) if (loaded.readable && incoming.get(loaded.path) !== 1) walk(loaded.value);
}

/** Serves our already-loaded files to ref-parser, by the file system path its URL names. */
function refParserOptions(files: ReadonlyMap<string, LoadedFile>): ParserOptions {
  const lookup = (file: FileInfo): LoadedFile | undefined => files.get(toFileSystemPath(file.url));
  return {
    continueOnError: true,
    resolve: {
      http: false,
      file: false,
      loaded: {
        order: 1,
        canRead: true,
        read(file: FileInfo) {
          const loaded = lookup(file);
          if (!loaded?.readable) throw new Error(`not loaded: ${file.url}`);
          // Handed through unchanged; the parser below returns it as the parsed value.
          return loaded.value as object;
        },
      },
    },
    parse: {
      json: false,
      yaml: false,
      text: false,
      binary: false,
      loaded: { order: 1, allowEmpty: true, canParse: true, parse: (file: FileInfo) => file.data as unknown as object },
    },
  } as unknown as ParserOptions;
}

/**
 * `meanwhile`: main-thread work independent of the files (given the parsed entry file), run while
 * worker threads load them, if they do (see loadFiles).
 */
export async function loadAndBundle(entryFile: string, index: SourceIndex, meanwhile?: (entry: LoadedFile) => void): Promise<BundleResult> {
  const entry = path.resolve(entryFile);
  const started = performance.now();
  targetCache.clear();
  const { files, parsedInWorkers } = await loadAll(entry, index, meanwhile);
  const loadMs = performance.now() - started;
  const diagnostics: Diagnostic[] = [];
  const root = files.get(entry)!;
  const fileList = [...files.values()].filter((f) => f.readable).map((f) => f.displayPath);
  for (const f of files.values()) diagnostics.push(...f.diagnostics);
  if (!root.readable) {
    diagnostics.push(diagnostic({ file: root.displayPath, line: 1, column: 1 }, "cannot read file"));
    return { document: undefined, files: fileList, diagnostics, timings: { loadMs, bundleMs: 0 }, parsedInWorkers };
  }
  if (typeof root.value !== "object" || root.value === null || Array.isArray(root.value)) {
    diagnostics.push(diagnostic({ file: root.displayPath, line: 1, column: 1 }, "an OpenAPI document must be a mapping (object) at the top level"));
    return { document: root.value, files: fileList, diagnostics, timings: { loadMs, bundleMs: 0 }, parsedInWorkers };
  }
  diagnostics.push(...checkRefs(files, index));
  inlineSingleUseFiles(files, entry);
  const bundleStarted = performance.now();
  const parser = new $RefParser();
  const options = getNewOptions(refParserOptions(files)) as ParserOptions;
  try {
    // ref-parser's resolve, then its bundle layout without its quadratic bookkeeping (ref-bundle.ts).
    await parser.resolve(entry, options);
    bundleResolved(parser, options);
  } catch {
    // With continueOnError ref-parser resolves what it can and then throws a group of the problems
    // it met; each of those is an unresolvable $ref that checkRefs has already reported with its
    // position (and the build fails on those, so the document need not be fully bundled).
  }
  locateCreatedObjects(root.value, index);
  targetCache.clear();
  return { document: root.value, files: fileList, diagnostics, timings: { loadMs, bundleMs: performance.now() - bundleStarted }, parsedInWorkers };
}

/**
 * ref-parser creates new objects for `$ref`s with siblings (target and siblings merged). Give each
 * object without a position the position it sits at in its parent, so diagnostics can still say
 * where it is.
 */
function locateCreatedObjects(document: unknown, index: SourceIndex): void {
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    // has(), not get(): positions stay packed unless one is needed (positions.ts).
    const located = index.has(value);
    for (const [key, child] of Object.entries(value)) {
      if (typeof child !== "object" || child === null) continue;
      if (located && !index.has(child)) {
        const at = index.valuePosition(value, Array.isArray(value) ? Number(key) : key)!;
        index.set(child, { file: at.file, start: { line: at.line, column: at.column }, keys: new Map(), items: [] });
      }
      walk(child);
    }
  };
  walk(document);
}

/** Every `$ref` string in `document` (for checks and tests): where it is and what it says. */
export function collectRefs(document: unknown): { holder: { $ref: string }; path: string[] }[] {
  const out: { holder: { $ref: string }; path: string[] }[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown, at: string[]): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (isRefHolder(value)) out.push({ holder: value, path: at });
    for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  walk(document, []);
  return out;
}

export { type RefHolder };
