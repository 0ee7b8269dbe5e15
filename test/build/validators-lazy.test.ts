/**
 * Validator code made on first use (lazy-components.ts, validator-runtime.ts `lazyValidators`):
 * nothing but one function at the module's top level, each validator made when first read and
 * answering exactly as the eager form does; the JSON Schema suite's modules all take the lazy
 * form. (validators-compaction.test.ts compares the lazy DigitalOcean module with ajv's own
 * code on 1.77 M validations; json-schema-suite.test.ts runs the suite through it.)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lazyComponents } from "../../src/build/validators/lazy-components.ts";
import { compileSchemaModule } from "../../src/build/validators/index.ts";
import type { Validator } from "../../src/runtime/compiled-spec.ts";
import { SUITE, suiteFiles } from "./json-schema-suite.ts";
import { importValidators, runtimeImports } from "./validators-harness.ts";

/** A schema with what makes components interesting: shared enums, patterns, a shared $ref, recursion. */
const SCHEMAS = [
  { schema: { type: "object", required: ["region"], properties: { region: { $ref: "#/$defs/region" }, slug: { type: "string", pattern: "^[a-z][a-z0-9-]{0,30}$" } } } },
  { schema: { type: "array", items: { $ref: "#/$defs/region" }, maxItems: 3 } },
  { schema: { $ref: "#/$defs/tree" } },
  { schema: { type: "string", enum: ["nyc", "sfo", "ams", "fra", "lon"] } },
];
const DEFS = {
  region: { type: "string", enum: ["nyc", "sfo", "ams", "fra", "lon"] },
  tree: { type: "object", properties: { name: { type: "string", minLength: 1 }, children: { type: "array", items: { $ref: "#/$defs/tree" } } }, additionalProperties: false },
};
const INPUTS: unknown[] = [
  { region: "nyc" },
  { region: "mars", slug: "Bad Slug" },
  { slug: "ok-1" },
  ["nyc", "lon"],
  ["nyc", "x", "y", "z"],
  { name: "a", children: [{ name: "b", children: [] }, { name: "", extra: 1 }] },
  "sfo",
  "tokyo",
  null,
  42,
];

async function compiled(lazy: boolean): Promise<{ source: string; validators: Record<string, Validator> }> {
  const { imports } = runtimeImports();
  const module = compileSchemaModule({ $defs: DEFS }, SCHEMAS, { imports, lazy });
  return { source: module.source, validators: await importValidators(module.source) };
}

describe("lazy validator modules", () => {
  it("hold one function at the top level and answer exactly as the eager form", async () => {
    const lazy = await compiled(true);
    const eager = await compiled(false);
    const topLevel = lazy.source.split("\n").filter((line) => line !== "" && !line.startsWith("import ") && !line.startsWith("//"));
    expect(topLevel).toHaveLength(2);
    expect(topLevel[0]).toMatch(/^function __brrtMake\(component\) \{switch \(component\) \{case 0: \{/);
    expect(topLevel[1]).toMatch(/^export const validators = __brrt_lazyValidators\(__brrtMake, "/);
    expect(Object.keys(lazy.validators)).toEqual(Object.keys(eager.validators));
    for (const name of Object.keys(eager.validators)) {
      for (const input of INPUTS) {
        const a = lazy.validators[name]!;
        const b = eager.validators[name]!;
        expect(a(input)).toBe(b(input));
        expect(a.errors).toEqual(b.errors);
      }
    }
  });

  it("are a read-only record whose entries are made once, when first read", async () => {
    const { validators } = await compiled(true);
    const [first] = Object.keys(validators);
    expect(first).toBeDefined();
    expect(Object.hasOwn(validators, first!)).toBe(true);
    expect(first! in validators).toBe(true);
    expect(Object.hasOwn(validators, "nope")).toBe(false);
    expect(validators.nope).toBeUndefined();
    expect(validators[first!]).toBe(validators[first!]);
    expect(Object.getOwnPropertyDescriptor(validators, first!)).toMatchObject({ enumerable: true, writable: false });
    expect(() => {
      (validators as Record<string, unknown>)[first!] = () => true;
    }).toThrow(TypeError);
    expect(() => {
      delete (validators as Record<string, unknown>)[first!];
    }).toThrow(TypeError);
    expect({ ...validators }).toEqual(Object.fromEntries(Object.keys(validators).map((k) => [k, validators[k]])));
  });

  it("leave code of a shape they do not know as it is", () => {
    expect(lazyComponents("const a = 1, b = 2;function validate1(data){return a === b;}", ["validate1"], "validator")).toBeUndefined();
    expect(lazyComponents("if (x) { y(); }function validate1(data){return true;}", ["validate1"], "validator")).toBeUndefined();
    expect(lazyComponents("const shared = [];shared.push(1);function validate1(data){return shared.length === 1;}", ["validate1"], "validator")).toBeUndefined();
    expect(lazyComponents("function validate1(data){return true;}", ["validate2"], "validator")).toBeUndefined();
  });

  it("give each component its own copy of the constants it uses and join what calls each other", () => {
    const code = [
      "const enum0 = [\"a\",\"b\"];",
      "const unused = [1];",
      "function validate1(data){return enum0.includes(data);}",
      "function validate2(data){return validate3(data);}",
      "function validate3(data){return enum0.includes(data) || validate2(data.x);}",
      "validate3.evaluated = {props: true};",
    ].join("");
    const lazy = lazyComponents(code, ["validate1", "validate2"], "validator")!;
    expect(lazy.slotOf.get("validate1")).toEqual([0, 0]);
    expect(lazy.slotOf.get("validate2")).toEqual([1, 0]);
    expect(lazy.code).toBe(
      "function __brrtMake(component) {switch (component) {" +
        'case 0: {const enum0 = ["a","b"];function validate1(data){return enum0.includes(data);}return [__brrt_validator(validate1)];}' +
        'case 1: {const enum0 = ["a","b"];function validate2(data){return validate3(data);}function validate3(data){return enum0.includes(data) || validate2(data.x);}validate3.evaluated = {props: true};return [__brrt_validator(validate2)];}' +
        "default: return [];}}",
    );
  });

  it("are the form every JSON Schema suite module takes", () => {
    const { imports } = runtimeImports();
    let lazy = 0;
    let total = 0;
    for (const file of suiteFiles().filter((f) => !f.startsWith("optional/"))) {
      const groups = JSON.parse(readFileSync(path.join(SUITE, "tests/draft2020-12", file), "utf8")) as { schema: unknown }[];
      for (const group of groups) {
        let source: string;
        try {
          source = compileSchemaModule(group.schema, [{ schema: { $ref: "#" } }], { imports, formats: "annotate" }).source;
        } catch {
          continue;
        }
        if (!source.includes("export const validators")) continue;
        total++;
        if (source.includes("__brrt_lazyValidators(__brrtMake")) lazy++;
      }
    }
    // 383 modules (groups needing remote documents are left out here); all lazy when written.
    expect(total).toBeGreaterThan(350);
    expect(lazy).toBe(total);
  });
});
