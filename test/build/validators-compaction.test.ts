/**
 * The compacting rewrites (compact-source.ts) against ajv's own output, differentially: every
 * module is compiled twice, once as production compacts it and once as ajv wrote it (compaction
 * mocked away), and both answer the same inputs — the same verdict and the same error list
 * (instancePath, keyword, params with their key order, message), in the same order.
 *
 * Inputs: the DigitalOcean API's validators (parameters and request bodies) on every example the
 * spec holds and on seeded mutations of each value a validator accepts (wrong types, out-of-range
 * numbers, missing and extra properties, duplicated items ...), and every group of the JSON
 * Schema Test Suite on its own test data (far more keywords than a real spec uses).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Validator } from "../../src/runtime/compiled-spec.ts";
import { DIGITALOCEAN_ENTRY, loadSpec, type LoadedSpec } from "./validators-corpus.ts";
import { importValidators, removeRuntimeImports, runtimeImports } from "./validators-harness.ts";
import { SUITE, suiteFiles } from "./json-schema-suite.ts";
import { mulberry32 as random } from "../fixtures/seeded-random.ts";

afterAll(removeRuntimeImports);

type Index = typeof import("../../src/build/validators/index.ts");
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let compacting: Index;
let verbatim: Index;

beforeAll(async () => {
  compacting = await import("../../src/build/validators/index.ts");
  vi.resetModules();
  vi.doMock("../../src/build/validators/compact-source.ts", async (importOriginal) => ({
    ...(await importOriginal<typeof import("../../src/build/validators/compact-source.ts")>()),
    compactSource: (code: string) => ({ code, sharedErrorList: false, aliases: new Map() }),
  }));
  verbatim = await import("../../src/build/validators/index.ts");
  vi.doUnmock("../../src/build/validators/compact-source.ts");
});

/** What a caller can observe of one validation, as text (key order included). */
function outcome(validate: Validator, data: unknown): string {
  let verdict: boolean;
  try {
    verdict = validate(data);
  } catch (error) {
    return `threw ${String(error)}`;
  }
  return verdict ? "valid" : JSON.stringify(validate.errors);
}

const REPLACEMENTS: readonly Json[] = [null, true, false, 0, -1, 1.5, 1e12, -2147483649, "", "x", "not a date", "2024-05-01T12:00:00Z", "a".repeat(300), [], [1, "a"], {}, { a: 1 }];

/** Every place in a value, as a path of keys. */
function places(value: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((item, i) => places(item, [...at, i], out));
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) places(item, [...at, key], out);
  return out;
}

function edit(value: Json, at: readonly (string | number)[], change: (node: Json, parent: Json | undefined, key: string | number | undefined) => Json | undefined): Json | undefined {
  const copy = structuredClone(value);
  if (at.length === 0) return change(copy, undefined, undefined);
  let parent = copy as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const key = at[at.length - 1] as string | number;
  const next = change(parent[key] as Json, parent as Json, key);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = next;
  return copy;
}

/** `count` seeded variants of a value, each one change away from it. */
function mutations(value: Json, count: number, next: () => number): Json[] {
  const where = places(value);
  const out: Json[] = [];
  for (let n = 0; n < count; n++) {
    const at = where[Math.floor(next() * where.length)] as (string | number)[];
    const kind = Math.floor(next() * 5);
    const mutated = edit(value, at, (node) => {
      if (kind === 0 && at.length > 0) return undefined; // remove
      if (kind === 1 && node !== null && typeof node === "object" && !Array.isArray(node)) return { ...node, zz_extra: REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)] as Json };
      if (kind === 2 && Array.isArray(node)) return node.length > 0 ? [...node, node[0] as Json] : [null];
      if (kind === 3 && typeof node === "number") return node + (next() < 0.5 ? -1e6 : 1e6);
      if (kind === 3 && typeof node === "string") return node + (next() < 0.5 ? "" : "#".repeat(Math.floor(next() * 80)));
      return REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)] as Json;
    });
    if (mutated !== undefined) out.push(mutated);
  }
  return out;
}

/** Every `example` / `examples[].value` / `default` value in a document. */
function examplesIn(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const item of node) examplesIn(item, out);
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "example" || key === "default") out.push(value as Json);
      if (key === "examples" && value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const example of Object.values(value)) if (example !== null && typeof example === "object" && "value" in example) out.push(example.value as Json);
      }
      examplesIn(value, out);
    }
  }
  return out;
}

