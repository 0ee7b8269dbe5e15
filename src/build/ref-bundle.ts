/**
 * json-schema-ref-parser's bundle step (its lib/bundle.js, MIT licence), run on a parser whose
 * `$refs` ref-parser has already resolved. Every `$ref` is still resolved by ref-parser
 * (`$refs._resolve`, `$Ref.dereference`); the layout rules are the same (same crawl order, same
 * inventory, same sort, same remapping), so the bundled document is the one `parser.bundle()`
 * gives. What differs is only bookkeeping that made ref-parser's version quadratic:
 *
 * - it looked each `$ref` up in its inventory by scanning the whole inventory, and removed
 *   superseded entries with `indexOf` + `splice`. It meets a `$ref` again each time the file
 *   holding it is reached through another path (22,900 visits for DigitalOcean's ~3,500 refs
 *   left after single-use inlining), so that scan was most of the bundling time. Here the
 *   inventory is indexed by (parent object, key) and superseded entries are flagged;
 * - every visit resolved the same (base, `$ref`) pair into a URL again; here those are memoised;
 * - the depth of a path was found by parsing it again; here it is carried along, and each key is
 *   escaped once for the two paths it extends.
 *
 * Options ref-parser has but we never set (`excludedPathMatcher`, `onBundle`) are left out.
 */
import type { ParserOptions } from "@apidevtools/json-schema-ref-parser";
import type $RefParser from "@apidevtools/json-schema-ref-parser";
import $Ref from "@apidevtools/json-schema-ref-parser/dist/lib/ref.js";
import Pointer from "@apidevtools/json-schema-ref-parser/dist/lib/pointer.js";
import type $Refs from "@apidevtools/json-schema-ref-parser/dist/lib/refs.js";
import * as url from "@apidevtools/json-schema-ref-parser/dist/lib/util/url.js";
import { getSchemaBasePath } from "@apidevtools/json-schema-ref-parser/dist/lib/util/schema-resources.js";

type Json = Record<string | number, unknown>;
type RefObject = { $ref: string } & Json;

interface InventoryEntry {
  $ref: RefObject;
  readonly parent: Json;
  readonly key: string | number | null;
  readonly pathFromRoot: string;
  readonly depth: number;
  readonly file: string;
  readonly hash: string;
  readonly value: unknown;
  readonly circular: boolean;
  readonly extended: boolean;
  readonly external: boolean;
  readonly indirections: number;
  /** Superseded by a shallower or more direct visit of the same `$ref` (ref-parser spliced it out). */
  removed: boolean;
}

/** What ref-parser's `Pointer.resolve` hands back (only the fields used here). */
interface ResolvedPointer {
  value: unknown;
  path: string;
  indirections: number;
  circular: boolean;
  $ref: { path: string; dynamicIdScope?: boolean };
}

interface RefsInternals {
  _root$Ref: { path: string; dynamicIdScope?: boolean };
  _aliases: Record<string, unknown>;
  _resolve(path: string, pathFromRoot: string, options: ParserOptions): ResolvedPointer | null;
}

class Bundler {
  readonly inventory: InventoryEntry[] = [];
  /** (parent, key) → its live inventory entry: findInInventory without the scan. */
  private readonly byLocation = new Map<object, Map<string | number | null, InventoryEntry>>();
  private readonly resolvedUrls = new Map<string, string>();
  /**
   * Per `$ref` object: the URL it resolved to and ref-parser's indirection count for it. A revisit
   * that cannot improve the inventory returns before resolving again. The count depends only on
   * the URL (the walk's `pathFromRoot` only matters for a `$ref` at the document root itself).
   */
  private readonly indirectionsOf = new Map<object, { readonly refPath: string; readonly indirections: number }>();

  constructor(
    private readonly refs: RefsInternals,
    private readonly options: ParserOptions,
  ) {}

  /** `url.resolve`, memoised. The base's fragment never changes the result, so it is left out of the key. */
  private resolveUrl(from: string, to: string): string {
    const hashAt = from.indexOf("#");
    const key = `${hashAt < 0 ? from : from.slice(0, hashAt)}\u0000${to}`;
    let resolved = this.resolvedUrls.get(key);
    if (resolved === undefined) {
      resolved = url.resolve(from, to);
      this.resolvedUrls.set(key, resolved);
    }
    return resolved;
  }

