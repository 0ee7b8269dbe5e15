/**
 * Request-body validation benchmark on the DigitalOcean API: our build-time generated validators
 * against ajv compiled at run time (same ajv, same schemas, same options) and @cfworker/json-schema
 * (an interpreter, the usual choice on Workers where ajv's run-time compilation is not allowed).
 *
 *   node --import tsx bench/validate/run.ts [--quick]
 *
 * Every contender validates the same schemas: the linked document the build step hands ajv
 * (references resolved, read-only request variants). Bodies are made from the schemas
 * (test/fixtures/bodies/generator.ts): "small" (required properties only), "large" (every property, 8
 * items per array) and "invalid" (a small body with one property of the wrong type). A body is
 * timed only if every contender agrees on its verdict. Writes bench/results/validate.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Validator as CfValidator } from "@cfworker/json-schema";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { measure } from "mitata";
import { buildAjvDocument, type EntrySchema } from "../../src/build/validators/ajv-document.ts";
import { compileSchemaModule } from "../../src/build/validators/index.ts";
import { resolvePointer } from "../../src/build/validators/keywords.ts";
import { formats } from "../../src/runtime/formats.ts";
import { pattern } from "../../src/runtime/validator-runtime.ts";
import type { Validator } from "../../src/runtime/compiled-spec.ts";
import { DIGITALOCEAN_ENTRY, loadSpec } from "../../test/build/validators-corpus.ts";
import { importValidators, removeRuntimeImports, runtimeImports } from "../../test/build/validators-harness.ts";
import { bodyFor } from "../../test/fixtures/bodies/generator.ts";

const quick = process.argv.includes("--quick");
const DOCUMENT_URI = "https://brrtrouter.invalid/openapi.json";
const LINKED_URI = "https://brrtrouter.invalid/linked.json";

type Check = (body: unknown) => boolean;
interface Case {
  readonly entry: number;
  readonly body: unknown;
  readonly bytes: number;
}

const spec = await loadSpec(DIGITALOCEAN_ENTRY);
const entries: (EntrySchema & { operationId: string })[] = [];
for (const op of spec.operations) {
  const media = op.requestBody?.content["application/json"];
  if (media?.schema !== undefined) entries.push({ schema: media.schema, flavour: "request", operationId: op.operationId });
}

// 1. Ours: generated at build time, imported as a module.
const compileStarted = performance.now();
const generated = compileSchemaModule(spec.document, entries, { imports: runtimeImports().imports, documentUri: DOCUMENT_URI });
const compileMs = performance.now() - compileStarted;
const loaded = await importValidators(generated.source);
const ours: (Check | undefined)[] = generated.names.map((name) => (name === undefined ? undefined : (loaded[name] as Validator)));

// 2./3. The same linked schemas for ajv (compiled now) and cfworker (interpreted).
const linked = buildAjvDocument(spec.document, entries, { documentUri: DOCUMENT_URI, readOnlyInRequests: "refuse", writeOnlyInResponses: "refuse" });
const ajv = new Ajv2020({ allErrors: true, strict: false, formats: formats as never, logger: false, code: { regExp: Object.assign(pattern, { code: "" }) } });
for (const keyword of ["readOnly", "writeOnly"]) {
  ajv.removeKeyword(keyword);
  ajv.addKeyword({ keyword, schemaType: "boolean", validate: (flag: boolean) => !flag, errors: false });
}
ajv.addSchema(linked.root, LINKED_URI);
const ajvStarted = performance.now();
const ajvChecks: (Check | undefined)[] = linked.entries.map((pointer) => (pointer === undefined ? undefined : (ajv.getSchema(LINKED_URI + pointer) as ValidateFunction)));
const ajvCompileMs = performance.now() - ajvStarted;
const cfChecks: (Check | undefined)[] = linked.entries.map((pointer) => {
  if (pointer === undefined) return undefined;
  const validator = new CfValidator({ $ref: LINKED_URI + pointer }, "2020-12", false);
  validator.addSchema(linked.root as never, LINKED_URI);
  return (body) => validator.validate(body).valid;
});

function verdicts(entry: number, body: unknown): (boolean | "threw")[] {
  return [ours[entry], ajvChecks[entry], cfChecks[entry]].map((check) => {
    try {
      return check === undefined ? true : check(body);
    } catch {
      return "threw";
    }
  });
}

/** Bodies every contender accepts (or, for the invalid set, refuses). */
function makeCases(kind: "small" | "large" | "invalid"): Case[] {
  const cases: Case[] = [];
  entries.forEach((_, entry) => {
    const pointer = linked.entries[entry];
    if (pointer === undefined || ours[entry] === undefined) return;
    const schema = resolvePointer(linked.root, pointer);
    for (let choice = 0; choice < 3; choice++) {
      let body = bodyFor(linked.root, schema as never, { full: kind === "large", arrayItems: 8, choice });
      if (body === undefined || typeof body !== "object" || body === null || Array.isArray(body)) continue;
      if (kind === "invalid") {
        const key = Object.keys(body)[0];
        if (key === undefined) continue;
        body = { ...body, [key]: typeof (body as Record<string, unknown>)[key] === "number" ? "not a number" : 12345 };
      }
      const results = verdicts(entry, body);
      const expected = kind !== "invalid";
      if (results.every((r) => r === expected)) {
        cases.push({ entry, body, bytes: JSON.stringify(body).length });
        break;
      }
    }
  });
  return cases;
}

