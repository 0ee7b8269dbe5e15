/**
 * JWT bearer verification inside workerd with real jose keys and real signed tokens: good tokens
 * per algorithm and key source, and the attack matrix — every hostile token refused with 401,
 * an RFC 6750 `invalid_token` challenge and nothing of the token echoed back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { base64url, UnsecuredJWT, type CryptoKey } from "jose";
import { createAuthoriser, type Authoriser, type JwtKeySource, type JwtVerification } from "../../src/runtime/security/index.ts";
import {
  AUDIENCE,
  HS_SECRET,
  ISSUER,
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
  type KeyPair,
} from "../fixtures/security/fixture.ts";

const op = operation([{ bearer: [] }]);
const env = { JWT_SECRET: HS_SECRET };

interface Family {
  readonly alg: "RS256" | "ES256" | "EdDSA" | "HS256";
  readonly signingKey: CryptoKey | Uint8Array;
  readonly source: JwtKeySource;
}

let rsa: KeyPair;
let ec: KeyPair;
let ed: KeyPair;
let families: Family[];

beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([makeKeyPair("RS256"), makeKeyPair("ES256"), makeKeyPair("EdDSA")]);
  families = [
    { alg: "RS256", signingKey: rsa.privateKey, source: { spki: rsa.spki } },
    { alg: "ES256", signingKey: ec.privateKey, source: { jwk: ec.publicJwk } },
    { alg: "EdDSA", signingKey: ed.privateKey, source: { jwks: { keys: [ed.publicJwk] } } },
    { alg: "HS256", signingKey: secretBytes(HS_SECRET), source: { secretFrom: "JWT_SECRET" } },
  ];
});

function authoriserFor(family: Family, extra: Partial<JwtVerification> = {}): Authoriser {
  return createAuthoriser(schemes, {
    tokenCache: false,
    schemes: {
      bearer: { jwt: { algorithms: [family.alg], key: family.source, issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["sub"], ...extra } },
    },
  });
}

async function authorise(authoriser: Authoriser, token: string) {
  const { request: req, url } = request({ headers: bearerHeader(token) });
  return authoriser(req, url, op, env);
}

/** 401 + `Bearer ... error="invalid_token"` + problem+json, and the token nowhere in the response. */
async function expectInvalidToken(authoriser: Authoriser, token: string, description: RegExp): Promise<void> {
  const problem = expectProblem(await authorise(authoriser, token));
  expect(problem.status).toBe(401);
  const challenge = problem.headers?.["www-authenticate"] ?? "";
  expect(challenge).toMatch(/^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/);
  expect(challenge).toMatch(description);
  const response = problem.toResponse();
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const text = await response.text();
  for (const part of token.split(".").filter((p) => p.length > 8)) {
    expect(text).not.toContain(part);
    expect(challenge).not.toContain(part);
  }
}

function tamperPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split(".");
  return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
}

describe.each(["RS256", "ES256", "EdDSA", "HS256"] as const)("%s", (alg) => {
  const family = (): Family => families.find((f) => f.alg === alg)!;

  it("accepts a good token and returns its frozen claims, principal and scopes", async () => {
    const token = await signToken(family().signingKey, alg, { scope: "pets:read pets:write", nested: { roles: ["a"] } });
    const auth = expectAuth(await authorise(authoriserFor(family()), token));
    const result = auth.bearer!;
    expect(result).toMatchObject({ scheme: "bearer", type: "http", principal: "alice", scopes: ["pets:read", "pets:write"] });
    expect(result.claims?.iss).toBe(ISSUER);
    expect(Object.isFrozen(auth)).toBe(true);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.claims)).toBe(true);
    expect(Object.isFrozen((result.claims?.nested as { roles: string[] }).roles)).toBe(true);
  });

  it("refuses an expired token", async () => {
    const token = await signToken(family().signingKey, alg, { exp: nowSeconds() - 60 });
    await expectInvalidToken(authoriserFor(family()), token, /expired/);
  });

  it("accepts a just-expired token within the clock tolerance, and refuses it past the tolerance", async () => {
    const token = await signToken(family().signingKey, alg, { exp: nowSeconds() - 10 });
    expectAuth(await authorise(authoriserFor(family(), { clockToleranceSeconds: 30 }), token));
    await expectInvalidToken(authoriserFor(family(), { clockToleranceSeconds: 5 }), token, /expired/);
  });

  it("refuses a token that is not yet valid (nbf)", async () => {
    const token = await signToken(family().signingKey, alg, { nbf: nowSeconds() + 120 });
    await expectInvalidToken(authoriserFor(family()), token, /not yet valid/);
  });

  it("refuses a wrong audience", async () => {
    const token = await signToken(family().signingKey, alg, { aud: "someone-else" });
    await expectInvalidToken(authoriserFor(family()), token, /audience/);
  });

  it("refuses a wrong issuer", async () => {
    const token = await signToken(family().signingKey, alg, { iss: "https://evil.test/" });
    await expectInvalidToken(authoriserFor(family()), token, /issuer/);
  });

  it("refuses a token missing a required claim", async () => {
    const token = await signToken(family().signingKey, alg, { sub: undefined });
    await expectInvalidToken(authoriserFor(family()), token, /lacks the required sub claim/);
    const noAud = await signToken(family().signingKey, alg, { aud: undefined });
    await expectInvalidToken(authoriserFor(family()), noAud, /required aud claim/);
  });

  it("refuses a tampered payload", async () => {
    const token = await signToken(family().signingKey, alg, { sub: "alice" });
    const forged = tamperPayload(token, { iss: ISSUER, aud: AUDIENCE, sub: "admin", exp: nowSeconds() + 600 });
    await expectInvalidToken(authoriserFor(family()), forged, /signature is invalid/);
  });

  it("refuses alg: none, with or without a signature part", async () => {
    const unsecured = new UnsecuredJWT({ iss: ISSUER, aud: AUDIENCE, sub: "admin" }).setExpirationTime("10m").encode();
    expect(unsecured.endsWith(".")).toBe(true);
    await expectInvalidToken(authoriserFor(family()), unsecured, /not a well-formed JWT/);
    await expectInvalidToken(authoriserFor(family()), `${unsecured}c2ln`, /algorithm is not accepted/);
  });
});

