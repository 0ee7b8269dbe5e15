/**
 * When the authoriser answers synchronously: a verified-token cache hit, an API key from a
 * binding, a synchronous verifier (apiKey, Basic, opaque bearer), a missing or malformed
 * credential, a public operation — and when it answers with a promise: a JWT cache miss, a
 * verifier that returns one. Through one evaluation, for single schemes and OR-of-ANDs alike; an
 * evaluation that had to wait carries on where it stopped (nothing verified twice, each failure
 * reported once), and the same results give the same frozen Auth.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAuthoriser, EMPTY_AUTH, type Auth, type AuthFailureEvent, type Authoriser, type SecurityConfig } from "../../src/runtime/security/index.ts";
import type { Problem } from "../../src/runtime/problem.ts";
import type { CompiledSpec, SecurityRequirement } from "../../src/runtime/compiled-spec.ts";
import {
  AUDIENCE,
  HS_SECRET,
  ISSUER,
  basicHeader,
  bearerHeader,
  expectAuth,
  expectProblem,
  makeKeyPair,
  operation,
  request,
  schemes,
  secretBytes,
  signToken,
  type KeyPair,
} from "../fixtures/security/fixture.ts";

type Answer = Auth | Problem | Promise<Auth | Problem>;

const env = { API_KEYS: "alice:k-alice,bob:k-bob,plain-key", JWT_SECRET: HS_SECRET };

/** The answer, which must not be a promise. */
function sync(answer: Answer): Auth | Problem {
  expect(answer).not.toBeInstanceOf(Promise);
  return answer as Auth | Problem;
}

/** The settled answer, which must have been a native promise. */
async function later(answer: Answer): Promise<Auth | Problem> {
  expect(answer).toBeInstanceOf(Promise);
  return answer;
}

function call(authoriser: Authoriser, security: readonly SecurityRequirement[], headers: Record<string, string>, query?: string): Answer {
  const { request: req, url } = request({ headers, ...(query !== undefined ? { query } : {}) });
  return authoriser(req, url, operation(security), env);
}

let idp: KeyPair;
beforeAll(async () => {
  idp = await makeKeyPair("ES256");
});

function jwtAuthoriser(extra: Partial<SecurityConfig> = {}): Authoriser {
  return createAuthoriser(schemes, {
    ...extra,
    schemes: {
      apiKey: { keysFrom: "API_KEYS" },
      bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" }, issuer: ISSUER, audience: AUDIENCE } },
      oauth: { jwt: { algorithms: ["ES256"], key: { jwk: idp.publicJwk }, issuer: ISSUER, audience: AUDIENCE } },
    },
  });
}

