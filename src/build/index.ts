/**
 * The build step as a library (`brrtrouter-edge/build`): OpenAPI document in, generated
 * module out.
 *
 *   readSpec (load → bundle $refs → normalise 3.0→3.1 → check) → compile matcher
 *   → compile validators → emit
 *
 * Never throws for a bad document: problems come back as diagnostics and nothing is written.
 */
import { gzip } from "node:zlib";
import path from "node:path";
import { promisify } from "node:util";
import type { OperationMeta } from "../runtime/compiled-spec.ts";
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { renderModule, writeModule, type EmittedFile } from "./emit.ts";
import { readSpec } from "./frontend.ts";
import { compileMatcher, findAmbiguousTemplates } from "./matcher/index.ts";
import type { OperationDraft } from "./operation-draft.ts";
import { checkRealtimeExtensions, embedRealtimeSchemas } from "./check-realtime.ts";
import { compileValidators } from "./validators/index.ts";

export { formatDiagnostic, type Diagnostic, type SourcePosition } from "./diagnostics.ts";
export { renderWorkerdConfig, type WorkerdConfigOptions } from "./workerd-config.ts";
export { bundleWorker, workerdModules, writeWorkerBundle, type BundleOptions, type BundleResult, type DataModule } from "./bundle-worker.ts";
export { dataModules } from "./vite-data-modules.ts";

export interface BuildOptions {
  /** Entry file of the OpenAPI document (YAML or JSON). */
  readonly spec: string;
  /** Folder to write the generated module into; omit to check only. */
  readonly outDir?: string;
  /**
   * Emit response schemas (default true). Without them response validation has nothing to
   * check; the module is smaller: an option for production builds of large specs.
   */
  readonly responses?: boolean;
}

export interface BuildSummary {
  readonly title: string;
  readonly version: string;
  readonly files: number;
  readonly paths: number;
  readonly operations: number;
  readonly schemas: number;
  readonly validators: number;
  /** Generated module files with their raw sizes. */
  readonly emitted: readonly EmittedFile[];
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly milliseconds: number;
}

export type BuildResult =
  | { readonly ok: true; readonly diagnostics: readonly Diagnostic[]; readonly summary: BuildSummary; readonly operations: readonly OperationMeta[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

const gzipAsync = promisify(gzip);

/** Two templates that match the same requests are refused: which operation would win is not in the spec. */
function ambiguityDiagnostics(operations: readonly OperationDraft[]): Diagnostic[] {
  const firstByPath = new Map<string, OperationDraft>();
  for (const op of operations) if (!firstByPath.has(op.path)) firstByPath.set(op.path, op);
  return findAmbiguousTemplates([...firstByPath.keys()]).map(([a, b]) => {
    const at = firstByPath.get(b) ?? firstByPath.get(a);
    return diagnostic(at!.pathSource, `path ${JSON.stringify(b)} matches the same requests as ${JSON.stringify(a)}`);
  });
}

/**
 * Extensions that only documentation tools read. They stay in the document (`/openapi.json`)
 * but not in the runtime metadata: DigitalOcean's `x-codeSamples` alone are 440 KiB that every
 * worker start would parse and freeze for nothing.
 */
const DOCUMENTATION_EXTENSIONS = new Set(["x-codeSamples", "x-code-samples", "x-readme"]);

function withoutDocumentationExtensions(op: OperationMeta): OperationMeta {
  const keys = Object.keys(op.extensions);
  if (!keys.some((key) => DOCUMENTATION_EXTENSIONS.has(key))) return op;
  const extensions = Object.fromEntries(Object.entries(op.extensions).filter(([key]) => !DOCUMENTATION_EXTENSIONS.has(key)));
  return { ...op, extensions };
}

function stringField(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

export async function buildSpec(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const front = await readSpec(options.spec);
  const diagnostics = [...front.diagnostics, ...ambiguityDiagnostics(front.operations), ...checkRealtimeExtensions(front.operations)];
  if (hasErrors(diagnostics)) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  // Compressed on libuv's thread pool (another core) while this thread compiles validators.
  const documentGzip = gzipAsync(JSON.stringify(front.document), { level: 9 });

  const matcherSource = compileMatcher(
    front.operations.map((op) => ({ method: op.method, path: op.path, operationId: op.operationId })),
  );
  // Realtime message/event schemas travel in OperationMeta.extensions to a Durable Object: make them self-contained.
  const operations = front.operations.map((op) => embedRealtimeSchemas(front.document, op));
  const compiled = compileValidators(front.document, operations, { responses: options.responses ?? true });
  const runtimeOperations = compiled.operations.map(withoutDocumentationExtensions);
  diagnostics.push(...compiled.diagnostics);
  const info = front.document.info as Record<string, unknown> | undefined;
  const title = stringField(info?.title, "API");
  const version = stringField(info?.version, "0.0.0");

  const files = renderModule({
    info: { title, version },
    operations: runtimeOperations,
    securitySchemes: front.securitySchemes,
    documentGzip: await documentGzip,
    matcherSource,
    validatorsSource: compiled.source,
    responseSchemas: compiled.responseSchemas,
  });
  // What the worker loads: the generated modules (types excluded), their gzip size measured
  // on the thread pool while the files are written.
  const generated = Buffer.concat(
    Object.entries(files)
      .filter(([name]) => !name.endsWith(".d.ts"))
      .map(([, contents]) => (typeof contents === "string" ? Buffer.from(contents) : contents)),
  );
  const generatedGzip = gzipAsync(generated);
  const emitted = options.outDir === undefined ? [] : await writeModule(options.outDir, files);
  const gzipBytes = (await generatedGzip).byteLength;
  return {
    ok: true,
    diagnostics: sortDiagnostics(diagnostics),
    operations: runtimeOperations,
    summary: {
      title,
      version,
      files: front.files.length,
      paths: front.stats.paths,
      operations: front.stats.operations,
      schemas: front.stats.schemas,
      validators: compiled.stats.validators,
      emitted,
      rawBytes: Buffer.byteLength(generated),
      gzipBytes,
      milliseconds: performance.now() - started,
    },
  };
}

/** Relative to the working directory when inside it, so messages stay short and clickable. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
}
