/**
 * Response validation (dev/test): does what a handler returned match the operation's declared
 * responses? Status (exact, then `2XX`, then `default`), required headers and their schemas,
 * Content-Type against the declared media types, and the JSON (or text) body against its schema.
 *
 *   off    — the returned function hands the response straight back (no work at all)
 *   warn   — mismatches are logged; the client gets the handler's response unchanged
 *   strict — a mismatch becomes a 500 problem naming the operation (the handler has a bug, not the client)
 *
 * The body is read from a `clone()` (a tee), so the client still gets the original stream. Only
 * media types with a validator are read, so streams (SSE, bytes) are never buffered here.
 */

import type { CompiledSpec, OperationMeta, ResponseMeta, Validator } from "./compiled-spec.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { Problem, type ProblemError } from "./problem.ts";
import { ErrorList, runValidator } from "./request/errors.ts";
import { jsonDeeperThan } from "./request/json-depth.ts";
import { compileMediaEntries, lookupValidator, parseMediaType, selectMediaEntry, type MediaEntry } from "./request/media-type.ts";
import { ResponseSchemas } from "./response-schemas.ts";

export type ResponseValidationMode = "off" | "warn" | "strict";

export type ResponseValidator = (op: OperationMeta, response: Response) => Promise<Response>;

export type ResponseValidationLog = (message: string, detail: unknown) => void;

interface HeaderPlan {
  readonly name: string;
  readonly required: boolean;
  readonly validator: Validator | undefined;
}

interface ResponsePlan {
  readonly headers: readonly HeaderPlan[];
  readonly media: readonly MediaEntry[];
  /** Declared media types, for messages. */
  readonly declared: string;
}

const passThrough: ResponseValidator = async (_op, response) => response;

const defaultLog: ResponseValidationLog = (message, detail) => console.warn(message, JSON.stringify(detail));

/**
 * `responseSchemas`: the spec's `CompiledSpec.responseSchemas`, which the metadata's `schema`
 * indexes name (interpreted, see response-schemas.ts); `validators` serves `validator` names.
 */
export function createResponseValidator(
  validators: CompiledSpec["validators"],
  mode: ResponseValidationMode,
  log: ResponseValidationLog = defaultLog,
  responseSchemas?: CompiledSpec["responseSchemas"],
): ResponseValidator {
  if (mode === "off") return passThrough;
  const schemas = new ResponseSchemas(responseSchemas ?? []);
  const plans = new WeakMap<ResponseMeta, ResponsePlan>();
  const planFor = (meta: ResponseMeta): ResponsePlan => {
    let plan = plans.get(meta);
    if (plan === undefined) {
      plan = compileResponsePlan(meta, validators, schemas);
      plans.set(meta, plan);
    }
    return plan;
  };

  return async function validateResponse(op, response) {
    const errors = await checkResponse(op, response, planFor);
    if (errors === undefined) return response;
    const detail = { operationId: op.operationId, status: response.status, errors };
    log(`brrtrouter-edge: the response of operation ${op.operationId} (status ${response.status}) does not match the API description`, detail);
    if (mode === "warn") return response;
    response.body?.cancel().catch(() => {});
    return new Problem(
      500,
      "Internal Server Error",
      `The response of operation ${op.operationId} (status ${response.status}) does not match the API description.`,
      { errors, extensions: { operationId: op.operationId } },
    ).toResponse();
  };
}

function compileResponsePlan(meta: ResponseMeta, validators: CompiledSpec["validators"], schemas: ResponseSchemas): ResponsePlan {
  const validatorOf = (named: { readonly validator?: string; readonly schema?: number }): Validator | undefined =>
    named.schema === undefined ? lookupValidator(validators, named.validator) : schemas.validator(named.schema);
  const headers: HeaderPlan[] = [];
  for (const name of Object.keys(meta.headers)) {
    // OpenAPI: a response header definition named Content-Type is ignored.
    if (name.toLowerCase() === "content-type") continue;
    const header = meta.headers[name]!;
    const validator = validatorOf(header);
    if (header.required || validator !== undefined) headers.push({ name, required: header.required, validator });
  }
  const media = compileMediaEntries(meta.content, validators).map((entry) =>
    entry.meta.schema === undefined ? entry : { ...entry, validator: schemas.validator(entry.meta.schema) },
  );
  return { headers, media, declared: media.map((m) => m.range).join(", ") };
}