describe("JWT bearer", () => {
  it("a cache miss answers with a promise of the right Auth; the hit after it answers synchronously with the same frozen Auth", async () => {
    const authoriser = jwtAuthoriser();
    const token = await signToken(secretBytes(HS_SECRET), "HS256", { sub: "carol" });
    const first = expectAuth(await later(call(authoriser, [{ bearer: [] }], bearerHeader(token))));
    expect(first.bearer).toMatchObject({ scheme: "bearer", principal: "carol" });
    const second = expectAuth(sync(call(authoriser, [{ bearer: [] }], bearerHeader(token))));
    expect(second.bearer).toBe(first.bearer);
    expect(Object.isFrozen(second)).toBe(true);
    // The operation objects differ (a fresh requirement list each call) but the answer is the same.
    expect(sync(call(authoriser, [{ bearer: [] }], bearerHeader(token)))).toEqual(second);
  });

  it("the same requirement list answering with the same cached result returns the very same Auth object; another user's gets its own", async () => {
    const authoriser = jwtAuthoriser();
    const op = operation([{ bearer: [] }]);
    const ask = (token: string) => {
      const { request: req, url } = request({ headers: bearerHeader(token) });
      return authoriser(req, url, op, env);
    };
    const [carol, dave] = await Promise.all([signToken(secretBytes(HS_SECRET), "HS256", { sub: "carol" }), signToken(secretBytes(HS_SECRET), "HS256", { sub: "dave" })]);
    await ask(carol);
    await ask(dave);
    const carolAuth = expectAuth(sync(ask(carol)));
    expect(sync(ask(carol))).toBe(carolAuth);
    const daveAuth = expectAuth(sync(ask(dave)));
    expect(daveAuth.bearer!.principal).toBe("dave");
    expect(daveAuth).not.toBe(carolAuth);
    expect(expectAuth(sync(ask(carol))).bearer!.principal).toBe("carol");
  });

  it("a refused token (bad signature) answers with a promise of a 401; it is not cached, so it waits again", async () => {
    const authoriser = jwtAuthoriser();
    const token = await signToken(secretBytes("another-secret-0123456789abcdef-0123456789"), "HS256");
    for (let i = 0; i < 2; i++) {
      const problem = expectProblem(await later(call(authoriser, [{ bearer: [] }], bearerHeader(token))));
      expect(problem.status).toBe(401);
      expect(problem.headers?.["www-authenticate"]).toContain('error="invalid_token"');
    }
  });

  it("a missing or malformed token, or no cache, answers as before: synchronously for the first two, a promise without the cache", async () => {
    const authoriser = jwtAuthoriser();
    expect(expectProblem(sync(call(authoriser, [{ bearer: [] }], {}))).status).toBe(401);
    expect(expectProblem(sync(call(authoriser, [{ bearer: [] }], bearerHeader("a.b")))).status).toBe(401);
    expect(expectProblem(sync(call(authoriser, [{ bearer: [] }], bearerHeader("!!!")))).status).toBe(401);
    const uncached = jwtAuthoriser({ tokenCache: false });
    const token = await signToken(secretBytes(HS_SECRET), "HS256");
    for (let i = 0; i < 2; i++) expectAuth(await later(call(uncached, [{ bearer: [] }], bearerHeader(token))));
  });

  it("a scope shortfall: a promise of a 403 on the miss, a synchronous 403 on the hit", async () => {
    const authoriser = jwtAuthoriser();
    const token = await signToken(idp.privateKey, "ES256", { scope: "pets:read" });
    const missed = expectProblem(await later(call(authoriser, [{ oauth: ["pets:write"] }], bearerHeader(token))));
    const hit = expectProblem(sync(call(authoriser, [{ oauth: ["pets:write"] }], bearerHeader(token))));
    for (const problem of [missed, hit]) {
      expect(problem.status).toBe(403);
      expect(problem.headers?.["www-authenticate"]).toBe('Bearer realm="api", error="insufficient_scope", scope="pets:write"');
    }
    expect(expectAuth(sync(call(authoriser, [{ oauth: ["pets:read"] }], bearerHeader(token)))).oauth!.scopes).toEqual(["pets:read"]);
  });
});

describe("API keys", () => {
  let authoriser: Authoriser;
  beforeAll(() => {
    authoriser = jwtAuthoriser();
  });

  it("answers synchronously, accepted or not, with the label as principal", () => {
    expect(expectAuth(sync(call(authoriser, [{ apiKey: [] }], { "x-api-key": "k-bob" }))).apiKey).toEqual({ scheme: "apiKey", type: "apiKey", principal: "bob", scopes: [] });
    expect(expectAuth(sync(call(authoriser, [{ apiKey: [] }], { "x-api-key": "plain-key" }))).apiKey).toEqual({ scheme: "apiKey", type: "apiKey", scopes: [] });
    for (const key of ["k-bo", "k-bobx", "bob:k-bob", "K-BOB"]) {
      expect(expectProblem(sync(call(authoriser, [{ apiKey: [] }], { "x-api-key": key }))).status).toBe(401);
    }
  });

  it("gives a known key the same frozen result (and, for the same requirement list, the same Auth) every time", () => {
    const op = operation([{ apiKey: [] }]);
    const ask = () => {
      const { request: req, url } = request({ headers: { "x-api-key": "k-alice" } });
      return expectAuth(sync(authoriser(req, url, op, env)));
    };
    const first = ask();
    expect(ask()).toBe(first);
    expect(Object.isFrozen(first.apiKey)).toBe(true);
  });

  it("answers a missing binding synchronously with a 500, and picks up a changed binding", () => {
    const { request: req, url } = request({ headers: { "x-api-key": "rotated" } });
    const op = operation([{ apiKey: [] }]);
    expect(expectProblem(sync(authoriser(req, url, op, {}))).status).toBe(500);
    expect(expectAuth(sync(authoriser(req, url, op, { API_KEYS: "svc:rotated" }))).apiKey!.principal).toBe("svc");
    expect(expectProblem(sync(authoriser(req, url, op, env))).status).toBe(401);
  });
});

