/**
 * JWT bearer verification: cheap structural pre-checks, then jose `jwtVerify` with an explicit
 * algorithm allow-list, the configured key source and claim checks, fronted by the verified-token
 * cache. All cryptography and JOSE parsing is jose's; this module decides *which* key, *which*
 * algorithms and what a failure means for the client.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  importJWK,
  importSPKI,
  jwtVerify,
  type CryptoKey as JoseCryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
  type JWSHeaderParameters,
  type RemoteJWKSet,
  type RemoteJWKSetOptions,
} from "jose";
import { KeySourceError, readJsonBinding, readStringBinding, secondsUntilRetry } from "./bindings.ts";
import { sha256MapKey } from "./digest.ts";
import {
  DEFAULT_DISCOVERY_COOLDOWN_MS,
  DEFAULT_DISCOVERY_TIMEOUT_MS,
  DEFAULT_DISCOVERY_TTL_SECONDS,
  createProviderDiscovery,
  isAllowedRemoteUrl,
  type DiscoveredProvider,
  type ProviderDiscovery,
} from "./discovery.ts";
import { deepFreeze } from "./freeze.ts";
import { keySourceFailure, refused, type SchemeOutcome } from "./outcome.ts";
import type { TokenCache } from "./token-cache.ts";
import type { JwtAlgorithm, JwtKeySource, JwtVerification, OidcDiscoverySource, RemoteJwksOptions, SchemeResult } from "./types.ts";
import type { SecuritySchemeMeta } from "../compiled-spec.ts";

export const HMAC_ALGORITHMS: ReadonlySet<string> = new Set(["HS256", "HS384", "HS512"]);
export const PUBLIC_KEY_ALGORITHMS: ReadonlySet<string> = new Set([
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
]);
const HMAC_HASH: Readonly<Record<string, string>> = { HS256: "SHA-256", HS384: "SHA-384", HS512: "SHA-512" };
/** RFC 7518 §3.2: an HMAC key at least as long as the hash output; 32 bytes is the HS256 floor. */
const MIN_HMAC_SECRET_BYTES = 32;

/** Three non-empty base64url segments. Anything else (including `alg: none`'s empty signature) is refused before crypto. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput, env: unknown) => Promise<JoseCryptoKey | Uint8Array>;

export interface JwtVerifierDeps {
  readonly schemeName: string;
  readonly schemeType: SecuritySchemeMeta["type"];
  readonly cache: TokenCache | undefined;
  readonly cacheMaxTtlMs: number;
  readonly clock: (() => number) | undefined;
  /** The spec's `openIdConnectUrl` for an `openIdConnect` scheme (what `key: { discovery: true }` fetches). */
  readonly openIdConnectUrl?: string | undefined;
}

export interface JwtVerifier {
  /**
   * The outcome for a token verified before and still cached, synchronously; undefined on a miss
   * (or without a cache). A hit needs none of the structural checks: the cached token, the very
   * same string (same SHA-256), passed them all when it was verified.
   */
  cached(token: string): SchemeOutcome | undefined;
  /**
   * The full check (structure, then signature and claims through jose), caching an accepted token.
   * Does not look in the cache: call it after {@link cached} missed.
   */
  verify(token: string, env: unknown): SchemeOutcome | Promise<SchemeOutcome>;
}

