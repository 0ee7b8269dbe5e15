/**
 * One evaluator per configured security scheme, built once when the authoriser is created:
 * `extract` finds the credential (cheap, synchronous), `verify` decides on it — synchronously
 * unless it really has to wait (JWT signature checks and key resolution, a verifier that returns
 * a promise). Config mistakes that could never work throw here, at creation.
 */
import type { SecuritySchemeMeta } from "../compiled-spec.ts";
import type { ProblemLocation } from "../problem.ts";
import type { UrlParts } from "../request/target.ts";
import { KeySourceError, readStringBinding } from "./bindings.ts";
import { TOKEN68, apiKeyCredential, authorizationCredential } from "./credentials.ts";
import { sha256Sync, timingSafeEqual } from "./digest.ts";
import { checkJwtConfig, createJwtVerifier, type JwtVerifier } from "./jwt.ts";
import { keySourceFailure, outcomeFromAnswer, refused, serverError, type SchemeOutcome } from "./outcome.ts";
import type { TokenCache } from "./token-cache.ts";
import type {
  ApiKeySchemeConfig,
  BasicSchemeConfig,
  BearerSchemeConfig,
  MutualTlsSchemeConfig,
  SchemeConfig,
  VerifierAnswer,
} from "./types.ts";

/** How the scheme asks for credentials in `WWW-Authenticate`; undefined when HTTP has no way to (mutualTLS). */
export interface ChallengeTemplate {
  /** Auth-scheme token: `Bearer`, `Basic`, `APIKey`, or the spec's http scheme name. */
  readonly authScheme: string;
  /** Extra auth-params after `realm` (already formatted). */
  readonly params: readonly string[];
  /** Bearer-family schemes share one challenge; apiKey schemes each get their own. */
  readonly mergeable: boolean;
}

export interface SchemeEvaluator {
  readonly name: string;
  readonly meta: SecuritySchemeMeta;
  readonly challenge: ChallengeTemplate | undefined;
  /** Where the credential is carried, for problem `errors`. */
  readonly location: { readonly in: ProblemLocation; readonly name: string } | undefined;
  extract(request: Request, url: UrlParts): string | undefined;
  /**
   * Synchronous where nothing needs waiting for (a verified-token cache hit, an API key from a
   * binding, a synchronous verifier, a malformed credential); otherwise a native Promise.
   */
  verify(credential: string, request: Request, env: unknown): SchemeOutcome | Promise<SchemeOutcome>;
}

export interface EvaluatorDeps {
  readonly maxTokenBytes: number;
  readonly cache: TokenCache | undefined;
  readonly cacheMaxTtlMs: number;
  readonly clock: (() => number) | undefined;
}

const AUTHORIZATION = { in: "header", name: "Authorization" } as const;
const BEARER: ChallengeTemplate = { authScheme: "Bearer", params: [], mergeable: true };
const BASIC: ChallengeTemplate = { authScheme: "Basic", params: ['charset="UTF-8"'], mergeable: true };

export function isBearerFamily(meta: SecuritySchemeMeta): boolean {
  return meta.type === "oauth2" || meta.type === "openIdConnect" || (meta.type === "http" && meta.scheme.toLowerCase() === "bearer");
}

