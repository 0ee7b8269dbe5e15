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
import { parseBody } from "./body.ts";
import { ErrorList } from "./errors.ts";
import { NO_VALUES, parseParameters } from "./parameters.ts";
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

export type RequestParser = (
  request: Request,
  /** A `URL`, or the pipeline's {@link RequestUrl}: only `pathname` and `search` are read. */
  url: UrlParts,
  op: OperationMeta,
  rawPathParams: Readonly<Record<string, string>>,
) => Promise<ParsedRequest | Problem>;

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

  return async function parseRequest(request, url, op, rawPathParams) {
    if (limits.maxHeaderBytes !== Infinity && headerBytesOver(request.headers, limits.maxHeaderBytes)) {
      return headersTooLarge(limits.maxHeaderBytes);
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

    const body = await parseBody(request, plan.body, limits, errors);
    if (body instanceof Problem) return body;
    return body.contentType === undefined ? { ...parameters, body: body.value } : { ...parameters, body: body.value, contentType: body.contentType };
  };
}

/** Size of the header section as sent: `name: value\r\n` per field. */
function headerBytesOver(headers: Headers, maxBytes: number): boolean {
  let total = 0;
  for (const [name, value] of headers) {
    total += name.length + value.length + 4;
    if (total > maxBytes) return true;
  }
  return false;
}