/** Throws TypeError on a config that could never be safe; called when the authoriser is created. */
export function checkJwtConfig(schemeName: string, config: JwtVerification, openIdConnectUrl?: string): void {
  const where = `security scheme "${schemeName}"`;
  if (!Array.isArray(config.algorithms) || config.algorithms.length === 0) {
    throw new TypeError(`${where}: jwt.algorithms must list the accepted algorithms explicitly`);
  }
  const source = config.key;
  const hmacSource = "secretFrom" in source;
  for (const alg of config.algorithms) {
    if (!HMAC_ALGORITHMS.has(alg) && !PUBLIC_KEY_ALGORITHMS.has(alg)) {
      throw new TypeError(`${where}: algorithm "${String(alg)}" is not accepted (never "none")`);
    }
    if (hmacSource !== HMAC_ALGORITHMS.has(alg)) {
      throw new TypeError(
        hmacSource
          ? `${where}: an HMAC secret (secretFrom) only pairs with HS256/HS384/HS512, not ${alg}`
          : `${where}: a public key source only pairs with RS*/PS*/ES*/EdDSA, not ${alg}`,
      );
    }
  }
  if ("jwk" in source) checkPublicJwk(where, source.jwk, config.algorithms);
  if ("jwks" in source) {
    if (!Array.isArray(source.jwks?.keys)) throw new TypeError(`${where}: jwks must be a JWK set ({ keys: [...] })`);
    for (const jwk of source.jwks.keys) checkPublicJwk(where, jwk, undefined);
  }
  if ("jwksUrl" in source) {
    let url: URL;
    try {
      url = new URL(source.jwksUrl);
    } catch {
      throw new TypeError(`${where}: jwksUrl is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`${where}: jwksUrl must be http(s)`);
  }
  if (isDiscoverySource(source)) checkDiscoverySource(where, source, openIdConnectUrl);
  const tolerance = config.clockToleranceSeconds ?? 0;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError(`${where}: clockToleranceSeconds must be a non-negative number`);
}

export function isDiscoverySource(source: JwtKeySource): source is OidcDiscoverySource {
  return "discovery" in source || "discoveryUrl" in source;
}

/** The discovery document's URL: `discoveryUrl` when given, else the spec's `openIdConnectUrl` for `discovery: true`. */
function discoveryUrlOf(source: OidcDiscoverySource, openIdConnectUrl: string | undefined): string | undefined {
  return source.discoveryUrl !== undefined ? source.discoveryUrl : source.discovery === true ? openIdConnectUrl : undefined;
}

function checkDiscoverySource(where: string, source: OidcDiscoverySource, openIdConnectUrl: string | undefined): void {
  if (source.discovery !== undefined && source.discovery !== true) throw new TypeError(`${where}: key.discovery must be true (or give key.discoveryUrl)`);
  if ("discoveryUrl" in source && typeof source.discoveryUrl !== "string") throw new TypeError(`${where}: key.discoveryUrl must be a URL string`);
  if ("jwksUrl" in source) throw new TypeError(`${where}: key takes either jwksUrl or OpenID Connect discovery, not both`);
  const raw = discoveryUrlOf(source, openIdConnectUrl);
  if (raw === undefined) {
    throw new TypeError(`${where}: key.discovery uses the spec's openIdConnectUrl, which only an openIdConnect scheme has; give key.discoveryUrl`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${where}: the OpenID Connect discovery URL is not an absolute URL`);
  }
  if (!isAllowedRemoteUrl(url)) throw new TypeError(`${where}: the OpenID Connect discovery URL must be https (http only to a loopback host)`);
  if (source.cacheTtlSeconds !== undefined && !(Number.isFinite(source.cacheTtlSeconds) && source.cacheTtlSeconds >= 0)) {
    throw new TypeError(`${where}: key.cacheTtlSeconds must be a non-negative number`);
  }
  if (source.cooldownMs !== undefined && !(Number.isFinite(source.cooldownMs) && source.cooldownMs >= 0)) {
    throw new TypeError(`${where}: key.cooldownMs must be a non-negative number`);
  }
  if (source.jwksCacheMaxAgeMs !== undefined && !(Number.isFinite(source.jwksCacheMaxAgeMs) && source.jwksCacheMaxAgeMs >= 0)) {
    throw new TypeError(`${where}: key.jwksCacheMaxAgeMs must be a non-negative number`);
  }
  if (source.timeoutMs !== undefined && !(Number.isInteger(source.timeoutMs) && source.timeoutMs > 0)) {
    throw new TypeError(`${where}: key.timeoutMs must be a positive integer`);
  }
  if (source.fetch !== undefined && typeof source.fetch !== "function") throw new TypeError(`${where}: key.fetch must be a function`);
}

function checkPublicJwk(where: string, jwk: JWK, algorithms: readonly JwtAlgorithm[] | undefined): void {
  if (jwk === null || typeof jwk !== "object") throw new TypeError(`${where}: jwk must be a JWK object`);
  if (jwk.kty === "oct") throw new TypeError(`${where}: symmetric keys come from secretFrom, not a JWK`);
  if ("d" in jwk) throw new TypeError(`${where}: a private JWK was given where a public key is expected`);
  if (algorithms !== undefined && jwk.alg !== undefined && !algorithms.includes(jwk.alg as JwtAlgorithm)) {
    throw new TypeError(`${where}: the JWK's alg ${jwk.alg} is not in jwt.algorithms`);
  }
}

export function createJwtVerifier(config: JwtVerification, deps: JwtVerifierDeps): JwtVerifier {
  const allowed: ReadonlySet<string> = new Set(config.algorithms);
  const toleranceSeconds = config.clockToleranceSeconds ?? 0;
  const principalClaim = config.principalClaim ?? "sub";
  const baseOptions: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    clockTolerance: toleranceSeconds,
    ...(config.issuer !== undefined ? { issuer: typeof config.issuer === "string" ? config.issuer : [...config.issuer] } : {}),
    ...(config.audience !== undefined ? { audience: typeof config.audience === "string" ? config.audience : [...config.audience] } : {}),
    ...(config.requiredClaims !== undefined ? { requiredClaims: [...config.requiredClaims] } : {}),
    ...(config.maxTokenAgeSeconds !== undefined ? { maxTokenAge: config.maxTokenAgeSeconds } : {}),
    ...(config.typ !== undefined ? { typ: config.typ } : {}),
  };
  const { cache, clock } = deps;
  const keyPrefix = `${deps.schemeName}\u0000`;
  const now = (): number => (clock !== undefined ? clock() : Date.now());
  const source = config.key;
  // A discovery source has no key resolver until the provider is known; every other source has one from the start.
  const discovery = isDiscoverySource(source)
    ? { current: providerDiscovery(source, config, deps), bind: discoveryBinder(source, config, baseOptions, deps.schemeName, now) }
    : undefined;
  const resolveKey = isDiscoverySource(source) ? undefined : createKeyResolver(source, deps.schemeName, now);

  // Keyed by the token's SHA-256, never the token (synchronous hash: a hit needs no await).
  const keyOf = (token: string): string => keyPrefix + sha256MapKey(token);

  return {
    cached(token) {
      if (cache === undefined) return undefined;
      const hit = cache.get(keyOf(token), now());
      return hit === undefined ? undefined : { kind: "ok", result: hit };
    },
    verify(token, env) {
      if (!COMPACT_JWS.test(token) || !segmentsDecodable(token)) return refused("malformed", "The token is not a well-formed JWT");
      return verifyUncached(token, env, now(), cache !== undefined ? keyOf(token) : undefined);
    },
  };

  async function verifyUncached(token: string, env: unknown, now: number, cacheKey: string | undefined): Promise<SchemeOutcome> {
    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return refused("malformed", "The token header is not valid JSON");
    }
    if (typeof header.alg !== "string" || !allowed.has(header.alg)) {
      return refused("alg_not_allowed", "The token's signing algorithm is not accepted");
    }

    // Discovery runs only for a token that passed the cheap checks, so garbage cannot make the router fetch.
    let verifyOptions = baseOptions;
    let keyResolver = resolveKey!;
    if (discovery !== undefined) {
      let provider: DiscoveredProvider;
      try {
        const current = discovery.current();
        provider = current instanceof Promise ? await current : current;
      } catch (error) {
        if (error instanceof KeySourceError) return keySourceFailure(error);
        throw error;
      }
      ({ options: verifyOptions, resolveKey: keyResolver } = discovery.bind(provider));
    }

    let payload: JWTPayload;
    try {
      const options = clock !== undefined ? { ...verifyOptions, currentDate: new Date(now) } : verifyOptions;
      ({ payload } = await jwtVerify(token, (protectedHeader, flattened) => keyResolver(protectedHeader, flattened, env), options));
    } catch (error) {
      if (error instanceof KeySourceError) return keySourceFailure(error);
      return refusalFor(error);
    }

    const result = resultFromPayload(payload, deps.schemeName, deps.schemeType, principalClaim);
    if (cacheKey !== undefined) {
      let expiresAt = now + deps.cacheMaxTtlMs;
      if (typeof payload.exp === "number") expiresAt = Math.min(expiresAt, (payload.exp + toleranceSeconds) * 1000);
      if (config.maxTokenAgeSeconds !== undefined && typeof payload.iat === "number") {
        expiresAt = Math.min(expiresAt, (payload.iat + config.maxTokenAgeSeconds + toleranceSeconds) * 1000);
      }
      cache!.set(cacheKey, result, expiresAt, now);
    }
    return { kind: "ok", result };
  }
}