export function createEvaluator(name: string, meta: SecuritySchemeMeta, config: SchemeConfig | undefined, deps: EvaluatorDeps): SchemeEvaluator {
  const where = `security scheme "${name}"`;
  if (meta.type === "apiKey") {
    const location = { in: meta.in, name: meta.name } as const;
    const challenge: ChallengeTemplate = {
      authScheme: "APIKey",
      params: [`in="${meta.in}"`, `name=${quote(meta.name)}`],
      mergeable: false,
    };
    const extract = (request: Request, url: UrlParts) => apiKeyCredential(request, url, meta.in, meta.name);
    if (config === undefined) return unconfigured(name, meta, challenge, location, extract);
    if (!("keysFrom" in config) && !("verifyKey" in config)) throw new TypeError(`${where}: apiKey needs keysFrom or verifyKey`);
    return { name, meta, challenge, location, extract, verify: apiKeyVerifier(name, meta, config, deps) };
  }
  if (meta.type === "mutualTLS") {
    const mtls = config as MutualTlsSchemeConfig | undefined;
    const custom = mtls?.verifyClient;
    return {
      name,
      meta,
      challenge: undefined,
      location: undefined,
      // With a custom verifier, presence is the verifier's call; by default, Cloudflare's client-cert flag.
      extract: (request) => (custom !== undefined || clientCertificate(request)?.certPresented === "1" ? "" : undefined),
      verify: (_credential, request, env) => {
        if (config === undefined) return serverError(500, "not_configured", `${where} has no config`);
        if (custom !== undefined) return callVerifier(() => custom(request, env), name, meta);
        const cert = clientCertificate(request);
        if (cert?.certVerified !== "SUCCESS") return refused("unknown_credential", "The client certificate was not verified");
        return outcomeFromAnswer({ principal: cert.certSubjectDN ?? "" }, name, meta.type);
      },
    };
  }
  if (isBearerFamily(meta)) {
    const extract = (request: Request) => authorizationCredential(request, "bearer");
    if (config === undefined) return unconfigured(name, meta, BEARER, AUTHORIZATION, extract);
    const bearer = config as BearerSchemeConfig;
    if (bearer.jwt === undefined && bearer.verifyToken === undefined) throw new TypeError(`${where}: a bearer scheme needs jwt and/or verifyToken`);
    if (bearer.jwt !== undefined) checkJwtConfig(name, bearer.jwt, meta.type === "openIdConnect" ? meta.openIdConnectUrl : undefined);
    return { name, meta, challenge: BEARER, location: AUTHORIZATION, extract, verify: bearerVerifier(name, meta, bearer, deps) };
  }
  if (meta.type === "http" && meta.scheme.toLowerCase() === "basic") {
    const extract = (request: Request) => authorizationCredential(request, "basic");
    if (config === undefined) return unconfigured(name, meta, BASIC, AUTHORIZATION, extract);
    const basic = config as BasicSchemeConfig;
    if (typeof basic.verifyCredentials !== "function") throw new TypeError(`${where}: http basic needs verifyCredentials`);
    return { name, meta, challenge: BASIC, location: AUTHORIZATION, extract, verify: basicVerifier(name, meta, basic, deps) };
  }
  // http digest, hoba, ... : no support; such a scheme never authenticates.
  if (config !== undefined) throw new TypeError(`${where}: http scheme "${meta.type === "http" ? meta.scheme : meta.type}" is not supported`);
  const challenge: ChallengeTemplate | undefined = meta.type === "http" && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(meta.scheme)
    ? { authScheme: meta.scheme, params: [], mergeable: false }
    : undefined;
  return { name, meta, challenge, location: AUTHORIZATION, extract: () => undefined, verify: () => serverError(500, "not_configured", `${where} is not supported`) };
}

function unconfigured(
  name: string,
  meta: SecuritySchemeMeta,
  challenge: ChallengeTemplate,
  location: SchemeEvaluator["location"],
  extract: SchemeEvaluator["extract"],
): SchemeEvaluator {
  // Fail closed: an absent credential still gets the ordinary 401; a present one cannot be checked.
  return { name, meta, challenge, location, extract, verify: () => serverError(500, "not_configured", `security scheme "${name}" has no config`) };
}

function apiKeyVerifier(name: string, meta: SecuritySchemeMeta, config: ApiKeySchemeConfig, deps: EvaluatorDeps): SchemeEvaluator["verify"] {
  if ("verifyKey" in config) {
    const verifyKey = config.verifyKey;
    return (key, _request, env) => {
      if (key.length > deps.maxTokenBytes) return refused("oversize", "The API key is too long");
      return callVerifier(() => verifyKey(key, env), name, meta);
    };
  }
  const binding = config.keysFrom;
  // Digests of the configured keys and the outcome each grants, recomputed only when the binding's
  // value changes: a known key answers with the same frozen result every time.
  let current: { value: string; digests: readonly Uint8Array[]; outcomes: readonly SchemeOutcome[] } | undefined;
  return (key, _request, env) => {
    if (key.length > deps.maxTokenBytes) return refused("oversize", "The API key is too long");
    let value: string;
    try {
      value = readStringBinding(env, binding, name);
    } catch (error) {
      return keySourceOutcome(error);
    }
    if (current === undefined || current.value !== value) {
      const entries = parseKeyList(value);
      current = {
        value,
        digests: entries.map((entry) => sha256Sync(entry.key)),
        outcomes: entries.map((entry) => outcomeFromAnswer(entry.label !== undefined ? entry.label : {}, name, meta.type)),
      };
    }
    // Keys are compared as SHA-256 digests (synchronous, @noble/hashes), 32 bytes against 32 bytes
    // with timingSafeEqual, against every configured key without stopping early: timing says
    // nothing about which (or whether) one matched, nor how much of a key was right; the
    // configured keys are hashed only when the binding changes, never per request.
    const presented = sha256Sync(key);
    let match = -1;
    for (let i = 0; i < current.digests.length; i++) {
      if (timingSafeEqual(presented, current.digests[i]!) && match === -1) match = i;
    }
    if (match === -1) return refused("unknown_credential", "The API key is not recognised");
    return current.outcomes[match]!;
  };
}

/** `"k1, k2"` or `"alice:k1,bob:k2"`: comma-separated, an optional label before the first colon names the principal. */
export function parseKeyList(value: string): { label: string | undefined; key: string }[] {
  const entries: { label: string | undefined; key: string }[] = [];
  for (const raw of value.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const colon = entry.indexOf(":");
    if (colon > 0 && colon < entry.length - 1) entries.push({ label: entry.slice(0, colon), key: entry.slice(colon + 1) });
    else entries.push({ label: undefined, key: entry });
  }
  return entries;
}

