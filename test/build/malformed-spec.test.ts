/**
 * Whatever document a user hands to `buildSpec`, the build answers: diagnostics (with a file and
 * a position inside it) or a module, never an exception, a hang, or a module that fails when the
 * worker starts. Checked on a few hundred seeded mutants of spec/openapi.yaml (the example that
 * uses every feature): structured ones (keys deleted, retyped, misspelt; `$ref`s dangling,
 * cyclic, remote, malformed; operationIds, path templates, parameters, security, realtime
 * extensions and schema keywords broken) and text ones for the two YAML readers (truncation,
 * tabs, quotes, BOMs, duplicate keys, aliases and an alias bomb, huge and deep documents, JSON,
 * empty and binary files). See malformed-spec-mutants.ts; the seed is in every test's name.
 *
 * A module that builds is loaded as a worker would load it and used as its first requests would
 * use it: every operation's lazy fields read and its path matched, every request validator made
 * and called, every response schema the operations name interpreted (response validation), every
 * WebSocket message schema compiled as the room compiles it, createApp run.
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSpec, type BuildResult, type Diagnostic } from "../../src/build/index.ts";
import { createApp } from "../../src/runtime/app.ts";
import { ResponseSchemas } from "../../src/runtime/response-schemas.ts";
import type { CompiledSpec } from "../../src/runtime/compiled-spec.ts";
import { parseRealtimeExtension } from "../../src/durable/realtime-extensions.ts";
import { compileMessageCheck } from "../../src/durable/realtime-message-check.ts";
import { baseDocument, structuredMutants, textMutants, type Mutant } from "./malformed-spec-mutants.ts";

/** Fixed, so every run builds the same mutants; BRRT_FUZZ_SEED explores another set (the seed is in every test name). */
const SEED = Number(process.env.BRRT_FUZZ_SEED ?? 20261201);
/** Far above any mutant's build (the slowest take ~1 s alone); a hang is what it catches. */
const BUILD_LIMIT_MS = 15_000;

const root = process.cwd();
const yamlText = readFileSync(path.join(root, "spec/openapi.yaml"), "utf8");
const mutants: readonly Mutant[] = [...structuredMutants(baseDocument(yamlText), SEED), ...textMutants(yamlText, SEED)];

let dir: string;

