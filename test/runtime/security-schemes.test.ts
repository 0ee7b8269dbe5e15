/**
 * The non-JWT schemes and the config contract: apiKey in header/query/cookie (binding lists with
 * labels, or a verifier), HTTP Basic, opaque bearer tokens, JWT-or-opaque routing, mutualTLS,
 * config errors thrown at creation, and `onFailure` seeing reasons but never credentials.
 */
import { describe, expect, it } from "vitest";
import { createAuthoriser, parseKeyList, type AuthFailureEvent, type SecurityConfig } from "../../src/runtime/security/index.ts";
import {
  HS_SECRET,
  basicHeader,
  bearerHeader,
  expectAuth,
  expectProblem,
  operation,
  request,
  schemes,
  secretBytes,
  signToken,
} from "../fixtures/security/fixture.ts";

const env = { API_KEYS: " alice:k-alice , bob:k-bob,unlabelled-key ,", JWT_SECRET: HS_SECRET };

describe("apiKey", () => {
  const authoriser = createAuthoriser(schemes, {
    schemes: { apiKey: { keysFrom: "API_KEYS" }, queryKey: { keysFrom: "API_KEYS" }, cookieKey: { keysFrom: "API_KEYS" } },
  });

  it("parses comma-separated keys with optional labels", () => {
    expect(parseKeyList(env.API_KEYS)).toEqual([
      { label: "alice", key: "k-alice" },
      { label: "bob", key: "k-bob" },
      { label: undefined, key: "unlabelled-key" },
    ]);
  });

  it.each([
    ["header", operation([{ apiKey: [] }]), { headers: { "X-API-Key": "k-bob" } }, "apiKey"],
    ["query", operation([{ queryKey: [] }]), { query: "?a=1&api_key=k-bob" }, "queryKey"],
    ["cookie", operation([{ cookieKey: [] }]), { headers: { cookie: 'a=1; session="k-bob"; b=2' } }, "cookieKey"],
  ] as const)("finds the key in the %s and names the label as principal", async (_where, op, parts, scheme) => {
    const { request: req, url } = request(parts);
    const auth = expectAuth(await authoriser(req, url, op, env));
    expect(auth[scheme]).toEqual({ scheme, type: "apiKey", principal: "bob", scopes: [] });
  });

  it("accepts an unlabelled key without a principal", async () => {
    const { request: req, url } = request({ headers: { "x-api-key": "unlabelled-key" } });
    expect(expectAuth(await authoriser(req, url, operation([{ apiKey: [] }]), env)).apiKey).toEqual({ scheme: "apiKey", type: "apiKey", scopes: [] });
  });

  it("refuses unknown keys, a key plus junk, and a prefix of a key; picks up a changed binding", async () => {
    const op = operation([{ apiKey: [] }]);
    for (const key of ["nope", "k-bobx", "k-bo", "alice:k-alice"]) {
      const { request: req, url } = request({ headers: { "x-api-key": key } });
      const problem = expectProblem(await authoriser(req, url, op, env));
      expect(problem.status).toBe(401);
      expect(problem.headers?.["www-authenticate"]).toBe('APIKey realm="api", in="header", name="X-API-Key"');
      expect(problem.errors).toEqual([{ in: "header", name: "X-API-Key", pointer: "", message: "The API key is not recognised" }]);
    }
    const { request: req, url } = request({ headers: { "x-api-key": "fresh" } });
    expect(expectAuth(await authoriser(req, url, op, { API_KEYS: "fresh" })).apiKey).toBeDefined();
    expect(expectProblem(await authoriser(req, url, op, env)).status).toBe(401);
  });

  it("answers 500 when the key binding is missing", async () => {
    const { request: req, url } = request({ headers: { "x-api-key": "k-bob" } });
    expect(expectProblem(await authoriser(req, url, operation([{ apiKey: [] }]), {})).status).toBe(500);
  });

  it("refuses oversize keys before hashing", async () => {
    const { request: req, url } = request({ headers: { "x-api-key": "k".repeat(9000) } });
    const problem = expectProblem(await authoriser(req, url, operation([{ apiKey: [] }]), env));
    expect(problem.errors?.[0]?.message).toBe("The API key is too long");
  });

  it("supports a verifier function with the env, returning a principal or a richer identity", async () => {
    const seen: unknown[] = [];
    const custom = createAuthoriser(schemes, {
      schemes: {
        apiKey: {
          verifyKey: (key, e) => {
            seen.push(e);
            return key === "rich" ? { principal: "svc", scopes: ["pets:read"], claims: { tier: "gold" } } : key === "plain" ? "plain-user" : null;
          },
        },
      },
    });
    const op = operation([{ apiKey: ["pets:read"] }]);
    const rich = request({ headers: { "x-api-key": "rich" } });
    const auth = expectAuth(await custom(rich.request, rich.url, op, env));
    expect(auth.apiKey).toEqual({ scheme: "apiKey", type: "apiKey", principal: "svc", scopes: ["pets:read"], claims: { tier: "gold" } });
    expect(Object.isFrozen(auth.apiKey!.claims)).toBe(true);
    expect(seen).toEqual([env]);
    const plain = request({ headers: { "x-api-key": "plain" } });
    expect(expectProblem(await custom(plain.request, plain.url, op, env)).status).toBe(403);
  });
});

