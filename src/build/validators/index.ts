/**
 * The validator compiler: schemas of the operations in, one ES module of generated validators
 * out (ajv standalone code, no eval at run time), plus the runtime metadata that names them.
 *
 *   operations → entries (one per operation × location: parameters, request bodies, response
 *   bodies and headers) → linker (ajv-document.ts: references resolved, every `$ref` target
 *   once, read/write-only variants only where used) → ajv standalone code (emit-module.ts)
 *   → compacted (compact-source.ts) → module exporting `validators`
 *
 * Response bodies and headers are not compiled to code: response validation is a dev/test
 * feature, off in production, and ajv code is compiled at every worker start whether used or not.
 * Their linked schemas are emitted as JSON texts instead (response-schemas.ts), which the runtime
 * interprets with @cfworker/json-schema once response validation is switched on.
 *
 * Equal schemas share one validator, so a name in `validators` may serve many locations.
 * Error objects keep ajv's shape (`instancePath`, `keyword`, `params`, `message`); for `required`
 * the path is the object lacking the property, which `params.missingProperty` names — the request
 * stage turns that into a pointer at the missing property. The generated code imports only
 * src/runtime/formats.ts and src/runtime/validator-runtime.ts (ESM, no CommonJS helpers).
 */
import type {
  JsonSchema,
  JsonValue,
  MediaTypeMeta,
  OperationMeta,
  ParameterMeta,
  RequestBodyMeta,
  ResponseHeaderMeta,
  ResponseMeta,
} from "../../runtime/compiled-spec.ts";
import { diagnostic, type Diagnostic, type SourcePosition } from "../diagnostics.ts";
import type { MediaTypeDraft, OperationDraft } from "../operation-draft.ts";
import { buildAjvDocument, indexDocument, type EntrySchema, type Flavour, type LinkOptions } from "./ajv-document.ts";
export type { Flavour } from "./ajv-document.ts";
import { emitValidatorModule, type RuntimeImports } from "./emit-module.ts";
import { isSchemaObject, resolvePointer } from "./keywords.ts";
import { compileResponseSchemas } from "./response-schemas.ts";
import { documentPointer } from "./schema-copy.ts";
import { shapeOf } from "./shape.ts";

export { shapeOf } from "./shape.ts";
export type { RuntimeImports } from "./emit-module.ts";

export interface CompileValidatorsOptions {
  /** A request carrying a readOnly property is refused (default) or accepted. */
  readonly readOnlyInRequests?: "refuse" | "allow";
  /** A response carrying a writeOnly property is refused (default) or accepted. */
  readonly writeOnlyInResponses?: "refuse" | "allow";
  /** Emit response body and header schemas for response validation (default true). */
  readonly responses?: boolean;
  /** How the generated module imports the runtime helpers; defaults to the package's own subpaths. */
  readonly imports?: RuntimeImports;
  /** Passed to ajv `inlineRefs` (see emit-module.ts). */
  readonly inlineRefs?: number | boolean;
  /** Check `format` ("assert", default) or treat it as an annotation, the JSON Schema default. */
  readonly formats?: "assert" | "annotate";
  /** Make each validator's code on first use (default true; see lazy-components.ts). */
  readonly lazy?: boolean;
}

export interface CompiledValidators {
  /** ES module text exporting `validators: Record<string, Validator>` (parameters and request bodies). */
  readonly source: string;
  /**
   * Response body and header schemas as JSON texts (`CompiledSpec.responseSchemas`), interpreted
   * at run time only when response validation is on: see response-schemas.ts.
   */
  readonly responseSchemas: readonly string[];
  /** The operations as runtime metadata, `index` = position, validator names, schema indexes and shapes filled in. */
  readonly operations: OperationMeta[];
  readonly stats: { readonly validators: number; readonly bytes: number; readonly responseSchemas: number; readonly responseSchemaBytes: number };
  /** Schemas that could not be compiled (their location then has no validator). */
  readonly diagnostics: readonly Diagnostic[];
}

export const DEFAULT_RUNTIME_IMPORTS: RuntimeImports = {
  formats: "brrtrouter-edge/runtime/formats",
  helpers: "brrtrouter-edge/runtime/validator-runtime",
};

/** The base URI of the bundled document: relative references in it have nothing else to resolve against. */
const DEFAULT_DOCUMENT_URI = "https://brrtrouter.invalid/openapi.json";

type BodyKind = "json" | "form" | "text" | "opaque";

/** Which bodies get a validator: JSON (and unknown `*\/*`), form-like (after coercion), text. */
function bodyKind(mediaRange: string): BodyKind {
  const type = mediaRange.split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded" || type.startsWith("multipart/")) return "form";
  if (type === "application/json" || type.endsWith("+json") || type === "*/*" || type === "application/*") return "json";
  if (type.startsWith("text/")) return "text";
  return "opaque";
}

interface Entry extends EntrySchema {
  readonly source: SourcePosition;
  readonly what: string;
}

