/**
 * Parallel loading (load-parallel.ts, load-worker.ts, load-transfer.ts): a file parsed in a worker
 * thread arrives with the same value and the same positions as one parsed on the main thread,
 * and a whole split spec loads the same with workers as without.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadAndBundle } from "../../src/build/bundle.ts";
import { loadSpecFileSync, type LoadedFile } from "../../src/build/load.ts";
import { packLoadedFile, unpackLoadedFile } from "../../src/build/load-transfer.ts";
import { SourceIndex } from "../../src/build/positions.ts";
import { positionsListing as positions } from "./positions-listing.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");

function roundTrip(file: LoadedFile, index: SourceIndex): { file: LoadedFile; index: SourceIndex } {
  const received = new SourceIndex();
  // structuredClone stands in for postMessage: the same algorithm.
  return { file: unpackLoadedFile(structuredClone(packLoadedFile(file, index)), received), index: received };
}

describe("a file parsed in a worker thread", () => {
  it("keeps its value, aliases, odd keys, refs and every position", () => {
    const index = new SourceIndex();
    const file = loadSpecFileSync(path.resolve("test/fixtures/specs/good/yaml-features.yaml"), "yaml-features.yaml", index);
    expect(file.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const moved = roundTrip(file, index);
    const value = moved.file.value as Record<string, unknown>;

    expect(value).toEqual(file.value);
    expect(value["x-copy-of-info"]).toBe(value.info); // a YAML alias is still one object
    expect(Object.getPrototypeOf(value["x-odd-keys"])).toBe(Object.prototype);
    expect(Object.keys(value["x-odd-keys"] as object)).toContain("__proto__");
    expect((value["x-sequence"] as unknown[])[3]).toBe(Infinity);
    expect(Number.isNaN((value["x-sequence"] as unknown[])[4])).toBe(true);
    expect(positions(value, moved.index)).toEqual(positions(file.value, index));
    expect(moved.file.refs.map((r) => r.holder.$ref)).toEqual(file.refs.map((r) => r.holder.$ref));
    expect(moved.file.refs.every((r, i) => r.file === file.refs[i]!.file)).toBe(true);
    expect(moved.file.diagnostics).toEqual(file.diagnostics);
    // The merged-in keys point at the merge key, as on the main thread.
    expect(moved.index.keyPosition(value["x-merged"], "version")).toEqual(index.keyPosition((file.value as Record<string, unknown>)["x-merged"], "version"));
  });

  it("says so when the file could not be read", () => {
    const index = new SourceIndex();
    const file = loadSpecFileSync(path.resolve("test/fixtures/specs/bad/does-not-exist.yaml"), "x.yaml", index);
    const moved = roundTrip(file, index);
    expect(moved.file.readable).toBe(false);
    expect(moved.file.value).toBeUndefined();
  });
});

describe("loading a large split spec", () => {
  const saved = process.env.BRRT_LOAD_THREADS;
  afterEach(() => {
    if (saved === undefined) delete process.env.BRRT_LOAD_THREADS;
    else process.env.BRRT_LOAD_THREADS = saved;
  });

  it("gives the same bundle, files (in the same order), diagnostics and positions with worker threads as without", async () => {
    const entry = path.join(corpus, "digitalocean/specification/DigitalOcean-public.v2.yaml");
    process.env.BRRT_LOAD_THREADS = "0";
    const alone = new SourceIndex();
    const single = await loadAndBundle(entry, alone);
    process.env.BRRT_LOAD_THREADS = "2";
    const shared = new SourceIndex();
    const parallel = await loadAndBundle(entry, shared);

    expect(single.parsedInWorkers).toBe(0);
    // Not all: the main thread parses its share too.
    expect(parallel.parsedInWorkers).toBeGreaterThan(100);
    expect(parallel.parsedInWorkers).toBeLessThan(parallel.files.length);
    expect(parallel.files).toEqual(single.files);
    expect(parallel.diagnostics).toEqual(single.diagnostics);
    expect(JSON.stringify(parallel.document)).toBe(JSON.stringify(single.document));
    expect(positions(parallel.document, shared)).toEqual(positions(single.document, alone));
  }, 120_000);
});