describe("http basic", () => {
  const authoriser = createAuthoriser(schemes, {
    realm: 'pet "store"',
    schemes: { basic: { verifyCredentials: (user, password) => (user === "zoë" && password === "p:ss w0rd" ? user : null) } },
  });
  const op = operation([{ basic: [] }]);

  it("decodes UTF-8 credentials and splits at the first colon only", async () => {
    const encoded = btoa(String.fromCharCode(...new TextEncoder().encode("zoë:p:ss w0rd")));
    const { request: req, url } = request({ headers: { authorization: `basic ${encoded}` } });
    expect(expectAuth(await authoriser(req, url, op, {})).basic).toEqual({ scheme: "basic", type: "http", principal: "zoë", scopes: [] });
  });

  it("refuses wrong passwords and malformed credentials with a Basic challenge, realm quoted", async () => {
    for (const authorization of [basicHeader("zoë", "x").authorization!, "Basic !!!!", "Basic abc", `Basic ${btoa("no-colon")}`, "Basic", "Basic /w=="]) {
      const { request: req, url } = request({ headers: { authorization } });
      const problem = expectProblem(await authoriser(req, url, op, {}));
      expect(problem.status).toBe(401);
      expect(problem.headers?.["www-authenticate"]).toBe('Basic realm="pet \\"store\\"", charset="UTF-8"');
    }
  });

  it("ignores an Authorization header of another scheme", async () => {
    const { request: req, url } = request({ headers: bearerHeader("abc") });
    const problem = expectProblem(await authoriser(req, url, op, {}));
    expect(problem.detail).toBe("This operation requires authentication.");
  });
});

