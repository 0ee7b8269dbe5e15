/**
 * The validator compiler on a small spec: generated code imported and run in Node, as emitted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSchemaModule, compileValidators, shapeOf, type CompiledValidators } from "../../src/build/validators/index.ts";
import type { OperationMeta, Validator } from "../../src/runtime/compiled-spec.ts";
import { ResponseSchemas } from "../../src/runtime/response-schemas.ts";
import { document, operations } from "../fixtures/validators-spec.ts";
import { importValidators, removeRuntimeImports, runtimeImports } from "./validators-harness.ts";

afterAll(removeRuntimeImports);

const byId = (ops: readonly OperationMeta[], id: string): OperationMeta => ops.find((op) => op.operationId === id) as OperationMeta;

describe("compileValidators", () => {
  let compiled: CompiledValidators;
  let validators: Record<string, Validator>;
  let responseSchemas: ResponseSchemas;
  const v = (name: string | undefined): Validator => {
    expect(name).toBeDefined();
    return validators[name as string] as Validator;
  };
  /** A response schema's validator (interpreted, see src/runtime/response-schemas.ts). */
  const r = (index: number | undefined): Validator => {
    expect(index).toBeDefined();
    return responseSchemas.validator(index as number);
  };

  beforeAll(async () => {
    compiled = compileValidators(document, operations, { imports: runtimeImports().imports });
    validators = await importValidators(compiled.source);
    responseSchemas = new ResponseSchemas(compiled.responseSchemas);
  });

  it("emits an ES module with no eval, no Function constructor and no require", () => {
    expect(compiled.source).not.toMatch(/\beval\(|new Function|\bFunction\(|require\(/);
    expect(compiled.source).toMatch(/^import /);
    expect(compiled.source).toMatch(/export const validators = /);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.stats.validators).toBe(Object.keys(validators).length);
    expect(compiled.stats.bytes).toBe(Buffer.byteLength(compiled.source));
  });

  it("fills index, validator names and shapes into the operations", () => {
    expect(compiled.operations.map((op) => op.index)).toEqual(operations.map((_, i) => i));
    const list = byId(compiled.operations, "listPets");
    const limit = list.parameters[0]!;
    expect(limit.shape).toEqual({ type: "integer" });
    expect(limit.default).toBe(20); // through the $ref
    expect(list.parameters[1]!.shape).toEqual({ type: "array", items: { type: "string" } });
    expect(list.parameters[2]!.shape).toEqual({ type: "union", options: [{ type: "integer" }, { type: "null" }] });
    expect(list.responses["200"]!.headers["X-Total"]).toEqual({ required: true, schema: expect.any(Number) });
    // No schema constraints, opaque media type: no validator.
    expect(byId(compiled.operations, "anything").requestBody!.content["application/json"]!.validator).toBeUndefined();
    const upload = byId(compiled.operations, "uploadPhoto").requestBody!.content;
    expect(upload["application/octet-stream"]!.validator).toBeUndefined();
    expect(upload["multipart/form-data"]!.shape).toEqual({ type: "object", properties: { file: { type: "string" }, caption: { type: "string" } }, additional: { type: "any" } });
    expect(byId(compiled.operations, "createPet").requestBody!.content["application/json"]!.example).toEqual({ name: "Rex" });
  });

  it("compiles a schema shared by many operations once", () => {
    const names = (id: string) => {
      const op = byId(compiled.operations, id);
      return Object.values(op.responses).flatMap((response) => Object.values(response.content).map((m) => m.schema));
    };
    // createPet 201 and getPet 200 both answer a Pet: one validator.
    expect(names("createPet")[0]).toBe(names("getPet")[0]);
    // Fifty more operations using Pet add table entries, not code.
    const many = Array.from({ length: 50 }, (_, i) => ({ ...operations[1]!, operationId: `createPet${i}` }));
    const bigger = compileValidators(document, [...operations, ...many], { imports: runtimeImports().imports });
    expect(bigger.stats.bytes).toBe(compiled.stats.bytes);
    expect(bigger.responseSchemas).toEqual(compiled.responseSchemas);
  });

  it("refuses readOnly properties in requests and writeOnly ones in responses, and requires neither there", () => {
    const request = v(byId(compiled.operations, "createPet").requestBody!.content["application/json"]!.validator);
    expect(request({ name: "Rex", secret: "s" })).toBe(true); // id is required, but read-only
    expect(request({ id: 1, name: "Rex" })).toBe(false);
    expect(request.errors).toEqual([{ instancePath: "/id", keyword: "readOnly", params: {}, message: "must not be present in a request (readOnly)" }]);

    const response = r(byId(compiled.operations, "getPet").responses["200"]!.content["application/json"]!.schema);
    expect(response({ id: 1, name: "Rex" })).toBe(true);
    expect(response({ id: 1, name: "Rex", secret: "s" })).toBe(false);
    expect(response.errors![0]).toMatchObject({ instancePath: "/secret", keyword: "writeOnly" });
    // A schema without readOnly/writeOnly needs no variant: the shared list response is plain.
    expect(response({ name: "Rex" })).toBe(false);
  });

  it("can allow readOnly in requests and writeOnly in responses", async () => {
    const allowing = compileValidators(document, operations, { imports: runtimeImports().imports, readOnlyInRequests: "allow", writeOnlyInResponses: "allow" });
    const loaded = await importValidators(allowing.source);
    const request = loaded[byId(allowing.operations, "createPet").requestBody!.content["application/json"]!.validator!]!;
    expect(request({ id: 1, name: "Rex" })).toBe(true);
    expect(request({ name: "Rex" })).toBe(false); // and `required` stays as written
    const response = new ResponseSchemas(allowing.responseSchemas).validator(byId(allowing.operations, "getPet").responses["200"]!.content["application/json"]!.schema!);
    expect(response({ id: 1, name: "Rex", secret: "s" })).toBe(true);
    expect(allowing.responseSchemas.join("\n")).not.toContain("writeOnly"); // no variants
  });

  it("reports errors in ajv's shape, messages included (response schemas too)", () => {
    const response = r(byId(compiled.operations, "getPet").responses["200"]!.content["application/json"]!.schema);
    expect(response({ id: "one", name: "", extra: true })).toBe(false);
    expect(response.errors).toEqual([
      { instancePath: "/id", keyword: "type", params: { type: "integer" }, message: "must be integer" },
      { instancePath: "/name", keyword: "minLength", params: { limit: 1 }, message: "must NOT have fewer than 1 characters" },
      { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "extra" }, message: "must NOT have additional properties" },
    ]);
    expect(response({ id: 1 })).toBe(false);
    // ajv's shape exactly: the object lacking the property, which params name (the request stage
    // turns that into a pointer at the missing property).
    expect(response.errors).toEqual([{ instancePath: "", keyword: "required", params: { missingProperty: "name" }, message: "must have required property 'name'" }]);
    expect(response({ id: 1, name: "Rex" })).toBe(true);
    expect(response.errors).toBeNull();
  });

  it("keeps at most 20 errors", () => {
    const list = r(byId(compiled.operations, "listPets").responses["200"]!.content["application/json"]!.schema);
    expect(list(Array.from({ length: 100 }, () => ({})))).toBe(false);
    expect(list.errors).toHaveLength(20);
    expect(list.errors![19]).toMatchObject({ instancePath: "/9", params: { missingProperty: "name" } });
  });

  it("validates a property named `example` while ignoring example values carrying $id", () => {
    const response = r(byId(compiled.operations, "getPet").responses["200"]!.content["application/json"]!.schema);
    expect(response({ id: 1, name: "Rex", example: 3 })).toBe(true);
    expect(response({ id: 1, name: "Rex", example: "3" })).toBe(false);
    expect(response.errors![0]!.instancePath).toBe("/example");
  });

  it("follows odd pointers into the document and recursive schemas", () => {
    const walk = byId(compiled.operations, "walk");
    const odd = r(walk.responses["200"]!.content["application/json"]!.schema);
    expect(odd({ id: "2eb8aa08-aa98-11ea-b4aa-73b441d16380" })).toBe(true);
    expect(odd({ id: "not-a-uuid" })).toBe(false);
    expect(odd.errors![0]).toMatchObject({ instancePath: "/id", keyword: "format", params: { format: "uuid" }, message: 'must match format "uuid"' });
    const nodes = v(walk.requestBody!.content["application/json"]!.validator);
    expect(nodes({ value: 1, next: { value: 2, next: { value: 3 } } })).toBe(true);
    expect(nodes({ value: 1, next: { value: 2, next: { value: "3" } } })).toBe(false);
    expect(nodes.errors![0]!.instancePath).toBe("/next/next/value");
  });

  it("checks OpenAPI and string formats, range-checks int32, ignores unknown formats", async () => {
    const limit = v(byId(compiled.operations, "listPets").parameters[0]!.validator);
    expect(limit(2 ** 31 - 1)).toBe(true);
    expect(limit(2 ** 31)).toBe(false);
    expect(limit.errors![0]).toMatchObject({ keyword: "format", params: { format: "int32" } });
    const response = r(byId(compiled.operations, "getPet").responses["200"]!.content["application/json"]!.schema);
    expect(response({ id: 1, name: "Rex", born: "2024-02-29" })).toBe(true);
    expect(response({ id: 1, name: "Rex", born: "2023-02-29" })).toBe(false);
    const unknown = compileSchemaModule({}, [{ schema: { type: "string", format: "no-such-format" } }], { imports: runtimeImports().imports });
    expect(unknown.failures).toEqual([undefined]);
    expect((await importValidators(unknown.source))[unknown.names[0]!]!("anything")).toBe(true);
  });

  it("compiles patterns that the u flag rejects", () => {
    const tags = v(byId(compiled.operations, "listPets").parameters[1]!.validator);
    expect(tags(["a:b", "c"])).toBe(true);
    expect(tags(["A"])).toBe(false);
  });

  it("accepts file parts of form bodies as they come", () => {
    const form = v(byId(compiled.operations, "uploadPhoto").requestBody!.content["multipart/form-data"]!.validator);
    expect(form({ file: new Uint8Array(3), caption: "hi" })).toBe(true);
    expect(form({ caption: "too long" })).toBe(false);
    expect(form.errors!.map((e) => [e.instancePath, e.keyword])).toEqual([
      ["", "required"],
      ["/caption", "maxLength"],
    ]);
  });

  it("reports a schema it cannot compile as a warning and leaves that location unvalidated", async () => {
    const broken = compileValidators(
      document,
      [{ ...operations[1]!, requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Missing" }, source: { file: "x.yaml", line: 7, column: 3 } } } } }, operations[2]!],
      { imports: runtimeImports().imports },
    );
    expect(broken.diagnostics).toEqual([expect.objectContaining({ file: "x.yaml", line: 7, column: 3, severity: "warning", message: expect.stringContaining("createPet request body application/json: schema not validated") })]);
    expect(broken.operations[0]!.requestBody!.content["application/json"]!.validator).toBeUndefined();
    const loaded = await importValidators(broken.source);
    expect(loaded[broken.operations[1]!.parameters[0]!.validator!]!(1)).toBe(true);
  });

  it("resolves $id, $anchor and relative references inside an OpenAPI 3.1 document", async () => {
    const doc = {
      openapi: "3.1.0",
      components: {
        schemas: {
          Money: {
            $id: "https://example.com/schemas/money",
            type: "object",
            required: ["amount"],
            properties: { amount: { $ref: "#/$defs/amount" }, currency: { $ref: "currency" } },
            $defs: { amount: { $anchor: "amount", type: "integer", minimum: 0 } },
          },
          Currency: { $id: "https://example.com/schemas/currency", type: "string", enum: ["EUR", "USD"] },
        },
      },
    };
    const result = compileSchemaModule(
      doc,
      [{ schema: { $ref: "https://example.com/schemas/money" } }, { schema: { $ref: "https://example.com/schemas/money#amount" } }, { schema: { $ref: "#/components/schemas/Currency" } }],
      { imports: runtimeImports().imports },
    );
    expect(result.failures).toEqual([undefined, undefined, undefined]);
    const loaded = await importValidators(result.source);
    const [money, amount, currency] = result.names.map((name) => loaded[name!]!);
    expect(money!({ amount: 5, currency: "EUR" })).toBe(true);
    expect(money!({ amount: -1, currency: "GBP" })).toBe(false);
    expect(money!.errors!.map((e) => [e.instancePath, e.keyword])).toEqual([
      ["/amount", "minimum"],
      ["/currency", "enum"],
    ]);
    expect(amount!(3)).toBe(true);
    expect(currency!("USD")).toBe(true);
    expect(result.source).not.toContain("example.com"); // references are resolved at build time
  });

  it("can leave response schemas out", () => {
    const lean = compileValidators(document, operations, { imports: runtimeImports().imports, responses: false });
    expect(lean.stats.bytes).toBe(compiled.stats.bytes); // response schemas are data, not code
    expect(lean.responseSchemas).toEqual([]);
    expect(compiled.responseSchemas.length).toBeGreaterThan(0);
    const getPet = byId(lean.operations, "getPet");
    expect(getPet.responses["200"]!.content["application/json"]!.validator).toBeUndefined();
    expect(getPet.responses["200"]!.content["application/json"]!.schema).toBeUndefined();
    expect(getPet.parameters[0]!.validator).toBeDefined();
  });
});

describe("shapeOf", () => {
  const doc = {
    components: {
      schemas: {
        Id: { $ref: "#/components/schemas/Number" },
        Number: { type: "number" },
        Loop: { $ref: "#/components/schemas/Loop" },
        Tree: { type: "object", properties: { child: { $ref: "#/components/schemas/Tree" } } },
      },
    },
  };
  it("resolves $refs and treats a cycle as any", () => {
    expect(shapeOf({ $ref: "#/components/schemas/Id" }, doc)).toEqual({ type: "number" });
    expect(shapeOf({ $ref: "#/components/schemas/Loop" }, doc)).toEqual({ type: "any" });
    const tree = shapeOf({ $ref: "#/components/schemas/Tree" }, doc);
    expect(tree).toEqual({ type: "object", properties: { child: { type: "any" } }, additional: { type: "any" } });
  });
  it("reads type lists, allOf, oneOf and enums", () => {
    expect(shapeOf({ type: ["string", "null"] }, doc)).toEqual({ type: "union", options: [{ type: "string" }, { type: "null" }] });
    expect(shapeOf({ allOf: [{ type: "object", properties: { a: { type: "integer" } } }, { properties: { b: { type: "boolean" } } }] }, doc)).toEqual({
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "boolean" } },
      additional: { type: "any" },
    });
    expect(shapeOf({ oneOf: [{ type: "integer" }, { type: "string" }] }, doc)).toEqual({ type: "union", options: [{ type: "integer" }, { type: "string" }] });
    expect(shapeOf({ enum: [1, 2] }, doc)).toEqual({ type: "integer" });
    expect(shapeOf({ enum: ["a", 1.5] }, doc)).toEqual({ type: "union", options: [{ type: "string" }, { type: "number" }] });
    expect(shapeOf({ type: "array", items: { type: "integer" } }, doc)).toEqual({ type: "array", items: { type: "integer" } });
    expect(shapeOf(true, doc)).toEqual({ type: "any" });
    expect(shapeOf({ type: "object", additionalProperties: { type: "integer" } }, doc)).toEqual({ type: "object", properties: {}, additional: { type: "integer" } });
  });
});
