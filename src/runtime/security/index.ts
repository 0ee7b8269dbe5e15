/**
 * The authorise stage: `op.security` (already the effective requirement list) against a request.
 *
 * OpenAPI semantics: the list holds alternatives (OR), tried in order; each requirement object
 * names schemes that must all pass (AND) and the scopes each must grant. The first fully
 * satisfied alternative wins and becomes the frozen `Auth`. Each scheme is evaluated at most once
 * per request (memoised in a per-request map), alternatives run one after another (no race, no
 * scheme overwriting another's result), and an alternative missing any credential is skipped
 * before any crypto runs.
 */
import type { CompiledSpec, OperationMeta, SecurityRequirement } from "../compiled-spec.ts";
import type { Problem } from "../problem.ts";
import type { UrlParts } from "../request/target.ts";
import { ABSENT, type SchemeOutcome } from "./outcome.ts";
import { refusalProblem, type ScopeShortfall } from "./refusal.ts";
import { createEvaluator, type SchemeEvaluator } from "./schemes.ts";
import { TokenCache } from "./token-cache.ts";
import type { Auth, FailureReason, SchemeResult, SecurityConfig } from "./types.ts";

export type * from "./types.ts";
export { TokenCache, type TokenCacheStats } from "./token-cache.ts";
export { parseKeyList } from "./schemes.ts";

/** The `auth` of a public operation (and of a satisfied `{}` alternative). */
export const EMPTY_AUTH: Auth = Object.freeze({});

export const DEFAULT_MAX_TOKEN_BYTES = 8192;
export const DEFAULT_TOKEN_CACHE_ENTRIES = 1000;
export const DEFAULT_TOKEN_CACHE_TTL_SECONDS = 300;

