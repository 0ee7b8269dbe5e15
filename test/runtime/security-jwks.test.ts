/**
 * Remote JWKS through jose's `createRemoteJWKSet`, served by a JWKS handler that lives in this
 * test and is handed to jose as its `[customFetch]` (nothing in jose is mocked): caching, key
 * rotation with exactly one refetch, unknown `kid` refetched once then refused, cooldown, and an
 * unreachable IdP as 503.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FetchImplementation, JWK } from "jose";
import { createAuthoriser, type Authoriser, type RemoteJwksOptions } from "../../src/runtime/security/index.ts";
import {
  AUDIENCE,
  ISSUER,
  bearerHeader,
  expectAuth,
  expectProblem,
  makeKeyPair,
  operation,
  request,
  schemes,
  signToken,
  type KeyPair,
} from "../fixtures/security/fixture.ts";

const JWKS_URL = "https://idp.test/.well-known/jwks.json";
const op = operation([{ oidc: [] }]);

/** The IdP's JWKS endpoint: serves whatever key set is current and counts requests. */
class JwksEndpoint {
  keys: JWK[] = [];
  status = 200;
  fetches = 0;
  readonly urls: string[] = [];
  readonly fetch: FetchImplementation = async (url, options) => {
    this.fetches++;
    this.urls.push(url);
    expect(options.method).toBe("GET");
    if (this.status !== 200) return new Response("unavailable", { status: this.status });
    return Response.json({ keys: this.keys }, { headers: { "content-type": "application/jwk-set+json" } });
  };
}

let keyA: KeyPair;
let keyB: KeyPair;
let keyC: KeyPair;

beforeAll(async () => {
  [keyA, keyB, keyC] = await Promise.all([makeKeyPair("RS256", "key-a"), makeKeyPair("ES256", "key-b"), makeKeyPair("ES256", "key-c")]);
});

function authoriserFor(endpoint: JwksEndpoint, remote: Partial<RemoteJwksOptions> = {}, tokenCache = false, clock?: () => number): Authoriser {
  return createAuthoriser(schemes, {
    tokenCache: tokenCache ? {} : false,
    ...(clock !== undefined ? { clock } : {}),
    schemes: {
      oidc: {
        jwt: {
          algorithms: ["RS256", "ES256"],
          key: { jwksUrl: JWKS_URL, fetch: endpoint.fetch, ...remote },
          issuer: ISSUER,
          audience: AUDIENCE,
        },
      },
    },
  });
}

async function call(authoriser: Authoriser, token: string) {
  const { request: req, url } = request({ headers: bearerHeader(token) });
  return authoriser(req, url, op, {});
}

const tokenFor = (key: KeyPair, sub: string) => signToken(key.privateKey, key.alg, { sub }, { kid: key.publicJwk.kid });