  crawl(parent: Json, key: string | number | null, path: string, scopeBase: string, dynamicIdScope: boolean, pathFromRoot: string, depth: number, indirections: number): void {
    const obj = key === null ? parent : parent[key];
    if (!obj || typeof obj !== "object" || ArrayBuffer.isView(obj)) return;
    if ($Ref.isAllowed$Ref(obj)) {
      this.inventory$Ref(parent, key, path, scopeBase, dynamicIdScope, pathFromRoot, depth, indirections);
      return;
    }
    // ref-parser's order: `definitions`/`$defs` first, then shorter keys first (shorter bundled paths).
    const keys = Object.keys(obj).sort((a, b) => {
      if (a === "definitions" || a === "$defs") return -1;
      if (b === "definitions" || b === "$defs") return 1;
      return a.length - b.length;
    });
    for (const childKey of keys) {
      const token = escapeToken(childKey);
      const keyPath = joinToken(path, token);
      const keyPathFromRoot = joinToken(pathFromRoot, token);
      const value = (obj as Json)[childKey];
      const childScopeBase =
        dynamicIdScope && value && typeof value === "object" && !ArrayBuffer.isView(value) ? getSchemaBasePath(scopeBase, value) : scopeBase;
      if ($Ref.isAllowed$Ref(value)) {
        this.inventory$Ref(obj as Json, childKey, keyPath, childScopeBase, dynamicIdScope, keyPathFromRoot, depth + 1, indirections);
      } else {
        this.crawl(obj as Json, childKey, keyPath, childScopeBase, dynamicIdScope, keyPathFromRoot, depth + 1, indirections);
      }
    }
  }

  private inventory$Ref(parent: Json, key: string | number | null, path: string, scopeBase: string, dynamicIdScope: boolean, pathFromRoot: string, depth: number, indirections: number): void {
    const $ref = (key === null ? parent : parent[key]) as RefObject;
    const $refPath = this.resolveUrl(dynamicIdScope ? scopeBase : path, $ref.$ref);
    const existing = this.byLocation.get(parent)?.get(key);
    const known = this.indirectionsOf.get($ref);
    if (existing && known?.refPath === $refPath && !(depth < existing.depth || indirections + known.indirections < existing.indirections)) return;
    const pointer = this.refs._resolve($refPath, pathFromRoot, this.options);
    if (pointer === null) return;
    this.indirectionsOf.set($ref, { refPath: $refPath, indirections: pointer.indirections });
    const file = url.stripHash(pointer.path);
    const hash = url.getHash(pointer.path);
    const external = file !== this.refs._root$Ref.path && !this.refs._aliases[file];
    const extended = $Ref.isExtended$Ref($ref);
    indirections += pointer.indirections;

    let atParent = this.byLocation.get(parent);
    if (atParent === undefined) {
      atParent = new Map();
      this.byLocation.set(parent, atParent);
    }
    if (existing) {
      // Already inventoried: keep the old entry unless this visit is shallower or more direct.
      if (depth < existing.depth || indirections < existing.indirections) existing.removed = true;
      else return;
    }
    const entry: InventoryEntry = {
      $ref,
      parent,
      key,
      pathFromRoot,
      depth,
      file,
      hash,
      value: pointer.value,
      circular: pointer.circular,
      extended,
      external,
      indirections,
      removed: false,
    };
    this.inventory.push(entry);
    atParent.set(key, entry);
    if (!existing || external) {
      this.crawl(pointer.value as Json, null, pointer.path, pointer.$ref.path, pointer.$ref.dynamicIdScope === true, pathFromRoot, depth, indirections + 1);
    }
  }
}

