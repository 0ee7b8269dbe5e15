// The OpenAPI schema check from precompiled modules (ajv standalone code, as scripts/build-cli.mjs
// writes into dist/build/) must report exactly what the check compiled at run time reports.
import { createRequire } from "node:module";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { openApiAjv, openApiCheckIsPrecompiled, openApiSchemaFor, precompiledCheckFile, usePrecompiledOpenApiChecks, type OpenApiLine } from "../../src/build/check.ts";
import { openApiCheckModuleSource, writePrecompiledOpenApiChecks } from "../../src/build/check-precompile.ts";
import { formatDiagnostic } from "../../src/build/diagnostics.ts";
import { readSpecDetailed } from "../../src/build/frontend.ts";

const fixtures = path.resolve(process.cwd(), "test/fixtures/specs");
const require = createRequire(import.meta.url);
// Inside the checkout (git-ignored .tmp/), so the generated modules resolve ajv's runtime helpers
// from node_modules/ as they do from dist/build/.
const scratch = path.resolve(process.cwd(), ".tmp");

let directory: string;

beforeAll(async () => {
  await mkdir(scratch, { recursive: true });
  directory = await mkdtemp(path.join(scratch, "check-precompiled-"));
  await writePrecompiledOpenApiChecks(directory);
});

afterAll(async () => {
  usePrecompiledOpenApiChecks(undefined);
  await rm(directory, { recursive: true, force: true });
});

async function specFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const group of ["bad", "good"]) {
    for (const entry of await readdir(path.join(fixtures, group), { withFileTypes: true })) {
      if (entry.isFile()) out.push(path.join(fixtures, group, entry.name));
      else out.push(path.join(fixtures, group, entry.name, "main.yaml"));
    }
  }
  return out;
}

async function diagnosticsOf(file: string, precompiledDirectory: string | undefined): Promise<{ lines: string[]; precompiled: (boolean | undefined)[] }> {
  usePrecompiledOpenApiChecks(precompiledDirectory);
  const result = await readSpecDetailed(file);
  return { lines: result.diagnostics.map(formatDiagnostic), precompiled: [openApiCheckIsPrecompiled("3.0"), openApiCheckIsPrecompiled("3.1")] };
}

describe("precompiled OpenAPI schema check", () => {
  it("reports the same diagnostics as the check compiled at run time, for every fixture spec", async () => {
    let checkedSchemaErrors = 0;
    for (const file of await specFiles()) {
      const compiled = await diagnosticsOf(file, undefined);
      const precompiled = await diagnosticsOf(file, directory);
      expect(precompiled.lines, file).toEqual(compiled.lines);
      expect(compiled.precompiled).not.toContain(true);
      // Whichever line the spec declared was checked with the precompiled module.
      for (let i = 0; i < 2; i++) if (compiled.precompiled[i] === false) expect(precompiled.precompiled[i], file).toBe(true);
      checkedSchemaErrors += compiled.lines.filter((line) => line.includes("schema:")).length;
    }
    expect(checkedSchemaErrors).toBeGreaterThan(3);
  });

  it("gives ajv's raw errors unchanged for broken variants of real documents (3.0 and 3.1)", () => {
    const cases: { line: OpenApiLine; document: Record<string, unknown> }[] = [];
    const petstore = parse(`openapi: 3.1.0
info: { title: t, version: "1" }
paths:
  /pets/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { "200": { description: ok } }
components: { schemas: { Pet: { type: object } } }
`) as Record<string, unknown>;
    const breakers: ((d: any) => void)[] = [
      () => {},
      (d) => delete d.info,
      (d) => (d.paths["/pets/{id}"].get.parameters[0].in = "body"),
      (d) => (d.paths["/pets/{id}"].get.parameters[0].required = "yes"),
      (d) => (d.paths["/pets/{id}"].get.responses["200"] = { $ref: 5 }),
      (d) => (d.paths["/pets/{id}"].get.extra = true),
      (d) => (d.components.securitySchemes = { a: { type: "oauth2" } }),
      (d) => (d.servers = [{ url: 1 }]),
    ];
    for (const line of ["3.0", "3.1"] as const) {
      for (const breaker of breakers) {
        const document = structuredClone(petstore);
        document.openapi = line === "3.0" ? "3.0.3" : "3.1.0";
        breaker(document);
        cases.push({ line, document });
      }
    }
    let failing = 0;
    for (const line of ["3.0", "3.1"] as const) {
      const compiled = openApiAjv(line).compile(openApiSchemaFor(line));
      const precompiled = require(precompiledCheckFile(line, directory)) as typeof compiled;
      for (const { document } of cases.filter((c) => c.line === line)) {
        expect(precompiled(document)).toBe(compiled(document));
        expect(JSON.stringify(precompiled.errors)).toBe(JSON.stringify(compiled.errors));
        if (compiled.errors) failing++;
      }
    }
    expect(failing).toBe(cases.length - 2);
  });

  it("compiles at run time when a module is missing or was made from another schema or settings", async () => {
    const file = path.join(fixtures, "bad/schema-invalid.yaml");
    const other = await mkdtemp(path.join(scratch, "check-stale-"));
    try {
      expect((await diagnosticsOf(file, other)).precompiled[0]).toBe(false);
      const stale = openApiCheckModuleSource("3.0").replace(/module\.exports\.fingerprint = "[0-9a-f]+"/, 'module.exports.fingerprint = "0"');
      await writeFile(precompiledCheckFile("3.0", other), stale);
      const result = await diagnosticsOf(file, other);
      expect(result.precompiled[0]).toBe(false);
      expect(result.lines).toEqual((await diagnosticsOf(file, undefined)).lines);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