/** The response entry for a status: exact, then its class (`2XX`), then `default`. */
export function responseMetaFor(op: OperationMeta, status: number): ResponseMeta | undefined {
  const responses = op.responses;
  const exact = String(status);
  if (Object.hasOwn(responses, exact)) return responses[exact];
  const range = `${Math.floor(status / 100)}XX`;
  if (Object.hasOwn(responses, range)) return responses[range];
  const lower = range.toLowerCase();
  if (Object.hasOwn(responses, lower)) return responses[lower];
  return Object.hasOwn(responses, "default") ? responses.default : undefined;
}

async function checkResponse(
  op: OperationMeta,
  response: Response,
  planFor: (meta: ResponseMeta) => ResponsePlan,
): Promise<readonly ProblemError[] | undefined> {
  // Upgrades hand the connection over; there is no HTTP body to check.
  if (response.status === 101 || (response.webSocket ?? null) !== null) return undefined;
  const meta = responseMetaFor(op, response.status);
  if (meta === undefined) {
    const declared = Object.keys(op.responses);
    if (declared.length === 0) return undefined; // the operation declares nothing to hold it to
    return [{ in: "body", name: "status", pointer: "", message: `status ${response.status} is not declared (declared: ${declared.join(", ")})` }];
  }
  const plan = planFor(meta);
  if (plan.headers.length === 0 && plan.media.length === 0) return undefined;

  const errors = new ErrorList(DEFAULT_LIMITS.maxErrors);
  for (const header of plan.headers) {
    const value = response.headers.get(header.name);
    if (value === null) {
      if (header.required) errors.add("header", header.name, "", "is required");
    } else if (header.validator !== undefined) {
      validateHeader(header, value, errors);
    }
  }

  if (plan.media.length > 0 && op.method !== "HEAD" && response.status !== 204 && response.status !== 304) {
    checkBodyPresence(response, plan, errors);
    if (errors.empty) await checkBody(response, plan, errors);
  }
  return errors.empty ? undefined : errors.items;
}

function checkBodyPresence(response: Response, plan: ResponsePlan, errors: ErrorList): void {
  if (response.body === null) {
    errors.add("body", undefined, "", `is missing (declared: ${plan.declared})`);
    return;
  }
  if (response.headers.get("content-type") === null) errors.add("header", "Content-Type", "", `is required (declared: ${plan.declared})`);
}

async function checkBody(response: Response, plan: ResponsePlan, errors: ErrorList): Promise<void> {
  const contentType = response.headers.get("content-type")!;
  const mediaType = parseMediaType(contentType);
  const entry = mediaType === undefined ? undefined : selectMediaEntry(plan.media, mediaType);
  if (entry === undefined) {
    errors.add("header", "Content-Type", "", `"${contentType}" is not a declared media type (declared: ${plan.declared})`);
    return;
  }
  if (entry.validator === undefined || (entry.kind !== "json" && entry.kind !== "text")) return;
  if (response.bodyUsed) return;
  let text: string;
  try {
    text = await response.clone().text();
  } catch {
    errors.add("body", undefined, "", "could not be read");
    return;
  }
  let value: unknown = text;
  if (entry.kind === "json") {
    // Deep server output would overflow a recursive validator just like client input would.
    if (jsonDeeperThan(text, DEFAULT_LIMITS.maxJsonDepth)) {
      errors.add("body", undefined, "", `nests deeper than ${DEFAULT_LIMITS.maxJsonDepth} levels`);
      return;
    }
    try {
      value = JSON.parse(text);
    } catch {
      errors.add("body", undefined, "", "is not valid JSON");
      return;
    }
  }
  runValidator(entry.validator, value, "body", undefined, "", errors);
}

const NUMERIC = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Header values are strings on the wire; a schema of another type is tried with the obvious reading. */
function validateHeader(header: HeaderPlan, value: string, errors: ErrorList): void {
  const validator = header.validator!;
  if (validator(value)) return;
  const typed = value === "true" ? true : value === "false" ? false : NUMERIC.test(value) ? Number(value) : undefined;
  if (typed !== undefined && validator(typed)) return;
  runValidator(validator, value, "header", header.name, "", errors);
}
