/**
 * Turning a failed authorisation into a Problem: 401 with one challenge per HTTP-ish scheme
 * (RFC 9110 §11.6.1, RFC 6750 §3), 403 `insufficient_scope`, or 500/503 when the server could not
 * check the credential at all. Descriptions are fixed strings chosen by the verifiers: no token,
 * key or secret ever reaches a header or body.
 */
import { Problem, type ProblemError } from "../problem.ts";
import type { SchemeOutcome } from "./outcome.ts";
import { quote, type SchemeEvaluator } from "./schemes.ts";

export interface ScopeShortfall {
  readonly scheme: string;
  /** Every scope the requirement asks of that scheme (RFC 6750: the scope needed for access). */
  readonly scopes: readonly string[];
}

export interface RefusalInput {
  /** Distinct schemes in order of first appearance in `op.security`; evaluator undefined for one the spec does not declare. */
  readonly schemes: readonly { readonly name: string; readonly evaluator: SchemeEvaluator | undefined }[];
  /** Parallel to `schemes`: what each produced, undefined for one never verified. */
  readonly outcomes: readonly (SchemeOutcome | undefined)[];
  readonly realm: string;
  readonly scopeShortfall: ScopeShortfall | undefined;
}

/** Retry-After for a 503 whose cause does not know when it will clear (a pluggable verifier that threw). */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function refusalProblem(input: RefusalInput): Problem {
  if (input.scopeShortfall !== undefined) return forbidden(input, input.scopeShortfall);
  let serverStatus: 500 | 503 | undefined;
  let retryAfterSeconds: number | undefined;
  for (const outcome of input.outcomes) {
    if (outcome?.kind !== "server_error") continue;
    if (serverStatus === undefined || outcome.status === 500) serverStatus = outcome.status;
    if (outcome.status === 503) {
      // The earliest moment any scheme might work; a 503 that does not say when counts as the default.
      const seconds = outcome.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      retryAfterSeconds = retryAfterSeconds === undefined ? seconds : Math.min(retryAfterSeconds, seconds);
    }
  }
  if (serverStatus === 500) {
    return new Problem(500, "Internal Server Error", "Authentication is not configured correctly for this operation.");
  }
  if (serverStatus === 503) {
    return new Problem(503, "Service Unavailable", "Credentials cannot be verified right now; try again later.", {
      headers: { "retry-after": String(retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) },
    });
  }
  return unauthorized(input);
}

interface Challenge {
  readonly authScheme: string;
  params: readonly string[];
  hasError: boolean;
}

function unauthorized(input: RefusalInput): Problem {
  const challenges: Challenge[] = [];
  const errors: ProblemError[] = [];
  const realm = `realm=${quote(input.realm)}`;
  for (let i = 0; i < input.schemes.length; i++) {
    const evaluator = input.schemes[i]!.evaluator;
    if (evaluator === undefined) continue;
    const outcome = input.outcomes[i];
    const refusedHere = outcome?.kind === "refused" ? outcome : undefined;
    if (refusedHere !== undefined && evaluator.location !== undefined) {
      errors.push({ in: evaluator.location.in, name: evaluator.location.name, pointer: "", message: refusedHere.description });
    }
    const template = evaluator.challenge;
    if (template === undefined) continue;
    // RFC 6750 §3.1: error codes only when a token was actually presented.
    const errorParams =
      template.authScheme === "Bearer" && refusedHere !== undefined
        ? ['error="invalid_token"', `error_description=${quote(refusedHere.description)}`]
        : [];
    const existing = template.mergeable ? challenges.find((c) => c.authScheme === template.authScheme) : undefined;
    if (existing !== undefined) {
      if (!existing.hasError && errorParams.length > 0) {
        existing.params = [...template.params, ...errorParams];
        existing.hasError = true;
      }
      continue;
    }
    challenges.push({ authScheme: template.authScheme, params: [...template.params, ...errorParams], hasError: errorParams.length > 0 });
  }
  const header = challenges.map((c) => [`${c.authScheme} ${realm}`, ...c.params].join(", ")).join(", ");
  return new Problem(
    401,
    "Unauthorized",
    errors.length > 0 ? "The credentials provided were not accepted." : "This operation requires authentication.",
    { ...(errors.length > 0 ? { errors } : {}), ...(header !== "" ? { headers: { "www-authenticate": header } } : {}) },
  );
}

function forbidden(input: RefusalInput, shortfall: ScopeShortfall): Problem {
  const template = input.schemes.find((scheme) => scheme.name === shortfall.scheme)?.evaluator?.challenge;
  const scope = shortfall.scopes.join(" ");
  const header =
    template !== undefined
      ? [`${template.authScheme} realm=${quote(input.realm)}`, 'error="insufficient_scope"', `scope=${quote(scope)}`].join(", ")
      : undefined;
  return new Problem(403, "Forbidden", "The credentials lack a scope this operation requires.", {
    extensions: { requiredScopes: shortfall.scopes },
    ...(header !== undefined ? { headers: { "www-authenticate": header } } : {}),
  });
}