describe("pluggable verifiers", () => {
  function verifiers(answerLater: boolean) {
    const calls: string[] = [];
    const answer = <T>(value: T): T | Promise<T> => (answerLater ? Promise.resolve(value) : value);
    const authoriser = createAuthoriser(schemes, {
      schemes: {
        queryKey: { verifyKey: (key) => (calls.push(`queryKey:${key}`), answer(key === "q" ? "query-user" : null)) },
        basic: { verifyCredentials: (user, password) => (calls.push(`basic:${user}`), answer(password === "pw" ? { principal: user, scopes: ["read"] } : null)) },
        bearer: { verifyToken: (token) => (calls.push(`bearer:${token}`), answer(token === "opaque" ? "token-user" : null)) },
      },
    });
    return { calls, authoriser };
  }

  it("answer synchronously when the verifier does (Basic, apiKey, opaque bearer)", () => {
    const { calls, authoriser } = verifiers(false);
    expect(expectAuth(sync(call(authoriser, [{ basic: [] }], basicHeader("erin", "pw")))).basic).toEqual({ scheme: "basic", type: "http", principal: "erin", scopes: ["read"] });
    expect(expectProblem(sync(call(authoriser, [{ basic: [] }], basicHeader("erin", "nope")))).status).toBe(401);
    expect(expectAuth(sync(call(authoriser, [{ queryKey: [] }], {}, "?api_key=q"))).queryKey!.principal).toBe("query-user");
    expect(expectAuth(sync(call(authoriser, [{ bearer: [] }], bearerHeader("opaque")))).bearer!.principal).toBe("token-user");
    expect(calls).toEqual(["basic:erin", "basic:erin", "queryKey:q", "bearer:opaque"]);
  });

  it("answer with a promise, and the same results, when the verifier returns one", async () => {
    const { authoriser } = verifiers(true);
    expect(expectAuth(await later(call(authoriser, [{ basic: [] }], basicHeader("erin", "pw")))).basic!.principal).toBe("erin");
    expect(expectProblem(await later(call(authoriser, [{ basic: [] }], basicHeader("erin", "nope")))).status).toBe(401);
    expect(expectAuth(await later(call(authoriser, [{ queryKey: [] }], {}, "?api_key=q"))).queryKey!.principal).toBe("query-user");
  });

  it("a verifier that throws synchronously is a synchronous 503; one that rejects, a promise of a 503", async () => {
    const throwing = createAuthoriser(schemes, { schemes: { apiKey: { verifyKey: () => { throw new Error("down"); } } } });
    expect(expectProblem(sync(call(throwing, [{ apiKey: [] }], { "x-api-key": "k" }))).status).toBe(503);
    const rejecting = createAuthoriser(schemes, { schemes: { apiKey: { verifyKey: () => Promise.reject(new Error("down")) } } });
    expect(expectProblem(await later(call(rejecting, [{ apiKey: [] }], { "x-api-key": "k" }))).status).toBe(503);
  });

  it("claims a verifier returns that cannot be copied count as the verifier's failure (503), not a crash", () => {
    const odd = createAuthoriser(schemes, { schemes: { apiKey: { verifyKey: () => ({ principal: "p", claims: { f: () => 1 } }) } } });
    expect(expectProblem(sync(call(odd, [{ apiKey: [] }], { "x-api-key": "k" }))).status).toBe(503);
  });

  it("a declared but unconfigured scheme with a credential is a synchronous 500", () => {
    const bare = createAuthoriser(schemes, { schemes: {} });
    expect(expectProblem(sync(call(bare, [{ bearer: [] }], bearerHeader("a.b.c")))).status).toBe(500);
    expect(expectProblem(sync(call(bare, [{ bearer: [] }], {}))).status).toBe(401);
  });
});

