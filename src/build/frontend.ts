/**
 * The spec front end: load (YAML/JSON with positions) → bundle `$ref`s → check against the
 * OpenAPI schema → normalise to 3.1 / JSON Schema 2020-12 → operation drafts.
 *
 * Never throws for a bad document and never prints: every problem is a Diagnostic at the
 * file:line:col where it is written (in whichever file that is).
 */
import type { SecuritySchemeMeta } from "../runtime/compiled-spec.ts";
import { loadAndBundle } from "./bundle.ts";
import { checkAgainstOpenApiSchema, prepareOpenApiCheck, type OpenApiLine } from "./check.ts";
import { checkRealtimeSchemas } from "./check-realtime.ts";
import { diagnostic, sortDiagnostics, type Diagnostic, type SourcePosition } from "./diagnostics.ts";
import { inlineMisplacedRefs, normaliseDocument } from "./normalise.ts";
import type { OperationDraft } from "./operation-draft.ts";
import { buildOperations } from "./operations.ts";
import { SourceIndex } from "./positions.ts";
import { canonicaliseInternalRefs, isObject } from "./spec-refs.ts";

export interface FrontendResult {
  /** Bundled (one document, only internal "#/..." $refs left) and normalised to OpenAPI 3.1 / JSON Schema 2020-12. Plain JSON data, safe to JSON.stringify (no cycles: cycles stay as internal $refs). */
  readonly document: Record<string, unknown>;
  readonly operations: readonly OperationDraft[];
  readonly securitySchemes: Readonly<Record<string, SecuritySchemeMeta>>;
  /** Errors and warnings, sorted (sortDiagnostics). */
  readonly diagnostics: readonly Diagnostic[];
  /** Every file read (display paths, relative to the working directory). */
  readonly files: readonly string[];
  readonly stats: { readonly paths: number; readonly operations: number; readonly schemas: number };
}

/** Detailed result for tools and tests that need positions or timings beyond the contract. */
export interface FrontendDetails extends FrontendResult {
  /** Where every object of `document` is written. */
  readonly index: SourceIndex;
  /** Milliseconds per phase. */
  readonly timings: { readonly load: number; readonly bundle: number; readonly check: number; readonly normalise: number; readonly operations: number; readonly total: number };
}

/** The OpenAPI line an entry file declares, if it declares one we check. */
function entryLine(value: unknown): OpenApiLine | undefined {
  const version = isObject(value) ? value.openapi : undefined;
  if (typeof version === "string" && /^3\.0\.\d+/.test(version)) return "3.0";
  if (typeof version === "string" && /^3\.1\.\d+/.test(version)) return "3.1";
  return undefined;
}

function openApiLine(document: Record<string, unknown>, index: SourceIndex, at: SourcePosition): { line?: OpenApiLine; problem?: Diagnostic } {
  const line = entryLine(document);
  if (line !== undefined) return { line };
  const version = document.openapi;
  if ("swagger" in document) return { problem: diagnostic(index.keyPosition(document, "swagger") ?? at, "Swagger 2.0 documents are not supported; convert to OpenAPI 3.x") };
  if (!("openapi" in document)) return { problem: diagnostic(at, `missing "openapi" version field (expected 3.0.x or 3.1.x)`) };
  return { problem: diagnostic(index.valuePosition(document, "openapi") ?? at, `unsupported OpenAPI version ${JSON.stringify(version)} (expected 3.0.x or 3.1.x)`) };
}

export async function readSpecDetailed(entryFile: string): Promise<FrontendDetails> {
  const started = performance.now();
  const index = new SourceIndex();
  // While worker threads parse a large spec's files, compile the OpenAPI schema check.
  const bundled = await loadAndBundle(entryFile, index, (entry) => {
    const line = entryLine(entry.value);
    if (line !== undefined) prepareOpenApiCheck(line);
  });
  const diagnostics: Diagnostic[] = [...bundled.diagnostics];
  const at: SourcePosition = { file: bundled.files[0] ?? entryFile, line: 1, column: 1 };
  const timings = { load: bundled.timings.loadMs, bundle: bundled.timings.bundleMs, check: 0, normalise: 0, operations: 0, total: 0 };

  if (!isObject(bundled.document)) {
    timings.total = performance.now() - started;
    return { document: {}, operations: [], securitySchemes: {}, diagnostics: sortDiagnostics(diagnostics), files: bundled.files, stats: { paths: 0, operations: 0, schemas: 0 }, index, timings };
  }
  const document = bundled.document;
  canonicaliseInternalRefs(document);
  inlineMisplacedRefs(document, index);

  let t = performance.now();
  const version = openApiLine(document, index, at);
  if (version.problem) diagnostics.push(version.problem);
  if (version.line) diagnostics.push(...checkAgainstOpenApiSchema(document, version.line, index, at));
  timings.check = performance.now() - t;

  t = performance.now();
  normaliseDocument(document, index);
  timings.normalise = performance.now() - t;

  t = performance.now();
  const built = buildOperations(document, index, at);
  diagnostics.push(...built.diagnostics);
  // Needs the document (message schemas' $refs); the extensions' shapes are checked by the caller (checkRealtimeExtensions).
  diagnostics.push(...checkRealtimeSchemas(document, built.operations));
  timings.operations = performance.now() - t;

  const components = document.components;
  const schemas = isObject(components) && isObject(components.schemas) ? Object.keys(components.schemas).length : 0;
  timings.total = performance.now() - started;
  return {
    document,
    operations: built.operations,
    securitySchemes: built.securitySchemes,
    diagnostics: sortDiagnostics(diagnostics),
    files: bundled.files,
    stats: { paths: built.pathCount, operations: built.operations.length, schemas },
    index,
    timings,
  };
}

export async function readSpec(entryFile: string): Promise<FrontendResult> {
  const { document, operations, securitySchemes, diagnostics, files, stats } = await readSpecDetailed(entryFile);
  return { document, operations, securitySchemes, diagnostics, files, stats };
}
