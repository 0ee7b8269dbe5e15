import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/build/diagnostics.ts";
import { readSpec, readSpecDetailed } from "../../src/build/frontend.ts";

const bad = (name: string) => `test/fixtures/specs/bad/${name}`;
const good = (name: string) => `test/fixtures/specs/good/${name}`;

async function messages(file: string): Promise<string[]> {
  const result = await readSpec(file);
  return result.diagnostics.map(formatDiagnostic);
}

type Obj = Record<string, any>;

describe("refusals: every problem is a file:line:col diagnostic", () => {
  it("reports YAML syntax errors with their position", async () => {
    expect(await messages(bad("yaml-syntax.yaml"))).toEqual([
      "test/fixtures/specs/bad/yaml-syntax.yaml:10:1: YAML: Flow map in block collection must be sufficiently indented and end with a }",
    ]);
  });

  it("reports every OpenAPI 3.0 schema violation, one specific error per place (no oneOf floods)", async () => {
    const f = "test/fixtures/specs/bad/schema-invalid.yaml";
    expect(await messages(bad("schema-invalid.yaml"))).toEqual([
      `${f}:10:11: OpenAPI 3.0 schema: paths["/pets/{petId}"].get.parameters[0]: missing required property "required"`,
      `${f}:15:15: OpenAPI 3.0 schema: paths["/pets/{petId}"].get.parameters[1].in: must be one of: "path", "query", "header", "cookie"`,
      `${f}:21:5: OpenAPI 3.0 schema: paths["/pets/{petId}"].post: missing required property "responses"`,
      `${f}:28:19: OpenAPI 3.0 schema: paths["/pets/{petId}"].post.parameters[0].schema.type: must be one of: "array", "boolean", "integer", "number", "object", "string"`,
      `${f}:29:7: OpenAPI 3.0 schema: paths["/pets/{petId}"].post: unknown property "summery"`,
      `${f}:31:5: OpenAPI 3.0 schema: paths["/owners"].get: missing required property "responses"`,
      `${f}:35:5: OpenAPI 3.0 schema: components.securitySchemes.oauth: missing required property "flows"`,
      `${f}:40:11: OpenAPI 3.0 schema: components.securitySchemes.key.in: must be one of: "header", "query", "cookie"`,
    ]);
  });

  it("validates 3.1 documents against the 3.1 schema", async () => {
    const f = "test/fixtures/specs/bad/schema-invalid-3.1.yaml";
    expect(await messages(bad("schema-invalid-3.1.yaml"))).toEqual([
      `${f}:10:11: OpenAPI 3.1 schema: paths["/pets/{petId}"].get.parameters[0]: missing required property "required"`,
      `${f}:15:15: OpenAPI 3.1 schema: paths["/pets/{petId}"].get.parameters[1].in: must be one of: "query", "header", "path", "cookie"`,
      `${f}:29:7: OpenAPI 3.1 schema: paths["/pets/{petId}"].post: unknown property "summery"`,
      `${f}:35:5: OpenAPI 3.1 schema: components.securitySchemes.oauth: missing required property "flows"`,
      `${f}:40:11: OpenAPI 3.1 schema: components.securitySchemes.key.in: must be one of: "query", "header", "cookie"`,
    ]);
  });

  it("reads JSON with positions too", async () => {
    expect(await messages(bad("schema-invalid.json"))).toEqual([
      `test/fixtures/specs/bad/schema-invalid.json:8:24: OpenAPI 3.1 schema: paths["/pets"].get.responses[200]: missing required property "description"`,
    ]);
  });

  it("refuses duplicate operationIds, naming the first use", async () => {
    expect(await messages(bad("duplicate-operation-id.yaml"))).toEqual([
      `test/fixtures/specs/bad/duplicate-operation-id.yaml:14:20: duplicate operationId "listPets" (also used by GET /pets at test/fixtures/specs/bad/duplicate-operation-id.yaml:8:20)`,
    ]);
  });

  it("refuses template parameters that are not declared and path parameters not in the template", async () => {
    expect(await messages(bad("path-parameters.yaml"))).toEqual([
      `test/fixtures/specs/bad/path-parameters.yaml:7:5: path parameter {petId} of "/pets/{petId}" is not declared for GET`,
      `test/fixtures/specs/bad/path-parameters.yaml:16:11: path parameter "ownerId" is declared but "/owners" has no {ownerId}`,
    ]);
  });

  it("refuses unresolvable $refs at the $ref, naming the target (missing file, missing pointer)", async () => {
    expect(await messages(bad("unresolvable-ref.yaml"))).toEqual([
      `test/fixtures/specs/bad/unresolvable-ref.yaml:11:17: cannot resolve $ref "missing-file.yaml#/Ok": file test/fixtures/specs/bad/missing-file.yaml not found`,
      `test/fixtures/specs/bad/unresolvable-ref.yaml:13:17: cannot resolve $ref "#/components/responses/NotThere": no "components/responses/NotThere" in test/fixtures/specs/bad/unresolvable-ref.yaml`,
    ]);
  });

  it("points into the $ref'd file where a problem is written", async () => {
    const result = await readSpec(bad("split/main.yaml"));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      `test/fixtures/specs/bad/split/parameters.yaml:5:11: cannot resolve $ref "schemas.yaml#/Limit": no "Limit" in test/fixtures/specs/bad/split/schemas.yaml`,
      `test/fixtures/specs/bad/split/paths/pets.yaml:6:5: OpenAPI 3.0 schema: paths["/pets"].get.responses[200]: missing required property "description"`,
    ]);
    expect(result.files).toEqual([
      "test/fixtures/specs/bad/split/main.yaml",
      "test/fixtures/specs/bad/split/paths/pets.yaml",
      "test/fixtures/specs/bad/split/parameters.yaml",
      "test/fixtures/specs/bad/split/schemas.yaml",
    ]);
  });

  it("refuses security requirements naming undefined schemes", async () => {
    expect(await messages(bad("undefined-security-scheme.yaml"))).toEqual([
      `test/fixtures/specs/bad/undefined-security-scheme.yaml:12:11: security requirement names "bearer", which is not in components.securitySchemes`,
    ]);
  });

  it("refuses Swagger 2.0", async () => {
    expect(await messages(bad("unsupported-version.yaml"))).toEqual([
      "test/fixtures/specs/bad/unsupported-version.yaml:1:1: Swagger 2.0 documents are not supported; convert to OpenAPI 3.x",
    ]);
  });

  it("reports a missing entry file instead of throwing", async () => {
    expect(await messages(bad("does-not-exist.yaml"))).toEqual(["test/fixtures/specs/bad/does-not-exist.yaml:1:1: cannot read file"]);
  });

  it("skips a path key with a query string with a warning; the rest still builds", async () => {
    const result = await readSpec(bad("query-in-path.yaml"));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      `test/fixtures/specs/bad/query-in-path.yaml:12:3: warning: path "/responses?beta=true" skipped: "?" starts a query string, which is not part of a path`,
    ]);
    expect(result.operations.map((o) => `${o.method} ${o.path} ${o.operationId}`)).toEqual(["GET /responses listResponses"]);
    expect(result.stats).toEqual({ paths: 1, operations: 1, schemas: 0 });
  });
});