describe("algorithm confusion", () => {
  it("refuses an HS256 token MACed with the RSA public key (PEM bytes) when the scheme holds that public key", async () => {
    const forged = await signToken(secretBytes(rsa.spki), "HS256", { sub: "admin" });
    const family = families.find((f) => f.alg === "RS256")!;
    await expectInvalidToken(authoriserFor(family), forged, /algorithm is not accepted/);
  });

  it("refuses an HS256 token MACed with the public JWK's JSON when the scheme holds that JWK", async () => {
    const forged = await signToken(secretBytes(JSON.stringify(ec.publicJwk)), "HS256", { sub: "admin" });
    const family = families.find((f) => f.alg === "ES256")!;
    await expectInvalidToken(authoriserFor(family), forged, /algorithm is not accepted/);
  });

  it("refuses an RS256 token on an HS256 scheme, and an ES256 token on an RS256 scheme", async () => {
    const hs = families.find((f) => f.alg === "HS256")!;
    await expectInvalidToken(authoriserFor(hs), await signToken(rsa.privateKey, "RS256"), /algorithm is not accepted/);
    const rs = families.find((f) => f.alg === "RS256")!;
    await expectInvalidToken(authoriserFor(rs), await signToken(ec.privateKey, "ES256"), /algorithm is not accepted/);
  });

  it("will not even be configured to mix an HMAC secret with public-key algorithms, or a public key with HS*", () => {
    const make = (jwt: JwtVerification) => () => createAuthoriser(schemes, { schemes: { bearer: { jwt } } });
    expect(make({ algorithms: ["RS256", "HS256"], key: { spki: rsa.spki } })).toThrow(/public key source only pairs/);
    expect(make({ algorithms: ["HS256"], key: { jwk: rsa.publicJwk } })).toThrow(/public key source only pairs/);
    expect(make({ algorithms: ["HS256", "RS256"], key: { secretFrom: "JWT_SECRET" } })).toThrow(/HMAC secret .* only pairs/);
    expect(make({ algorithms: [], key: { spki: rsa.spki } })).toThrow(/explicitly/);
    expect(make({ algorithms: ["none" as "RS256"], key: { spki: rsa.spki } })).toThrow(/never "none"/);
    expect(make({ algorithms: ["RS256"], key: { jwk: { kty: "oct", k: "c2VjcmV0" } } })).toThrow(/symmetric/);
  });

  it("pins a JWK's own alg: a PS256 token is refused by a key published for RS256", async () => {
    const source: JwtKeySource = { jwk: rsa.publicJwk };
    const authoriser = createAuthoriser(schemes, { tokenCache: false, schemes: { bearer: { jwt: { algorithms: ["RS256", "PS256"], key: source } } } });
    expectAuth(await authorise(authoriser, await signToken(rsa.privateKey, "RS256")));
    const pss = await makeKeyPair("PS256");
    await expectInvalidToken(authoriser, await signToken(pss.privateKey, "PS256"), /algorithm is not accepted/);
  });
});

