/**
 * createApp: the fetch-handler-only core.
 *
 *   request → match → authorise → parse + validate → dispatch → respond
 *
 * Each stage is its own module and returns either its result or a Problem; this file only
 * sequences them, turns Problems into responses and keeps a thrown handler from taking the
 * isolate down. Everything expensive is prepared once, when createApp runs at module start,
 * and that preparation is kept small (no spec walking: the build did it).
 */
import { Router, type IRequest, type RouterType } from "itty-router";
import type { CompiledSpec, OperationMeta } from "./compiled-spec.ts";
import type { Handler, HandlerContext, HandlerRequest, Handlers, OperationIds } from "./handler.ts";
import { createDocumentHandler } from "./document.ts";
import { mockResponse } from "./mock.ts";
import { Problem, isProblem } from "./problem.ts";
import { requestIdFor } from "./request-id.ts";
import { createRequestParser, RequestUrl, type ParsedRequest, type RequestParserOptions } from "./request/index.ts";
import { REQUEST_ID_HEADER, requestIdHeaders, resultToResponse, withRequestId } from "./respond.ts";
import { createResponseValidator, type ResponseValidationMode } from "./response-validation.ts";
import { dispatchRealtime, realtimeKindOf, type RealtimeEnv } from "../durable/realtime-dispatch.ts";
import { createAuthoriser, unconfiguredSchemes, type Auth, type SecurityConfig } from "./security/index.ts";

export interface Logger {
  error(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
}

/** Routes added in code with itty-router: they answer what the spec does not declare. */
export type ComposeRoutes<Env> = (router: RouterType<IRequest, [Env, ExecutionContext]>) => void;

export interface AppOptions<Env, Spec extends CompiledSpec = CompiledSpec> {
  /** The generated module: `import * as spec from "../generated/<name>/spec.js"`. */
  readonly spec: Spec;
  /**
   * Handlers by operationId (checked against the spec's operationIds when the generated types
   * are in use). An operation without one answers 501 (or its example with `mock`).
   */
  readonly handlers?: Handlers<Env, OperationIds<Spec>>;
  /** Answer operations that have no handler with the example of their first 2xx response. */
  readonly mock?: boolean;
  /** Skip every security check. For trying a spec locally only; logged loudly at first request. */
  readonly insecure?: boolean;
  /** Per-scheme configuration (keys, JWKS, verifiers). */
  readonly security?: SecurityConfig;
  /** Limits and parameter options for the parse + validate stage. */
  readonly request?: RequestParserOptions;
  /**
   * Response validation: "off" in production by default. When not given, the binding
   * `BRRT_RESPONSE_VALIDATION` ("off" | "warn" | "strict") decides, so `wrangler dev` and the
   * tests turn it on without a code change.
   */
  readonly responseValidation?: ResponseValidationMode;
  /** Extra routes (itty-router) for paths the spec does not declare. */
  readonly routes?: ComposeRoutes<Env>;
  /** Serve the bundled document at `GET /openapi.json` (default true). */
  readonly serveDocument?: boolean;
  readonly logger?: Logger;
}

export interface App<Env> extends ExportedHandler<Env> {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

const consoleLogger: Logger = {
  error: (message, detail) => console.error(message, detail),
  warn: (message, detail) => console.warn(message, detail),
};

const NO_AUTH: Auth = Object.freeze({});
const RESPONSE_VALIDATION_MODES: readonly string[] = ["off", "warn", "strict"];

function notFound(pathname: string): Problem {
  return new Problem(404, "Not Found", `No operation is declared for path ${JSON.stringify(pathname)}.`);
}

function methodNotAllowed(method: string, allow: string): Problem {
  return new Problem(405, "Method Not Allowed", `${method} is not declared for this path. Allowed: ${allow}.`, {
    headers: { allow },
  });
}

function badPath(param: string): Problem {
  return new Problem(400, "Bad Request", `Path parameter ${JSON.stringify(param)} has a malformed percent-encoding.`, {
    errors: [{ in: "path", name: param, pointer: `/${param}`, message: "is not valid percent-encoded UTF-8" }],
  });
}

function notImplemented(op: OperationMeta): Problem {
  return new Problem(501, "Not Implemented", `Operation ${op.operationId} is declared in the spec but has no handler.`, {
    extensions: { operationId: op.operationId },
  });
}

/**
 * What a handler gets. A class rather than an object literal: `url` is a getter (the URL object
 * is built only for a handler that reads it), and a literal with an accessor costs V8 ~1.5 us to
 * create against ~0.02 us for a class instance (measured in Node 20).
 */
class PipelineRequest implements HandlerRequest {
  readonly raw: Request;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly cookies: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly contentType: string | undefined;
  readonly auth: Auth;
  readonly operation: OperationMeta;
  readonly #target: RequestUrl;

