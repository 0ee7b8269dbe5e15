/**
 * From a bundled, normalised document to the operation drafts the compilers consume, plus the
 * checks that need the operations' view: path keys that are not plain paths (skipped with a
 * warning), templates the matcher cannot serve, path template vs declared path parameters, duplicate operationIds, security
 * requirements naming undefined schemes.
 *
 * Defensive by design: the document may have failed schema validation (those errors are reported
 * elsewhere), so every shape is checked before use and nothing here throws on bad input.
 */
import type { HttpMethod, JsonSchema, JsonValue, ParameterLocation, ParameterStyle, SecurityRequirement, SecuritySchemeMeta } from "../runtime/compiled-spec.ts";
import { diagnostic, type Diagnostic, type SourcePosition } from "./diagnostics.ts";
import { parseTemplate, TemplateError } from "./matcher/template.ts";
import type { MediaTypeDraft, OperationDraft, ParameterDraft } from "./operation-draft.ts";
import type { SourceIndex } from "./positions.ts";
import { InternalRefs, isObject, refOf } from "./spec-refs.ts";

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const LOCATIONS: readonly ParameterLocation[] = ["path", "query", "header", "cookie"];
const STYLES: readonly ParameterStyle[] = ["matrix", "label", "simple", "form", "spaceDelimited", "pipeDelimited", "deepObject"];

export interface OperationsResult {
  readonly operations: OperationDraft[];
  readonly securitySchemes: Record<string, SecuritySchemeMeta>;
  readonly diagnostics: Diagnostic[];
  /** Path items turned into operations (skipped ones not counted). */
  readonly pathCount: number;
}

/** Why a path key is not a plain path template, or undefined if it is one. */
export function pathKeyProblem(key: string): string | undefined {
  if (!key.startsWith("/")) return `it does not start with "/"`;
  if (key.includes("?")) return `"?" starts a query string, which is not part of a path`;
  if (key.includes("#")) return `"#" starts a fragment, which is not part of a path`;
  // Outside templates only RFC 3986 pchar and "/" may appear; `{name}` templates hold any name without braces or "/".
  const outside = key.replace(/\{[^{}/]+\}/g, "");
  const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/.exec(outside);
  if (bad) return `${JSON.stringify(bad[0])} is not allowed in a URL path`;
  if (/%(?![0-9A-Fa-f]{2})/.test(outside)) return `"%" must start a percent-escape`;
  return undefined;
}

/**
 * Why the matcher cannot serve a plain path (adjacent parameters, a name used twice, an empty
 * segment), in the matcher's own words, or undefined. Checked here so such a path is refused with
 * its position instead of reaching the matcher's compilers, which throw for it.
 */
function templateProblem(path: string): string | undefined {
  try {
    parseTemplate(path);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}

export function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^{}/]+)\}/g)].map((m) => m[1]!);
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === "boolean" || isObject(value) ? (value as JsonSchema) : undefined;
}

class OperationBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly reportedParameters = new Set<object>();
  private readonly refs: InternalRefs;

  constructor(
    private readonly document: Record<string, unknown>,
    private readonly index: SourceIndex,
    private readonly fallback: SourcePosition,
  ) {
    this.refs = new InternalRefs(document);
  }

  private where(node: unknown, ...fallbacks: unknown[]): SourcePosition {
    for (const n of [node, ...fallbacks]) {
      const p = this.index.positionOf(n);
      if (p) return p;
    }
    return this.fallback;
  }

  build(): Omit<OperationsResult, "securitySchemes"> {
    const operations: OperationDraft[] = [];
    const paths = this.document.paths;
    let pathCount = 0;
    if (!isObject(paths)) return { operations, diagnostics: this.diagnostics, pathCount };
    for (const [path, rawItem] of Object.entries(paths)) {
      if (path.startsWith("x-")) continue;
      const pathSource = this.index.keyPosition(paths, path) ?? this.fallback;
      const problem = pathKeyProblem(path);
      if (problem) {
        this.diagnostics.push(diagnostic(pathSource, `path "${path}" skipped: ${problem}`, "warning"));
        continue;
      }
      const unservable = templateProblem(path);
      if (unservable) {
        this.diagnostics.push(diagnostic(pathSource, unservable));
        continue;
      }
      const item = this.refs.deref(rawItem);
      if (!isObject(item)) continue;
      pathCount++;
      operations.push(...this.pathItem(path, pathSource, item));
    }
    this.checkOperationIds(operations);
    return { operations, diagnostics: this.diagnostics, pathCount };
  }

  private pathItem(path: string, pathSource: SourcePosition, item: Record<string, unknown>): OperationDraft[] {
    const names = templateNames(path);
    const shared = this.parameters(item.parameters);
    this.checkDeclaredInTemplate(path, shared, names);
    const out: OperationDraft[] = [];
    for (const method of HTTP_METHODS) {
      if (!(method in item)) continue;
      const op = this.refs.deref(item[method]);
      if (!isObject(op)) continue;
      const source = this.index.keyPosition(item, method) ?? pathSource;
      out.push(this.operation(path, pathSource, method, source, op, shared, names));
    }
    return out;
  }

  /** Resolved parameters with where each is written, in order, ignoring unusable entries. */
  private parameters(list: unknown): { param: Record<string, unknown>; at: SourcePosition }[] {
    if (!Array.isArray(list)) return [];
    const out: { param: Record<string, unknown>; at: SourcePosition }[] = [];
    list.forEach((entry, i) => {
      const param = this.refs.deref(entry);
      if (!isObject(param) || typeof param.name !== "string" || !LOCATIONS.includes(param.in as ParameterLocation)) return;
      out.push({ param, at: this.index.positionOf(param) ?? this.index.valuePosition(list, i) ?? this.fallback });
    });
    return out;
  }

  private checkDeclaredInTemplate(path: string, params: readonly { param: Record<string, unknown>; at: SourcePosition }[], names: readonly string[]): void {
    for (const { param, at } of params) {
      if (param.in !== "path" || names.includes(param.name as string) || this.reportedParameters.has(param)) continue;
      this.reportedParameters.add(param);
      this.diagnostics.push(diagnostic(at, `path parameter "${String(param.name)}" is declared but "${path}" has no {${String(param.name)}}`));
    }
  }

  private operation(
    path: string,
    pathSource: SourcePosition,
    method: (typeof HTTP_METHODS)[number],
    source: SourcePosition,
    op: Record<string, unknown>,
    shared: readonly { param: Record<string, unknown>; at: SourcePosition }[],
    names: readonly string[],
  ): OperationDraft {
    const METHOD = method.toUpperCase() as HttpMethod;
    const own = this.parameters(op.parameters);
    this.checkDeclaredInTemplate(path, own, names);
    // Operation parameters override path-item ones with the same name and location.
    const merged = new Map<string, { param: Record<string, unknown>; at: SourcePosition }>();
    for (const p of [...shared, ...own]) merged.set(`${String(p.param.in)}\u0000${String(p.param.name)}`, p);
    const parameters = [...merged.values()].map(({ param, at }) => this.parameter(param, at));
    for (const name of names) {
      if (!parameters.some((p) => p.in === "path" && p.name === name)) {
        this.diagnostics.push(diagnostic(source, `path parameter {${name}} of "${path}" is not declared for ${METHOD}`));
      }
    }
    const operationId = asString(op.operationId) ?? `${METHOD} ${path}`;
    const summary = asString(op.summary);
    const requestBody = this.requestBody(op.requestBody);
    const extensions: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(op)) if (key.startsWith("x-")) extensions[key] = value as JsonValue;
    return {
      operationId,
      method: METHOD,
      path,
      tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === "string") : [],
      ...(summary !== undefined ? { summary } : {}),
      deprecated: op.deprecated === true,
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: this.responses(op.responses),
      security: this.security(Array.isArray(op.security) ? op.security : this.document.security),
      extensions,
      source,
      pathSource,
    };
  }

  private parameter(p: Record<string, unknown>, at: SourcePosition): ParameterDraft {
    const location = p.in as ParameterLocation;
    const defaultStyle: ParameterStyle = location === "query" || location === "cookie" ? "form" : "simple";
    const style = STYLES.includes(p.style as ParameterStyle) ? (p.style as ParameterStyle) : defaultStyle;
    let schema = asSchema(p.schema);
    let contentType: string | undefined;
    if (schema === undefined && isObject(p.content)) {
      const [first] = Object.entries(p.content);
      if (first) {
        contentType = first[0];
        const media = this.refs.deref(first[1]);
        schema = isObject(media) ? asSchema(media.schema) : undefined;
      }
    }
    return {
      name: p.name as string,
      in: location,
      required: location === "path" ? true : p.required === true,
      style,
      explode: typeof p.explode === "boolean" ? p.explode : style === "form",
      allowEmptyValue: p.allowEmptyValue === true,
      allowReserved: p.allowReserved === true,
      ...(schema !== undefined ? { schema } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
      source: at,
    };
  }

  private requestBody(raw: unknown): OperationDraft["requestBody"] {
    const body = this.refs.deref(raw);
    if (!isObject(body)) return undefined;
    return { required: body.required === true, content: this.content(body.content) };
  }

  private content(raw: unknown): Record<string, MediaTypeDraft> {
    const out: Record<string, MediaTypeDraft> = {};
    if (!isObject(raw)) return out;
    for (const [mediaType, rawMedia] of Object.entries(raw)) {
      const media = this.refs.deref(rawMedia);
      if (!isObject(media)) continue;
      const schema = asSchema(media.schema);
      const example = this.firstExample(media, schema);
      out[mediaType] = {
        ...(schema !== undefined ? { schema } : {}),
        ...(example !== undefined ? { example } : {}),
        source: this.where(media, raw),
      };
    }
    return out;
  }

  /** Media `example`, then the first of media `examples`, then the schema's `example`/`examples[0]`. */
  private firstExample(media: Record<string, unknown>, schema: JsonSchema | undefined): JsonValue | undefined {
    if ("example" in media) return media.example as JsonValue;
    if (isObject(media.examples)) {
      for (const rawExample of Object.values(media.examples)) {
        const example = this.refs.deref(rawExample);
        if (isObject(example) && "value" in example) return example.value as JsonValue;
      }
    }
    // Then the schema's own examples, following its `$ref`s (a 3.1 `$ref` may carry `examples` beside it).
    let target: unknown = schema;
    for (let hops = 0; hops < 16 && isObject(target); hops++) {
      if (Array.isArray(target.examples) && target.examples.length > 0) return target.examples[0] as JsonValue;
      if ("example" in target) return target.example as JsonValue;
      const ref = refOf(target);
      if (ref === undefined) break;
      target = this.refs.resolve(ref, false);
    }
    return undefined;
  }

  private responses(raw: unknown): OperationDraft["responses"] {
    const out: Record<string, { headers: Record<string, { required: boolean; schema?: JsonSchema }>; content: Record<string, MediaTypeDraft> }> = {};
    if (!isObject(raw)) return out;
    for (const [status, rawResponse] of Object.entries(raw)) {
      if (status.startsWith("x-")) continue;
      const response = this.refs.deref(rawResponse);
      if (!isObject(response)) continue;
      const headers: Record<string, { required: boolean; schema?: JsonSchema }> = {};
      if (isObject(response.headers)) {
        for (const [name, rawHeader] of Object.entries(response.headers)) {
          // OpenAPI: a response header named Content-Type is ignored.
          if (name.toLowerCase() === "content-type") continue;
          const header = this.refs.deref(rawHeader);
          if (!isObject(header)) continue;
          let schema = asSchema(header.schema);
          if (schema === undefined && isObject(header.content)) {
            const first = Object.values(header.content)[0];
            const media = this.refs.deref(first);
            schema = isObject(media) ? asSchema(media.schema) : undefined;
          }
          headers[name] = { required: header.required === true, ...(schema !== undefined ? { schema } : {}) };
        }
      }
      out[status] = { headers, content: this.content(response.content) };
    }
    return out;
  }

  private security(raw: unknown): SecurityRequirement[] {
    if (!Array.isArray(raw)) return [];
    const out: SecurityRequirement[] = [];
    for (const requirement of raw) {
      if (!isObject(requirement)) continue;
      const entry: Record<string, string[]> = {};
      for (const [scheme, scopes] of Object.entries(requirement)) {
        entry[scheme] = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [];
      }
      out.push(entry);
    }
    return out;
  }

  private checkOperationIds(operations: readonly OperationDraft[]): void {
    const first = new Map<string, OperationDraft>();
    for (const op of operations) {
      const earlier = first.get(op.operationId);
      if (!earlier) {
        first.set(op.operationId, op);
        continue;
      }
      const at = this.operationIdPosition(op) ?? op.source;
      const was = this.operationIdPosition(earlier) ?? earlier.source;
      this.diagnostics.push(diagnostic(at, `duplicate operationId "${op.operationId}" (also used by ${earlier.method} ${earlier.path} at ${was.file}:${was.line}:${was.column})`));
    }
  }

  private operationIdPosition(op: OperationDraft): SourcePosition | undefined {
    const item = this.refs.deref((this.document.paths as Record<string, unknown>)[op.path]);
    const raw = isObject(item) ? this.refs.deref(item[op.method.toLowerCase()]) : undefined;
    return isObject(raw) && "operationId" in raw ? this.index.valuePosition(raw, "operationId") : undefined;
  }
}