function bearerVerifier(name: string, meta: SecuritySchemeMeta, config: BearerSchemeConfig, deps: EvaluatorDeps): SchemeEvaluator["verify"] {
  const jwt: JwtVerifier | undefined =
    config.jwt !== undefined
      ? createJwtVerifier(config.jwt, {
          schemeName: name,
          schemeType: meta.type,
          cache: deps.cache,
          cacheMaxTtlMs: deps.cacheMaxTtlMs,
          clock: deps.clock,
          openIdConnectUrl: meta.type === "openIdConnect" ? meta.openIdConnectUrl : undefined,
        })
      : undefined;
  const verifyToken = config.verifyToken;
  return (token, _request, env) => {
    if (token.length > deps.maxTokenBytes) return refused("oversize", "The token is too large");
    // With both configured, JWT-shaped tokens (two dots) go to the JWT check, the rest to the verifier.
    const toJwt = jwt !== undefined && (verifyToken === undefined || isJwtShaped(token));
    if (toJwt) {
      // A token verified before answers from the cache, before any structural check: it passed them all then.
      const hit = jwt.cached(token);
      if (hit !== undefined) return hit;
    }
    if (token === "" || !TOKEN68.test(token)) return refused("malformed", "The token is malformed");
    if (toJwt) return jwt!.verify(token, env);
    return callVerifier(() => verifyToken!(token, env), name, meta);
  };
}

function isJwtShaped(token: string): boolean {
  const first = token.indexOf(".");
  return first !== -1 && token.indexOf(".", first + 1) !== -1;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function basicVerifier(name: string, meta: SecuritySchemeMeta, config: BasicSchemeConfig, deps: EvaluatorDeps): SchemeEvaluator["verify"] {
  const verifyCredentials = config.verifyCredentials;
  return (credential, _request, env) => {
    if (credential.length > deps.maxTokenBytes) return refused("oversize", "The credentials are too long");
    if (credential === "" || credential.length % 4 !== 0 || !BASE64.test(credential)) return refused("malformed", "The credentials are not valid base64");
    let decoded: string;
    try {
      const binary = atob(credential);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      decoded = strictUtf8.decode(bytes);
    } catch {
      return refused("malformed", "The credentials are not valid base64 UTF-8");
    }
    const colon = decoded.indexOf(":");
    if (colon === -1) return refused("malformed", "The credentials lack a user-id:password separator");
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return callVerifier(() => verifyCredentials(username, password, env), name, meta);
  };
}

/**
 * A pluggable verifier's answer as an outcome: synchronously when it answers synchronously, a
 * promise when it returns one (any thenable). A verifier that throws or rejects (introspection
 * endpoint down, a bug) is the server's problem: 503, not 401.
 */
function callVerifier(call: () => VerifierAnswer | Promise<VerifierAnswer>, name: string, meta: SecuritySchemeMeta): SchemeOutcome | Promise<SchemeOutcome> {
  let answer: VerifierAnswer | Promise<VerifierAnswer>;
  try {
    answer = call();
  } catch (error) {
    return verifierFailure(error, name);
  }
  if (isThenable(answer)) {
    return Promise.resolve(answer).then(
      (settled) => outcomeOfAnswer(settled, name, meta),
      (error: unknown) => verifierFailure(error, name),
    );
  }
  return outcomeOfAnswer(answer, name, meta);
}

/** `outcomeFromAnswer`, with an answer it cannot take (claims structuredClone refuses) counted as the verifier's failure. */
function outcomeOfAnswer(answer: VerifierAnswer, name: string, meta: SecuritySchemeMeta): SchemeOutcome {
  try {
    return outcomeFromAnswer(answer, name, meta.type);
  } catch (error) {
    return verifierFailure(error, name);
  }
}

function verifierFailure(error: unknown, name: string): SchemeOutcome {
  if (error instanceof KeySourceError) return keySourceOutcome(error);
  return serverError(503, "verifier_error", `security scheme "${name}": the verifier threw`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

function keySourceOutcome(error: unknown): SchemeOutcome {
  if (error instanceof KeySourceError) return keySourceFailure(error);
  throw error;
}

interface ClientCertificate {
  readonly certPresented?: string;
  readonly certVerified?: string;
  readonly certSubjectDN?: string;
}

function clientCertificate(request: Request): ClientCertificate | undefined {
  const cf = (request as { cf?: { tlsClientAuth?: ClientCertificate } }).cf;
  return cf?.tlsClientAuth;
}

/** RFC 9110 quoted-string. */
export function quote(value: string): string {
  // Control characters can never appear in a header value; drop them rather than fail the response.
  return `"${value.replace(/[\x00-\x1f\x7f]/g, "").replace(/["\\]/g, "\\$&")}"`;
}
