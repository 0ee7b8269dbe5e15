/**
 * Response schemas as data (src/build/validators/response-schemas.ts) interpreted by
 * @cfworker/json-schema (src/runtime/response-schemas.ts): the same verdicts and the same errors
 * as the ajv validators the request path uses, on small cases and on DigitalOcean's responses.
 */
import { afterAll, describe, expect, it } from "vitest";
import { compileResponseSchemas, unicodePattern } from "../../src/build/validators/response-schemas.ts";
import { compileSchemaModule, compileValidators } from "../../src/build/validators/index.ts";
import type { Validator } from "../../src/runtime/compiled-spec.ts";
import { formats } from "../../src/runtime/formats.ts";
import { ResponseSchemas } from "../../src/runtime/response-schemas.ts";
import { DIGITALOCEAN_ENTRY, loadSpec } from "./validators-corpus.ts";
import { importValidators, removeRuntimeImports, runtimeImports } from "./validators-harness.ts";

afterAll(removeRuntimeImports);

const URI = "https://brrtrouter.invalid/openapi.json";

/** One schema compiled both ways: the interpreted response validator and ajv's (neutral flavour). */
async function both(schema: unknown, document: unknown = {}): Promise<{ interpreted: Validator; generated: Validator }> {
  const data = compileResponseSchemas(document, [schema], { documentUri: URI, writeOnlyInResponses: "refuse" });
  expect(data.failures).toEqual([undefined]);
  const module = compileSchemaModule(document, [{ schema, flavour: "response" }], { imports: runtimeImports().imports });
  const generated = (await importValidators(module.source))[module.names[0]!]!;
  return { interpreted: new ResponseSchemas(data.texts).validator(data.indexes[0]!), generated };
}

/** Sorted, and `oneOf`'s passing branches left unnamed (cfworker only counts them). */
const sorted = (errors: Validator["errors"]) =>
  [...(errors ?? [])]
    .map((e) => (e.keyword === "oneOf" && Array.isArray(e.params.passingSchemas) ? { ...e, params: { passingSchemas: [] } } : e))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

function expectSame(pair: { interpreted: Validator; generated: Validator }, values: readonly unknown[]): void {
  for (const value of values) {
    const verdict = pair.generated(value);
    expect(pair.interpreted(value), JSON.stringify(value)).toBe(verdict);
    // Same errors; the order may differ (cfworker checks `properties` before `additionalProperties`).
    if (!verdict) expect(sorted(pair.interpreted.errors)).toEqual(sorted(pair.generated.errors));
  }
}

