/**
 * OpenAPI OR-of-ANDs semantics, table-driven: for `[{apiKey, bearer}, {oauth: [pets:write]}]`
 * every mix of absent / good / bad credentials gives the documented outcome, plus the rules
 * around it — order, memoisation, `{}`, scopes on non-OAuth schemes, fail-closed config gaps.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAuthoriser, EMPTY_AUTH, unconfiguredSchemes, type Authoriser, type SecurityConfig } from "../../src/runtime/security/index.ts";
import { serverError, type SchemeOutcome } from "../../src/runtime/security/outcome.ts";
import { refusalProblem } from "../../src/runtime/security/refusal.ts";
import {
  AUDIENCE,
  HS_SECRET,
  ISSUER,
  basicHeader,
  bearerHeader,
  expectAuth,
  expectProblem,
  makeKeyPair,
  nowSeconds,
  operation,
  request,
  schemes,
  secretBytes,
  signToken,
} from "../fixtures/security/fixture.ts";

const env = { API_KEYS: "svc:good-key,other-key", JWT_SECRET: HS_SECRET };
const andOr = operation([{ apiKey: [], bearer: [] }, { oauth: ["pets:write"] }]);

type KeyCase = "none" | "good" | "bad";
type AuthzCase = "none" | "bearerGood" | "bearerExpired" | "oauthWrite" | "oauthRead" | "oauthWrongAud" | "garbage";

const tokens = {} as Record<Exclude<AuthzCase, "none">, string>;
let authoriser: Authoriser;

beforeAll(async () => {
  const idp = await makeKeyPair("ES256");
  const hs = secretBytes(HS_SECRET);
  const oauthClaims = { sub: "client-1" };
  tokens.bearerGood = await signToken(hs, "HS256");
  tokens.bearerExpired = await signToken(hs, "HS256", { exp: nowSeconds() - 5 });
  tokens.oauthWrite = await signToken(idp.privateKey, "ES256", { ...oauthClaims, scope: "pets:read pets:write" });
  tokens.oauthRead = await signToken(idp.privateKey, "ES256", { ...oauthClaims, scp: ["pets:read"] });
  tokens.oauthWrongAud = await signToken(idp.privateKey, "ES256", { ...oauthClaims, aud: "other", scope: "pets:write" });
  tokens.garbage = "not-a-jwt";
  authoriser = createAuthoriser(schemes, {
    schemes: {
      apiKey: { keysFrom: "API_KEYS" },
      bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" }, issuer: ISSUER, audience: AUDIENCE } },
      oauth: { jwt: { algorithms: ["ES256"], key: { jwk: idp.publicJwk }, issuer: ISSUER, audience: AUDIENCE } },
    },
  });
});

interface Row {
  readonly key: KeyCase;
  readonly authz: AuthzCase;
  /** 200 = authorised with exactly these schemes. */
  readonly status: 200 | 401 | 403;
  readonly schemes?: readonly string[];
  /** 401: whether the Bearer challenge carries error="invalid_token". */
  readonly invalidToken?: boolean;
  /** 401: the locations listed in problem `errors`. */
  readonly errors?: readonly string[];
}

