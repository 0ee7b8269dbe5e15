/**
 * Where every object and array of a loaded spec was written.
 *
 * The loader builds plain JS values from the YAML AST and records, per object/array, the file and
 * position it came from plus the position of each key (and its value) or item. The index is keyed
 * by object identity, so a value keeps its position after `$ref` bundling moves it into another
 * document and after normalisation edits it in place.
 */
import type { SourcePosition } from "./diagnostics.ts";

/** 1-based line and column inside one file. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

export interface KeyLocation {
  /** Where the key itself is written. */
  readonly key: LineColumn;
  /** Where its value starts. */
  readonly value: LineColumn;
}

export interface NodeLocation {
  /** Display path of the file (relative to the working directory). */
  readonly file: string;
  /** Where the mapping/sequence starts. */
  readonly start: LineColumn;
  /** Mappings: each key's position. Mutable so normalisation can place keys it adds. */
  readonly keys: Map<string, KeyLocation>;
  /** Sequences: where each item starts. */
  readonly items: LineColumn[];
}

export type PathSegment = string | number;

function at(file: string, p: LineColumn): SourcePosition {
  return { file, line: p.line, column: p.column };
}

/**
 * An object's positions as the loader recorded them, not yet made into a {@link NodeLocation}.
 * A large spec has hundreds of thousands of keys and only a few of their positions are ever
 * asked for (diagnostics, operation sources), so the Map and position objects are built on first
 * use. `data` holds, from `at`, the object's start, then per mapping key (in `keys` order, later
 * entries overriding earlier ones) the key's and the value's position, or per sequence item its
 * position. Each position is a line, column pair (a line below 0: not known), or with `lines`
 * one offset into the file's text that `lines` turns into line and column.
 */
export interface PackedLocation {
  readonly file: string;
  readonly data: ArrayLike<number>;
  readonly at: number;
  /** Positions are text offsets, converted by this (yaml's LineCounter). */
  readonly lines?: { linePos(offset: number): { line: number; col: number } };
  /** Mappings: the keys whose positions follow the start. */
  readonly keys?: readonly string[];
  /** Sequences: how many item positions follow the start. */
  readonly items?: number;
}

function unpack(packed: PackedLocation): NodeLocation {
  const { data, file, lines } = packed;
  let at = packed.at;
  const read = (): LineColumn | undefined => {
    if (lines !== undefined) {
      const p = lines.linePos(data[at++]!);
      return { line: p.line, column: p.col };
    }
    const line = data[at++]!;
    const column = data[at++]!;
    return line < 0 ? undefined : { line, column };
  };
  const start = read() ?? { line: 1, column: 1 };
  const keys = new Map<string, KeyLocation>();
  const items: LineColumn[] = [];
  if (packed.keys !== undefined) {
    for (const key of packed.keys) {
      const keyAt = read();
      const valueAt = read();
      if (keyAt !== undefined && valueAt !== undefined) keys.set(key, { key: keyAt, value: valueAt });
    }
  } else {
    for (let i = 0; i < (packed.items ?? 0); i++) {
      const item = read();
      if (item !== undefined) items[i] = item;
    }
  }
  return { file, start, keys, items };
}

export class SourceIndex {
  private readonly locations = new WeakMap<object, NodeLocation | PackedLocation>();

  set(node: object, location: NodeLocation): void {
    this.locations.set(node, location);
  }

  /** Records positions to be unpacked on first use (see {@link PackedLocation}). */
  setPacked(node: object, location: PackedLocation): void {
    this.locations.set(node, location);
  }

  /** Whether `node` has a recorded position (without unpacking it). */
  has(node: unknown): boolean {
    return typeof node === "object" && node !== null && this.locations.has(node);
  }

  get(node: unknown): NodeLocation | undefined {
    if (typeof node !== "object" || node === null) return undefined;
    const location = this.locations.get(node);
    if (location === undefined || "start" in location) return location;
    const unpacked = unpack(location);
    this.locations.set(node, unpacked);
    return unpacked;
  }

  /** Locate `created` (an object made to replace or wrap `from`) where `from` is written. */
  inherit(created: object, from: object): void {
    const source = this.get(from);
    if (source && !this.locations.has(created)) {
      this.locations.set(created, { file: source.file, start: source.start, keys: new Map(source.keys), items: [...source.items] });
    }
  }

  /** Record that `key` of `node` (added by normalisation) is written where `fromKey` is. */
  aliasKey(node: object, key: string, fromKey: string): void {
    const location = this.get(node);
    const from = location?.keys.get(fromKey);
    if (location && from && !location.keys.has(key)) location.keys.set(key, from);
  }

  /** Where the object/array starts. */
  positionOf(node: unknown): SourcePosition | undefined {
    const location = this.get(node);
    return location ? at(location.file, location.start) : undefined;
  }

  /** Where `key` of a mapping is written; falls back to the mapping itself. */
  keyPosition(node: unknown, key: string): SourcePosition | undefined {
    const location = this.get(node);
    if (!location) return undefined;
    const k = location.keys.get(key);
    return at(location.file, k ? k.key : location.start);
  }

  /** Where the value of `key` (or item `index`) is written; falls back to the container itself. */
  valuePosition(node: unknown, key: PathSegment): SourcePosition | undefined {
    const location = this.get(node);
    if (!location) return undefined;
    if (Array.isArray(node)) {
      const item = typeof key === "number" ? location.items[key] : location.items[Number(key)];
      return at(location.file, item ?? location.start);
    }
    const k = location.keys.get(String(key));
    return at(location.file, k ? k.value : location.start);
  }

  /**
   * Best position for the value at `path` below `root`. `prefer: "key"` points at the key an object
   * sits under (nicer for "missing property" style problems); `"value"` at the value itself (for
   * wrong scalars). Walks as far as the data goes and falls back to the deepest position known.
   */
  locate(root: unknown, path: readonly PathSegment[], prefer: "key" | "value" = "value"): SourcePosition | undefined {
    let current: unknown = root;
    let best = this.positionOf(root);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      if (typeof current !== "object" || current === null) break;
      const container = current;
      const child: unknown = Array.isArray(container)
        ? container[Number(segment)]
        : (container as Record<string, unknown>)[String(segment)];
      const containerLocation = this.get(container);
      const childLocation = this.get(child);
      const last = i === path.length - 1;
      if (childLocation && (!containerLocation || childLocation.file !== containerLocation.file)) {
        // Inlined from another file (or placed by bundling): its own position is the truth.
        best = at(childLocation.file, childLocation.start);
      } else if (containerLocation) {
        const here =
          last && prefer === "key" && !Array.isArray(container)
            ? this.keyPosition(container, String(segment))
            : this.valuePosition(container, segment);
        const known = Array.isArray(container)
          ? containerLocation.items[Number(segment)] !== undefined
          : containerLocation.keys.has(String(segment));
        if (here && known) best = here;
      }
      current = child;
    }
    return best;
  }
}