function securitySchemes(document: Record<string, unknown>, index: SourceIndex, fallback: SourcePosition): { schemes: Record<string, SecuritySchemeMeta>; diagnostics: Diagnostic[] } {
  const refs = new InternalRefs(document);
  const deref = (_: unknown, value: unknown): unknown => refs.deref(value);
  const schemes: Record<string, SecuritySchemeMeta> = {};
  const components = document.components;
  const raw = isObject(components) && isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, rawScheme] of Object.entries(raw)) {
    if (name.startsWith("x-")) continue;
    const s = deref(document, rawScheme);
    if (!isObject(s)) continue;
    switch (s.type) {
      case "apiKey":
        if (typeof s.name === "string" && (s.in === "header" || s.in === "query" || s.in === "cookie")) schemes[name] = { type: "apiKey", name: s.name, in: s.in };
        break;
      case "http":
        if (typeof s.scheme === "string") {
          // Auth scheme names are case-insensitive (RFC 9110); store them lower-case for the runtime.
          schemes[name] = { type: "http", scheme: s.scheme.toLowerCase(), ...(typeof s.bearerFormat === "string" ? { bearerFormat: s.bearerFormat } : {}) };
        }
        break;
      case "oauth2": {
        const scopes = new Set<string>();
        if (isObject(s.flows)) for (const flow of Object.values(s.flows)) if (isObject(flow) && isObject(flow.scopes)) for (const scope of Object.keys(flow.scopes)) scopes.add(scope);
        schemes[name] = { type: "oauth2", scopes: [...scopes] };
        break;
      }
      case "openIdConnect":
        if (typeof s.openIdConnectUrl === "string") schemes[name] = { type: "openIdConnect", openIdConnectUrl: s.openIdConnectUrl };
        break;
      case "mutualTLS":
        schemes[name] = { type: "mutualTLS" };
        break;
    }
  }
  const diagnostics: Diagnostic[] = [];
  const checkRequirements = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const requirement of list) {
      if (!isObject(requirement)) continue;
      for (const scheme of Object.keys(requirement)) {
        if (scheme in raw) continue;
        diagnostics.push(diagnostic(index.keyPosition(requirement, scheme) ?? fallback, `security requirement names "${scheme}", which is not in components.securitySchemes`));
      }
    }
  };
  checkRequirements(document.security);
  const seen = new Set<unknown>();
  if (isObject(document.paths)) {
    for (const [path, rawItem] of Object.entries(document.paths)) {
      if (path.startsWith("x-") || pathKeyProblem(path)) continue;
      const item = deref(document, rawItem);
      if (!isObject(item)) continue;
      for (const method of HTTP_METHODS) {
        const op = deref(document, item[method]);
        if (!isObject(op) || seen.has(op.security)) continue;
        seen.add(op.security);
        checkRequirements(op.security);
      }
    }
  }
  return { schemes, diagnostics };
}

export function buildOperations(document: Record<string, unknown>, index: SourceIndex, fallback: SourcePosition): OperationsResult {
  const builder = new OperationBuilder(document, index, fallback);
  const { operations, diagnostics, pathCount } = builder.build();
  const security = securitySchemes(document, index, fallback);
  return { operations, securitySchemes: security.schemes, diagnostics: [...diagnostics, ...security.diagnostics], pathCount };
}