describe("remote JWKS", () => {
  it("fetches once, then serves every further request from jose's key cache", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    const authoriser = authoriserFor(endpoint, { cooldownMs: 0 });
    for (let i = 0; i < 10; i++) {
      // Distinct tokens (and the token cache off), so each request really verifies.
      expect(expectAuth(await call(authoriser, await tokenFor(keyA, `user-${i}`))).oidc?.principal).toBe(`user-${i}`);
    }
    expect(endpoint.fetches).toBe(1);
    expect(endpoint.urls).toEqual([JWKS_URL]);
  });

  it("accepts a rotated-in key after exactly one refetch, and refuses the retired key's tokens", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    const authoriser = authoriserFor(endpoint, { cooldownMs: 0 });
    const oldToken = await tokenFor(keyA, "old");
    expectAuth(await call(authoriser, oldToken));
    expect(endpoint.fetches).toBe(1);

    endpoint.keys = [keyB.publicJwk];
    expect(expectAuth(await call(authoriser, await tokenFor(keyB, "new-1"))).oidc?.principal).toBe("new-1");
    expect(endpoint.fetches).toBe(2);
    for (let i = 2; i <= 5; i++) expectAuth(await call(authoriser, await tokenFor(keyB, `new-${i}`)));
    expect(endpoint.fetches).toBe(2);

    // key-a is gone: its kid is now unknown → one refetch, still unknown → refused.
    const problem = expectProblem(await call(authoriser, oldToken));
    expect(problem.status).toBe(401);
    expect(problem.headers?.["www-authenticate"]).toBe(
      'Bearer realm="api", error="invalid_token", error_description="No known key matches the token"',
    );
    expect(endpoint.fetches).toBe(3);
  });

  it("refetches once for an unknown kid, then refuses", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk, keyB.publicJwk];
    const authoriser = authoriserFor(endpoint, { cooldownMs: 0 });
    expectAuth(await call(authoriser, await tokenFor(keyA, "warm")));
    expect(endpoint.fetches).toBe(1);
    const stranger = await tokenFor(keyC, "mallory");
    const problem = expectProblem(await call(authoriser, stranger));
    expect(problem.status).toBe(401);
    expect(problem.headers?.["www-authenticate"]).toContain("No known key matches the token");
    expect(endpoint.fetches).toBe(2);
  });

  it("does not refetch for unknown kids within the cooldown (a flood of random kids cannot hammer the IdP)", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    const authoriser = authoriserFor(endpoint, { cooldownMs: 60_000 });
    expectAuth(await call(authoriser, await tokenFor(keyA, "warm")));
    for (let i = 0; i < 5; i++) {
      const forged = await signToken(keyC.privateKey, "ES256", { sub: `m${i}` }, { kid: `random-${i}` });
      expect(expectProblem(await call(authoriser, forged)).status).toBe(401);
    }
    expect(endpoint.fetches).toBe(1);
  });

  it("does not fetch at all for tokens refused by the cheap checks (alg outside the allow-list, malformed)", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    const authoriser = authoriserFor(endpoint);
    const eddsa = await makeKeyPair("EdDSA", "key-ed");
    expect(expectProblem(await call(authoriser, await tokenFor(eddsa, "x"))).status).toBe(401);
    expect(expectProblem(await call(authoriser, "a.b.c")).status).toBe(401);
    expect(endpoint.fetches).toBe(0);
  });

  it("answers 503 (not 401) when the JWKS cannot be fetched, and recovers when it can", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    endpoint.status = 502;
    const authoriser = authoriserFor(endpoint, { cooldownMs: 0 });
    const token = await tokenFor(keyA, "patient");
    const problem = expectProblem(await call(authoriser, token));
    expect(problem.status).toBe(503);
    // No cooldown: the very next request fetches again.
    expect(problem.headers?.["retry-after"]).toBe("1");
    endpoint.status = 200;
    expect(expectAuth(await call(authoriser, token)).oidc?.principal).toBe("patient");
  });

  it("says in Retry-After when the failure cooldown ends: all of it, then what is left (rounded up), then all of it after a failed retry", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    endpoint.status = 502;
    let now = Date.now();
    const authoriser = authoriserFor(endpoint, { cooldownMs: 20_000 }, false, () => now);
    const token = await tokenFor(keyA, "waiting");
    const retryAfter = async (): Promise<string | undefined> => {
      const problem = expectProblem(await call(authoriser, token));
      expect(problem.status).toBe(503);
      return problem.headers?.["retry-after"];
    };
    expect(await retryAfter()).toBe("20");
    now += 2_500;
    expect(await retryAfter()).toBe("18");
    now += 17_499;
    expect(await retryAfter()).toBe("1");
    expect(endpoint.fetches).toBe(1);
    now += 1;
    expect(await retryAfter()).toBe("20");
    expect(endpoint.fetches).toBe(2);
    endpoint.status = 200;
    now += 20_000;
    expect(expectAuth(await call(authoriser, token)).oidc?.principal).toBe("waiting");
    expect(endpoint.fetches).toBe(3);
  });

  it("without a configured cooldown, the first failure asks for the default 30 s", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.status = 500;
    const now = Date.now();
    const authoriser = authoriserFor(endpoint, {}, false, () => now);
    const problem = expectProblem(await call(authoriser, await tokenFor(keyA, "default")));
    expect(problem.status).toBe(503);
    expect(problem.headers?.["retry-after"]).toBe("30");
  });

  it("with the verified-token cache on, a repeated token needs neither a fetch nor a signature check", async () => {
    const endpoint = new JwksEndpoint();
    endpoint.keys = [keyA.publicJwk];
    const authoriser = authoriserFor(endpoint, { cooldownMs: 0 }, true);
    const token = await tokenFor(keyA, "cached");
    for (let i = 0; i < 5; i++) expectAuth(await call(authoriser, token));
    expect(endpoint.fetches).toBe(1);
    expect(authoriser.tokenCache!.stats).toMatchObject({ hits: 4, misses: 1 });
  });
});
