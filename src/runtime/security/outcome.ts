/**
 * What evaluating one scheme against one request produced. `absent` (no credential for this
 * scheme) is kept apart from `refused` (a credential was there and was bad) because only the
 * latter earns an RFC 6750 `error="invalid_token"` in the challenge.
 */
import type { SecuritySchemeMeta } from "../compiled-spec.ts";
import type { KeySourceError } from "./bindings.ts";
import { deepFreeze } from "./freeze.ts";
import type { FailureReason, SchemeResult, VerifierAnswer } from "./types.ts";

export type SchemeOutcome =
  | { readonly kind: "ok"; readonly result: SchemeResult }
  | { readonly kind: "absent" }
  | { readonly kind: "refused"; readonly reason: FailureReason; readonly description: string }
  | {
      readonly kind: "server_error";
      readonly status: 500 | 503;
      readonly reason: FailureReason;
      readonly detail: string;
      /** A 503 that knows when the server will try its key source again: whole seconds until then. */
      readonly retryAfterSeconds?: number;
    };

export const ABSENT: SchemeOutcome = Object.freeze({ kind: "absent" });

export function refused(reason: FailureReason, description: string): SchemeOutcome {
  return { kind: "refused", reason, description };
}

export function serverError(status: 500 | 503, reason: FailureReason, detail: string, retryAfterSeconds?: number): SchemeOutcome {
  return retryAfterSeconds === undefined ? { kind: "server_error", status, reason, detail } : { kind: "server_error", status, reason, detail, retryAfterSeconds };
}

/** A key source's failure as an outcome, keeping when it will be tried again. */
export function keySourceFailure(error: KeySourceError): SchemeOutcome {
  return serverError(error.status, error.reason, error.message, error.retryAfterSeconds);
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

/** Normalise a pluggable verifier's answer into a frozen result (or a refusal for null). */
export function outcomeFromAnswer(answer: VerifierAnswer, scheme: string, type: SecuritySchemeMeta["type"]): SchemeOutcome {
  if (answer === null || answer === undefined) return refused("unknown_credential", "The credentials were not accepted");
  if (typeof answer === "string") return { kind: "ok", result: Object.freeze({ scheme, type, principal: answer, scopes: NO_SCOPES }) };
  const claims = answer.claims !== undefined ? deepFreezeCopy(answer.claims) : undefined;
  const result: SchemeResult = Object.freeze({
    scheme,
    type,
    ...(answer.principal !== undefined ? { principal: answer.principal } : {}),
    ...(claims !== undefined ? { claims } : {}),
    scopes: answer.scopes !== undefined ? Object.freeze(answer.scopes.filter((s) => typeof s === "string")) : NO_SCOPES,
  });
  return { kind: "ok", result };
}

/** Verifiers may hand back objects they keep mutating; freeze a structured copy, never their object. */
function deepFreezeCopy(claims: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return deepFreeze(structuredClone(claims) as Record<string, unknown>);
}