describe("response schemas", () => {
  it("range-checks numeric formats exactly as src/runtime/formats.ts does", async () => {
    const values = [0, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, 2 ** 63, -(2 ** 63), 3.4028234663852886e38, 3.5e38, Number.MAX_VALUE, "12"];
    for (const format of ["int32", "int64", "float", "double"] as const) {
      const { interpreted } = await both({ format });
      const check = formats[format] as { validate: (n: number) => boolean };
      for (const value of values) {
        const expected = typeof value !== "number" || check.validate(value);
        expect(interpreted(value), `${format} ${value}`).toBe(expected);
        if (!expected) expect(interpreted.errors).toEqual([{ instancePath: "", keyword: "format", params: { format }, message: `must match format "${format}"` }]);
      }
    }
  });

  it("checks string formats with our checks, not cfworker's, and ignores unknown ones", async () => {
    expectSame(await both({ type: "string", format: "date-time" }), ["2024-02-29T10:00:00Z", "2024-02-29 10:00:00Z", "2024-02-29T10:00:00"]);
    expectSame(await both({ type: "string", format: "byte" }), ["aGk=", "a"]);
    expectSame(await both({ type: "string", format: "uri-reference" }), ["\\\\not a uri"]);
    expectSame(await both({ type: "string", format: "time" }), ["10:00:00", "10:00:00+01:00"]);
  });

  it("refuses writeOnly properties and reports them as ajv's keyword did", async () => {
    const document = { components: { schemas: { Secret: { type: "string", writeOnly: true } } } };
    const schema = { type: "object", properties: { id: { type: "integer" }, secret: { $ref: "#/components/schemas/Secret" }, pin: { type: "string", writeOnly: true } } };
    const pair = await both(schema, document);
    expectSame(pair, [{ id: 1 }, { id: 1, secret: "s" }, { pin: "1", secret: "x" }]);
    expect(pair.interpreted({ pin: "1" })).toBe(false);
    expect(pair.interpreted.errors).toEqual([{ instancePath: "/pin", keyword: "writeOnly", params: {}, message: "must not be present in a response (writeOnly)" }]);
  });

  it("reports the keywords' params as ajv does", async () => {
    const schema = {
      type: "object",
      required: ["a", "b"],
      properties: {
        a: { type: ["string", "null"], maxLength: 2, pattern: "^x" },
        n: { type: "number", minimum: 1, exclusiveMaximum: 5, multipleOf: 2 },
        e: { enum: ["p", "q"] },
        c: { const: 3 },
        l: { type: "array", minItems: 2, uniqueItems: true, items: { type: "integer" } },
        o: { oneOf: [{ type: "integer" }, { type: "number" }] },
        any: { anyOf: [{ type: "integer" }, { type: "boolean" }] },
        not: { not: { type: "string" } },
      },
      additionalProperties: false,
    };
    expectSame(await both(schema), [
      { a: "yyy", b: 1 },
      { a: 3, n: 0.5, e: "r", c: 4, l: [1, 1], o: 1, any: "s", not: "s", z: true },
      { b: 1, n: 6, l: ["x"] },
      { a: null, b: 2, n: 3 },
    ]);
  });

  it("rewrites patterns the u flag rejects to the same pattern without needless escapes", () => {
    expect(unicodePattern("^[a-z]+$")).toBe("^[a-z]+$");
    expect(unicodePattern("^[a-z\\:]+\\:\\d$")).toBe("^[a-z:]+:\\d$");
    expect(unicodePattern("^a\\-b[\\-x]$")).toBe("^a-b[\\-x]$");
    expect(unicodePattern("\\p{Nope}")).toBeUndefined();
  });

  it("fails an entry whose references do not resolve, and only that entry", () => {
    const data = compileResponseSchemas({}, [{ $ref: "#/components/schemas/Missing" }, { type: "string" }], { documentUri: URI, writeOnlyInResponses: "refuse" });
    expect(data.failures[0]).toMatch(/Missing|resolve/);
    expect(data.indexes[0]).toBeUndefined();
    expect(data.failures[1]).toBeUndefined();
    expect(data.indexes[1]).toBeDefined();
  });

  it("agrees with ajv on DigitalOcean's response examples and broken variants of them", async () => {
    const spec = await loadSpec(DIGITALOCEAN_ENTRY);
    const compiled = compileValidators(spec.document, spec.operations, { imports: runtimeImports().imports });
    expect(compiled.diagnostics).toEqual([]);
    const schemas = new ResponseSchemas(compiled.responseSchemas);
    const cases: { schema: unknown; index: number; example: unknown }[] = [];
    spec.operations.forEach((op, i) => {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [range, media] of Object.entries(response.content)) {
          const meta = compiled.operations[i]!.responses[status]!.content[range]!;
          if (meta.schema !== undefined && meta.example !== undefined) cases.push({ schema: media.schema, index: meta.schema, example: meta.example });
        }
      }
    });
    const generated = compileSchemaModule(spec.document, cases.map((c) => ({ schema: c.schema, flavour: "response" as const })), { imports: runtimeImports().imports });
    const ajv = await importValidators(generated.source);
    let invalid = 0;
    cases.forEach((c, i) => {
      const pair = { interpreted: schemas.validator(c.index), generated: ajv[generated.names[i]!]! };
      const bodies: unknown[] = [c.example];
      if (typeof c.example === "object" && c.example !== null && !Array.isArray(c.example)) {
        const example = c.example as Record<string, unknown>;
        for (const key of Object.keys(example).slice(0, 3)) {
          bodies.push({ ...example, [key]: typeof example[key] === "number" ? "x" : 12345 });
          const { [key]: _dropped, ...rest } = example;
          bodies.push(rest);
        }
      }
      for (const body of bodies) if (!pair.generated(body)) invalid++;
      expectSame(pair, bodies);
    });
    console.log(`DigitalOcean responses: ${compiled.responseSchemas.length} schemas, ${compiled.stats.responseSchemaBytes} bytes; ${cases.length} examples checked both ways, ${invalid} bodies invalid`);
    expect(cases.length).toBeGreaterThan(300);
    expect(invalid).toBeGreaterThan(300);
  }, 180_000);
});
