/**
 * 200 interleaved requests with different identities and schemes through one authoriser (one
 * set of caches), all in flight at once: each gets exactly its own `auth`, nobody else's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAuthoriser, type Auth, type Authoriser } from "../../src/runtime/security/index.ts";
import type { Problem } from "../../src/runtime/problem.ts";
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
} from "../fixtures/security/fixture.ts";

const REQUESTS = 200;
const KINDS = ["apiKey", "bearer", "basic", "oauth", "queryKey"] as const;
type Kind = (typeof KINDS)[number];

const op = operation([{ apiKey: [] }, { bearer: [] }, { basic: [] }, { oauth: ["pets:read"] }, { queryKey: [] }]);
const identities = Array.from({ length: REQUESTS }, (_, i) => ({ i, kind: KINDS[i % KINDS.length]!, name: `user-${i}`, bad: i % 10 === 7 }));
const env = {
  API_KEYS: identities.map(({ name, i }) => `${name}:key-${i}`).join(","),
  JWT_SECRET: HS_SECRET,
};

/** Yield to the event loop a varying number of times so verifications interleave. */
async function jitter(i: number): Promise<void> {
  for (let n = 0; n < (i * 7) % 5; n++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

let authoriser: Authoriser;
const tokens = new Map<number, string>();

beforeAll(async () => {
  const idp = await makeKeyPair("ES256");
  authoriser = createAuthoriser(schemes, {
    schemes: {
      apiKey: { keysFrom: "API_KEYS" },
      queryKey: { verifyKey: async (key) => (await jitter(Number(key.slice(2))), key.startsWith("q-") ? `user-${key.slice(2)}` : null) },
      bearer: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" }, issuer: ISSUER, audience: AUDIENCE } },
      basic: {
        verifyCredentials: async (user, password) => {
          await jitter(Number(user.slice(5)));
          return password === `pw-${user}` ? { principal: user, claims: { via: "basic", n: Number(user.slice(5)) } } : null;
        },
      },
      oauth: { jwt: { algorithms: ["ES256"], key: { jwk: idp.publicJwk }, issuer: ISSUER, audience: AUDIENCE } },
    },
  });
  for (const { i, kind, name } of identities) {
    if (kind === "bearer") tokens.set(i, await signToken(secretBytes(HS_SECRET), "HS256", { sub: name }));
    if (kind === "oauth") tokens.set(i, await signToken(idp.privateKey, "ES256", { sub: name, scope: "pets:read" }));
  }
});

function requestFor({ i, kind, name, bad }: (typeof identities)[number]) {
  switch (kind) {
    case "apiKey":
      return request({ headers: { "x-api-key": bad ? `key-${i}-x` : `key-${i}` } });
    case "queryKey":
      return request({ query: `?api_key=${bad ? "x-" : "q-"}${i}` });
    case "basic":
      return request({ headers: basicHeader(name, bad ? "wrong" : `pw-${name}`) });
    case "bearer":
    case "oauth": {
      const token = tokens.get(i)!;
      const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
      return request({ headers: bearerHeader(bad ? forged : token) });
    }
  }
}

describe("concurrency", () => {
  it(`keeps ${REQUESTS} interleaved identities apart`, async () => {
    const results: (Auth | Problem)[] = await Promise.all(
      identities.map(async (identity) => {
        await jitter(identity.i + 1);
        const { request: req, url } = requestFor(identity);
        return authoriser(req, url, op, env);
      }),
    );
    const seen = new Set<string>();
    results.forEach((result, i) => {
      const { kind, name, bad } = identities[i]!;
      if (bad) {
        expect(expectProblem(result).status).toBe(401);
        return;
      }
      const auth = expectAuth(result);
      expect(Object.keys(auth)).toEqual([kind satisfies Kind]);
      expect(auth[kind]!.principal).toBe(name);
      expect(auth[kind]!.scheme).toBe(kind);
      if (kind === "basic") expect(auth.basic!.claims).toEqual({ via: "basic", n: i });
      if (kind === "oauth") expect(auth.oauth!.scopes).toEqual(["pets:read"]);
      seen.add(name);
    });
    expect(seen.size).toBe(identities.filter((identity) => !identity.bad).length);
  });

  it("gives the same answers a second time round, now partly from the verified-token cache", async () => {
    const hitsBefore = authoriser.tokenCache!.stats.hits;
    const results = await Promise.all(
      identities.map((identity) => {
        const { request: req, url } = requestFor(identity);
        return authoriser(req, url, op, env);
      }),
    );
    results.forEach((result, i) => {
      const { kind, name, bad } = identities[i]!;
      if (bad) expect(expectProblem(result).status).toBe(401);
      else expect(expectAuth(result)[kind]!.principal).toBe(name);
    });
    const cachedKinds = identities.filter((identity) => !identity.bad && (identity.kind === "bearer" || identity.kind === "oauth")).length;
    expect(authoriser.tokenCache!.stats.hits - hitsBefore).toBe(cachedKinds);
  });
});
