/**
 * The one-walk name counts under ajv's code optimisation (ajv-name-counts.ts) must equal ajv's
 * own for every function it generates, and leave ajv's CodeGen as it was outside the compile.
 */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CodeGen } from "ajv/dist/compile/codegen/index.js";
import { FAST_NAME_COUNTS, nameCountCheck, withFastNameCounts } from "../../src/build/validators/ajv-name-counts.ts";
import { compileSchemaModule, compileValidators } from "../../src/build/validators/index.ts";
import { readSpec } from "../../src/build/frontend.ts";

afterAll(() => {
  nameCountCheck.enabled = false;
});

describe("ajv name counts in one walk", () => {
  it("are in use with the installed ajv (re-check the mirrored getters before widening the version range)", () => {
    expect(FAST_NAME_COUNTS).toBe(true);
  });

  it("patch CodeGen only while a compile runs, also when it throws", () => {
    const original = CodeGen.prototype.optimize;
    expect(() =>
      withFastNameCounts(() => {
        expect(CodeGen.prototype.optimize).not.toBe(original);
        throw new Error("compile failed");
      }),
    ).toThrow("compile failed");
    expect(CodeGen.prototype.optimize).toBe(original);
  });

  it("equal ajv's own counts for every generated function: loops, conditions, recursion, formats", () => {
    nameCountCheck.enabled = true;
    Object.assign(nameCountCheck, { checked: 0, mismatched: 0, firstMismatch: undefined });
    const document = {
      $defs: {
        node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/node" } }, id: { type: "integer", minimum: 1 } } },
      },
      type: "object",
      required: ["a"],
      properties: {
        a: { oneOf: [{ type: "string", format: "date" }, { type: "array", prefixItems: [{ const: 1 }], items: { enum: ["x", "y"] }, contains: { type: "number" } }] },
        b: { if: { minLength: 2 }, then: { pattern: "^a" }, else: { maxLength: 0 } },
        c: { $ref: "#/$defs/node" },
        d: { patternProperties: { "^x-": { type: "boolean" } }, additionalProperties: false, propertyNames: { maxLength: 9 }, dependentRequired: { p: ["q"] } },
        e: { anyOf: [{ multipleOf: 3 }, { not: { uniqueItems: true } }], unevaluatedProperties: false },
      },
    };
    const module = compileSchemaModule(document, [{ schema: { $ref: "#" } }]);
    expect(module.names[0]).toBeDefined();
    expect(nameCountCheck.checked).toBeGreaterThan(0);
    expect(nameCountCheck.firstMismatch).toBeUndefined();
    expect(nameCountCheck.mismatched).toBe(0);
  });

  it("equal ajv's own counts for all of DigitalOcean's validators", async () => {
    const spec = await readSpec(path.resolve(process.cwd(), "../shared/corpus/digitalocean/specification/DigitalOcean-public.v2.yaml"));
    nameCountCheck.enabled = true;
    Object.assign(nameCountCheck, { checked: 0, mismatched: 0, firstMismatch: undefined });
    compileValidators(spec.document, spec.operations, { responses: false });
    expect(nameCountCheck.checked).toBeGreaterThan(200);
    expect(nameCountCheck.firstMismatch).toBeUndefined();
    expect(nameCountCheck.mismatched).toBe(0);
  }, 60_000);
});