describe("OR of ANDs", () => {
  it("is synchronous when every scheme it checks is; a promise as soon as one has to wait", async () => {
    const authoriser = jwtAuthoriser();
    const security: SecurityRequirement[] = [{ apiKey: [], bearer: [] }, { oauth: ["pets:read"] }];
    const token = await signToken(secretBytes(HS_SECRET), "HS256", { sub: "frank" });
    const both = { "x-api-key": "k-alice", ...bearerHeader(token) };
    const waited = expectAuth(await later(call(authoriser, security, both)));
    expect(Object.keys(waited)).toEqual(["apiKey", "bearer"]);
    const now = expectAuth(sync(call(authoriser, security, both)));
    expect(now).toEqual(waited);
    expect(now.apiKey!.principal).toBe("alice");
    expect(now.bearer!.principal).toBe("frank");
    // No key: alternative 1 is dismissed without verifying anything; alternative 2 waits on the miss, then answers from the cache.
    const oauthToken = await signToken(idp.privateKey, "ES256", { sub: "client", scope: "pets:read" });
    expect(expectAuth(await later(call(authoriser, security, bearerHeader(oauthToken)))).oauth!.principal).toBe("client");
    expect(Object.keys(expectAuth(sync(call(authoriser, security, bearerHeader(oauthToken)))))).toEqual(["oauth"]);
    // A bad key: alternative 1 fails synchronously, alternative 2 still has to wait on a fresh token.
    const fresh = await signToken(idp.privateKey, "ES256", { sub: "client-2", scope: "pets:read" });
    const fell = expectAuth(await later(call(authoriser, security, { "x-api-key": "wrong", ...bearerHeader(fresh) })));
    expect(fell.oauth!.principal).toBe("client-2");
    // Nothing present at all: a synchronous 401 with both challenges.
    expect(expectProblem(sync(call(authoriser, security, {}))).headers?.["www-authenticate"]).toBe('APIKey realm="api", in="header", name="X-API-Key", Bearer realm="api"');
  });

  it("after waiting, carries on where it stopped: each scheme verified and reported once, later alternatives reuse settled outcomes", async () => {
    const calls: string[] = [];
    const failures: AuthFailureEvent[] = [];
    const authoriser = createAuthoriser(schemes, {
      onFailure: (event) => failures.push(event),
      schemes: {
        apiKey: { verifyKey: (key) => (calls.push("apiKey"), key === "k" ? "key-user" : null) },
        cookieKey: { verifyKey: async (key) => (calls.push("cookieKey"), key === "c" ? "cookie-user" : null) },
        queryKey: { verifyKey: async (key) => (calls.push("queryKey"), key === "q" ? "query-user" : null) },
        basic: { verifyCredentials: (user, password) => (calls.push("basic"), password === "pw" ? user : null) },
      },
    });
    const security: SecurityRequirement[] = [{ apiKey: [], cookieKey: [], basic: [] }, { cookieKey: [], queryKey: [] }, { apiKey: [], queryKey: [] }, { basic: [] }];
    const headers = { "x-api-key": "k", cookie: "session=bad", ...basicHeader("gina", "nope") };
    // Alt 1: apiKey accepted (synchronously), cookieKey waits and is refused. Alt 2: fails on the settled cookieKey
    // without verifying queryKey. Alt 3: apiKey settled, queryKey waits and is accepted: it wins. basic never verified.
    const auth = expectAuth(await later(call(authoriser, security, headers, "?api_key=q")));
    expect(Object.keys(auth)).toEqual(["apiKey", "queryKey"]);
    expect(calls).toEqual(["apiKey", "cookieKey", "queryKey"]);
    expect(failures).toEqual([{ scheme: "cookieKey", reason: "unknown_credential" }]);

    // Every alternative failing after waits: one report per scheme, the 401 lists each refused credential once.
    calls.length = 0;
    failures.length = 0;
    const problem = expectProblem(await later(call(authoriser, security, headers, "?api_key=bad")));
    expect(problem.status).toBe(401);
    expect(calls).toEqual(["apiKey", "cookieKey", "queryKey", "basic"]);
    expect(failures.map((f) => f.scheme)).toEqual(["cookieKey", "queryKey", "basic"]);
    expect((problem.errors ?? []).map((e) => `${e.in}:${e.name}`)).toEqual(["cookie:session", "header:Authorization", "query:api_key"]);
  });

  it("{} after an alternative that had to wait and failed still grants anonymous access", async () => {
    const authoriser = createAuthoriser(schemes, { schemes: { apiKey: { verifyKey: async () => null } } });
    expect(await later(call(authoriser, [{ apiKey: [] }, {}], { "x-api-key": "x" }))).toBe(EMPTY_AUTH);
    expect(sync(call(authoriser, [{ apiKey: [] }, {}], {}))).toBe(EMPTY_AUTH);
    expect(sync(call(authoriser, [], { "x-api-key": "x" }))).toBe(EMPTY_AUTH);
  });
});

it("a scheme named __proto__ is an own property of the Auth, not its prototype", () => {
  const odd = JSON.parse('{"__proto__": {"type": "apiKey", "name": "X-API-Key", "in": "header"}}') as CompiledSpec["securitySchemes"];
  const config = JSON.parse('{"schemes": {"__proto__": {"keysFrom": "API_KEYS"}}}') as SecurityConfig;
  const authoriser = createAuthoriser(odd, config);
  const security = JSON.parse('[{"__proto__": []}]') as SecurityRequirement[];
  const auth = expectAuth(sync(call(authoriser, security, { "x-api-key": "k-bob" })));
  expect(Object.getPrototypeOf(auth)).toBe(Object.prototype);
  expect(Object.hasOwn(auth, "__proto__")).toBe(true);
  expect(Object.getOwnPropertyDescriptor(auth, "__proto__")?.value).toMatchObject({ scheme: "__proto__", principal: "bob" });
});
