/**
 * The validator compiler on the DigitalOcean corpus (~660 operations, thousands of schemas):
 * compile time, module size (raw, gzip, and bundled by esbuild as for a Worker), and the
 * generated validators run against the spec's own request examples.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileValidators, type CompiledValidators } from "../../src/build/validators/index.ts";
import type { Validator } from "../../src/runtime/compiled-spec.ts";
import { DIGITALOCEAN_ENTRY, loadSpec, type LoadedSpec } from "./validators-corpus.ts";
import { importValidators, removeRuntimeImports, runtimeImports } from "./validators-harness.ts";

afterAll(removeRuntimeImports);

describe("validators for the DigitalOcean API", () => {
  let spec: LoadedSpec;
  let compiled: CompiledValidators;
  let milliseconds = 0;
  let validators: Record<string, Validator>;

  beforeAll(async () => {
    spec = await loadSpec(DIGITALOCEAN_ENTRY);
    const started = performance.now();
    compiled = compileValidators(spec.document, spec.operations, { imports: runtimeImports().imports });
    milliseconds = performance.now() - started;
    validators = await importValidators(compiled.source);
  }, 180_000);

  it("compiles every schema of every operation, quickly, into a small module", () => {
    const gzip = gzipSync(compiled.source).byteLength;
    console.log(
      `DigitalOcean (${spec.operations.length} operations, front end: ${spec.via}): ${compiled.stats.validators} validators, ` +
        `${compiled.stats.responseSchemas} response schemas (${(compiled.stats.responseSchemaBytes / 1024).toFixed(0)} KiB), ` +
        `${(compiled.stats.bytes / 1024).toFixed(0)} KiB raw, ${(gzip / 1024).toFixed(0)} KiB gzip, compiled in ${milliseconds.toFixed(0)} ms`,
    );
    expect(compiled.diagnostics).toEqual([]);
    // Parameters and request bodies as code; responses as data (response-schemas.test.ts).
    expect(compiled.stats.validators).toBeGreaterThan(200);
    expect(compiled.stats.responseSchemas).toBeGreaterThan(400);
    // Budget: the whole worker must stay under 3 MiB gzip; the validators take well under a tenth.
    expect(gzip).toBeLessThan(300 * 1024);
    expect(compiled.stats.bytes).toBeLessThan(3 * 1024 * 1024);
    // Generous for a shared, loaded CI machine; typically 2–3 s cold.
    expect(milliseconds).toBeLessThan(15_000);
  });

  it("bundles for Workers with esbuild, without eval or the Function constructor", async () => {
    const { imports } = runtimeImports();
    // The generated module imports the runtime modules by the specifiers given; point them at the sources.
    const source = compiled.source.replace(imports.formats, "./src/runtime/formats.ts").replace(imports.helpers, "./src/runtime/validator-runtime.ts");
    const result = await build({
      stdin: { contents: source, loader: "js", resolveDir: process.cwd() },
      bundle: true,
      format: "esm",
      platform: "neutral",
      minify: true,
      write: false,
      logLevel: "silent",
    });
    const bundled = result.outputFiles[0]!.text;
    expect(bundled).not.toMatch(/\beval\(|new Function|\bFunction\(/);
    const gzip = gzipSync(bundled).byteLength;
    console.log(`DigitalOcean validators bundled + minified: ${(bundled.length / 1024).toFixed(0)} KiB raw, ${(gzip / 1024).toFixed(0)} KiB gzip`);
    expect(gzip).toBeLessThan(300 * 1024);
  });

  it("accepts most of the spec's own request body examples", () => {
    let checked = 0;
    const refused: string[] = [];
    for (const op of compiled.operations) {
      for (const [range, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (media.validator === undefined || media.example === undefined) continue;
        checked++;
        const validate = validators[media.validator]!;
        if (!validate(media.example)) refused.push(`${op.operationId} ${range}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
      }
    }
    console.log(`request examples: ${checked} checked, ${refused.length} refused\n${refused.slice(0, 10).join("\n")}`);
    expect(checked).toBeGreaterThan(20);
    expect(refused.length / checked).toBeLessThan(0.2);
  });

  it("refuses a malformed body with errors that point into it", () => {
    const create = compiled.operations.find((op) => op.operationId === "sshKeys_create")!;
    const validate = validators[create.requestBody!.content["application/json"]!.validator!]!;
    expect(validate({ name: "My SSH Public Key", public_key: "ssh-rsa AAAA" })).toBe(true);
    expect(validate({ name: 7 })).toBe(false);
    expect(validate.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ instancePath: "/name", keyword: "type" }),
        expect.objectContaining({ instancePath: "", keyword: "required", params: { missingProperty: "public_key" } }),
      ]),
    );
  });
});
