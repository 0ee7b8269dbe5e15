/**
 * Generated validators inside workerd: the module `brrt build` emits (here for
 * test/fixtures/validators-spec.ts, written by test/fixtures/gen-validators.ts before the run)
 * loads and validates where code generation from strings is forbidden.
 */
import { describe, expect, it } from "vitest";
import { operations, responseSchemas, validators } from "../../generated/test-validators/index.js";
import type { OperationMeta, Validator } from "../../src/runtime/compiled-spec.ts";
import { ResponseSchemas } from "../../src/runtime/response-schemas.ts";

const op = (id: string): OperationMeta => operations.find((o) => o.operationId === id) as OperationMeta;
const validator = (name: string | undefined): Validator => validators[name as string] as Validator;
/** Response schemas are data, interpreted by @cfworker/json-schema (no eval either). */
const schemas = new ResponseSchemas(responseSchemas);
const responseValidator = (index: number | undefined): Validator => schemas.validator(index as number);

describe("generated validators in workerd", () => {
  it("validates without eval or the Function constructor", () => {
    // The test pool itself allows code generation (deployed Workers do not), so poison both while
    // every validator runs, on valid and invalid input.
    const original = { eval: globalThis.eval, Function: globalThis.Function };
    const refuse = (): never => {
      throw new EvalError("code generation from strings disallowed");
    };
    globalThis.eval = refuse as typeof eval;
    globalThis.Function = new Proxy(original.Function, { construct: refuse, apply: refuse });
    try {
      const interpreted = responseSchemas.map((_, index) => schemas.validator(index));
      for (const validate of [...Object.values(validators), ...interpreted]) {
        for (const input of [{}, [], "x", 1, null, { id: 1, name: "Rex", next: { value: "x" } }]) expect(typeof validate(input)).toBe("boolean");
      }
    } finally {
      globalThis.eval = original.eval;
      globalThis.Function = original.Function;
    }
    expect(Object.keys(validators).length).toBeGreaterThan(5);
  });

  it("validates a request body: types, formats, lengths, readOnly refused", () => {
    const body = validator(op("createPet").requestBody!.content["application/json"]!.validator);
    expect(body({ name: "Rex", born: "2024-02-29", tag: "a:b" })).toBe(true);
    expect(body({ name: "", born: "2023-02-29", id: 3 })).toBe(false);
    expect(body.errors).toEqual([
      { instancePath: "/id", keyword: "readOnly", params: {}, message: "must not be present in a request (readOnly)" },
      { instancePath: "/name", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters" },
      { instancePath: "/born", keyword: "format", params: { format: "date" }, message: 'must match format "date"' },
    ]);
  });

  it("validates parameters and response headers", () => {
    const limit = validator(op("listPets").parameters[0]!.validator);
    expect(limit(20)).toBe(true);
    expect(limit(2 ** 31)).toBe(false);
    expect(limit.errors![0]).toMatchObject({ keyword: "format", params: { format: "int32" } });
    expect(limit(0)).toBe(false);
    expect(limit.errors![0]).toMatchObject({ keyword: "minimum", message: "must be >= 1" });
    const total = responseValidator(op("listPets").responses["200"]!.headers["X-Total"]!.schema);
    expect(total(3)).toBe(true);
    expect(total("3")).toBe(false);
  });

  it("validates a response: writeOnly refused, recursion, odd $ref, missing property named", () => {
    const pet = responseValidator(op("getPet").responses["200"]!.content["application/json"]!.schema);
    expect(pet({ id: 1, name: "Rex" })).toBe(true);
    expect(pet({ id: 1, name: "Rex", secret: "x" })).toBe(false);
    expect(pet.errors![0]).toMatchObject({ instancePath: "/secret", keyword: "writeOnly" });
    expect(pet({ id: 1 })).toBe(false);
    expect(pet.errors).toEqual([{ instancePath: "", keyword: "required", params: { missingProperty: "name" }, message: "must have required property 'name'" }]);

    const walk = op("walk");
    const nodes = validator(walk.requestBody!.content["application/json"]!.validator);
    expect(nodes({ value: 1, next: { value: 2, next: { value: "x" } } })).toBe(false);
    expect(nodes.errors![0]!.instancePath).toBe("/next/next/value");
    const odd = responseValidator(walk.responses["200"]!.content["application/json"]!.schema);
    expect(odd({ id: "2eb8aa08-aa98-11ea-b4aa-73b441d16380" })).toBe(true);
    expect(odd({ id: "2eb8aa08" })).toBe(false);
  });

  it("keeps errors bounded for a huge invalid body", () => {
    const list = responseValidator(op("listPets").responses["200"]!.content["application/json"]!.schema);
    expect(list(Array.from({ length: 10_000 }, () => ({ name: 1 })))).toBe(false);
    expect(list.errors).toHaveLength(20);
  });
});