/**
 * Answers synchronously when nothing needs waiting for (a public operation, a verified-token cache
 * hit, a missing credential); a promise otherwise. Callers `await` either.
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
  // Distinct scheme names per requirement list, computed on the first refusal of each operation.
  const schemeNamesOf = new WeakMap<readonly SecurityRequirement[], readonly string[]>();
  const schemeNamesFor = (security: readonly SecurityRequirement[]): readonly string[] => {
    let schemeNames = schemeNamesOf.get(security);
    if (schemeNames === undefined) {
      const distinct = new Set<string>();
      for (const requirement of security) for (const name in requirement) distinct.add(name);
      schemeNames = [...distinct];
      schemeNamesOf.set(security, schemeNames);
    }
    return schemeNames;
  };

  async function authorise(request: Request, url: UrlParts, security: readonly SecurityRequirement[], env: unknown): Promise<Auth | Problem> {
    const outcomes = new Map<string, SchemeOutcome>();
    const credentials = new Map<string, string | undefined>();
    let shortfall: ScopeShortfall | undefined;

    const credentialOf = (name: string): string | undefined => {
      if (credentials.has(name)) return credentials.get(name);
      const evaluator = evaluators.get(name);
      const credential = evaluator?.extract(request, url);
      credentials.set(name, credential);
      if (credential === undefined) outcomes.set(name, ABSENT);
      return credential;
    };
    const outcomeOf = async (name: string): Promise<SchemeOutcome> => {
      const known = outcomes.get(name);
      if (known !== undefined) return known;
      const evaluator = evaluators.get(name);
      const credential = credentials.get(name);
      // A requirement naming a scheme the spec does not declare (the build should prevent it) never passes.
      const outcome = evaluator === undefined || credential === undefined ? ABSENT : await evaluator.verify(credential, request, env);
      outcomes.set(name, outcome);
      reportOutcome(name, outcome);
      return outcome;
    };

    alternatives: for (const requirement of security) {
      let names: string[] | undefined;
      for (const name in requirement) {
        (names ??= []).push(name);
        if (credentialOf(name) === undefined) continue alternatives;
      }
      // `{}`: the anonymous alternative (optional security).
      if (names === undefined) return EMPTY_AUTH;
      const results: SchemeResult[] = [];
      for (const name of names) {
        const outcome = await outcomeOf(name);
        if (outcome.kind !== "ok") continue alternatives;
        results.push(outcome.result);
      }
      let lacking: ScopeShortfall | undefined;
      for (let i = 0; i < names.length; i++) {
        lacking = missingScope(names[i]!, requirement[names[i]!]!, results[i]!.scopes);
        if (lacking !== undefined) break;
      }
      if (lacking === undefined) {
        const auth: Record<string, SchemeResult> = {};
        for (let i = 0; i < names.length; i++) auth[names[i]!] = results[i]!;
        return Object.freeze(auth);
      }
      shortfall ??= lacking;
    }

    if (shortfall !== undefined) report(shortfall.scheme, "insufficient_scope");
    return refusalProblem({ schemeNames: schemeNamesFor(security), evaluators, outcomes, realm, scopeShortfall: shortfall });
  }

  const reportOutcome = (name: string, outcome: SchemeOutcome): void => {
    if (outcome.kind === "refused") report(name, outcome.reason);
    else if (outcome.kind === "server_error") report(name, outcome.reason, outcome.detail);
  };

  /**
   * The common case, one requirement naming one scheme (`security: [{ bearerAuth: [] }]`), without
   * the per-request maps and closures of the general evaluation, and synchronously when the
   * scheme answers synchronously (a verified-token cache hit). Same outcomes, reports and
   * refusals as `authorise`.
   */
  function authoriseSingle(request: Request, url: UrlParts, single: SingleScheme, env: unknown): Auth | Problem | Promise<Auth | Problem> {
    const credential = single.evaluator?.extract(request, url);
    if (credential === undefined) return settleSingle(single, ABSENT);
    const outcome = single.evaluator!.verify(credential, request, env);
    if (outcome instanceof Promise) {
      return outcome.then((settled) => {
        reportOutcome(single.name, settled);
        return settleSingle(single, settled);
      });
    }
    reportOutcome(single.name, outcome);
    return settleSingle(single, outcome);
  }

  function settleSingle(single: SingleScheme, outcome: SchemeOutcome): Auth | Problem {
    let shortfall: ScopeShortfall | undefined;
    if (outcome.kind === "ok") {
      shortfall = missingScope(single.name, single.scopes, outcome.result.scopes);
      if (shortfall === undefined) {
        // The same verified result (a cache hit) gets the same frozen Auth: no allocation per request.
        if (single.lastResult !== outcome.result) {
          single.lastAuth = Object.freeze({ [single.name]: outcome.result });
          single.lastResult = outcome.result;
        }
        return single.lastAuth!;
      }
      report(shortfall.scheme, "insufficient_scope");
    }
    return refusalProblem({ schemeNames: single.schemeNames, evaluators, outcomes: new Map([[single.name, outcome]]), realm, scopeShortfall: shortfall });
  }

  // Per requirement list: the single-scheme shape, or null for the general evaluation.
  const singles = new WeakMap<readonly SecurityRequirement[], SingleScheme | null>();
  const singleOf = (security: readonly SecurityRequirement[]): SingleScheme | null => {
    let single = singles.get(security);
    if (single === undefined) {
      const requirement = security.length === 1 ? security[0]! : undefined;
      const names = requirement === undefined ? [] : Object.keys(requirement);
      single =
        requirement !== undefined && names.length === 1
          ? { name: names[0]!, scopes: requirement[names[0]!]!, evaluator: evaluators.get(names[0]!), schemeNames: names, lastResult: undefined, lastAuth: undefined }
          : null;
      singles.set(security, single);
    }
    return single;
  };

  const authoriser = (request: Request, url: UrlParts, op: OperationMeta, env: unknown): Auth | Problem | Promise<Auth | Problem> => {
    const security = op.security;
    if (security.length === 0) return EMPTY_AUTH;
    const single = singleOf(security);
    return single !== null ? authoriseSingle(request, url, single, env) : authorise(request, url, security, env);
  };
  return Object.assign(authoriser, { tokenCache });
}

interface SingleScheme {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly evaluator: SchemeEvaluator | undefined;
  readonly schemeNames: readonly string[];
  /** One-entry memo: the last accepted result and its frozen Auth. */
  lastResult: SchemeResult | undefined;
  lastAuth: Auth | undefined;
}

/** The first scope `needed` that `granted` lacks, as a shortfall of `scheme`; undefined when all are granted. */
function missingScope(scheme: string, needed: readonly string[], granted: readonly string[]): ScopeShortfall | undefined {
  for (const scope of needed) if (!granted.includes(scope)) return { scheme, scopes: needed };
  return undefined;
}

/**
 * Schemes that operations require but the config leaves out: such a scheme can never
 * authenticate. For a startup check or a test in the app; the authoriser itself fails closed.
 */
export function unconfiguredSchemes(operations: readonly OperationMeta[], config: SecurityConfig): string[] {
  const missing = new Set<string>();
  for (const op of operations) {
    for (const requirement of op.security) for (const name in requirement) if (!Object.hasOwn(config.schemes, name)) missing.add(name);
  }
  return [...missing];
}