describe("compacted validators answer exactly as ajv's own code", () => {
  describe("DigitalOcean", () => {
    let spec: LoadedSpec;
    let compacted: Record<string, Validator>;
    let original: Record<string, Validator>;
    let compactedSource = "";
    let originalSource = "";

    beforeAll(async () => {
      spec = await loadSpec(DIGITALOCEAN_ENTRY);
      const { imports } = runtimeImports();
      const a = compacting.compileValidators(spec.document, spec.operations, { imports, responses: false });
      const b = verbatim.compileValidators(spec.document, spec.operations, { imports, responses: false });
      compactedSource = a.source;
      originalSource = b.source;
      compacted = await importValidators(a.source);
      original = await importValidators(b.source);
    }, 240_000);

    it("the compaction applied (shared error list, no ajv error locals left)", () => {
      expect(originalSource).toMatch(/schemaPath:.*\bparentData\b/s); // ajv's own output, not compacted
      expect(compactedSource).toContain("__brrt_listValidator(");
      expect(compactedSource).not.toMatch(/\blet errors = 0\b|\.errors = vErrors/);
      expect(Object.keys(compacted).sort()).toEqual(Object.keys(original).sort());
    });

    it("same verdicts and error lists on the spec's examples and their mutations", () => {
      const examples = examplesIn(spec.document);
      const next = random(7);
      const names = Object.keys(original).sort();
      let checked = 0;
      let invalid = 0;
      const differences: string[] = [];
      const compare = (name: string, data: Json) => {
        const want = outcome(original[name] as Validator, data);
        const got = outcome(compacted[name] as Validator, data);
        checked++;
        if (want !== "valid") invalid++;
        if (want !== got && differences.length < 5) differences.push(`${name} on ${JSON.stringify(data).slice(0, 200)}\n  ajv:       ${want.slice(0, 400)}\n  compacted: ${got.slice(0, 400)}`);
      };
      for (const name of names) {
        for (const example of examples) {
          compare(name, example);
          if ((original[name] as Validator)(example)) for (const mutant of mutations(example, 15, next)) compare(name, mutant);
        }
      }
      console.log(`DigitalOcean: ${names.length} validators, ${examples.length} examples, ${checked} validations compared (${invalid} invalid)`);
      expect(differences).toEqual([]);
      expect(checked).toBeGreaterThan(500_000);
      expect(invalid).toBeGreaterThan(200_000);
    });
  });

  it("JSON Schema Test Suite: same verdicts and error lists for every group's tests", async () => {
    const { imports } = runtimeImports();
    const remotes: Record<string, unknown> = {};
    const tests = path.join(SUITE, "tests/draft2020-12");
    const differences: string[] = [];
    let checked = 0;
    let shared = 0;
    let groups = 0;
    for (const file of suiteFiles()) {
      const content = JSON.parse(readFileSync(path.join(tests, file), "utf8")) as { description: string; schema: unknown; tests: { data: Json }[] }[];
      for (const group of content) {
        const options = { imports, remotes, formats: file.startsWith("optional/") ? ("assert" as const) : ("annotate" as const) };
        let a, b;
        try {
          a = compacting.compileSchemaModule(group.schema, [{ schema: { $ref: "#" } }], options);
          b = verbatim.compileSchemaModule(group.schema, [{ schema: { $ref: "#" } }], options);
        } catch {
          continue; // not compiled either way (remote refs this test does not load): nothing to compare
        }
        const name = a.names[0];
        if (name === undefined || b.names[0] !== name) continue;
        groups++;
        if (a.source.includes("__brrt_listValidator(")) shared++;
        const [compacted, original] = [(await importValidators(a.source))[name] as Validator, (await importValidators(b.source))[name] as Validator];
        for (const test of group.tests) {
          checked++;
          const want = outcome(original, test.data);
          const got = outcome(compacted, test.data);
          if (want !== got) differences.push(`${file} :: ${group.description} on ${JSON.stringify(test.data)}\n  ajv: ${want}\n  compacted: ${got}`);
        }
      }
    }
    console.log(`JSON Schema Test Suite: ${groups} groups (${shared} with the shared error list), ${checked} validations compared`);
    expect(differences).toEqual([]);
    expect(groups).toBeGreaterThan(300);
    expect(shared).toBeGreaterThan(250);
  }, 300_000);
});
