/**
 * OpenID Connect discovery as a JWT key source: the discovery document and the JWKS it names are
 * served by an identity provider that lives in this test and is handed to the router as `fetch`
 * (nothing in jose is mocked); tokens are real JWTs signed by jose. Covers acceptance, the issuer
 * taken from the document (or from the config), one discovery fetch shared by concurrent
 * requests, strict checks of the document (503 `key_source_unavailable`, a cooldown, a retry that
 * recovers), a fetch that never answers, refresh after the TTL with the old document standing in
 * while the IdP fails, and the synchronous answer of a verified-token cache hit.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FetchImplementation, JWK } from "jose";
import {
  createAuthoriser,
  type Auth,
  type AuthFailureEvent,
  type Authoriser,
  type JwtVerification,
  type OidcDiscoverySource,
  type SecurityConfig,
} from "../../src/runtime/security/index.ts";
import type { Problem } from "../../src/runtime/problem.ts";
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

/** The fixture's `oidc` scheme declares this `openIdConnectUrl`; its issuer is the fixture's ISSUER. */
const DISCOVERY_URL = "https://idp.test/.well-known/openid-configuration";
const JWKS_URI = "https://idp.test/oauth/jwks.json";
const oidcOp = operation([{ oidc: [] }]);
const bearerOp = operation([{ bearer: [] }]);

/** The IdP: its discovery endpoint and its JWKS endpoint, counting requests to each. */
class IdentityProvider {
  discoveryUrl = DISCOVERY_URL;
  document: Record<string, unknown> = { issuer: ISSUER, jwks_uri: JWKS_URI, id_token_signing_alg_values_supported: ["RS256", "ES256"] };
  /** Replaces the discovery answer (a status, a body that is not JSON, ...) while set. */
  discoveryAnswer: (() => Response) | undefined;
  /** While set, the discovery endpoint answers only once it settles. */
  gate: Promise<void> | undefined;
  keys: JWK[] = [];
  jwksStatus = 200;
  discoveryFetches = 0;
  jwksFetches = 0;
  readonly urls: string[] = [];

  readonly fetch: FetchImplementation = async (url, options) => {
    this.urls.push(url);
    expect(options.method).toBe("GET");
    expect(options.redirect).toBe("manual");
    expect(options.signal).toBeInstanceOf(AbortSignal);
    if (url === this.discoveryUrl) {
      this.discoveryFetches++;
      if (this.gate !== undefined) await this.gate;
      if (this.discoveryAnswer !== undefined) return this.discoveryAnswer();
      return Response.json(this.document);
    }
    if (url === this.document.jwks_uri) {
      this.jwksFetches++;
      if (this.jwksStatus !== 200) return new Response("unavailable", { status: this.jwksStatus });
      return Response.json({ keys: this.keys }, { headers: { "content-type": "application/jwk-set+json" } });
    }
    return new Response("not found", { status: 404 });
  };
}

interface Setup {
  readonly idp: IdentityProvider;
  readonly authoriser: Authoriser;
  readonly failures: AuthFailureEvent[];
  /** Moves the authoriser's clock (token times, discovery TTL and cooldown) forward. */
  advance(ms: number): void;
}

let signer: KeyPair;
let otherSigner: KeyPair;

beforeAll(async () => {
  [signer, otherSigner] = await Promise.all([makeKeyPair("RS256", "idp-key-1"), makeKeyPair("ES256", "idp-key-2")]);
});

function setup(
  options: {
    key?: Partial<OidcDiscoverySource>;
    jwt?: Partial<JwtVerification>;
    tokenCache?: boolean;
    scheme?: "oidc" | "bearer";
  } = {},
): Setup {
  const idp = new IdentityProvider();
  idp.keys = [signer.publicJwk];
  const failures: AuthFailureEvent[] = [];
  let now = Date.now();
  const key = { discovery: true, fetch: idp.fetch, ...options.key } as OidcDiscoverySource;
  const config: SecurityConfig = {
    tokenCache: options.tokenCache === true ? {} : false,
    clock: () => now,
    onFailure: (event) => failures.push(event),
    schemes: { [options.scheme ?? "oidc"]: { jwt: { algorithms: ["RS256", "ES256"], key, audience: AUDIENCE, ...options.jwt } } },
  };
  return { idp, authoriser: createAuthoriser(schemes, config), failures, advance: (ms) => (now += ms) };
}

