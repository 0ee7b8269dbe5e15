/**
 * The compacting rewrites of ajv's output (compact-source.ts): they apply where the code has the
 * fixed form they match, leave it alone otherwise, and never change what a validator answers.
 */
import { afterAll, describe, expect, it } from "vitest";
import { compileSchemaModule } from "../../src/build/validators/index.ts";
import { importValidators, removeRuntimeImports, runtimeImports } from "./validators-harness.ts";

afterAll(removeRuntimeImports);

const document = {
  components: {
    schemas: {
      Tag: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
      Node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/components/schemas/Node" } }, label: { type: "string" } } },
      Pet: {
        type: "object",
        required: ["id", "tags"],
        properties: {
          id: { type: "integer" },
          tags: { type: "array", items: { $ref: "#/components/schemas/Tag" } },
          extra: { type: "object", additionalProperties: { $ref: "#/components/schemas/Tag" } },
          tree: { $ref: "#/components/schemas/Node" },
        },
      },
    },
  },
};

async function compile(schema: unknown) {
  const module = compileSchemaModule(document, [{ schema }], { imports: runtimeImports().imports });
  const validators = await importValidators(module.source);
  return { source: module.source, validate: validators[module.names[0]!]! };
}

describe("compacted validators", () => {
  it("pass the instance path as a plain parameter and use the short error helpers", async () => {
    const { source, validate } = await compile({ $ref: "#/components/schemas/Pet" });
    expect(source).not.toMatch(/\b(?:parentData|parentDataProperty|rootData)\b/);
    // Every validator reports to the runtime's one list (the shared error list): a failed call's
    // errors are already on it, nothing to append.
    expect(source).toContain("__brrt_reportTypeError(");
    expect(source).toContain("__brrt_checkRequired(");
    expect(source).toContain("__brrt_listValidator(");
    expect(source).not.toContain("__brrt_concatErrors(");

    expect(validate({ id: 1, tags: [{ name: "a" }], extra: { x: { name: "b" } }, tree: { children: [{ label: "l" }] } })).toBe(true);
    expect(validate({ id: "1", tags: [{}], extra: { "a/b~c": {} }, tree: { children: [{ label: 2 }] } })).toBe(false);
    expect(validate.errors!.map((e) => [e.instancePath, e.keyword, e.params, e.message])).toEqual([
      ["/id", "type", { type: "integer" }, "must be integer"],
      ["/tags/0", "required", { missingProperty: "name" }, "must have required property 'name'"],
      ["/extra/a~1b~0c", "required", { missingProperty: "name" }, "must have required property 'name'"],
      ["/tree/children/0/label", "type", { type: "string" }, "must be string"],
    ]);
  });

  it("keep ajv's options object where a schema needs more than the path (unevaluatedProperties)", async () => {
    const { source, validate } = await compile({ $ref: "#/components/schemas/Pet", unevaluatedProperties: false });
    expect(source).toMatch(/\binstancePath="", parentData/);
    expect(source).toContain("__brrt_concatErrors("); // ajv's own error lists, one per validator
    expect(source).toContain("__brrt_addTypeError(");
    expect(source).toContain("__brrt_validator(");
    expect(validate({ id: 1, tags: [] })).toBe(true);
    expect(validate({ id: 1, tags: [], other: 1 })).toBe(false);
    expect(validate.errors!.map((e) => [e.instancePath, e.keyword])).toEqual([["", "unevaluatedProperties"]]);
  });
});
