/**
 * The contract between the build step and the runtime.
 *
 * The build step (`src/build/`, Node) turns an OpenAPI document into one generated ES module
 * whose exports satisfy {@link CompiledSpec}. The runtime (`src/runtime/`, Workers) only ever
 * sees that module: plain frozen data plus generated functions, no OpenAPI document walking at
 * request time. Everything here is types only, so importing it costs nothing at run time.
 */

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON Schema 2020-12 schema after bundling and 3.0 → 3.1 normalisation. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE";
export type ParameterLocation = "path" | "query" | "header" | "cookie";
export type ParameterStyle = "matrix" | "label" | "simple" | "form" | "spaceDelimited" | "pipeDelimited" | "deepObject";

/**
 * What the runtime needs to turn raw strings into typed values, computed at build time from the
 * (resolved) schema so that coercion never walks a schema per request.
 */
export type ValueShape =
  | { readonly type: "any" }
  | { readonly type: "string" }
  | { readonly type: "integer" }
  | { readonly type: "number" }
  | { readonly type: "boolean" }
  | { readonly type: "null" }
  | { readonly type: "array"; readonly items: ValueShape }
  | { readonly type: "object"; readonly properties: Readonly<Record<string, ValueShape>>; readonly additional: ValueShape }
  /** Several types allowed (`type: [..]`, `oneOf` of scalars): try each in order. */
  | { readonly type: "union"; readonly options: readonly ValueShape[] };

export interface ParameterMeta {
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
  /** Defaulted at build time per location (path/header: simple, query/cookie: form). */
  readonly style: ParameterStyle;
  /** Defaulted at build time (true for form, false otherwise). */
  readonly explode: boolean;
  readonly allowEmptyValue: boolean;
  readonly allowReserved: boolean;
  /** How to coerce the raw string(s). */
  readonly shape: ValueShape;
  /** Schema `default`, applied when the parameter is absent. */
  readonly default?: JsonValue;
  /** For `content`-typed parameters: the media type (e.g. application/json) the value is encoded in. */
  readonly contentType?: string;
  /** Key into {@link CompiledSpec.validators}; absent when the schema accepts anything. */
  readonly validator?: string;
}

export interface MediaTypeMeta {
  /** Key into {@link CompiledSpec.validators}; absent when the schema accepts anything. */
  readonly validator?: string;
  /**
   * Responses only: index into {@link CompiledSpec.responseSchemas}, the schema response
   * validation checks the body against (absent when it accepts anything).
   */
  readonly schema?: number;
  /** Coercion shape for form-like bodies (urlencoded, multipart). */
  readonly shape?: ValueShape;
  /** First example found (media type `example`/`examples`, then schema `example`/`examples`), for mock mode. */
  readonly example?: JsonValue;
}

export interface RequestBodyMeta {
  readonly required: boolean;
  /** Keyed by media type range as written in the spec (`application/json`, `text/*`, ...). */
  readonly content: Readonly<Record<string, MediaTypeMeta>>;
}

export interface ResponseHeaderMeta {
  readonly required: boolean;
  readonly validator?: string;
  /** Index into {@link CompiledSpec.responseSchemas} (see {@link MediaTypeMeta.schema}). */
  readonly schema?: number;
}

export interface ResponseMeta {
  readonly headers: Readonly<Record<string, ResponseHeaderMeta>>;
  readonly content: Readonly<Record<string, MediaTypeMeta>>;
}

/** One requirement object: every scheme named must pass (AND), with these scopes. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export type SecuritySchemeMeta =
  | { readonly type: "apiKey"; readonly name: string; readonly in: "header" | "query" | "cookie" }
  | { readonly type: "http"; readonly scheme: string; readonly bearerFormat?: string }
  | { readonly type: "oauth2"; readonly scopes: readonly string[] }
  | { readonly type: "openIdConnect"; readonly openIdConnectUrl: string }
  | { readonly type: "mutualTLS" };

export interface OperationMeta {
  /** Position in {@link CompiledSpec.operations}; what the matcher returns. */
  readonly index: number;
  /** From the spec; synthesised as `METHOD /path` when the spec has none. */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** The path template as written in the spec (without any query part). */
  readonly path: string;
  readonly tags: readonly string[];
  readonly summary?: string;
  readonly deprecated: boolean;
  /** Path-item and operation parameters merged (operation wins), `$ref`s resolved. */
  readonly parameters: readonly ParameterMeta[];
  readonly requestBody?: RequestBodyMeta;
  /** Keyed by status code as written (`200`, `2XX`, `default`). */
  readonly responses: Readonly<Record<string, ResponseMeta>>;
  /** Effective security: the operation's own, else the document's. `[]` means public. */
  readonly security: readonly SecurityRequirement[];
  /** The operation's `x-` extensions, verbatim (consumed by x-websocket, x-sse, ...), less documentation-only ones (`x-codeSamples`). */
  readonly extensions: Readonly<Record<string, JsonValue>>;
}

/** Found: the operation and its percent-decoded path parameters. */
export interface MatchFound {
  readonly status: 200;
  readonly op: number;
  readonly operationId: string;
  readonly params: Readonly<Record<string, string>>;
}
export interface MatchNotFound {
  readonly status: 404;
}
/** The path exists but not for this method. `allow` is ready for the `Allow` header. */
export interface MatchMethodNotAllowed {
  readonly status: 405;
  readonly allow: string;
}
/** The path matched a template but a parameter has a malformed percent escape. */
export interface MatchBadPath {
  readonly status: 400;
  readonly param: string;
}
export type MatchResult = MatchFound | MatchNotFound | MatchMethodNotAllowed | MatchBadPath;

/** `match(method, pathname)`: method as `Request.method` gives it, pathname as `URL.pathname` gives it (still percent-encoded). */
export type Matcher = (method: string, pathname: string) => MatchResult;

/** One violation, in the shape ajv reports it (`instancePath` is a JSON pointer into the validated value). */
export interface ValidationError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** A generated validator: returns true or sets `errors`. */
export interface Validator {
  (data: unknown): boolean;
  errors?: readonly ValidationError[] | null;
}

/** What the generated module exports (`import * as spec from "generated/<name>/spec.js"`). */
/**
 * gzip bytes: an ArrayBuffer from a Data module (`document.bin`), a Uint8Array where a bundler
 * inlined the file, or base64 text (modules built before the document moved to a Data module).
 */
export type DocumentGzip = ArrayBuffer | ArrayBufferView | string;

export interface CompiledSpec {
  readonly info: { readonly title: string; readonly version: string };
  readonly operations: readonly OperationMeta[];
  readonly securitySchemes: Readonly<Record<string, SecuritySchemeMeta>>;
  readonly match: Matcher;
  readonly validators: Readonly<Record<string, Validator>>;
  /**
   * The bundled, normalised document: its JSON text gzip-compressed. Served by
   * `GET /openapi.json` (as-is to clients that accept gzip). Compressed because a large spec's
   * document is megabytes; a Data module because bytes in a Data module cost the worker's start
   * nothing, where a string literal is scanned by V8 at every start.
   */
  readonly documentGzip: DocumentGzip;
  /**
   * Response body and header schemas (JSON Schema 2020-12) as JSON texts, which response
   * validation interprets when it is switched on (dev/test): a `$ref` inside one is
   * `#/$defs/<index>`, naming another text of this list. Data rather than generated code
   * because code is compiled at every worker start, and production never validates responses.
   * Absent in modules built before it existed (their responses use `validator` names).
   */
  readonly responseSchemas?: readonly string[];
}