  constructor(raw: Request, target: RequestUrl, parsed: ParsedRequest, auth: Auth, operation: OperationMeta) {
    this.raw = raw;
    this.#target = target;
    this.params = parsed.params;
    this.query = parsed.query;
    this.headers = parsed.headers;
    this.cookies = parsed.cookies;
    this.body = parsed.body;
    this.contentType = parsed.contentType;
    this.auth = auth;
    this.operation = operation;
  }

  get url(): URL {
    return this.#target.url;
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return value !== null && value !== undefined && typeof (value as { then?: unknown }).then === "function";
}

function stripBodyForHead(response: Response): Response {
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** A HEAD answer never carries a body (RFC 9110 §9.3.2), refusals included: callers in the same process see it before workerd's HTTP layer would drop it. */
function headless(method: string, response: Response): Response {
  return method === "HEAD" ? stripBodyForHead(response) : response;
}

export function createApp<Env = unknown, Spec extends CompiledSpec = CompiledSpec>(options: AppOptions<Env, Spec>): App<Env> {
  const { spec } = options;
  const handlers: Handlers<Env> = options.handlers ?? {};
  const logger = options.logger ?? consoleLogger;
  const securityConfig = options.security ?? { schemes: {} };
  const authorise = createAuthoriser(spec.securitySchemes, securityConfig);
  if (options.insecure !== true) {
    const missing = unconfiguredSchemes(spec.operations, securityConfig);
    // Not fatal (a spec may be served before every scheme is wired), but those operations will only ever answer 401.
    if (missing.length > 0) logger.warn(`brrtrouter-edge: no security config for scheme(s) ${missing.join(", ")}: operations requiring only them always answer 401`);
  }
  const parseRequest = createRequestParser(spec.validators, options.request);
  const validators = new Map<ResponseValidationMode, ReturnType<typeof createResponseValidator>>();
  const validatorFor = (mode: ResponseValidationMode) => {
    let validator = validators.get(mode);
    if (validator === undefined) {
      validator = createResponseValidator(spec.validators, mode, (message, detail) => logger.warn(message, detail), spec.responseSchemas);
      validators.set(mode, validator);
    }
    return validator;
  };

  // Handlers resolved once per operation index, so dispatch is an array read.
  const handlerByOp: (Handler<Env> | undefined)[] = spec.operations.map((op) => handlers[op.operationId]);
  // x-websocket / x-sse operations are served by Durable Objects, not handlers.
  const realtimeByOp: boolean[] = spec.operations.map((op) => realtimeKindOf(op) !== undefined);
  // One pass over the operations, not one per handler (handlers × operations at every start).
  const operationIds = new Set(spec.operations.map((op) => op.operationId));
  for (const operationId of Object.keys(handlers)) {
    if (!operationIds.has(operationId)) {
      logger.warn(`brrtrouter-edge: handler "${operationId}" matches no operation in the spec and is never called`);
    }
  }

  const outer = Router<IRequest, [Env, ExecutionContext]>();
  if (options.serveDocument !== false) {
    outer.get("/openapi.json", createDocumentHandler(spec.documentGzip));
  }
  options.routes?.(outer);

  let warnedInsecure = false;

  function responseValidationMode(env: Env): ResponseValidationMode {
    if (options.responseValidation !== undefined) return options.responseValidation;
    const fromEnv = (env as Record<string, unknown> | undefined)?.BRRT_RESPONSE_VALIDATION;
    return typeof fromEnv === "string" && RESPONSE_VALIDATION_MODES.includes(fromEnv) ? (fromEnv as ResponseValidationMode) : "off";
  }

  async function serveOperation(
    request: Request,
    url: RequestUrl,
    op: OperationMeta,
    rawParams: Readonly<Record<string, string>>,
    env: Env,
    ctx: ExecutionContext,
    requestId: string,
  ): Promise<Response> {
    // 1. authorise — before any parsing, so an anonymous client learns nothing about the schema.
    let auth: Auth = NO_AUTH;
    if (options.insecure === true) {
      if (!warnedInsecure) {
        warnedInsecure = true;
        logger.warn("brrtrouter-edge: INSECURE MODE - every security requirement is skipped");
      }
    } else if (op.security.length > 0) {
      // Synchronous on a verified-token cache hit: await only a real promise.
      let authorised = authorise(request, url, op, env);
      if (authorised instanceof Promise) authorised = await authorised;
      if (isProblem(authorised)) return authorised.toResponse(requestIdHeaders(requestId));
      auth = authorised;
    }

    // 2. parse + validate
    // Synchronous unless there is a body to read.
    let parsed = parseRequest(request, url, op, rawParams);
    if (parsed instanceof Promise) parsed = await parsed;
    if (isProblem(parsed)) return parsed.toResponse(requestIdHeaders(requestId));

    // 3. dispatch
    if (realtimeByOp[op.index] === true) {
      // A 101 or an event stream: nothing for response validation to check.
      return withRequestId(await dispatchRealtime(request, op, parsed.params, auth, env as RealtimeEnv), requestId);
    }
    const handler = handlerByOp[op.index];
    if (handler === undefined) {
      return options.mock === true ? withRequestId(mockResponse(op, request), requestId) : notImplemented(op).toResponse(requestIdHeaders(requestId));
    }
    const handlerRequest = new PipelineRequest(request, url, parsed, auth, op);
    const context: HandlerContext<Env> = { env, waitUntil: (p) => ctx.waitUntil(p), requestId };
    // Await only what can be awaited (a promise or any thenable), not a plain result.
    const returned = handler(handlerRequest, context);
    const result = isThenable(returned) ? await returned : returned;
    // Every header, x-request-id included, goes into the Response init at once.
    const response = resultToResponse(result, requestId);

    // 4. respond
    const mode = responseValidationMode(env);
    if (mode === "off") return response;
    const checked = await validatorFor(mode)(op, response);
    return checked === response ? response : withRequestId(checked, requestId);
  }

  /** Not async itself: the common path hands serveOperation's promise straight to fetch (one await less). */
  function route(request: Request, env: Env, ctx: ExecutionContext, requestId: string): Response | Promise<Response> {
    // pathname and search as new URL() gives them, without building one on the common path.
    const url = new RequestUrl(request.url);
    const method = request.method;
    const found = spec.match(method, url.pathname);
    switch (found.status) {
      case 200: {
        const op = spec.operations[found.op];
        if (op === undefined) throw new Error(`matcher returned unknown operation index ${found.op}`);
        const serving = serveOperation(request, url, op, found.params, env, ctx, requestId);
        return method === "HEAD" ? serving.then(stripBodyForHead) : serving;
      }
      case 405:
        if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: found.allow, [REQUEST_ID_HEADER]: requestId } });
        return headless(method, methodNotAllowed(method, found.allow).toResponse(requestIdHeaders(requestId)));
      case 400:
        return headless(method, badPath(found.param).toResponse(requestIdHeaders(requestId)));
      default: {
        const composed = composedRoute(request, url, env, ctx, requestId);
        return method === "HEAD" ? composed.then(stripBodyForHead) : composed;
      }
    }
  }

  /** Paths the spec does not declare: the itty-router routes, else 404. */
  async function composedRoute(request: Request, url: RequestUrl, env: Env, ctx: ExecutionContext, requestId: string): Promise<Response> {
    const composed: unknown = await outer.fetch(request as IRequest, env, ctx);
    if (composed instanceof Response) return withRequestId(composed, requestId);
    if (composed !== undefined && composed !== null) return resultToResponse(composed as never, requestId);
    return notFound(url.pathname).toResponse(requestIdHeaders(requestId));
  }

  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      const requestId = requestIdFor(request);
      try {
        // Every response route() gives back already carries x-request-id.
        return await route(request, env, ctx, requestId);
      } catch (error) {
        // A bug in a handler (or in us) must cost one request, never the isolate.
        logger.error(`brrtrouter-edge: unhandled error (request ${requestId})`, error instanceof Error ? error.stack ?? error : error);
        const problem = new Problem(500, "Internal Server Error", "The server failed to handle this request.", {
          extensions: { requestId },
        });
        return headless(request.method, problem.toResponse(requestIdHeaders(requestId)));
      }
    },
  };
}