async function time(cases: readonly Case[], checks: readonly (Check | undefined)[]): Promise<{ nsPerValidation: number; p50NsPerValidation: number }> {
  const pairs = cases.map((c) => [checks[c.entry] as Check, c.body] as const);
  const loop = (): number => {
    let ok = 0;
    for (let i = 0; i < pairs.length; i++) if ((pairs[i] as (typeof pairs)[number])[0]((pairs[i] as (typeof pairs)[number])[1])) ok++;
    return ok;
  };
  const stats = await measure(loop, { min_cpu_time: (quick ? 300 : 1500) * 1e6 });
  return { nsPerValidation: stats.avg / pairs.length, p50NsPerValidation: stats.p50 / pairs.length };
}

const contenders = [
  { name: "brrt generated (build time)", checks: ours },
  { name: "ajv compiled at run time", checks: ajvChecks },
  { name: "@cfworker/json-schema (interpreted)", checks: cfChecks },
];
const sets = [];
for (const kind of ["small", "large", "invalid"] as const) {
  const cases = makeCases(kind);
  const rows = [];
  for (const contender of contenders) rows.push({ contender: contender.name, ...(await time(cases, contender.checks)) });
  const ajvNs = rows[1]!.nsPerValidation;
  const withRatio = rows.map((row) => ({ ...row, ratioToAjv: row.nsPerValidation / ajvNs }));
  const averageBytes = Math.round(cases.reduce((n, c) => n + c.bytes, 0) / Math.max(1, cases.length));
  sets.push({ set: kind, bodies: cases.length, averageBodyBytes: averageBytes, rows: withRatio });
  console.log(`\n${kind}: ${cases.length} bodies (of ${entries.length} request schemas), ~${averageBytes} bytes each`);
  for (const row of withRatio) console.log(`  ${row.contender.padEnd(38)} ${row.nsPerValidation.toFixed(0).padStart(8)} ns/validation   ${row.ratioToAjv.toFixed(2)}x ajv`);
}

console.log(`\nbuild-time compile of ${entries.length} request schemas: ${compileMs.toFixed(0)} ms, ${generated.stats.bytes} bytes; ajv run-time compile: ${ajvCompileMs.toFixed(0)} ms`);
const out = path.resolve(process.cwd(), "bench/results/validate.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      node: process.version,
      date: new Date().toISOString(),
      quick,
      corpus: `DigitalOcean, ${entries.length} JSON request body schemas (front end: ${spec.via})`,
      buildTimeCompileMs: compileMs,
      generatedBytes: generated.stats.bytes,
      ajvRuntimeCompileMs: ajvCompileMs,
      sets,
    },
    null,
    2,
  ) + "\n",
);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
removeRuntimeImports();