describe("normalisation to OpenAPI 3.1 / JSON Schema 2020-12", () => {
  it("rewrites 3.0 keywords and sets openapi: 3.1.0", async () => {
    const result = await readSpec(good("normalise-3.0.yaml"));
    expect(result.diagnostics).toEqual([]);
    const doc = result.document as Obj;
    expect(doc.openapi).toBe("3.1.0");
    const pet = doc.components.schemas.Pet;
    expect(pet.properties.id).toEqual({ type: "integer", exclusiveMaximum: 100 });
    expect(pet.properties.name).toEqual({ type: ["string", "null"], examples: ["Rex"] });
    expect(pet.properties.kind).toEqual({ type: ["string", "null"], enum: ["cat", "dog", null] });
    expect(pet.properties.owner).toEqual({
      description: "the owner",
      anyOf: [{ allOf: [{ $ref: "#/components/schemas/Owner" }] }, { type: "null" }],
    });
    expect(pet.properties.price).toEqual({ type: "number", minimum: 0 });
    expect(pet.examples).toEqual([{ id: 1, name: "Rex" }]);
    expect(pet.example).toBeUndefined();
    // Parameter schemas too; nullable: false just goes.
    const params = doc.paths["/pets/{petId}"].parameters;
    expect(params[0].schema).toEqual({ type: "integer", exclusiveMinimum: 1 });
    expect(doc.paths["/pets/{petId}"].get.parameters[1].schema).toEqual({ type: "string" });
  });

  it("also normalises a document that says 3.1 but uses 3.0 keywords (the trap)", async () => {
    const result = await readSpec(good("trap-3.1-with-3.0-keywords.yaml"));
    expect(result.diagnostics).toEqual([]);
    const item = (result.document as Obj).components.schemas.Item;
    expect(item.properties.note).toEqual({ type: ["string", "null"] });
    expect(item.properties.score).toEqual({ type: "number", exclusiveMinimum: 0, exclusiveMaximum: 10 });
    expect(item.properties.parent).toEqual({ anyOf: [{ $ref: "#/components/schemas/Item" }, { type: "null" }] });
    expect(() => JSON.stringify(result.document)).not.toThrow();
  });

  it("rewrites refs that walk through keys it moved (nullable wrap, example → examples[0])", async () => {
    const result = await readSpec(good("ref-through-moved.yaml"));
    expect(result.diagnostics).toEqual([]);
    const schemas = (result.document as Obj).components.schemas;
    expect(schemas.Holder.anyOf[1]).toEqual({ type: "null" });
    expect(schemas.Inner).toEqual({ $ref: "#/components/schemas/Holder/anyOf/0/allOf/0/properties/inner" });
    expect(schemas.InnerExample.default).toEqual({ $ref: "#/components/schemas/Holder/anyOf/0/allOf/0/properties/inner/examples/0" });
  });

  it("keeps positions for objects it rewrote or created", async () => {
    const result = await readSpecDetailed(good("normalise-3.0.yaml"));
    const owner = (result.document as Obj).components.schemas.Owner;
    const wrapped = (result.document as Obj).components.schemas.Pet.properties.owner;
    expect(result.index.positionOf(owner)).toEqual({ file: "test/fixtures/specs/good/normalise-3.0.yaml", line: 108, column: 7 });
    expect(result.index.positionOf(wrapped.anyOf[0])).toEqual(result.index.positionOf(wrapped));
    expect(result.index.keyPosition(result.document.components as Obj, "schemas")).toEqual({ file: "test/fixtures/specs/good/normalise-3.0.yaml", line: 78, column: 3 });
  });
});