type Answer = Auth | Problem | Promise<Auth | Problem>;

function call(authoriser: Authoriser, token: string, op = oidcOp): Answer {
  const { request: req, url } = request({ headers: bearerHeader(token) });
  return authoriser(req, url, op, {});
}

const tokenFor = (key: KeyPair, claims: Record<string, unknown> = {}) =>
  signToken(key.privateKey, key.alg, { sub: "alice", ...claims }, { kid: key.publicJwk.kid });

/** A 503 whose Retry-After is `retryAfter`: the whole seconds until the key source will be fetched again. */
function expectUnavailable(result: Auth | Problem, retryAfter: string): Problem {
  const problem = expectProblem(result);
  expect(problem.status).toBe(503);
  expect(problem.headers?.["retry-after"]).toBe(retryAfter);
  expect(problem.headers?.["www-authenticate"]).toBeUndefined();
  return problem;
}

describe("OpenID Connect discovery", () => {
  it("fetches the document from the spec's openIdConnectUrl, then the JWKS it names, and accepts a token from its issuer", async () => {
    const { idp, authoriser, failures } = setup();
    const auth = expectAuth(await call(authoriser, await tokenFor(signer, { sub: "alice", scope: "pets:read" })));
    expect(auth.oidc).toMatchObject({ scheme: "oidc", type: "openIdConnect", principal: "alice", scopes: ["pets:read"] });
    expect(auth.oidc?.claims?.iss).toBe(ISSUER);
    expect(idp.urls).toEqual([DISCOVERY_URL, JWKS_URI]);
    expect(failures).toEqual([]);
  });

  it("refuses a token from another issuer (the discovered issuer is the accepted one)", async () => {
    const { idp, authoriser, failures } = setup();
    const problem = expectProblem(await call(authoriser, await tokenFor(signer, { iss: "https://evil.test/" })));
    expect(problem.status).toBe(401);
    expect(problem.headers?.["www-authenticate"]).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The token issuer is not accepted"',
    );
    expect(failures).toEqual([{ scheme: "oidc", reason: "wrong_issuer" }]);
    // A token without iss is refused too: the issuer check is on, not merely "iss if present".
    expect(expectProblem(await call(authoriser, await tokenFor(signer, { iss: undefined }))).status).toBe(401);
    expect(failures[1]).toMatchObject({ scheme: "oidc", reason: "missing_claim" });
    expect(idp.discoveryFetches).toBe(1);
  });

  it("an explicit jwt.issuer replaces the discovered one (which then need not match the discovery URL)", async () => {
    const { idp, authoriser } = setup({ jwt: { issuer: "https://tokens.idp.test/" } });
    idp.document = { ...idp.document, issuer: "https://login.idp.test/{tenantid}/v2.0" };
    expect(expectAuth(await call(authoriser, await tokenFor(signer, { iss: "https://tokens.idp.test/" }))).oidc?.principal).toBe("alice");
    expect(expectProblem(await call(authoriser, await tokenFor(signer, { iss: ISSUER }))).status).toBe(401);
  });

  it("refuses a document whose issuer is not the one the discovery URL belongs to (Discovery 1.0 §4.3)", async () => {
    const { idp, authoriser, failures } = setup();
    idp.document = { ...idp.document, issuer: "https://other-idp.test/" };
    // The default cooldown (30 s) is what the first failure asks a client to wait.
    expectUnavailable(await call(authoriser, await tokenFor(signer, { iss: "https://other-idp.test/" })), "30");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ scheme: "oidc", reason: "key_source_unavailable" });
    expect(failures[0]!.detail).toContain("issuer does not match the discovery URL");
    expect(idp.jwksFetches).toBe(0);
  });

  it("fetches the document once across many requests, one after another", async () => {
    const { idp, authoriser } = setup();
    for (let i = 0; i < 10; i++) {
      // Distinct tokens and no token cache: every request really verifies.
      expect(expectAuth(await call(authoriser, await tokenFor(signer, { sub: `user-${i}` }))).oidc?.principal).toBe(`user-${i}`);
    }
    expect(idp.discoveryFetches).toBe(1);
    expect(idp.jwksFetches).toBe(1);
  });

  it("shares one in-flight discovery fetch among concurrent requests", async () => {
    const { idp, authoriser } = setup();
    let open!: () => void;
    idp.gate = new Promise<void>((resolve) => (open = resolve));
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => tokenFor(signer, { sub: `concurrent-${i}` })));
    const answers = tokens.map((token) => call(authoriser, token));
    for (const answer of answers) expect(answer).toBeInstanceOf(Promise);
    // Every request is now waiting for the discovery document: one fetch is out.
    expect(idp.discoveryFetches).toBe(1);
    open();
    const results = await Promise.all(answers);
    results.forEach((result, i) => expect(expectAuth(result).oidc?.principal).toBe(`concurrent-${i}`));
    expect(idp.discoveryFetches).toBe(1);
  });

  it("does not fetch for tokens the cheap checks refuse (malformed, an algorithm outside the allow-list)", async () => {
    const { idp, authoriser } = setup();
    const eddsa = await makeKeyPair("EdDSA", "ed");
    expect(expectProblem(await call(authoriser, await tokenFor(eddsa))).status).toBe(401);
    expect(expectProblem(await call(authoriser, "a.b.c")).status).toBe(401);
    expect(idp.discoveryFetches).toBe(0);
  });

  it("answers a verified-token cache hit synchronously once discovery has happened", async () => {
    const { idp, authoriser } = setup({ tokenCache: true });
    const token = await tokenFor(signer, { sub: "cached" });
    const first = call(authoriser, token);
    expect(first).toBeInstanceOf(Promise);
    expect(expectAuth(await first).oidc?.principal).toBe("cached");
    for (let i = 0; i < 3; i++) {
      const again = call(authoriser, token);
      expect(again).not.toBeInstanceOf(Promise);
      expect(expectAuth(again as Auth | Problem).oidc?.principal).toBe("cached");
    }
    expect(authoriser.tokenCache!.stats).toMatchObject({ hits: 3, misses: 1 });
    expect(idp.discoveryFetches).toBe(1);
    expect(idp.jwksFetches).toBe(1);
  });

  const broken: readonly [string, (idp: IdentityProvider) => void, string][] = [
    ["HTTP 500", (idp) => (idp.discoveryAnswer = () => new Response("oops", { status: 500 })), "HTTP 500"],
    ["a redirect (not followed)", (idp) => (idp.discoveryAnswer = () => new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } })), "HTTP 302"],
    ["a body that is not JSON", (idp) => (idp.discoveryAnswer = () => new Response("<html>maintenance</html>", { headers: { "content-type": "text/html" } })), "not JSON"],
    ["a JSON array", (idp) => (idp.discoveryAnswer = () => Response.json([idp.document])), "not a JSON object"],
    ["no jwks_uri", (idp) => (idp.document = { issuer: ISSUER }), "jwks_uri is missing"],
    ["a jwks_uri that is not a string", (idp) => (idp.document = { issuer: ISSUER, jwks_uri: ["https://idp.test/jwks"] }), "jwks_uri is missing or not a string"],
    ["a jwks_uri that is not a URL", (idp) => (idp.document = { issuer: ISSUER, jwks_uri: "/oauth/jwks.json" }), "jwks_uri is not a URL"],
    ["a plain-http jwks_uri", (idp) => (idp.document = { issuer: ISSUER, jwks_uri: "http://idp.test/oauth/jwks.json" }), "not an https URL"],
    ["no issuer", (idp) => (idp.document = { jwks_uri: JWKS_URI }), "issuer is missing"],
    ["a document over 100 KiB", (idp) => (idp.document = { ...idp.document, padding: "x".repeat(110 * 1024) }), "larger than"],
  ];

  it.each(broken)("answers 503 key_source_unavailable for %s, keeps the cooldown, then retries and recovers", async (_name, breakIt, detail) => {
    const { idp, authoriser, failures, advance } = setup({ key: { cooldownMs: 30_000 } });
    const good = { ...idp.document };
    breakIt(idp);
    const token = await tokenFor(signer, { sub: "patient" });
    expectUnavailable(await call(authoriser, token), "30");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ scheme: "oidc", reason: "key_source_unavailable" });
    expect(failures[0]!.detail).toContain(detail);
    expect(failures[0]!.detail).toContain(DISCOVERY_URL);
    expect(idp.discoveryFetches).toBe(1);

    // Within the cooldown: refused at once, the IdP is not asked again, and told what is left of it.
    advance(10_400);
    expectUnavailable(await call(authoriser, token), "20");
    advance(18_600);
    expectUnavailable(await call(authoriser, token), "1");
    expect(idp.discoveryFetches).toBe(1);
    expect(failures[2]).toMatchObject({ scheme: "oidc", reason: "key_source_unavailable" });

    // The IdP is fixed; after the cooldown the next request tries again and succeeds.
    idp.discoveryAnswer = undefined;
    idp.document = good;
    advance(1_001);
    expect(expectAuth(await call(authoriser, token)).oidc?.principal).toBe("patient");
    expect(idp.discoveryFetches).toBe(2);
    expect(idp.jwksFetches).toBe(1);
  });

  it("a JWKS endpoint that fails gets the same cooldown: 503 at once, then a retry that recovers", async () => {
    const { idp, authoriser, failures, advance } = setup({ key: { cooldownMs: 30_000 } });
    idp.jwksStatus = 500;
    const token = await tokenFor(signer, { sub: "keys-later" });
    expectUnavailable(await call(authoriser, token), "30");
    expect(failures[0]).toMatchObject({ scheme: "oidc", reason: "key_source_unavailable" });
    expect(failures[0]!.detail).toContain("the JWKS could not be fetched");
    expect(idp.jwksFetches).toBe(1);
    advance(29_000);
    expectUnavailable(await call(authoriser, token), "1");
    expect(idp.jwksFetches).toBe(1);
    // The cooldown is over: the next request fetches again, fails again, and a whole cooldown starts.
    advance(1_000);
    expectUnavailable(await call(authoriser, token), "30");
    expect(idp.jwksFetches).toBe(2);
    idp.jwksStatus = 200;
    advance(30_000);
    expect(expectAuth(await call(authoriser, token)).oidc?.principal).toBe("keys-later");
    expect(idp.jwksFetches).toBe(3);
    expect(idp.discoveryFetches).toBe(1);
  });

  it("a JWKS outage does not stop tokens that the keys already fetched can verify, whatever unknown kids arrive", async () => {
    const { idp, authoriser } = setup({ key: { cooldownMs: 0 } });
    expectAuth(await call(authoriser, await tokenFor(signer, { sub: "warm" })));
    idp.jwksStatus = 503;
    // An unknown kid makes jose refetch; the IdP fails: that request is 503 ...
    // (No cooldown: the next request fetches again, so 1 s, the shortest Retry-After that is not "now".)
    expectUnavailable(await call(authoriser, await tokenFor(otherSigner, { sub: "stranger" })), "1");
    // ... and a token the fresh keys can verify is still accepted.
    expect(expectAuth(await call(authoriser, await tokenFor(signer, { sub: "known" }))).oidc?.principal).toBe("known");
  });

  it("gives up on a discovery endpoint that never answers (503, no hang), and retries after the cooldown", async () => {
    const { idp, authoriser, failures, advance } = setup({ key: { timeoutMs: 50, cooldownMs: 1_000 } });
    // A fetch that ignores its abort signal and never settles: only the router's own deadline ends the wait.
    idp.gate = new Promise<void>(() => {});
    const token = await tokenFor(signer, { sub: "late" });
    const [first, second] = [call(authoriser, token), call(authoriser, token)];
    expectUnavailable(await first, "1");
    expectUnavailable(await second, "1");
    expect(idp.discoveryFetches).toBe(1);
    expect(failures.map((f) => f.reason)).toEqual(["key_source_unavailable", "key_source_unavailable"]);
    expect(failures[0]!.detail).toContain("no answer within 50 ms");

    idp.gate = undefined;
    advance(1_001);
    expect(expectAuth(await call(authoriser, token)).oidc?.principal).toBe("late");
    expect(idp.discoveryFetches).toBe(2);
  });

  it("refetches the document after cacheTtlSeconds, following a new jwks_uri", async () => {
    const { idp, authoriser, advance } = setup({ key: { cacheTtlSeconds: 60 } });
    expectAuth(await call(authoriser, await tokenFor(signer)));
    advance(59_000);
    expectAuth(await call(authoriser, await tokenFor(signer, { sub: "still-fresh" })));
    expect(idp.discoveryFetches).toBe(1);

    idp.document = { ...idp.document, jwks_uri: "https://idp.test/oauth/jwks-2.json" };
    idp.keys = [otherSigner.publicJwk];
    advance(1_001);
    expect(expectAuth(await call(authoriser, await tokenFor(otherSigner, { sub: "rotated" }))).oidc?.principal).toBe("rotated");
    expect(idp.discoveryFetches).toBe(2);
    expect(idp.urls.slice(-1)).toEqual(["https://idp.test/oauth/jwks-2.json"]);
  });

  it("keeps using a document it has while a refresh fails, trying again only after the cooldown", async () => {
    const { idp, authoriser, failures, advance } = setup({ key: { cacheTtlSeconds: 60, cooldownMs: 10_000 } });
    expectAuth(await call(authoriser, await tokenFor(signer)));
    idp.discoveryAnswer = () => new Response("down", { status: 503 });
    advance(61_000);
    expect(expectAuth(await call(authoriser, await tokenFor(signer, { sub: "during-outage" }))).oidc?.principal).toBe("during-outage");
    expect(idp.discoveryFetches).toBe(2);
    advance(5_000);
    expectAuth(await call(authoriser, await tokenFor(signer, { sub: "still-out" })));
    expect(idp.discoveryFetches).toBe(2);
    advance(5_001);
    expectAuth(await call(authoriser, await tokenFor(signer, { sub: "retry" })));
    expect(idp.discoveryFetches).toBe(3);
    expect(failures).toEqual([]);
  });

  it("takes discoveryUrl for any bearer scheme, and allows plain http to a loopback host", async () => {
    const { idp, authoriser } = setup({
      scheme: "bearer",
      key: { discovery: undefined, discoveryUrl: "http://localhost:8787/.well-known/openid-configuration" },
    });
    idp.discoveryUrl = "http://localhost:8787/.well-known/openid-configuration";
    idp.document = { issuer: "http://localhost:8787", jwks_uri: "http://127.0.0.1:8787/jwks" };
    const auth = expectAuth(await call(authoriser, await tokenFor(signer, { iss: "http://localhost:8787", sub: "dev" }), bearerOp));
    expect(auth.bearer).toMatchObject({ type: "http", principal: "dev" });
    expect(idp.urls).toEqual(["http://localhost:8787/.well-known/openid-configuration", "http://127.0.0.1:8787/jwks"]);
  });

  it("Retry-After counts down what is left of the cooldown (rounded up), and is whole again when the retry fails too", async () => {
    const { idp, authoriser, advance } = setup({ key: { cooldownMs: 30_000 } });
    idp.discoveryAnswer = () => new Response("down", { status: 503 });
    const token = await tokenFor(signer, { sub: "counting" });
    expectUnavailable(await call(authoriser, token), "30");
    advance(1);
    expectUnavailable(await call(authoriser, token), "30");
    advance(12_499);
    expectUnavailable(await call(authoriser, token), "18");
    expect(idp.discoveryFetches).toBe(1);
    // The cooldown ends exactly now: this request fetches, the IdP is still down, a new cooldown begins.
    advance(17_500);
    expectUnavailable(await call(authoriser, token), "30");
    expect(idp.discoveryFetches).toBe(2);
    advance(29_999);
    expectUnavailable(await call(authoriser, token), "1");
    expect(idp.discoveryFetches).toBe(2);
  });

  it("with two schemes down, Retry-After is the sooner of their cooldown ends (the earliest either might work)", async () => {
    const idp = new IdentityProvider();
    idp.keys = [signer.publicJwk];
    // The second IdP has no discovery document (404).
    const otherDiscoveryUrl = "https://other-idp.test/.well-known/openid-configuration";
    let now = Date.now();
    const jwt = (key: OidcDiscoverySource) => ({ jwt: { algorithms: ["RS256"] as const, key, audience: AUDIENCE } });
    const authoriser = createAuthoriser(schemes, {
      tokenCache: false,
      clock: () => now,
      schemes: {
        oidc: jwt({ discovery: true, fetch: idp.fetch, cooldownMs: 30_000 }),
        bearer: jwt({ discoveryUrl: otherDiscoveryUrl, fetch: idp.fetch, cooldownMs: 10_000 }),
      },
    });
    const either = operation([{ oidc: [] }, { bearer: [] }]);
    idp.discoveryAnswer = () => new Response("down", { status: 503 });
    const token = await tokenFor(signer, { sub: "either" });
    expectUnavailable(await call(authoriser, token, either), "10");
    now += 4_000;
    // oidc: 26 s left, bearer: 6 s.
    expectUnavailable(await call(authoriser, token, either), "6");
    expect(idp.urls).toEqual([DISCOVERY_URL, otherDiscoveryUrl]);
    // bearer's cooldown is over and its retry fails: a whole 10 s again, still sooner than oidc's 20 s.
    now += 6_000;
    expectUnavailable(await call(authoriser, token, either), "10");
    expect(idp.urls).toEqual([DISCOVERY_URL, otherDiscoveryUrl, otherDiscoveryUrl]);
    // oidc: 10.5 s left, bearer: 0.5 s (rounded up); an operation that only takes oidc waits for oidc.
    now += 9_500;
    expectUnavailable(await call(authoriser, token, either), "1");
    expectUnavailable(await call(authoriser, token, oidcOp), "11");
    expect(idp.urls).toHaveLength(3);
  });

  it("refuses configs that could never work when the authoriser is created", () => {
    const jwt = (key: unknown, algorithms: readonly string[] = ["RS256"]) => ({ jwt: { algorithms, key } }) as never;
    const create = (name: string, config: unknown) => () => createAuthoriser(schemes, { schemes: { [name]: config as never } });
    expect(create("bearer", jwt({ discovery: true }))).toThrow(/only an openIdConnect scheme has/);
    expect(create("oidc", jwt({ discovery: false }))).toThrow(/discovery must be true/);
    expect(create("oidc", jwt({ discoveryUrl: "http://idp.example/.well-known/openid-configuration" }))).toThrow(/https/);
    expect(create("oidc", jwt({ discoveryUrl: "/.well-known/openid-configuration" }))).toThrow(/absolute URL/);
    expect(create("oidc", jwt({ discovery: true }, ["HS256"]))).toThrow(/public key source/);
    expect(create("oidc", jwt({ discovery: true, jwksUrl: JWKS_URI }))).toThrow(/not both/);
    expect(create("oidc", jwt({ discovery: true, timeoutMs: 0 }))).toThrow(/timeoutMs/);
    expect(create("oidc", jwt({ discovery: true, cacheTtlSeconds: -1 }))).toThrow(/cacheTtlSeconds/);
    expect(create("oidc", jwt({ discovery: true }))).not.toThrow();
  });
});