export interface SchemaEntry {
  readonly schema: unknown;
  /** Default "neutral": no readOnly/writeOnly refusal. */
  readonly flavour?: Flavour;
  /** Accept anything where a file part would be (form bodies). */
  readonly filesAsAny?: boolean;
}

export interface CompiledSchemaModule {
  readonly source: string;
  /** Per entry: its key in `validators`, or undefined (accepts anything, or failed: see `failures`). Equal schemas share a key. */
  readonly names: readonly (string | undefined)[];
  /** Per entry: why it could not be compiled, if it could not. */
  readonly failures: readonly (string | undefined)[];
  readonly stats: { readonly validators: number; readonly bytes: number; readonly sharedSchemas: number };
}

/**
 * The general form under {@link compileValidators}: any schemas whose `#/...` `$ref`s point into
 * `document`, compiled into one module exporting `validators`. The conformance suite drives it
 * with each test schema as the document.
 */
export function compileSchemaModule(
  document: unknown,
  entries: readonly SchemaEntry[],
  options: CompileValidatorsOptions & {
    /** Further schema documents by URI, for references that leave the document. */
    readonly remotes?: Readonly<Record<string, unknown>>;
    /** The URI `document` is known by (relative references resolve against it, or against its root `$id`). */
    readonly documentUri?: string;
    /** The document's reference index made with the same URI and remotes, if the caller has one (ajv-document.ts `indexDocument`). */
    readonly index?: LinkOptions["index"];
  } = {},
): CompiledSchemaModule {
  const ajvDocument = buildAjvDocument(
    document,
    entries.map((e) => ({ schema: e.schema, flavour: e.flavour ?? "neutral", filesAsAny: e.filesAsAny })),
    {
      documentUri: options.documentUri ?? DEFAULT_DOCUMENT_URI,
      remotes: options.remotes,
      index: options.index,
      readOnlyInRequests: options.readOnlyInRequests ?? "refuse",
      writeOnlyInResponses: options.writeOnlyInResponses ?? "refuse",
    },
  );
  const keys = new Map<string, string>();
  for (const pointer of ajvDocument.entries) if (pointer !== undefined && !keys.has(pointer)) keys.set(pointer, `v${keys.size}`);
  const emitted = emitValidatorModule(ajvDocument, keys, {
    imports: options.imports ?? DEFAULT_RUNTIME_IMPORTS,
    inlineRefs: options.inlineRefs,
    formats: options.formats,
    lazy: options.lazy,
  });
  const names = ajvDocument.entries.map((pointer) => {
    const name = pointer === undefined ? undefined : keys.get(pointer);
    return name !== undefined && emitted.names.has(name) ? name : undefined;
  });
  const failures = ajvDocument.entries.map((pointer) => (pointer === undefined ? undefined : emitted.failures.get(pointer)));
  return {
    source: emitted.source,
    names,
    failures,
    stats: { validators: emitted.names.size, bytes: Buffer.byteLength(emitted.source), sharedSchemas: ajvDocument.targets },
  };
}

/**
 * Compile the schemas reachable from the operations (parameters, request bodies, responses,
 * response headers) into one ES module source exporting `validators`, and return the
 * operations as runtime metadata with validator names and coercion shapes filled in.
 */
export function compileValidators(
  document: Record<string, unknown>,
  operations: readonly OperationDraft[],
  options: CompileValidatorsOptions = {},
): CompiledValidators {
  const entries: Entry[] = [];
  const responseEntries: Entry[] = [];
  let compiled: CompiledSchemaModule | undefined;
  let responseIndexes: readonly (number | undefined)[] = [];
  /** Register a schema to validate; returns a function giving its validator name (or response schema index) once compiled. */
  const want: Want = (schema, flavour, source, what, filesAsAny = false) => {
    if (schema === undefined) return () => undefined;
    if (flavour === "response") {
      const index = responseEntries.push({ schema, flavour, source, what }) - 1;
      return () => responseIndexes[index];
    }
    const index = entries.push({ schema, flavour, source, what, filesAsAny }) - 1;
    return () => compiled?.names[index];
  };
  const builders = operations.map((op, index) => planOperation(op, index, document, want, options.responses !== false));
  // Both links resolve references in the same document: it is indexed (walked whole) once.
  const index = indexDocument(document, { documentUri: DEFAULT_DOCUMENT_URI });
  compiled = compileSchemaModule(document, entries, { ...options, index });
  const responses = compileResponseSchemas(
    document,
    responseEntries.map((entry) => entry.schema),
    { documentUri: DEFAULT_DOCUMENT_URI, index, writeOnlyInResponses: options.writeOnlyInResponses ?? "refuse", formats: options.formats },
  );
  responseIndexes = responses.indexes;

  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  const report = (list: readonly Entry[], failures: readonly (string | undefined)[]) =>
    list.forEach((entry, index) => {
      const failure = failures[index];
      const key = `${failure} ${entry.source.file}:${entry.source.line}:${entry.source.column}`;
      if (failure === undefined || reported.has(key)) return;
      reported.add(key);
      diagnostics.push(diagnostic(entry.source, `${entry.what}: schema not validated: ${failure}`, "warning"));
    });
  report(entries, compiled.failures);
  report(responseEntries, responses.failures);
  const first = responseEntries[0];
  if (first !== undefined && responses.uncheckedPatterns.length > 0) {
    const list = responses.uncheckedPatterns.map((p) => JSON.stringify(p)).join(", ");
    diagnostics.push(diagnostic(first.source, `response validation does not check pattern(s) ${list}: not valid as Unicode regular expressions`, "warning"));
  }
  return {
    source: compiled.source,
    responseSchemas: responses.texts,
    operations: builders.map((build) => build()),
    stats: {
      validators: compiled.stats.validators,
      bytes: compiled.stats.bytes,
      responseSchemas: responses.texts.length,
      responseSchemaBytes: responses.texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    },
    diagnostics,
  };
}