describe("operation drafts", () => {
  it("merges parameters, defaults style/explode/required, resolves security and extensions", async () => {
    const result = await readSpec(good("normalise-3.0.yaml"));
    const [get, put] = result.operations;
    expect(get!.operationId).toBe("getPet");
    expect(get!.method).toBe("GET");
    expect(get!.parameters.map((p) => [p.name, p.in, p.required, p.style, p.explode])).toEqual([
      ["petId", "path", true, "simple", false],
      ["fields", "query", false, "form", true],
      ["X-Trace", "header", false, "simple", false],
      ["session", "cookie", false, "form", true],
    ]);
    // The operation's petId (a string) wins over the path item's (an integer).
    expect(get!.parameters[0]!.schema).toEqual({ type: "string" });
    expect(get!.security).toEqual([]);
    expect(get!.responses["200"]!.headers).toEqual({ "X-Rate-Limit": { required: true, schema: { type: "integer" } } });
    expect(get!.responses["200"]!.content["application/json"]!.example).toEqual({ id: 1, name: "Rex" });
    expect(get!.source).toEqual({ file: "test/fixtures/specs/good/normalise-3.0.yaml", line: 15, column: 5 });
    expect(get!.pathSource).toEqual({ file: "test/fixtures/specs/good/normalise-3.0.yaml", line: 6, column: 3 });

    expect(put!.operationId).toBe("PUT /pets/{petId}");
    expect(put!.security).toEqual([{ apiKey: [] }]);
    expect(put!.extensions).toEqual({ "x-internal": { team: "pets" } });
    expect(put!.parameters.map((p) => [p.name, p.schema])).toEqual([["petId", { type: "integer", exclusiveMinimum: 1 }]]);

    expect(result.securitySchemes).toEqual({
      apiKey: { type: "apiKey", name: "X-API-Key", in: "header" },
      oauth: { type: "oauth2", scopes: ["read", "write", "admin"] },
    });
  });

  it("takes the first example: media examples (via $ref), then schema examples; resolves request bodies", async () => {
    const result = await readSpec(good("petstore.json"));
    expect(result.diagnostics).toEqual([]);
    const [list, create] = result.operations;
    expect(list!.responses["200"]!.content["application/json"]!.example).toEqual([
      { id: 1, name: "Rex" },
      { id: 2, name: "Tom" },
    ]);
    expect(create!.requestBody!.required).toBe(true);
    expect(create!.requestBody!.content["application/json"]!.example).toEqual({ id: 7, name: "Tom" });
    expect(create!.requestBody!.content["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Pet" });
  });
});