describe("opaque bearer tokens", () => {
  it("sends opaque tokens to verifyToken and JWT-shaped ones to the JWT check when both are configured", async () => {
    const opaqueSeen: string[] = [];
    const authoriser = createAuthoriser(schemes, {
      schemes: {
        oauth: {
          jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" } },
          verifyToken: async (token) => {
            opaqueSeen.push(token);
            return token === "opaque-123" ? { principal: "introspected", scopes: ["pets:write"] } : null;
          },
        },
      },
    });
    const op = operation([{ oauth: ["pets:write"] }]);
    const opaque = request({ headers: bearerHeader("opaque-123") });
    expect(expectAuth(await authoriser(opaque.request, opaque.url, op, env)).oauth?.principal).toBe("introspected");
    const jwt = await signToken(secretBytes(HS_SECRET), "HS256", { scope: "pets:write" });
    const viaJwt = request({ headers: bearerHeader(jwt) });
    expect(expectAuth(await authoriser(viaJwt.request, viaJwt.url, op, env)).oauth?.principal).toBe("alice");
    expect(opaqueSeen).toEqual(["opaque-123"]);
    const unknown = request({ headers: bearerHeader("opaque-999") });
    const problem = expectProblem(await authoriser(unknown.request, unknown.url, op, env));
    expect(problem.headers?.["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token", error_description="The credentials were not accepted"');
  });

  it("answers insufficient_scope with the scopes the requirement needs", async () => {
    const authoriser = createAuthoriser(schemes, { schemes: { oauth: { verifyToken: () => ({ principal: "p", scopes: ["pets:read"] }) } } });
    const op = operation([{ oauth: ["pets:read", "pets:admin"] }]);
    const { request: req, url } = request({ headers: bearerHeader("t") });
    const problem = expectProblem(await authoriser(req, url, op, {}));
    expect(problem.status).toBe(403);
    expect(problem.headers?.["www-authenticate"]).toBe('Bearer realm="api", error="insufficient_scope", scope="pets:read pets:admin"');
  });
});

describe("mutualTLS", () => {
  const op = operation([{ mtls: [] }]);
  const withCert = (tlsClientAuth: Record<string, string>) => {
    const url = new URL("https://api.test/things");
    return { request: new Request(url, { cf: { tlsClientAuth } } as RequestInit), url };
  };

  it("by default trusts Cloudflare's verified client certificate and names its subject", async () => {
    const authoriser = createAuthoriser(schemes, { schemes: { mtls: {} } });
    const good = withCert({ certPresented: "1", certVerified: "SUCCESS", certSubjectDN: "CN=device-7" });
    expect(expectAuth(await authoriser(good.request, good.url, op, {})).mtls?.principal).toBe("CN=device-7");
    const bad = withCert({ certPresented: "1", certVerified: "FAILED:self signed certificate" });
    expect(expectProblem(await authoriser(bad.request, bad.url, op, {})).status).toBe(401);
    const none = request();
    const problem = expectProblem(await authoriser(none.request, none.url, op, {}));
    expect(problem.status).toBe(401);
    expect(problem.headers).toBeUndefined();
  });

  it("defers to a custom verifier", async () => {
    const authoriser = createAuthoriser(schemes, { schemes: { mtls: { verifyClient: (req) => req.headers.get("x-client-dn") } } });
    const { request: req, url } = request({ headers: { "x-client-dn": "CN=proxy-verified" } });
    expect(expectAuth(await authoriser(req, url, op, {})).mtls?.principal).toBe("CN=proxy-verified");
  });
});

describe("config contract", () => {
  const bad = (config: SecurityConfig) => () => createAuthoriser(schemes, config);

  it("throws at creation for configs that cannot work", () => {
    expect(bad({ schemes: { nosuch: { keysFrom: "K" } } })).toThrow(/does not declare/);
    expect(bad({ schemes: { apiKey: {} as SecurityConfig["schemes"][string] } })).toThrow(/keysFrom or verifyKey/);
    expect(bad({ schemes: { bearer: {} } })).toThrow(/jwt and\/or verifyToken/);
    expect(bad({ schemes: { basic: {} as SecurityConfig["schemes"][string] } })).toThrow(/verifyCredentials/);
    expect(bad({ schemes: { digest: { verifyToken: () => null } } })).toThrow(/not supported/);
    expect(bad({ schemes: { oauth: { jwt: { algorithms: ["RS256"], key: { jwk: { kty: "RSA", n: "x", e: "AQAB", d: "secret" } } } } } })).toThrow(/private JWK/);
    expect(bad({ schemes: { oidc: { jwt: { algorithms: ["RS256"], key: { jwksUrl: "ftp://idp.test/jwks" } } } } })).toThrow(/http/);
    expect(bad({ schemes: { bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "S" }, clockToleranceSeconds: -1 } } } })).toThrow(/clockTolerance/);
    expect(bad({ maxTokenBytes: 0, schemes: {} })).toThrow(/maxTokenBytes/);
    expect(bad({ tokenCache: { maxEntries: -1 }, schemes: {} })).toThrow(/maxEntries/);
  });

  it("leaves undeclared http schemes (Digest) unauthenticated, still announcing their challenge", async () => {
    const authoriser = createAuthoriser(schemes, { schemes: {} });
    const { request: req, url } = request({ headers: { authorization: "Digest username=x" } });
    const problem = expectProblem(await authoriser(req, url, operation([{ digest: [] }]), {}));
    expect(problem.status).toBe(401);
    expect(problem.headers?.["www-authenticate"]).toBe('Digest realm="api"');
  });
});

describe("onFailure and secrecy", () => {
  it("reports a reason per refused credential and never the credential itself", async () => {
    const events: AuthFailureEvent[] = [];
    const authoriser = createAuthoriser(schemes, {
      onFailure: (event) => {
        events.push(event);
        throw new Error("a broken hook must not matter");
      },
      schemes: {
        apiKey: { keysFrom: "API_KEYS" },
        bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" } } },
        oauth: { verifyToken: () => ({ scopes: [] }) },
      },
    });
    const expired = await signToken(secretBytes(HS_SECRET), "HS256", { exp: 1 });
    const { request: req, url } = request({ headers: { ...bearerHeader(expired), "x-api-key": "super-secret-wrong-key" } });
    const problem = expectProblem(await authoriser(req, url, operation([{ apiKey: [], bearer: [] }, { bearer: [] }, { oauth: ["pets:write"] }]), env));
    expect(problem.status).toBe(403);
    expect(events).toEqual([
      { scheme: "apiKey", reason: "unknown_credential" },
      { scheme: "bearer", reason: "expired" },
      { scheme: "oauth", reason: "insufficient_scope" },
    ]);
    const everything = JSON.stringify(events) + JSON.stringify(problem.toJSON()) + JSON.stringify(problem.headers);
    for (const secret of ["super-secret-wrong-key", expired, HS_SECRET]) expect(everything).not.toContain(secret);
  });
});
