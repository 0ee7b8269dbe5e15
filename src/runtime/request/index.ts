/**
 * The parse + validate stage: `createRequestParser(spec.validators, options)` returns the
 * per-request function the pipeline calls after matching and authorising.
 *
 * It answers with the typed values the handler gets, or with the `Problem` to send (400, 413,
 * 415, 431) — never a throw for a client mistake. Parameter violations from every location are
 * collected into one 400 before the body is touched; the body is read only when the parameters
 * are acceptable.
 */

import type { CompiledSpec, OperationMeta } from "../compiled-spec.ts";
import { resolveLimits, type Limits } from "../limits.ts";
import { Problem } from "../problem.ts";
import { parseBody, type ParsedBody } from "./body.ts";
import { ErrorList } from "./errors.ts";
import { NO_VALUES, parseParameters, type ParsedParameters } from "./parameters.ts";
import { compileOperationPlan, type OperationPlan } from "./plan.ts";
import { headersTooLarge, invalidRequest } from "./refusals.ts";
import type { UrlParts } from "./target.ts";

export interface ParsedRequest {
  /** Path parameters by name, typed per their schema. */
  readonly params: Record<string, unknown>;
  /** Declared query parameters by name (undeclared ones stay in `url.searchParams`). */
  readonly query: Record<string, unknown>;
  /** Declared header parameters by their name as written in the spec. */
  readonly headers: Record<string, unknown>;
  readonly cookies: Record<string, unknown>;
  /** Parsed body (see body.ts for what each media type gives); `undefined` when there is none. */
  readonly body: unknown;
  /** The request's media type (`type/subtype`, lower-case) when a body was parsed. */
  readonly contentType?: string;
}

export interface RequestParserOptions {
  /** Overrides for {@link DEFAULT_LIMITS}. */
  limits?: Partial<Limits>;
  /** Refuse query parameters the operation does not declare (default: allowed and ignored). */
  strictQuery?: boolean;
}

/** Synchronous unless there is a body to read; callers `await` either. */
export type RequestParser = (
  request: Request,
  /** A `URL`, or the pipeline's {@link RequestUrl}: only `pathname` and `search` are read. */
  url: UrlParts,
  op: OperationMeta,
  rawPathParams: Readonly<Record<string, string>>,
) => ParsedRequest | Problem | Promise<ParsedRequest | Problem>;

export { DEFAULT_LIMITS, type Limits } from "../limits.ts";
export { RequestUrl, type UrlParts } from "./target.ts";

const NOTHING_DECLARED: ParsedRequest = Object.freeze({
  params: NO_VALUES,
  query: NO_VALUES,
  headers: NO_VALUES,
  cookies: NO_VALUES,
  body: undefined,
});

export function createRequestParser(validators: CompiledSpec["validators"], options: RequestParserOptions = {}): RequestParser {
  const limits = resolveLimits(options.limits);
  const strictQuery = options.strictQuery === true;
  // Plans are built on an operation's first request (not at start-up: most isolates serve few operations).
  const plans = new WeakMap<OperationMeta, OperationPlan>();

  return function parseRequest(request, url, op, rawPathParams) {
    // The header-size walk (each Headers step is a call into C++ in workerd) also picks up the two
    // headers the body stage needs, so it does not ask for them again.
    let contentType: string | null | undefined;
    let contentLength: string | null | undefined;
    if (limits.maxHeaderBytes !== Infinity) {
      contentType = null;
      contentLength = null;
      let total = 0;
      for (const [name, value] of request.headers) {
        total += name.length + value.length + 4; // `name: value\r\n`, as sent
        if (total > limits.maxHeaderBytes) return headersTooLarge(limits.maxHeaderBytes);
        if (name === "content-type") contentType = value;
        else if (name === "content-length") contentLength = value;
      }
    }
    let plan = plans.get(op);
    if (plan === undefined) {
      plan = compileOperationPlan(op, validators, strictQuery);
      plans.set(op, plan);
    }
    if (plan.empty) return NOTHING_DECLARED;

    const errors = new ErrorList(limits.maxErrors);
    const parameters = parseParameters(plan, request, url, rawPathParams, limits, strictQuery, errors);
    if (parameters instanceof Problem) return parameters;
    if (!errors.empty) return invalidRequest(errors.items, errors.full);
    if (plan.body === undefined) return { ...parameters, body: undefined };

    return withBody(parameters, parseBody(request, plan.body, limits, errors, contentType, contentLength));
  };
}

async function withBody(parameters: ParsedParameters, parsing: Promise<ParsedBody | Problem>): Promise<ParsedRequest | Problem> {
  const body = await parsing;
  if (body instanceof Problem) return body;
  return body.contentType === undefined ? { ...parameters, body: body.value } : { ...parameters, body: body.value, contentType: body.contentType };
}
