/**
 * The verified-token cache: hit / miss / expiry (`exp` + tolerance, TTL cap), LRU bound, scoping
 * by scheme, no negative caching, disabling — with an injected clock, and a JWK-set binding whose
 * reads count how often a token really reached key resolution.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { JWK } from "jose";
import { createAuthoriser, TokenCache, type Authoriser, type SecurityConfig } from "../../src/runtime/security/index.ts";
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

const op = operation([{ bearer: [] }]);
let key: KeyPair;

beforeAll(async () => {
  key = await makeKeyPair("ES256", "k1");
});

/** An env whose JWK set binding counts reads: one read = one token that went past the cache to key resolution. */
function countingEnv() {
  const counter = { reads: 0 };
  const keys: JWK[] = [key.publicJwk];
  const env = {
    get JWKS() {
      counter.reads++;
      return { keys };
    },
  };
  return { counter, env };
}

function setup(tokenCache: SecurityConfig["tokenCache"], clockToleranceSeconds = 0) {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const authoriser = createAuthoriser(schemes, {
    clock: () => clock.now,
    tokenCache,
    schemes: {
      bearer: { jwt: { algorithms: ["ES256"], key: { jwksFrom: "JWKS" }, issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds } },
    },
  });
  return { clock, authoriser, ...countingEnv() };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

async function call(authoriser: Authoriser, env: unknown, token: string) {
  const { request: req, url } = request({ headers: bearerHeader(token) });
  return authoriser(req, url, op, env);
}

describe("verified-token cache", () => {
  it("misses once, then hits without touching the key source; the cached result is the same frozen object", async () => {
    const { clock, authoriser, env, counter } = setup({});
    const token = await signToken(key.privateKey, "ES256", { iat: seconds(clock.now), exp: seconds(clock.now) + 60 }, { kid: "k1" });
    const first = expectAuth(await call(authoriser, env, token));
    const second = expectAuth(await call(authoriser, env, token));
    expect(counter.reads).toBe(1);
    expect(second.bearer).toBe(first.bearer);
    expect(authoriser.tokenCache!.stats).toMatchObject({ hits: 1, misses: 1 });
    expect(authoriser.tokenCache!.size).toBe(1);
  });

  it("stops serving a token at its exp (plus tolerance), and the re-verification then refuses it", async () => {
    const { clock, authoriser, env, counter } = setup({}, 10);
    const exp = seconds(clock.now) + 60;
    const token = await signToken(key.privateKey, "ES256", { iat: seconds(clock.now), exp }, { kid: "k1" });
    expectAuth(await call(authoriser, env, token));
    clock.now = (exp + 5) * 1000; // past exp, inside the tolerance: still a hit
    expectAuth(await call(authoriser, env, token));
    expect(counter.reads).toBe(1);
    clock.now = (exp + 10) * 1000; // tolerance used up
    const problem = expectProblem(await call(authoriser, env, token));
    expect(problem.headers?.["www-authenticate"]).toContain("The token has expired");
    expect(counter.reads).toBe(2);
    expect(authoriser.tokenCache!.stats).toMatchObject({ hits: 1, misses: 2, expired: 1 });
  });

  it("caps reuse at maxTtlSeconds even for tokens without exp, then re-verifies and re-caches", async () => {
    const { clock, authoriser, env, counter } = setup({ maxTtlSeconds: 30 });
    const token = await signToken(key.privateKey, "ES256", { iat: seconds(clock.now), exp: undefined }, { kid: "k1" });
    expectAuth(await call(authoriser, env, token));
    clock.now += 29_000;
    expectAuth(await call(authoriser, env, token));
    expect(counter.reads).toBe(1);
    clock.now += 2_000;
    expectAuth(await call(authoriser, env, token));
    expect(counter.reads).toBe(2);
    expectAuth(await call(authoriser, env, token));
    expect(counter.reads).toBe(2);
  });

  it("is bounded: the least recently used entry is evicted first", async () => {
    const { clock, authoriser, env, counter } = setup({ maxEntries: 3 });
    const tokens = await Promise.all(
      [0, 1, 2, 3].map((i) => signToken(key.privateKey, "ES256", { sub: `u${i}`, iat: seconds(clock.now), exp: seconds(clock.now) + 600 }, { kid: "k1" })),
    );
    for (const token of tokens.slice(0, 3)) expectAuth(await call(authoriser, env, token));
    expectAuth(await call(authoriser, env, tokens[0]!)); // u0 becomes most recent; u1 is now oldest
    expectAuth(await call(authoriser, env, tokens[3]!)); // evicts u1
    expect(authoriser.tokenCache!.size).toBe(3);
    expect(authoriser.tokenCache!.stats.evictions).toBe(1);
    const readsBefore = counter.reads;
    expectAuth(await call(authoriser, env, tokens[0]!));
    expectAuth(await call(authoriser, env, tokens[2]!));
    expect(counter.reads).toBe(readsBefore);
    expectAuth(await call(authoriser, env, tokens[1]!));
    expect(counter.reads).toBe(readsBefore + 1);
  });

  it("does not cache refusals, and a cached token does not vouch for a tampered copy", async () => {
    const { clock, authoriser, env, counter } = setup({});
    const token = await signToken(key.privateKey, "ES256", { iat: seconds(clock.now), exp: seconds(clock.now) + 600 }, { kid: "k1" });
    expectAuth(await call(authoriser, env, token));
    const [h, , s] = token.split(".");
    const tampered = `${h}.${btoa(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: "admin", exp: seconds(clock.now) + 600 })).replace(/=+$/, "")}.${s}`;
    for (let i = 0; i < 3; i++) expect(expectProblem(await call(authoriser, env, tampered)).status).toBe(401);
    expect(counter.reads).toBe(4);
    expect(authoriser.tokenCache!.size).toBe(1);
  });

  it("is scoped per scheme: a token cached for one scheme is not accepted by another with a different audience", async () => {
    const clock = { now: Date.UTC(2030, 0, 1) };
    const jwt = { algorithms: ["ES256"] as const, key: { jwk: key.publicJwk }, issuer: ISSUER };
    const authoriser = createAuthoriser(schemes, {
      clock: () => clock.now,
      schemes: { bearer: { jwt: { ...jwt, audience: AUDIENCE } }, oauth: { jwt: { ...jwt, audience: "billing" } } },
    });
    const token = await signToken(key.privateKey, "ES256", { iat: seconds(clock.now), exp: seconds(clock.now) + 600 }, { kid: "k1" });
    const { request: req, url } = request({ headers: bearerHeader(token) });
    expectAuth(await authoriser(req, url, operation([{ bearer: [] }]), {}));
    const problem = expectProblem(await authoriser(req, url, operation([{ oauth: [] }]), {}));
    expect(problem.headers?.["www-authenticate"]).toContain("audience");
  });

  it("can be disabled: every request verifies", async () => {
    const { clock, authoriser, env, counter } = setup(false);
    expect(authoriser.tokenCache).toBeUndefined();
    const token = await signToken(key.privateKey, "ES256", { iat: seconds(clock.now), exp: seconds(clock.now) + 600 }, { kid: "k1" });
    for (let i = 0; i < 3; i++) expectAuth(await call(authoriser, env, token));
    expect(counter.reads).toBe(3);
  });
});

describe("TokenCache", () => {
  const result = Object.freeze({ scheme: "s", type: "http" as const, scopes: [] });

  it("does not store entries that are already expired, or anything at size 0", () => {
    const cache = new TokenCache(2);
    cache.set("a", result, 1000, 1000);
    expect(cache.size).toBe(0);
    const none = new TokenCache(0);
    none.set("a", result, 5000, 1000);
    expect(none.size).toBe(0);
  });

  it("treats expiresAt as exclusive", () => {
    const cache = new TokenCache(2);
    cache.set("a", result, 2000, 1000);
    expect(cache.get("a", 1999)).toBe(result);
    expect(cache.get("a", 2000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