/** RFC 6901 escaping of one reference token, as `Pointer.join` does it. */
function escapeToken(key: string): string {
  return key.includes("~") || key.includes("/") ? key.replace(/~/g, "~0").replace(/\//g, "~1") : key;
}

/** `Pointer.join(base, key)` for a token already escaped (once for both paths a crawl step extends). */
function joinToken(base: string, token: string): string {
  return (base.includes("#") ? base : base + "#") + "/" + token;
}

function definitionsIndex(pathFromRoot: string): number {
  return Math.max(pathFromRoot.lastIndexOf("/definitions"), pathFromRoot.lastIndexOf("/$defs"));
}

/** ref-parser's remap: the first `$ref` (in this order) to each value gets the value, the rest point at it. */
function remap(inventory: InventoryEntry[], options: ParserOptions, rootId: unknown): void {
  inventory.sort((a, b) => {
    if (a.file !== b.file) return a.file < b.file ? -1 : +1;
    if (a.hash !== b.hash) return a.hash < b.hash ? -1 : +1;
    if (a.circular !== b.circular) return a.circular ? -1 : +1;
    if (a.extended !== b.extended) return a.extended ? +1 : -1;
    if (a.indirections !== b.indirections) return a.indirections - b.indirections;
    if (a.depth !== b.depth) return a.depth - b.depth;
    const aDefinitions = definitionsIndex(a.pathFromRoot);
    const bDefinitions = definitionsIndex(b.pathFromRoot);
    if (aDefinitions !== bDefinitions) return bDefinitions - aDefinitions;
    return a.pathFromRoot.length - b.pathFromRoot.length;
  });
  const optimizeInternalRefs = (options.bundle as { optimizeInternalRefs?: boolean } | undefined)?.optimizeInternalRefs !== false;
  let file: string | undefined;
  let hash: string | undefined;
  let pathFromRoot = "";
  for (const entry of inventory) {
    if (!entry.external) {
      if (optimizeInternalRefs) entry.$ref.$ref = entry.hash;
    } else if (entry.file === file && entry.hash === hash) {
      entry.$ref.$ref = rootId && isInsideIdScope(inventory, entry) ? String(rootId) + pathFromRoot : pathFromRoot;
    } else if (entry.file === file && entry.hash.indexOf(hash + "/") === 0) {
      const subPath = Pointer.join(pathFromRoot, Pointer.parse(entry.hash.replace(hash!, "#")));
      entry.$ref.$ref = rootId && isInsideIdScope(inventory, entry) ? String(rootId) + subPath : subPath;
    } else {
      file = entry.file;
      hash = entry.hash;
      pathFromRoot = entry.pathFromRoot;
      const dereferenced = $Ref.dereference(entry.$ref as never, entry.value as never, options) as unknown as RefObject;
      entry.$ref = dereferenced;
      // (A null key — a target that is itself a `$ref` — lands on "null", exactly as in ref-parser.)
      entry.parent[String(entry.key)] = dereferenced;
      if (entry.circular) entry.$ref.$ref = entry.pathFromRoot;
    }
  }
}

/** Is `entry` inside a sub-schema with its own `$id` (root-relative pointers would resolve against that)? */
function isInsideIdScope(inventory: readonly InventoryEntry[], entry: InventoryEntry): boolean {
  for (const other of inventory) {
    if (other.pathFromRoot === "#" || other.pathFromRoot === "#/") continue;
    if (entry.pathFromRoot.startsWith(other.pathFromRoot + "/") && other.value && typeof other.value === "object" && "$id" in other.value) return true;
  }
  return false;
}

/** After remapping, a `$ref` path may run through another `$ref`; point it at the value directly. */
function fixRefsThroughRefs(inventory: readonly InventoryEntry[], schema: unknown): void {
  for (const entry of inventory) {
    if (!entry.$ref || typeof entry.$ref !== "object" || !("$ref" in entry.$ref)) continue;
    const refValue = entry.$ref.$ref;
    if (typeof refValue !== "string" || !refValue.startsWith("#/")) continue;
    const fixed = resolvePathThroughRefs(schema, refValue);
    if (fixed !== refValue) entry.$ref.$ref = fixed;
  }
}

function decodeSegment(segment: string, container: unknown): string | number {
  const decoded = segment.replace(/~1/g, "/").replace(/~0/g, "~");
  return Array.isArray(container) ? parseInt(decoded) : decoded;
}

function resolvePathThroughRefs(schema: unknown, refPath: string): string {
  const segments = refPath.slice(2).split("/");
  let current: unknown = schema;
  const resolved: string[] = [];
  for (const segment of segments) {
    if (current === null || current === undefined || typeof current !== "object") return refPath;
    const ref = (current as { $ref?: unknown }).$ref;
    if ("$ref" in current && typeof ref === "string" && ref.startsWith("#/")) {
      resolved.length = 0;
      resolved.push(...ref.slice(2).split("/"));
      current = walkPath(schema, ref);
      if (current === null || current === undefined || typeof current !== "object") return refPath;
    }
    current = (current as Json)[decodeSegment(segment, current)];
    resolved.push(segment);
  }
  return "#/" + resolved.join("/");
}

function walkPath(schema: unknown, path: string): unknown {
  let current: unknown = schema;
  for (const segment of path.slice(2).split("/")) {
    if (current === null || current === undefined || typeof current !== "object") return undefined;
    current = (current as Json)[decodeSegment(segment, current)];
  }
  return current;
}

/**
 * Bundles `parser.schema` in place, as `parser.bundle()` would after its resolve step. `options`
 * must be ref-parser's normalised options (the ones `resolve` was given, through `getNewOptions`).
 */
export function bundleResolved(parser: $RefParser, options: ParserOptions): void {
  const refs = parser.$refs as unknown as $Refs & RefsInternals;
  const root = refs._root$Ref;
  const rootScopeBase = root.dynamicIdScope ? getSchemaBasePath(root.path, parser.schema) : root.path;
  const bundler = new Bundler(refs, options);
  bundler.crawl(parser as unknown as Json, "schema", root.path + "#", rootScopeBase, root.dynamicIdScope === true, "#", 0, 0);
  const schema = parser.schema as unknown;
  const rootId = schema && typeof schema === "object" && "$id" in schema ? (schema as { $id: unknown }).$id : undefined;
  const inventory = bundler.inventory.filter((entry) => !entry.removed);
  remap(inventory, options, rootId);
  if ((options.bundle as { optimizeInternalRefs?: boolean } | undefined)?.optimizeInternalRefs !== false) fixRefsThroughRefs(inventory, parser.schema);
}