beforeAll(async () => {
  // Inside the project, so the generated code's `brrtrouter-edge/runtime/...` imports resolve (self-reference).
  await mkdir(path.join(root, ".tmp"), { recursive: true });
  dir = await mkdtemp(path.join(root, ".tmp", "malformed-spec-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The build's promise, or a rejection naming the mutant once `ms` have passed without an answer. */
async function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isPositiveInteger(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1;
}

/** Every diagnostic is well formed, and one in the mutant's own file points at a place inside its text. */
function checkDiagnostics(result: BuildResult, mutant: Mutant, file: string): void {
  const lines = typeof mutant.text === "string" ? mutant.text.split("\n") : Buffer.from(mutant.text).toString("utf8").split("\n");
  for (const d of result.diagnostics) {
    expect(["error", "warning"], JSON.stringify(d)).toContain(d.severity);
    expect(typeof d.message === "string" && d.message.trim() !== "", JSON.stringify(d)).toBe(true);
    expect(typeof d.file === "string" && d.file !== "", JSON.stringify(d)).toBe(true);
    expect(isPositiveInteger(d.line) && isPositiveInteger(d.column), JSON.stringify(d)).toBe(true);
    if (path.resolve(root, d.file) === file) {
      expect(d.line, `line inside the file: ${JSON.stringify(d)}`).toBeLessThanOrEqual(lines.length);
      expect(d.column, `column inside the line: ${JSON.stringify(d)}`).toBeLessThanOrEqual(lines[d.line - 1]!.length + 1);
    }
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (result.ok) {
    expect(errors).toEqual([]);
    return;
  }
  expect(errors.length, "a refusal says why").toBeGreaterThan(0);
  // Every error names a file that exists (the mutant's own, usually), never a made-up one.
  const inMutant = errors.filter((d: Diagnostic) => path.resolve(root, d.file) === file);
  if (mutant.located) expect(inMutant.length, `an error points into ${mutant.fileName}: ${JSON.stringify(errors)}`).toBeGreaterThan(0);
  else expect(errors.every((d) => path.resolve(root, d.file) === file)).toBe(true);
}

/** Values a request could hand a validator: each kind once. */
const SAMPLES: readonly unknown[] = [undefined, null, 0, -1.5, "", "x", true, [], [1, "a"], {}, { name: "n", species: "cat" }];

const silent = { error: () => {}, warn: () => {} };

/** What a worker does at start (and at an operation's first request): none of it may throw. */
async function checkModuleLoads(outDir: string): Promise<void> {
  const spec = (await import(pathToFileURL(path.join(outDir, "spec.js")).href)) as CompiledSpec;
  expect(Array.isArray(spec.operations)).toBe(true);
  for (const op of spec.operations) {
    // The lazily parsed fields, as the first request to the operation reads them.
    expect(op.parameters).toBeDefined();
    expect(op.responses).toBeDefined();
    void op.requestBody;
    const concrete = op.path.replace(/\{[^}]*\}/g, "1");
    expect([200, 400, 404, 405]).toContain(spec.match(op.method, concrete).status);
    // What a WebSocket room does with each inbound message (src/durable/websocket-room.ts).
    const realtime = parseRealtimeExtension(op.extensions);
    if (realtime?.ok && realtime.value.kind === "websocket") {
      // The room gets the config as JSON in the session grant header (realtime-dispatch.ts), not the frozen object.
      const check = compileMessageCheck(JSON.parse(JSON.stringify(realtime.value.config)).message);
      for (const sample of SAMPLES) if (sample !== undefined) check(sample); // messages are JSON.parse results
    }
  }
  // Every validator made (each component's code runs) and called once per kind of value.
  for (const key of Object.keys(spec.validators)) {
    const validate = spec.validators[key]!;
    expect(typeof validate, key).toBe("function");
    for (const sample of SAMPLES) expect(typeof validate(sample), key).toBe("boolean");
  }
  // Response validation (dev/test) interprets the schemas the operations name: each made and
  // run once per kind of JSON value.
  const responseSchemas = new ResponseSchemas(spec.responseSchemas ?? []);
  const named = spec.operations.flatMap((op) =>
    Object.values(op.responses).flatMap((response) => [...Object.values(response.content), ...Object.values(response.headers)].map((meta) => meta.schema)),
  );
  for (const index of new Set(named)) {
    if (index === undefined) continue;
    const validate = responseSchemas.validator(index);
    for (const sample of SAMPLES) if (sample !== undefined) expect(typeof validate(sample)).toBe("boolean");
  }
  JSON.parse(gunzipSync(new Uint8Array(spec.documentGzip as ArrayBuffer)).toString("utf8"));
  createApp({ spec, insecure: true, logger: silent });
  createApp({ spec, logger: silent });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe(`buildSpec on malformed documents (seed ${SEED})`, () => {
  it(`generates the same ${mutants.length} mutants from seed ${SEED} every time`, () => {
    const again = [...structuredMutants(baseDocument(yamlText), SEED), ...textMutants(yamlText, SEED)];
    expect(again.map((m) => m.name)).toEqual(mutants.map((m) => m.name));
    expect(new Set(mutants.map((m) => m.name)).size).toBe(mutants.length);
  });

  for (const [i, mutant] of mutants.entries()) {
    it(`${i}: ${mutant.name} [seed ${SEED}]`, async () => {
      const folder = path.join(dir, String(i).padStart(3, "0"));
      await mkdir(folder);
      const file = path.join(folder, mutant.fileName);
      await writeFile(file, mutant.text);
      const outDir = path.join(folder, "generated");

      const started = performance.now();
      const result = await withinTime(buildSpec({ spec: file, outDir }), BUILD_LIMIT_MS, mutant.name);
      // A synchronous stall blocks the timer too: its length is checked here.
      expect(performance.now() - started).toBeLessThan(BUILD_LIMIT_MS);

      checkDiagnostics(result, mutant, file);
      if (mutant.expect === "refuse") expect(result.ok, `refused: ${mutant.name}`).toBe(false);
      if (result.ok) await checkModuleLoads(outDir);
      // A refusal writes nothing.
      else expect(await exists(outDir)).toBe(false);
    });
  }
});

/** Minimal documents for what the mutants above found, each built from text in a temp file. */
describe("minimal cases found by the malformed-spec mutants", () => {
  const minimal = (paths: string): string => `openapi: 3.1.0
info: { title: t, version: "1" }
paths:
${paths}`;
  const getWith = (template: string, names: readonly string[]): string =>
    `  "${template}":
    get:
      parameters:
${names.map((n) => `        - { name: ${n}, in: path, required: true, schema: { type: string } }`).join("\n")}
      responses: { "204": { description: none } }
`;

  async function build(name: string, text: string): Promise<BuildResult> {
    const folder = await mkdtemp(path.join(dir, `minimal-${name}-`));
    const file = path.join(folder, "openapi.yaml");
    await writeFile(file, text);
    return withinTime(buildSpec({ spec: file, outDir: path.join(folder, "generated") }), BUILD_LIMIT_MS, name);
  }

  const messages = (result: BuildResult): string[] => result.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);

  it("refuses a template with adjacent parameters at the path key (threw TemplateError from findAmbiguousTemplates)", async () => {
    const result = await build("adjacent", minimal(getWith("/x/{a}{b}", ["a", "b"])));
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual([`4:3: path template "/x/{a}{b}": parameters {a} and {b} are adjacent: nothing tells where one ends`]);
  });

  it("refuses a template naming one parameter twice, once (threw TemplateError from findAmbiguousTemplates)", async () => {
    const result = await build("twice", minimal(getWith("/x/{a}/{a}", ["a"])));
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual([`4:3: path template "/x/{a}/{a}": parameter {a} appears twice`]);
  });

  it("refuses a template with an empty segment (threw TemplateError from findAmbiguousTemplates)", async () => {
    const result = await build("empty-segment", minimal(getWith("/x//{a}", ["a"])));
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual([`4:3: path template "/x//{a}": empty segment`]);
  });

  it("refuses an alias whose anchor is missing or only comes later, at the alias (read as null, built ok)", async () => {
    const missing = await build("alias-missing", minimal("  {}\nx-ghost: *nowhere\n"));
    expect(missing.ok).toBe(false);
    expect(messages(missing)).toEqual(["5:10: YAML alias *nowhere has no anchor &nowhere before it"]);
    const later = await build("alias-later", minimal("  {}\nx-early: *late\nx-late: &late 1\n"));
    expect(later.ok).toBe(false);
    expect(messages(later)).toEqual(["5:10: YAML alias *late has no anchor &late before it"]);
  });

  it("refuses a billion-laughs alias bomb at the alias that passes the bound, quickly (bundling never finished)", async () => {
    const levels = ["  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let l = 1; l < 9; l++) levels.push(`  ${String.fromCharCode(97 + l)}: &${String.fromCharCode(97 + l)} [${Array(10).fill(`*${String.fromCharCode(96 + l)}`).join(", ")}]`);
    const started = performance.now();
    const result = await build("alias-bomb", minimal(`  {}\nx-lols:\n${levels.join("\n")}\n`));
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual(["10:38: YAML aliases expand to more than 100,000 values (from *d on): not read"]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("still reads a schema shared by alias many times", async () => {
    const uses = Array.from({ length: 200 }, (_, i) => `    P${i}: *shared`).join("\n");
    const result = await build("alias-shared", minimal(`  {}\ncomponents:\n  schemas:\n    Shared: &shared { type: object, properties: { a: { type: string }, b: { type: integer } } }\n${uses}\n`));
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("does not compile a schema that applies itself to the same value again (its validator overflowed the stack on every call)", async () => {
    const result = await build(
      "in-place-loop",
      minimal(`  /x:
    post:
      parameters:
        - { name: q, in: query, schema: { $ref: "#/components/schemas/Loop" } }
      requestBody: { content: { application/json: { schema: { properties: { a: { $ref: "#/components/schemas/Even" } } } } } }
      responses: { "200": { description: ok, content: { application/json: { schema: { $ref: "#/components/schemas/Loop" } } } } }
components:
  schemas:
    Loop: { allOf: [{ $ref: "#/components/schemas/Loop" }] }
    Even: { anyOf: [{ type: string }, { $ref: "#/components/schemas/Odd" }] }
    Odd: { not: { $ref: "#/components/schemas/Even" } }
`),
    );
    const never = "schema not validated: it applies itself to the same value again";
    expect(messages(result)).toEqual([
      `7:11: POST /x query parameter "q": ${never} (allOf/0/$ref), so checking any value would never end`,
      `8:51: POST /x request body application/json: ${never} (anyOf/1/$ref/not/$ref), so checking any value would never end`,
      `9:75: POST /x 200 response application/json: ${never} (allOf/0/$ref), so checking any value would never end`,
    ]);
    expect(result.diagnostics.every((d) => d.severity === "warning")).toBe(true);
    expect(result.ok).toBe(true);
    // No validator for those places, so nothing that recurses: the module loads and serves.
    await checkModuleLoads(path.join(path.dirname(result.diagnostics[0]!.file), "generated"));
  });

  it("points YAML errors after a stray plain-scalar line at their own line (yaml's line counter skipped a line break: 2:11 on a 5-character line)", async () => {
    const result = await build("line-drift", "openapi 3.1.0 # colon forgotten\nstray\ninfo: x\n");
    expect(result.ok).toBe(false);
    expect(messages(result)).toEqual([
      "1:1: an OpenAPI document must be a mapping (object) at the top level",
      "2:1: YAML: Unexpected scalar at node end",
      '3:5: YAML: Unexpected map-value-ind token in YAML stream: ":"',
      '3:7: YAML: Unexpected scalar token in YAML stream: "x"',
    ]);
  });

  it("refuses an x-websocket message schema the room cannot check (it threw on every message: an invalid pattern, a schema that applies itself again, enum: true)", async () => {
    const room = (message: string, schemas = ""): string =>
      minimal(`  /chat/{room}:
    get:
      parameters: [{ name: room, in: path, required: true, schema: { type: string } }]
      x-websocket: { room: "chat:{room}", message: ${message} }
      responses: { "101": { description: upgrade } }
${schemas}`);
    const label = "x-websocket.message on GET /chat/{room} (GET /chat/{room})";
    const pattern = await build("ws-pattern", room(`{ properties: { text: { type: string, pattern: "(" } } }`));
    expect(messages(pattern)).toEqual([`5:5: ${label}: pattern "(" is not a valid regular expression with the u flag, which the room checks messages with`]);
    const loop = await build("ws-loop", room(`{ $ref: "#/components/schemas/Loop" }`, `components:\n  schemas:\n    Loop: { allOf: [{ $ref: "#/components/schemas/Loop" }] }\n`));
    expect(messages(loop)).toEqual([`5:5: ${label}: it applies itself to the same value again (allOf/0/$ref), so checking any value would never end`]);
    const enumTrue = await build("ws-enum", room(`{ properties: { kind: { enum: true } } }`));
    expect(messages(enumTrue)).toEqual([`5:5: ${label}: not a valid JSON Schema: schema/properties/kind/enum must be array`]);
    for (const result of [pattern, loop, enumTrue]) expect(result.ok).toBe(false);
  });

  it("does not hand response validation a schema whose keywords have the wrong types (cfworker threw '$enum.some is not a function' on every response)", async () => {
    const result = await build(
      "response-enum",
      minimal(`  /x:
    get:
      responses: { "200": { description: ok, content: { application/json: { schema: { type: string, enum: true } } } } }
`),
    );
    expect(messages(result)).toEqual([`6:75: GET /x 200 response application/json: schema not validated: not a valid JSON Schema: schema/enum must be array`]);
    expect(result.ok).toBe(true);
    await checkModuleLoads(path.join(path.dirname(result.diagnostics[0]!.file), "generated"));
  });
});