describe("bundling across files", () => {
  it("keeps object identity and positions through ref-parser's bundle; only internal refs remain", async () => {
    const result = await readSpecDetailed(good("split/main.yaml"));
    expect(result.diagnostics).toEqual([]);
    const doc = result.document as Obj;
    // A $ref into a YAML file that is not a schema: the text is inlined.
    expect(doc.info.description).toBe("A small API split across files, like DigitalOcean's.\n");
    // An operation written as `get: { $ref }` and a `properties: { $ref }` are inlined.
    expect(doc.paths["/pets"].get.operationId).toBe("listPets");
    expect(doc.components.schemas.Pet.properties).toEqual({ id: { type: "integer" }, name: { type: "string" } });
    // Objects keep the positions of the file they were written in.
    expect(result.index.positionOf(doc.components.schemas.Pet)).toEqual({ file: "test/fixtures/specs/good/split/schemas.yaml", line: 7, column: 3 });
    expect(result.index.positionOf(doc.components.schemas.Pet.properties)).toEqual({ file: "test/fixtures/specs/good/split/attributes.yaml", line: 2, column: 3 });
    const limit = doc.paths["/pets"].get.parameters[0];
    expect(result.index.keyPosition(limit, "in")).toEqual({ file: "test/fixtures/specs/good/split/parameters.yaml", line: 3, column: 3 });
    const json = JSON.stringify(doc);
    for (const [, ref] of json.matchAll(/"\$ref":"([^"]*)"/g)) expect(ref!.startsWith("#/")).toBe(true);
    expect(result.files).toHaveLength(8);
    expect(result.operations.map((o) => o.operationId)).toEqual(["listPets", "getPet"]);
    const getPet = result.operations[1]!;
    expect(getPet.parameters.map((p) => p.name)).toEqual(["petId"]);
    expect(getPet.responses["default"]!.content["application/json"]!.schema).toEqual({ type: "object", properties: { message: { type: ["string", "null"] } } });
    expect(result.operations[0]!.parameters[0]!.schema).toEqual({ type: "integer", minimum: 1, maximum: 100, examples: [20] });
  });
});