// The documented outcomes. Alternative 1 is only tried when both of its credentials are present
// (so a bad key without a token is never even checked); alternative 2 whenever a token is present.
// A token that is good for `bearer` is still "invalid" for `oauth` (different key and algorithm).
const table: readonly Row[] = [
  { key: "none", authz: "none", status: 401, invalidToken: false, errors: [] },
  { key: "none", authz: "bearerGood", status: 401, invalidToken: true, errors: ["Authorization"] },
  { key: "none", authz: "bearerExpired", status: 401, invalidToken: true, errors: ["Authorization"] },
  { key: "none", authz: "oauthWrite", status: 200, schemes: ["oauth"] },
  { key: "none", authz: "oauthRead", status: 403 },
  { key: "none", authz: "oauthWrongAud", status: 401, invalidToken: true, errors: ["Authorization"] },
  { key: "none", authz: "garbage", status: 401, invalidToken: true, errors: ["Authorization"] },
  { key: "good", authz: "none", status: 401, invalidToken: false, errors: [] },
  { key: "good", authz: "bearerGood", status: 200, schemes: ["apiKey", "bearer"] },
  { key: "good", authz: "bearerExpired", status: 401, invalidToken: true, errors: ["Authorization", "Authorization"] },
  { key: "good", authz: "oauthWrite", status: 200, schemes: ["oauth"] },
  { key: "good", authz: "oauthRead", status: 403 },
  { key: "good", authz: "oauthWrongAud", status: 401, invalidToken: true, errors: ["Authorization", "Authorization"] },
  { key: "good", authz: "garbage", status: 401, invalidToken: true, errors: ["Authorization", "Authorization"] },
  { key: "bad", authz: "none", status: 401, invalidToken: false, errors: [] },
  { key: "bad", authz: "bearerGood", status: 401, invalidToken: true, errors: ["X-API-Key", "Authorization"] },
  { key: "bad", authz: "bearerExpired", status: 401, invalidToken: true, errors: ["X-API-Key", "Authorization"] },
  { key: "bad", authz: "oauthWrite", status: 200, schemes: ["oauth"] },
  { key: "bad", authz: "oauthRead", status: 403 },
  { key: "bad", authz: "oauthWrongAud", status: 401, invalidToken: true, errors: ["X-API-Key", "Authorization"] },
  { key: "bad", authz: "garbage", status: 401, invalidToken: true, errors: ["X-API-Key", "Authorization"] },
];

function headersFor(key: KeyCase, authz: AuthzCase): Record<string, string> {
  const headers: Record<string, string> = {};
  if (key === "good") headers["x-api-key"] = "good-key";
  if (key === "bad") headers["x-api-key"] = "wrong-key";
  if (authz !== "none") headers.authorization = `Bearer ${tokens[authz]}`;
  return headers;
}

describe("[{apiKey, bearer}, {oauth: [pets:write]}]", () => {
  it("covers every combination", () => {
    expect(new Set(table.map((r) => `${r.key}/${r.authz}`)).size).toBe(3 * 7);
  });

  it.each(table)("apiKey=$key, authorization=$authz → $status", async (row) => {
    const { request: req, url } = request({ headers: headersFor(row.key, row.authz) });
    const result = await authoriser(req, url, andOr, env);
    if (row.status === 200) {
      const auth = expectAuth(result);
      expect(Object.keys(auth).sort()).toEqual([...row.schemes!].sort());
      if (auth.apiKey !== undefined) expect(auth.apiKey).toMatchObject({ scheme: "apiKey", type: "apiKey", principal: "svc", scopes: [] });
      if (auth.bearer !== undefined) expect(auth.bearer).toMatchObject({ scheme: "bearer", principal: "alice" });
      if (auth.oauth !== undefined) expect(auth.oauth).toMatchObject({ scheme: "oauth", type: "oauth2", principal: "client-1" });
      expect(Object.isFrozen(auth)).toBe(true);
      return;
    }
    const problem = expectProblem(result);
    expect(problem.status).toBe(row.status);
    expect(problem.toResponse().headers.get("content-type")).toBe("application/problem+json");
    const challenge = problem.headers?.["www-authenticate"];
    if (row.status === 403) {
      expect(challenge).toBe('Bearer realm="api", error="insufficient_scope", scope="pets:write"');
      expect(problem.toJSON()).toMatchObject({ status: 403, requiredScopes: ["pets:write"] });
      return;
    }
    // apiKey has no registered challenge: it is announced as a non-standard `APIKey` one.
    expect(challenge).toMatch(/^APIKey realm="api", in="header", name="X-API-Key", Bearer realm="api"/);
    expect(challenge!.includes('error="invalid_token"')).toBe(row.invalidToken);
    expect((problem.errors ?? []).map((e) => e.name)).toEqual(row.errors);
    const body = JSON.stringify(problem.toJSON()) + challenge;
    for (const secret of ["good-key", "wrong-key", ...Object.values(tokens)]) expect(body).not.toContain(secret);
  });
});

