/**
 * A loaded file as it crosses from a loader worker thread to the main thread.
 *
 * The parsed value crosses by structured clone (which keeps object identity, so YAML aliases stay
 * shared, and own `__proto__` keys stay own keys). Positions cannot ride along: the SourceIndex is
 * keyed by object identity, and the main thread's objects are new. So the worker walks the value
 * in a fixed order and writes every object's positions into one Int32Array; the main thread walks
 * its copy in the same order and reads them back. `$ref` holders travel as their ordinal in that
 * walk, keeping the loader's order.
 *
 * Walk: depth first, each object once (the first time it is met), keys in `Object.keys` order.
 * Per object: 1 if it has a location (else 0 and nothing more), then start line and column; a
 * mapping then has key line, key column, value line, value column per key (-1s if unknown), a
 * sequence line and column per item (-1s if unknown).
 */
import type { Diagnostic } from "./diagnostics.ts";
import type { LoadedFile, RefHolder } from "./load.ts";
import type { LineColumn, SourceIndex } from "./positions.ts";

export interface TransferredFile {
  readonly path: string;
  readonly displayPath: string;
  readonly value: unknown;
  readonly diagnostics: readonly Diagnostic[];
  readonly readable: boolean;
  readonly positions: Int32Array;
  /** Walk ordinals of the `$ref` holders, in the loader's order. */
  readonly refs: Int32Array;
}

/** Appends int32s to a buffer that doubles when full. */
class IntWriter {
  private buffer = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Int32Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  result(): Int32Array {
    return this.buffer.slice(0, this.length);
  }
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** Worker side: `file` was parsed into `index`; packs its positions. */
export function packLoadedFile(file: LoadedFile, index: SourceIndex): TransferredFile {
  const out = new IntWriter();
  const ordinals = new Map<object, number>();
  const pushAt = (at: LineColumn | undefined): void => {
    out.push(at ? at.line : -1);
    out.push(at ? at.column : -1);
  };
  const walk = (value: unknown): void => {
    if (!isContainer(value) || ordinals.has(value)) return;
    ordinals.set(value, ordinals.size);
    const location = index.get(value);
    out.push(location ? 1 : 0);
    if (location) {
      pushAt(location.start);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) pushAt(location.items[i]);
      } else {
        for (const key of Object.keys(value)) {
          const at = location.keys.get(key);
          pushAt(at?.key);
          pushAt(at?.value);
        }
      }
    }
    if (Array.isArray(value)) for (const item of value) walk(item);
    else for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key]);
  };
  walk(file.value);
  const refs = Int32Array.from(file.refs, ({ holder }) => ordinals.get(holder) ?? -1);
  return { path: file.path, displayPath: file.displayPath, value: file.value, diagnostics: file.diagnostics, readable: file.readable, positions: out.result(), refs };
}

/**
 * Main-thread side: records the positions of the received value in `index`, still packed (they
 * are unpacked only for the few objects whose position is asked for; see PackedLocation).
 */
export function unpackLoadedFile(transferred: TransferredFile, index: SourceIndex): LoadedFile {
  const { positions, displayPath } = transferred;
  const objects: object[] = [];
  const seen = new Set<object>();
  let at = 0;
  const walk = (value: unknown): void => {
    if (!isContainer(value) || seen.has(value)) return;
    seen.add(value);
    objects.push(value);
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    if (positions[at++] === 1) {
      const start = at;
      at += 2 + 4 * (keys === undefined ? 0 : keys.length) + 2 * (keys === undefined ? (value as unknown[]).length : 0);
      index.setPacked(value, { file: displayPath, data: positions, at: start, keys, items: keys === undefined ? (value as unknown[]).length : undefined });
    }
    if (keys === undefined) for (const item of value as unknown[]) walk(item);
    else for (const key of keys) walk((value as Record<string, unknown>)[key]);
  };
  walk(transferred.value);
  const refs: RefHolder[] = [];
  for (const ordinal of transferred.refs) {
    const holder = objects[ordinal];
    if (holder) refs.push({ holder: holder as RefHolder["holder"], file: transferred.path });
  }
  return { path: transferred.path, displayPath, value: transferred.value, refs, diagnostics: transferred.diagnostics, readable: transferred.readable };
}
