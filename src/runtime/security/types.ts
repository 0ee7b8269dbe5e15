/**
 * Public shapes of the authorise stage: what a handler receives (`Auth`) and what the app
 * configures in code (`SecurityConfig`). Types only.
 *
 * Secrets never live in the config object itself: it names env bindings (`API_KEYS`,
 * `JWT_SECRET`, ...) that the runtime reads per request from the `env` Workers hands in.
 */
import type { FetchImplementation, JSONWebKeySet, JWK } from "jose";
import type { SecuritySchemeMeta } from "../compiled-spec.ts";

/** What one security scheme established about the caller. Deep-frozen. */
export interface SchemeResult {
  /** The scheme's name as in `components.securitySchemes` (also its key in {@link Auth}). */
  readonly scheme: string;
  /** The scheme's type from the spec (`apiKey`, `http`, `oauth2`, `openIdConnect`, `mutualTLS`). */
  readonly type: SecuritySchemeMeta["type"];
  /** Who the caller is: the JWT `sub` (or configured claim), the key's label, the verifier's answer. */
  readonly principal?: string;
  /** Verified JWT claims, or whatever a verifier returned. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Granted scopes (`scope` / `scp` for JWTs, verifier's `scopes` otherwise). */
  readonly scopes: readonly string[];
}

/** The winning requirement's results, keyed by scheme name. Frozen; `{}` for public operations. */
export type Auth = Readonly<Record<string, SchemeResult>>;

/** What a pluggable verifier may answer: a bare principal, a richer identity, or null (refused). */
export interface VerifiedIdentity {
  readonly principal?: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly scopes?: readonly string[];
}
export type VerifierAnswer = string | VerifiedIdentity | null | undefined;

/** `verifyKey(key, env)`: look an API key up (KV, D1, a hash list, ...). */
export type ApiKeyVerifier = (key: string, env: unknown) => VerifierAnswer | Promise<VerifierAnswer>;
/** `verifyCredentials(username, password, env)` for HTTP Basic. */
export type BasicVerifier = (username: string, password: string, env: unknown) => VerifierAnswer | Promise<VerifierAnswer>;
/** `verifyToken(token, env)` for opaque bearer tokens (introspection, a token table, ...). */
export type TokenVerifier = (token: string, env: unknown) => VerifierAnswer | Promise<VerifierAnswer>;
/** `verifyClient(request, env)` for mutualTLS; the default reads `request.cf.tlsClientAuth`. */
export type ClientCertVerifier = (request: Request, env: unknown) => VerifierAnswer | Promise<VerifierAnswer>;

export type HmacAlgorithm = "HS256" | "HS384" | "HS512";
export type PublicKeyAlgorithm =
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512"
  | "ES256" | "ES384" | "ES512"
  | "EdDSA" | "Ed25519";
export type JwtAlgorithm = HmacAlgorithm | PublicKeyAlgorithm;

/** Options of the remote JWKS resolver (jose `createRemoteJWKSet`). */
export interface RemoteJwksOptions {
  /** JWKS document URL (an IdP's `jwks_uri`). */
  readonly jwksUrl: string;
  /** Keys are re-fetched after this long. Default 600 000 (10 min). */
  readonly cacheMaxAgeMs?: number;
  /**
   * After a fetch, an unknown `kid` waits this long before it may trigger another; after a failed
   * fetch, a request that needs keys is answered 503 without fetching for this long. Default 30 000.
   */
  readonly cooldownMs?: number;
  /** Abort the JWKS fetch after this long. Default 5 000. */
  readonly timeoutMs?: number;
  /** Replace `fetch` (a service binding, a test handler). Passed to jose as `[customFetch]`. */
  readonly fetch?: FetchImplementation;
}

/** Fetch and cache options of an OpenID Connect discovery key source ({@link OidcDiscoverySource}). */
export interface OidcDiscoveryOptions {
  /** How long a fetched discovery document is used before it is fetched again, in seconds. Default 3600. */
  readonly cacheTtlSeconds?: number;
  /**
   * After a failed discovery fetch, none is tried again for this long (requests answer 503 at
   * once meanwhile, or keep using a document fetched before); also the JWKS's
   * {@link RemoteJwksOptions.cooldownMs}. Default 30 000.
   */
  readonly cooldownMs?: number;
  /** Give up on a discovery or JWKS fetch after this long. Default 5 000. */
  readonly timeoutMs?: number;
  /** JWKS keys are re-fetched after this long ({@link RemoteJwksOptions.cacheMaxAgeMs}). Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
  /** Replace `fetch` for both the discovery document and the JWKS (a service binding, a test handler). */
  readonly fetch?: FetchImplementation;
}

/**
 * Keys from the OpenID provider's discovery document (OpenID Connect Discovery 1.0): its
 * `jwks_uri` (https; http only to a loopback host) goes through the same remote-JWKS path as
 * `jwksUrl`, and its `issuer` is the accepted `iss` unless `jwt.issuer` is set. `discovery: true`
 * takes the URL from the spec's `openIdConnectUrl`; `discoveryUrl` names it (any bearer-type scheme).
 */
export type OidcDiscoverySource =
  | (OidcDiscoveryOptions & { readonly discovery: true; readonly discoveryUrl?: string })
  | (OidcDiscoveryOptions & { readonly discovery?: true; readonly discoveryUrl: string });