describe("requirement semantics", () => {
  function counting() {
    const calls: Record<string, number> = {};
    const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
    const config: SecurityConfig = {
      schemes: {
        apiKey: { verifyKey: (key) => (count("apiKey"), key === "k" ? { principal: "key-user", scopes: ["read"] } : null) },
        queryKey: { verifyKey: (key) => (count("queryKey"), key === "q" ? "query-user" : null) },
        cookieKey: { verifyKey: async (key) => (count("cookieKey"), key === "c" ? "cookie-user" : null) },
        basic: { verifyCredentials: (user, password) => (count("basic"), password === "pw" ? user : null) },
      },
    };
    return { calls, authoriser: createAuthoriser(schemes, config) };
  }

  it("evaluates each scheme at most once per request, however many alternatives name it", async () => {
    const { calls, authoriser } = counting();
    const op = operation([{ apiKey: [], basic: [] }, { apiKey: [], queryKey: [] }, { basic: [], cookieKey: [] }, { apiKey: [] }]);
    const { request: req, url } = request({ headers: { "x-api-key": "k", ...basicHeader("bob", "nope") } });
    const auth = expectAuth(await authoriser(req, url, op, {}));
    expect(Object.keys(auth)).toEqual(["apiKey"]);
    expect(calls).toEqual({ apiKey: 1, basic: 1 });
  });

  it("returns only the winning alternative's schemes: a scheme that passed in a failed alternative is not in auth", async () => {
    const { authoriser } = counting();
    const op = operation([{ apiKey: [], basic: [] }, { cookieKey: [] }]);
    const { request: req, url } = request({ headers: { "x-api-key": "k", cookie: "theme=dark; session=c", ...basicHeader("bob", "bad") } });
    const auth = expectAuth(await authoriser(req, url, op, {}));
    expect(auth).toEqual({ cookieKey: { scheme: "cookieKey", type: "apiKey", principal: "cookie-user", scopes: [] } });
  });

  it("tries alternatives in order and stops at the first satisfied one", async () => {
    const { calls, authoriser } = counting();
    const op = operation([{ apiKey: [] }, { cookieKey: [] }]);
    const { request: req, url } = request({ headers: { "x-api-key": "k", cookie: "session=c" } });
    expect(Object.keys(expectAuth(await authoriser(req, url, op, {})))).toEqual(["apiKey"]);
    expect(calls).toEqual({ apiKey: 1 });
  });

  it("requires every scheme of an AND requirement", async () => {
    const { authoriser } = counting();
    const op = operation([{ apiKey: [], queryKey: [], basic: [] }]);
    const all = request({ headers: { "x-api-key": "k", ...basicHeader("bob", "pw") }, query: "?api_key=q" });
    expect(Object.keys(expectAuth(await authoriser(all.request, all.url, op, {})))).toEqual(["apiKey", "queryKey", "basic"]);
    const two = request({ headers: { "x-api-key": "k", ...basicHeader("bob", "pw") } });
    expect(expectProblem(await authoriser(two.request, two.url, op, {})).status).toBe(401);
  });

  it("treats {} as the anonymous alternative (optional security)", async () => {
    const { authoriser } = counting();
    const optional = operation([{ apiKey: [] }, {}]);
    const none = request();
    expect(await authoriser(none.request, none.url, optional, {})).toBe(EMPTY_AUTH);
    const good = request({ headers: { "x-api-key": "k" } });
    expect(Object.keys(expectAuth(await authoriser(good.request, good.url, optional, {})))).toEqual(["apiKey"]);
    // OpenAPI: any satisfied alternative grants access, so a bad key on an optional operation falls through to anonymous.
    const bad = request({ headers: { "x-api-key": "bad" } });
    expect(await authoriser(bad.request, bad.url, optional, {})).toBe(EMPTY_AUTH);
    const anonymousFirst = operation([{}, { apiKey: [] }]);
    expect(await authoriser(good.request, good.url, anonymousFirst, {})).toBe(EMPTY_AUTH);
  });

  it("returns the same frozen empty auth, through the same promise, for public operations", async () => {
    const { calls, authoriser } = counting();
    const open = operation([]);
    const { request: req, url } = request({ headers: { "x-api-key": "k" } });
    const first = authoriser(req, url, open, {});
    expect(authoriser(req, url, open, {})).toBe(first);
    expect(await first).toBe(EMPTY_AUTH);
    expect(Object.isFrozen(EMPTY_AUTH)).toBe(true);
    expect(calls).toEqual({});
  });

  it("checks listed scopes (role names) on non-OAuth schemes too, and prefers 403 over 401", async () => {
    const { authoriser } = counting();
    const op = operation([{ apiKey: ["admin"] }, { basic: [] }]);
    const { request: req, url } = request({ headers: { "x-api-key": "k" } });
    const problem = expectProblem(await authoriser(req, url, op, {}));
    expect(problem.status).toBe(403);
    expect(problem.headers?.["www-authenticate"]).toBe('APIKey realm="api", error="insufficient_scope", scope="admin"');
    const granted = operation([{ apiKey: ["read"] }]);
    expect(Object.keys(expectAuth(await authoriser(req, url, granted, {})))).toEqual(["apiKey"]);
  });

  it("never authenticates a scheme the spec does not declare", async () => {
    const { authoriser } = counting();
    const op = operation([{ nosuch: [] }]);
    const { request: req, url } = request({ headers: { "x-api-key": "k" } });
    expect(expectProblem(await authoriser(req, url, op, {})).status).toBe(401);
  });

  it("fails closed for a declared but unconfigured scheme: 401 without a credential, 500 with one", async () => {
    const { authoriser } = counting();
    const op = operation([{ bearer: [] }]);
    const none = request();
    expect(expectProblem(await authoriser(none.request, none.url, op, {})).status).toBe(401);
    const some = request({ headers: bearerHeader("a.b.c") });
    const misconfigured = expectProblem(await authoriser(some.request, some.url, op, {}));
    expect(misconfigured.status).toBe(500);
    // Waiting does not mend a configuration: no Retry-After.
    expect(misconfigured.headers?.["retry-after"]).toBeUndefined();
    expect(unconfiguredSchemes([op, operation([{ apiKey: [] }])], { schemes: { apiKey: { keysFrom: "K" } } })).toEqual(["bearer"]);
  });

  it("lets another alternative pass when a verifier throws, and answers 503 when none does", async () => {
    const authoriser = createAuthoriser(schemes, {
      schemes: {
        bearer: { verifyToken: () => Promise.reject(new Error("introspection endpoint down")) },
        apiKey: { keysFrom: "API_KEYS" },
      },
    });
    const op = operation([{ bearer: [] }, { apiKey: [] }]);
    const both = request({ headers: { ...bearerHeader("opaque-token"), "x-api-key": "other-key" } });
    expect(Object.keys(expectAuth(await authoriser(both.request, both.url, op, env)))).toEqual(["apiKey"]);
    const tokenOnly = request({ headers: bearerHeader("opaque-token") });
    const problem = expectProblem(await authoriser(tokenOnly.request, tokenOnly.url, op, env));
    expect(problem.status).toBe(503);
    // A verifier that threw does not say when it will work again: the default Retry-After.
    expect(problem.headers?.["retry-after"]).toBe("5");
    expect(JSON.stringify(problem.toJSON())).not.toContain("introspection");
  });

  it("answers a request whose schemes are down with the earliest Retry-After among them; a 500 among them has none", () => {
    const retryAfter = (...outcomes: SchemeOutcome[]) => {
      const problem = refusalProblem({
        schemes: outcomes.map((_, i) => ({ name: `s${i}`, evaluator: undefined })),
        outcomes,
        realm: "api",
        scopeShortfall: undefined,
      });
      return [problem.status, problem.headers?.["retry-after"]];
    };
    const down = (seconds?: number) => serverError(503, "key_source_unavailable", "down", seconds);
    expect(retryAfter(down(30), down(12))).toEqual([503, "12"]);
    expect(retryAfter(down(1), down(30))).toEqual([503, "1"]);
    // A 503 that does not say when (a verifier that threw) counts as the default 5 s.
    expect(retryAfter(down(30), serverError(503, "verifier_error", "threw"))).toEqual([503, "5"]);
    expect(retryAfter(down(2), serverError(503, "verifier_error", "threw"))).toEqual([503, "2"]);
    expect(retryAfter(down(30), serverError(500, "not_configured", "unset"))).toEqual([500, undefined]);
  });
});