/** A base64url segment of length 4n+1 cannot be produced by any encoder: refuse without decoding. */
function segmentsDecodable(token: string): boolean {
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  return first % 4 !== 1 && (second - first - 1) % 4 !== 1 && (token.length - second - 1) % 4 !== 1;
}

export function scopesFromClaims(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const scope = claims.scope;
  if (typeof scope === "string") return Object.freeze(scope.split(" ").filter((s) => s !== ""));
  const scp = claims.scp;
  if (typeof scp === "string") return Object.freeze(scp.split(" ").filter((s) => s !== ""));
  if (Array.isArray(scp)) return Object.freeze(scp.filter((s): s is string => typeof s === "string"));
  return EMPTY_SCOPES;
}

const EMPTY_SCOPES: readonly string[] = Object.freeze([]);

function resultFromPayload(payload: JWTPayload, scheme: string, type: SecuritySchemeMeta["type"], principalClaim: string): SchemeResult {
  const claims = deepFreeze(payload as Record<string, unknown>);
  const principal = claims[principalClaim];
  return Object.freeze({
    scheme,
    type,
    ...(typeof principal === "string" ? { principal } : {}),
    claims,
    scopes: scopesFromClaims(claims),
  });
}

/** jose error → client-facing reason. Descriptions are fixed strings: nothing from the token is echoed. */
function refusalFor(error: unknown): SchemeOutcome {
  if (error instanceof errors.JWTExpired) {
    // jose reports maxTokenAge (an old `iat`) as JWTExpired too.
    return error.claim === "iat" ? refused("too_old", "The token is too old") : refused("expired", "The token has expired");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return refused("missing_claim", `The token lacks the required ${safeClaimName(error.claim)} claim`);
    switch (error.claim) {
      case "nbf":
        return refused("not_yet_valid", "The token is not yet valid");
      case "iss":
        return refused("wrong_issuer", "The token issuer is not accepted");
      case "aud":
        return refused("wrong_audience", "The token audience is not accepted");
      case "iat":
        return refused("too_old", "The token is too old");
      default:
        return refused("claim_check_failed", "A token claim is not accepted");
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused("bad_signature", "The token signature is invalid");
  if (error instanceof errors.JOSEAlgNotAllowed) return refused("alg_not_allowed", "The token's signing algorithm is not accepted");
  if (error instanceof errors.JWKSNoMatchingKey) return refused("unknown_key", "No known key matches the token");
  if (error instanceof errors.JWKSMultipleMatchingKeys) return refused("ambiguous_key", "More than one key matches the token");
  return refused("malformed", "The token is not a well-formed JWT");
}

/** Claim names come from our own config (requiredClaims), but keep the description header-safe regardless. */
function safeClaimName(claim: string): string {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(claim) ? claim : "?";
}

/**
 * Caches are keyed by the binding's value (compared with ===), so a changed secret is picked up
 * without a restart. Values, not promises, are cached: in Workers, awaiting a promise created by
 * another request can stall, so concurrent cold requests each import once and the last one wins.
 */
function createKeyResolver(source: Exclude<JwtKeySource, OidcDiscoverySource>, schemeName: string, clock: () => number): KeyResolver {
  if ("secretFrom" in source) return hmacResolver(source.secretFrom, schemeName);
  if ("jwk" in source) {
    const jwk = source.jwk;
    return publicKeyResolver(schemeName, () => jwk, (value, alg) => importJWK(value, alg) as Promise<JoseCryptoKey | Uint8Array>, jwk.alg);
  }
  if ("jwkFrom" in source) {
    const binding = source.jwkFrom;
    return publicKeyResolver(
      schemeName,
      (env) => {
        const jwk = readJsonBinding<JWK>(env, binding, schemeName);
        if (jwk === null || typeof jwk !== "object" || jwk.kty === "oct" || "d" in jwk) {
          throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": env binding ${binding} is not a public JWK`);
        }
        return jwk;
      },
      (value, alg) => importJWK(value, alg) as Promise<JoseCryptoKey | Uint8Array>,
      undefined,
    );
  }
  if ("spki" in source) {
    const pem = source.spki;
    return publicKeyResolver(schemeName, () => pem, (value, alg) => importSPKI(value, alg), undefined);
  }
  if ("spkiFrom" in source) {
    const binding = source.spkiFrom;
    return publicKeyResolver(schemeName, (env) => readStringBinding(env, binding, schemeName), (value, alg) => importSPKI(value, alg), undefined);
  }
  if ("jwks" in source) return localSetResolver(schemeName, () => source.jwks);
  if ("jwksFrom" in source) {
    const binding = source.jwksFrom;
    return localSetResolver(schemeName, (env) => readJsonBinding<JSONWebKeySet>(env, binding, schemeName));
  }
  return remoteSetResolver(source, schemeName, clock);
}

function hmacResolver(binding: string, schemeName: string): KeyResolver {
  const encoder = new TextEncoder();
  let current: { secret: string; bytes: Uint8Array; keys: Map<string, CryptoKey> } | undefined;
  return async (header, _token, env) => {
    const secret = readStringBinding(env, binding, schemeName);
    if (current === undefined || current.secret !== secret) {
      const bytes = encoder.encode(secret);
      if (bytes.length < MIN_HMAC_SECRET_BYTES) {
        throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": the HMAC secret in ${binding} is shorter than ${MIN_HMAC_SECRET_BYTES} bytes`);
      }
      current = { secret, bytes, keys: new Map() };
    }
    const alg = header.alg!;
    let key = current.keys.get(alg);
    if (key === undefined) {
      const slot = current;
      key = await crypto.subtle.importKey("raw", slot.bytes, { name: "HMAC", hash: HMAC_HASH[alg]! }, false, ["verify"]);
      slot.keys.set(alg, key);
    }
    return key as unknown as JoseCryptoKey;
  };
}

function publicKeyResolver<T>(
  schemeName: string,
  read: (env: unknown) => T,
  importKey: (value: T, alg: string) => Promise<JoseCryptoKey | Uint8Array>,
  pinnedAlg: string | undefined,
): KeyResolver {
  let current: { value: T; keys: Map<string, JoseCryptoKey | Uint8Array> } | undefined;
  return async (header, _token, env) => {
    const value = read(env);
    if (current === undefined || current.value !== value) current = { value, keys: new Map() };
    const alg = header.alg!;
    // A JWK that names its alg is only ever used with that alg.
    if (pinnedAlg !== undefined && alg !== pinnedAlg) throw new errors.JOSEAlgNotAllowed("algorithm does not match the key");
    let key = current.keys.get(alg);
    if (key === undefined) {
      const slot = current;
      try {
        key = await importKey(value, alg);
      } catch {
        // The allow-list says this key works with `alg`; if it does not, the config is wrong.
        throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": the configured key cannot be used with ${alg}`);
      }
      slot.keys.set(alg, key);
    }
    return key;
  };
}

type JwksLookup = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<JoseCryptoKey>;

function localSetResolver(schemeName: string, read: (env: unknown) => JSONWebKeySet): KeyResolver {
  let current: { value: JSONWebKeySet; lookup: JwksLookup } | undefined;
  return async (header, token, env) => {
    const value = read(env);
    if (current === undefined || current.value !== value) {
      let lookup: JwksLookup;
      try {
        lookup = createLocalJWKSet(value);
      } catch {
        throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": the configured JWK set is invalid`);
      }
      current = { value, lookup };
    }
    return current.lookup(header, token);
  };
}

function providerDiscovery(source: OidcDiscoverySource, config: JwtVerification, deps: JwtVerifierDeps): ProviderDiscovery {
  const clock = deps.clock;
  return createProviderDiscovery({
    schemeName: deps.schemeName,
    // checkJwtConfig made sure there is one.
    url: new URL(discoveryUrlOf(source, deps.openIdConnectUrl)!).href,
    fetch: source.fetch,
    timeoutMs: source.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS,
    ttlMs: (source.cacheTtlSeconds ?? DEFAULT_DISCOVERY_TTL_SECONDS) * 1000,
    cooldownMs: source.cooldownMs ?? DEFAULT_DISCOVERY_COOLDOWN_MS,
    // An explicit issuer replaces the discovered one, so only a discovered issuer that is used must match.
    issuerMustMatchUrl: config.issuer === undefined,
    clock: clock !== undefined ? clock : Date.now,
  });
}

/** Verification against one discovered provider: its options (with the accepted `iss`) and its JWKS resolver. */
interface ProviderBinding {
  readonly provider: DiscoveredProvider;
  readonly options: JWTVerifyOptions;
  readonly resolveKey: KeyResolver;
}

/**
 * What a discovered provider means for verification: its issuer as the accepted `iss` (unless the
 * config names one) and a jose remote JWKS for its jwks_uri. Rebuilt only when the document
 * changes; a refreshed document with the same jwks_uri keeps the JWKS resolver (and its keys).
 */
function discoveryBinder(
  source: OidcDiscoverySource,
  config: JwtVerification,
  baseOptions: JWTVerifyOptions,
  schemeName: string,
  clock: () => number,
): (provider: DiscoveredProvider) => ProviderBinding {
  const jwksOptions: Omit<RemoteJwksOptions, "jwksUrl"> = {
    ...(source.jwksCacheMaxAgeMs !== undefined ? { cacheMaxAgeMs: source.jwksCacheMaxAgeMs } : {}),
    ...(source.cooldownMs !== undefined ? { cooldownMs: source.cooldownMs } : {}),
    ...(source.timeoutMs !== undefined ? { timeoutMs: source.timeoutMs } : {}),
    ...(source.fetch !== undefined ? { fetch: source.fetch } : {}),
  };
  let bound: ProviderBinding | undefined;
  return (provider) => {
    if (bound !== undefined && bound.provider === provider) return bound;
    const resolveKey =
      bound !== undefined && bound.provider.jwksUri === provider.jwksUri
        ? bound.resolveKey
        : remoteSetResolver({ ...jwksOptions, jwksUrl: provider.jwksUri }, schemeName, clock);
    const options = config.issuer !== undefined ? baseOptions : { ...baseOptions, issuer: provider.issuer };
    return (bound = { provider, options, resolveKey });
  };
}

/** jose's default: after a JWKS fetch, an unknown kid waits this long before it may trigger another. */
const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

/**
 * jose's remote JWKS, plus a failure cooldown jose does not have: without keys it can use, jose
 * fetches again on every request however often the IdP failed. After a failed fetch, and until
 * `cooldownMs` has passed, a request that would need a fetch (no fresh keys) is answered 503 at
 * once (with the seconds left of the cooldown, for Retry-After); one that fresh keys can serve
 * still goes to jose.
 */
function remoteSetResolver(source: RemoteJwksOptions, schemeName: string, clock: () => number): KeyResolver {
  let lookup: RemoteJWKSet | undefined;
  let failedAt: number | undefined;
  const cooldownMs = source.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS;
  // Carries when the cooldown that began at `since` ends: until then no request fetches, so an earlier retry only earns another 503.
  const unavailable = (detail: string, since: number, now: number) =>
    new KeySourceError(503, "key_source_unavailable", `security scheme "${schemeName}": ${detail}`, secondsUntilRetry(since, cooldownMs, now));
  return async (header, token) => {
    if (lookup === undefined) {
      const options: RemoteJWKSetOptions = {
        ...(source.cacheMaxAgeMs !== undefined ? { cacheMaxAge: source.cacheMaxAgeMs } : {}),
        ...(source.cooldownMs !== undefined ? { cooldownDuration: source.cooldownMs } : {}),
        ...(source.timeoutMs !== undefined ? { timeoutDuration: source.timeoutMs } : {}),
        ...(source.fetch !== undefined ? { [customFetch]: source.fetch } : {}),
      };
      lookup = createRemoteJWKSet(new URL(source.jwksUrl), options);
    }
    const now = clock();
    if (failedAt !== undefined && !lookup.fresh && now < failedAt + cooldownMs) {
      throw unavailable("the JWKS could not be fetched; not retried before the cooldown ends", failedAt, now);
    }
    try {
      const key = await lookup(header, token);
      failedAt = undefined;
      return key;
    } catch (error) {
      // An unknown or ambiguous kid is the token's fault; anything else (network, HTTP status, bad JSON) is the IdP's.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      if (error instanceof errors.JOSENotSupported || error instanceof errors.JOSEAlgNotAllowed) throw error;
      const at = clock();
      failedAt = at;
      throw unavailable("the JWKS could not be fetched", at, at);
    }
  };
}
