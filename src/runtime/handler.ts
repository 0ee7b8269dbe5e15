/**
 * What a handler sees and returns. Handlers are registered by operationId; everything they
 * receive has already been matched, authorised, parsed, coerced and validated against the spec.
 */
import type { OperationMeta } from "./compiled-spec.ts";
import type { Auth } from "./security/index.ts";

export interface HandlerRequest {
  /** The original request (body already consumed when the operation declares one: use `body`). */
  readonly raw: Request;
  readonly url: URL;
  /** Path parameters, deserialised and coerced to their schema types. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** Declared header parameters only, coerced; raw headers are on `raw.headers`. */
  readonly headers: Readonly<Record<string, unknown>>;
  readonly cookies: Readonly<Record<string, unknown>>;
  /** Parsed body: JSON value, form object, string (text/plain), Uint8Array (octet-stream), or undefined. */
  readonly body: unknown;
  /** Media type of the body as declared in the spec entry that matched. */
  readonly contentType: string | undefined;
  /** Who the security stage says the caller is, keyed by scheme name. Frozen. */
  readonly auth: Auth;
  readonly operation: OperationMeta;
}

export interface HandlerContext<Env = unknown> {
  readonly env: Env;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** Echoed in `x-request-id` and in every problem response. */
  readonly requestId: string;
}

/** A plain result: JSON by default (`body` is JSON-encoded unless a non-JSON content-type header is given). */
export interface HandlerResult {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler<Env = unknown> = (
  request: HandlerRequest,
  context: HandlerContext<Env>,
) => Response | HandlerResult | Promise<Response | HandlerResult>;

/**
 * Handlers by operationId. With a generated module's types (`spec.d.ts` narrows each
 * operation's `operationId`), `OperationIds<typeof spec>` makes a misspelt key a type error.
 */
export type Handlers<Env = unknown, Id extends string = string> = { readonly [K in Id]?: Handler<Env> };

/** The operationIds a compiled spec declares (a string-literal union with generated types). */
export type OperationIds<Spec extends { readonly operations: readonly { readonly operationId: string }[] }> =
  Spec["operations"][number]["operationId"];