describe("cheap pre-checks", () => {
  const hs = (): Family => families.find((f) => f.alg === "HS256")!;

  it("refuses malformed base64 and broken structure before any crypto", async () => {
    const authoriser = authoriserFor(hs());
    const good = await signToken(hs().signingKey, "HS256");
    const [h, p, s] = good.split(".") as [string, string, string];
    await expectInvalidToken(authoriser, `${h}.${p}*x.${s}`, /malformed|well-formed/);
    await expectInvalidToken(authoriser, `${h}.${p}`, /well-formed/);
    await expectInvalidToken(authoriser, `${h}.${p}.${s}.${s}`, /well-formed/);
    // A segment of length 4n+1 is not decodable base64url.
    await expectInvalidToken(authoriser, `${h}.${p}.x`, /well-formed/);
    await expectInvalidToken(authoriser, `e30.${p}.${s}`, /algorithm is not accepted/);
    await expectInvalidToken(authoriser, `bm90IGpzb24.${p}.${s}`, /header is not valid JSON/);
  });

  it("refuses an oversize token (default 8 KiB, configurable)", async () => {
    const big = await signToken(hs().signingKey, "HS256", { padding: "x".repeat(9000) });
    expect(big.length).toBeGreaterThan(8192);
    await expectInvalidToken(authoriserFor(hs()), big, /too large/);
    const small = await signToken(hs().signingKey, "HS256", { padding: "x".repeat(300) });
    const strict = createAuthoriser(schemes, {
      maxTokenBytes: 256,
      schemes: { bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" } } } },
    });
    await expectInvalidToken(strict, small, /too large/);
  });

  it("treats `Bearer` without a token, and non-token68 characters, as malformed", async () => {
    const authoriser = authoriserFor(hs());
    for (const header of ["Bearer", "Bearer   ", "Bearer a b", "Bearer a%b.c"]) {
      const { request: req, url } = request({ headers: { authorization: header } });
      const problem = expectProblem(await authoriser(req, url, op, env));
      expect(problem.status).toBe(401);
      expect(problem.headers?.["www-authenticate"]).toContain('error="invalid_token"');
    }
  });

  it("answers a request without credentials with a bare challenge (no error code, RFC 6750 §3.1)", async () => {
    const { request: req, url } = request();
    const problem = expectProblem(await authoriserFor(hs())(req, url, op, env));
    expect(problem.status).toBe(401);
    expect(problem.headers?.["www-authenticate"]).toBe('Bearer realm="api"');
    expect(problem.errors).toBeUndefined();
  });
});

describe("key material from env bindings", () => {
  it("reads a PEM, a JWK (JSON text) and a JWK set from bindings", async () => {
    const bindings = { PEM: rsa.spki, JWK: JSON.stringify(ec.publicJwk), SET: JSON.stringify({ keys: [ed.publicJwk] }) };
    const cases: [JwtKeySource, "RS256" | "ES256" | "EdDSA", CryptoKey][] = [
      [{ spkiFrom: "PEM" }, "RS256", rsa.privateKey],
      [{ jwkFrom: "JWK" }, "ES256", ec.privateKey],
      [{ jwksFrom: "SET" }, "EdDSA", ed.privateKey],
    ];
    for (const [key, alg, privateKey] of cases) {
      const authoriser = createAuthoriser(schemes, { schemes: { bearer: { jwt: { algorithms: [alg], key } } } });
      const { request: req, url } = request({ headers: bearerHeader(await signToken(privateKey, alg)) });
      expectAuth(await authoriser(req, url, op, bindings));
    }
  });

  it("fails closed with 500 (not 401) when the secret binding is missing or too short, without naming it to the client", async () => {
    const events: unknown[] = [];
    const authoriser = createAuthoriser(schemes, {
      onFailure: (event) => events.push(event),
      schemes: { bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" } } } },
    });
    const token = await signToken(secretBytes(HS_SECRET), "HS256");
    const { request: req, url } = request({ headers: bearerHeader(token) });
    const missing = expectProblem(await authoriser(req, url, op, {}));
    expect(missing.status).toBe(500);
    expect(JSON.stringify(missing.toJSON())).not.toContain("JWT_SECRET");
    const short = expectProblem(await authoriser(req, url, op, { JWT_SECRET: "short" }));
    expect(short.status).toBe(500);
    expect(events).toEqual([
      { scheme: "bearer", reason: "not_configured", detail: expect.stringContaining("JWT_SECRET is not set") },
      { scheme: "bearer", reason: "not_configured", detail: expect.stringContaining("shorter than 32 bytes") },
    ]);
  });

  it("fails closed with 500 when the configured public key cannot serve an allowed algorithm", async () => {
    const authoriser = createAuthoriser(schemes, { schemes: { bearer: { jwt: { algorithms: ["RS256", "ES256"], key: { spki: rsa.spki } } } } });
    const { request: req, url } = request({ headers: bearerHeader(await signToken(ec.privateKey, "ES256")) });
    expect(expectProblem(await authoriser(req, url, op, env)).status).toBe(500);
  });

  it("uses a configured principal claim, typ and max token age", async () => {
    const authoriser = createAuthoriser(schemes, {
      schemes: { bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" }, principalClaim: "email", typ: "at+jwt", maxTokenAgeSeconds: 60 } } },
    });
    const good = await signToken(secretBytes(HS_SECRET), "HS256", { email: "a@x.test" }, { typ: "at+jwt" });
    expect(expectAuth(await authorise(authoriser, good)).bearer?.principal).toBe("a@x.test");
    await expectInvalidToken(authoriser, await signToken(secretBytes(HS_SECRET), "HS256", {}, { typ: "JWT" }), /claim is not accepted/);
    const old = await signToken(secretBytes(HS_SECRET), "HS256", { iat: nowSeconds() - 120 }, { typ: "at+jwt" });
    await expectInvalidToken(authoriser, old, /too old/);
  });
});
