/**
 * The authorise stage: `op.security` (already the effective requirement list) against a request,
 * through the scheme evaluators configured here; the OR-of-ANDs evaluation itself is evaluate.ts.
 */
import type { CompiledSpec, OperationMeta } from "../compiled-spec.ts";
import type { Problem } from "../problem.ts";
import type { UrlParts } from "../request/target.ts";
import { createRequirementsEvaluator, type Evaluation } from "./evaluate.ts";
import { createEvaluator, type SchemeEvaluator } from "./schemes.ts";
import { TokenCache } from "./token-cache.ts";
import type { Auth, FailureReason, SecurityConfig } from "./types.ts";

export type * from "./types.ts";
export { EMPTY_AUTH } from "./evaluate.ts";
export { TokenCache, type TokenCacheStats } from "./token-cache.ts";
export { parseKeyList } from "./schemes.ts";

export const DEFAULT_MAX_TOKEN_BYTES = 8192;
export const DEFAULT_TOKEN_CACHE_ENTRIES = 1000;
export const DEFAULT_TOKEN_CACHE_TTL_SECONDS = 300;

/**
 * Answers synchronously when no scheme it checks needs waiting for (a public operation, a
 * verified-token cache hit, an API key, a synchronous verifier, a missing or malformed
 * credential); a promise (always a native `Promise`) only when one does. Callers await only a
 * `Promise`.
 */
export type Authoriser = ((request: Request, url: UrlParts, op: OperationMeta, env: unknown) => Auth | Problem | Promise<Auth | Problem>) & {
  /** The verified-token cache (undefined when disabled), for metrics and tests. */
  readonly tokenCache: TokenCache | undefined;
};

/**
 * Build the authoriser once per isolate (module scope of the worker) so the key, digest and
 * verified-token caches live as long as the isolate. Throws TypeError for configs that can never
 * be safe (unknown scheme names, missing algorithm allow-list, HMAC/public-key mixing, ...).
 */
export function createAuthoriser(schemes: CompiledSpec["securitySchemes"], config: SecurityConfig): Authoriser {
  const maxTokenBytes = config.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes <= 0) throw new TypeError("security: maxTokenBytes must be a positive integer");
  const cacheConfig = config.tokenCache === false ? undefined : (config.tokenCache ?? {});
  const cacheEntries = cacheConfig?.maxEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES;
  const cacheTtlSeconds = cacheConfig?.maxTtlSeconds ?? DEFAULT_TOKEN_CACHE_TTL_SECONDS;
  if (!Number.isInteger(cacheEntries) || cacheEntries < 0) throw new TypeError("security: tokenCache.maxEntries must be a non-negative integer");
  if (!(cacheTtlSeconds >= 0)) throw new TypeError("security: tokenCache.maxTtlSeconds must be non-negative");
  const tokenCache = cacheConfig !== undefined && cacheEntries > 0 && cacheTtlSeconds > 0 ? new TokenCache(cacheEntries) : undefined;

  for (const name of Object.keys(config.schemes)) {
    if (!Object.hasOwn(schemes, name)) throw new TypeError(`security: config names "${name}", which the spec does not declare`);
  }
  const deps = { maxTokenBytes, cache: tokenCache, cacheMaxTtlMs: cacheTtlSeconds * 1000, clock: config.clock };
  const evaluators = new Map<string, SchemeEvaluator>();
  for (const [name, meta] of Object.entries(schemes)) {
    evaluators.set(name, createEvaluator(name, meta, Object.hasOwn(config.schemes, name) ? config.schemes[name] : undefined, deps));
  }

  const realm = config.realm ?? "api";
  const onFailure = config.onFailure;
  const report = (scheme: string, reason: FailureReason, detail?: string): void => {
    if (onFailure === undefined) return;
    try {
      onFailure(detail !== undefined ? { scheme, reason, detail } : { scheme, reason });
    } catch {
      // A broken hook must not turn a refusal into a crash.
    }
  };
  const evaluate = createRequirementsEvaluator(evaluators, realm, report);
  const authoriser = (request: Request, url: UrlParts, op: OperationMeta, env: unknown): Evaluation => evaluate(request, url, op.security, env);
  return Object.assign(authoriser, { tokenCache });
}

/**
 * Schemes that operations require but the config leaves out: such a scheme can never
 * authenticate. For a startup check or a test in the app; the authoriser itself fails closed.
 */
export function unconfiguredSchemes(operations: readonly OperationMeta[], config: SecurityConfig): string[] {
  const missing = new Set<string>();
  // Generated operations share one frozen requirement list among all that declare the same one.
  const seen = new Set<OperationMeta["security"]>();
  for (const op of operations) {
    if (seen.has(op.security)) continue;
    seen.add(op.security);
    for (const requirement of op.security) for (const name in requirement) if (!Object.hasOwn(config.schemes, name)) missing.add(name);
  }
  return [...missing];
}