/**
 * Where verification keys come from. Exactly one member. HMAC secrets only ever come from an env
 * binding and only pair with HS* algorithms; every other source is a public key and only pairs
 * with RS/PS/ES/EdDSA — that is what rules out the HS256-signed-with-the-public-key confusion.
 */
export type JwtKeySource =
  /** Env binding holding the shared HMAC secret (UTF-8, at least 32 bytes as RFC 7518 §3.2 asks). */
  | { readonly secretFrom: string }
  /** A public JWK inline, or the name of an env binding holding its JSON. */
  | { readonly jwk: JWK }
  | { readonly jwkFrom: string }
  /** A public key as PEM SPKI (`-----BEGIN PUBLIC KEY-----`), inline or from an env binding. */
  | { readonly spki: string }
  | { readonly spkiFrom: string }
  /** A local JWK set (several keys, selected by `kid`/`alg`), inline or from an env binding. */
  | { readonly jwks: JSONWebKeySet }
  | { readonly jwksFrom: string }
  /** A remote JWKS, fetched and cached by jose. */
  | RemoteJwksOptions
  /** The JWKS (and default issuer) named by an OpenID Connect discovery document. */
  | OidcDiscoverySource;

export interface JwtVerification {
  /** Explicit allow-list; required, never `none`, and HS* only with `secretFrom`. */
  readonly algorithms: readonly JwtAlgorithm[];
  readonly key: JwtKeySource;
  /**
   * Accepted `iss` value(s); when set, `iss` is required. With an OpenID Connect discovery key
   * source it defaults to the discovered `issuer` (which must then match the discovery URL).
   */
  readonly issuer?: string | readonly string[];
  /** Accepted `aud` value(s); when set, `aud` is required. */
  readonly audience?: string | readonly string[];
  /** Leeway for `exp`/`nbf`/`iat`, in seconds. Default 0. */
  readonly clockToleranceSeconds?: number;
  /** Claims that must be present (`sub`, `exp`, ...). */
  readonly requiredClaims?: readonly string[];
  /** Refuse tokens whose `iat` is older than this (requires `iat`). */
  readonly maxTokenAgeSeconds?: number;
  /** Expected `typ` header (e.g. `at+jwt`). */
  readonly typ?: string;
  /** Claim that names the principal. Default `sub`. */
  readonly principalClaim?: string;
}

/** `http` `bearer`, `oauth2`, `openIdConnect`: a JWT check, an opaque-token verifier, or both (JWT-shaped tokens go to `jwt`). */
export interface BearerSchemeConfig {
  readonly jwt?: JwtVerification;
  readonly verifyToken?: TokenVerifier;
}

/** `apiKey`: keys from a binding (`"key1,key2"` or `"label:key,..."`) or a verifier function. */
export type ApiKeySchemeConfig = { readonly keysFrom: string } | { readonly verifyKey: ApiKeyVerifier };

export interface BasicSchemeConfig {
  readonly verifyCredentials: BasicVerifier;
}

export interface MutualTlsSchemeConfig {
  readonly verifyClient?: ClientCertVerifier;
}

export type SchemeConfig = ApiKeySchemeConfig | BearerSchemeConfig | BasicSchemeConfig | MutualTlsSchemeConfig;

/** Machine-readable reason a credential was refused (for `onFailure`, metrics, logs). Never the credential. */
export type FailureReason =
  | "oversize"
  | "malformed"
  | "alg_not_allowed"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "too_old"
  | "wrong_issuer"
  | "wrong_audience"
  | "missing_claim"
  | "claim_check_failed"
  | "unknown_key"
  | "ambiguous_key"
  | "unknown_credential"
  | "insufficient_scope"
  | "not_configured"
  | "key_source_unavailable"
  | "verifier_error";

export interface AuthFailureEvent {
  readonly scheme: string;
  readonly reason: FailureReason;
  /** Operator-facing detail: binding names, jose error codes — never secrets or tokens. */
  readonly detail?: string;
}

export interface TokenCacheConfig {
  /** Bound on entries (least recently used evicted first). Default 1000. */
  readonly maxEntries?: number;
  /** Upper bound on how long a verified token is reused, even when its `exp` is later (or absent). Default 300. */
  readonly maxTtlSeconds?: number;
}

export interface SecurityConfig {
  /** Per scheme name as in `components.securitySchemes`. A scheme without config never authenticates. */
  readonly schemes: Readonly<Record<string, SchemeConfig>>;
  /** `realm` of every challenge. Default `"api"`. */
  readonly realm?: string;
  /** Longest accepted token / key / Basic credential, in bytes. Default 8192. */
  readonly maxTokenBytes?: number;
  /** Verified-JWT cache per isolate; `false` disables it. Default `{ maxEntries: 1000, maxTtlSeconds: 300 }`. */
  readonly tokenCache?: TokenCacheConfig | false;
  /** Milliseconds since the epoch. Default `Date.now`. For tests and replay. */
  readonly clock?: () => number;
  /** Called once per refused or failed credential; for metrics/logging. Receives no secrets. */
  readonly onFailure?: (event: AuthFailureEvent) => void;
}