type Want = (schema: JsonSchema | undefined, flavour: Flavour, source: SourcePosition, what: string, filesAsAny?: boolean) => () => string | number | undefined;

/** Registers the operation's schemas now; the returned function builds its metadata once names exist. */
function planOperation(op: OperationDraft, index: number, document: Record<string, unknown>, want: Want, responses: boolean): () => OperationMeta {
  const label = op.operationId;
  const parameters = op.parameters.map((p) => {
    const name = want(p.schema, "request", p.source, `${label} ${p.in} parameter ${JSON.stringify(p.name)}`);
    return (): ParameterMeta => {
      const fallback = defaultOf(p.schema, document);
      return {
        name: p.name,
        in: p.in,
        required: p.required,
        style: p.style,
        explode: p.explode,
        allowEmptyValue: p.allowEmptyValue,
        allowReserved: p.allowReserved,
        // A content-typed parameter is parsed by its media type, not coerced.
        shape: p.contentType === undefined ? shapeOf(p.schema, document) : { type: "any" },
        ...(fallback === undefined ? {} : { default: fallback }),
        ...(p.contentType === undefined ? {} : { contentType: p.contentType }),
        ...optionalName(name()),
      };
    };
  });

  const content = (media: Readonly<Record<string, MediaTypeDraft>>, flavour: Flavour, where: string, validate: boolean) =>
    Object.entries(media).map(([range, draft]) => {
      const kind = bodyKind(range);
      const name = !validate || kind === "opaque" ? () => undefined : want(draft.schema, flavour, draft.source, `${label} ${where} ${range}`, kind === "form");
      return (): [string, MediaTypeMeta] => [
        range,
        {
          ...optionalName(name()),
          ...(kind === "form" && draft.schema !== undefined ? { shape: shapeOf(draft.schema, document) } : {}),
          ...(draft.example === undefined ? {} : { example: draft.example }),
        },
      ];
    });

  const body = op.requestBody === undefined ? undefined : { required: op.requestBody.required, content: content(op.requestBody.content, "request", "request body", true) };
  const statuses = Object.entries(op.responses).map(([status, response]) => {
    const headers = Object.entries(response.headers).map(([header, h]) => {
      const name = responses ? want(h.schema, "response", op.source, `${label} ${status} response header ${JSON.stringify(header)}`) : () => undefined;
      return (): [string, ResponseHeaderMeta] => [header, { required: h.required, ...optionalName(name()) }];
    });
    const media = content(response.content, "response", `${status} response`, responses);
    return (): [string, ResponseMeta] => [
      status,
      {
        headers: Object.fromEntries(headers.map((h) => h())),
        content: Object.fromEntries(media.map((m) => m())),
      },
    ];
  });

  return () => {
    const requestBody: RequestBodyMeta | undefined = body === undefined ? undefined : { required: body.required, content: Object.fromEntries(body.content.map((m) => m())) };
    return {
      index,
      operationId: op.operationId,
      method: op.method,
      path: op.path,
      tags: op.tags,
      ...(op.summary === undefined ? {} : { summary: op.summary }),
      deprecated: op.deprecated,
      parameters: parameters.map((p) => p()),
      ...(requestBody === undefined ? {} : { requestBody }),
      responses: Object.fromEntries(statuses.map((s) => s())),
      security: op.security,
      extensions: op.extensions,
    };
  };
}

/** A generated validator's name (parameters, request bodies) or a response schema's index. */
function optionalName(name: string | number | undefined): { validator?: string; schema?: number } {
  if (name === undefined) return {};
  return typeof name === "number" ? { schema: name } : { validator: name };
}

/** The schema's `default`, looking through `$ref`s. */
function defaultOf(schema: unknown, document: unknown, depth = 0): JsonValue | undefined {
  if (!isSchemaObject(schema) || depth > 16) return undefined;
  if ("default" in schema) return schema.default as JsonValue;
  const pointer = documentPointer(schema.$ref);
  return pointer === undefined ? undefined : defaultOf(resolvePointer(document, pointer), document, depth + 1);
}
