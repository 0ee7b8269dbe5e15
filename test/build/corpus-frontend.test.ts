import path from "node:path";
import { describe, expect, it } from "vitest";
import { collectRefs } from "../../src/build/bundle.ts";
import { formatDiagnostic } from "../../src/build/diagnostics.ts";
import { readSpecDetailed } from "../../src/build/frontend.ts";
import { resolveInternal } from "../../src/build/spec-refs.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");

/** Every $ref left is internal and resolves inside the document. */
function expectSelfContained(document: Record<string, unknown>): void {
  const refs = collectRefs(document);
  const broken = refs.filter(({ holder }) => !holder.$ref.startsWith("#/") || resolveInternal(document, holder.$ref, false) === undefined);
  expect(broken.map(({ holder, path: at }) => `${at.join("/")}: ${holder.$ref}`)).toEqual([]);
}

describe("real-world corpus", () => {
  it("DigitalOcean (3.0, ~2,850 files) loads with no errors, 658 operations, in a few seconds", async () => {
    const entry = path.join(corpus, "digitalocean/specification/DigitalOcean-public.v2.yaml");
    const result = await readSpecDetailed(entry);
    const ms = Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)]));
    console.log(`DigitalOcean front end: ${JSON.stringify(ms)} ms; ${result.files.length} files; ${JSON.stringify(result.stats)}`);

    expect(result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic)).toEqual([]);
    // The one path key that is not a path is skipped with a warning.
    expect(result.diagnostics.map((d) => d.message)).toEqual([`path "/<upload_url>" skipped: "<" is not allowed in a URL path`]);
    expect(result.files.length).toBe(2850);
    expect(result.stats).toEqual({ paths: 444, operations: 658, schemas: 0 });
    expect(new Set(result.operations.map((o) => o.operationId)).size).toBe(658);
    expect(result.document.openapi).toBe("3.1.0");
    expect(() => JSON.stringify(result.document)).not.toThrow();
    expectSelfContained(result.document);
    // No 3.0-only keywords survive normalisation.
    const json = JSON.stringify(result.document);
    expect(json).not.toContain('"nullable":');
    expect(json).not.toMatch(/"exclusiveM(in|ax)imum":(true|false)/);
    // A $ref into a YAML file that is not a schema (description.yml#/introduction) is inlined text.
    const tags = result.document.tags as { name: string; description: unknown }[];
    expect(typeof tags[0]!.description).toBe("string");
    // Generous bound: the machine is shared; the figure above is what to watch.
    expect(result.timings.total).toBeLessThan(30_000);
  }, 60_000);

  const examples: [file: string, operations: number, paths: number, schemas: number][] = [
    ["api-with-examples.yaml", 2, 2, 0],
    ["callback-example.yaml", 1, 1, 0],
    ["link-example.yaml", 6, 6, 3],
    ["petstore-expanded.yaml", 4, 2, 3],
    ["petstore.yaml", 3, 2, 3],
    ["uspto.yaml", 3, 3, 1],
  ];
  for (const [file, operations, paths, schemas] of examples) {
    it(`OAI example ${file} loads with no diagnostics and ${operations} operations`, async () => {
      const result = await readSpecDetailed(path.join(corpus, "oai-examples", file));
      console.log(`${file}: ${Math.round(result.timings.total)} ms`);
      expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
      expect(result.stats).toEqual({ paths, operations, schemas });
      expect(() => JSON.stringify(result.document)).not.toThrow();
      expectSelfContained(result.document);
    });
  }
});
