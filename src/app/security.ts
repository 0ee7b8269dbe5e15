/**
 * How the example pet store checks the credentials its spec declares. Secrets come from env
 * bindings (wrangler.toml [vars] carries demo values; use `wrangler secret put` in production).
 *
 * - bearerAuth: HS256 JWTs signed with JWT_SECRET, issuer "brrtrouter-edge-demo".
 * - oauth2:     the same JWTs; their `scope` claim must hold the scopes the operation lists.
 * - apiKey:     X-API-Key checked against API_KEYS ("key1,key2").
 * - basicAuth:  user:password pairs from BASIC_USERS ("user:password,...").
 */
import type { SecurityConfig } from "../runtime/index.ts";
import { sha256Sync, timingSafeEqual } from "../runtime/security/digest.ts";

/**
 * Equal digests, compared in constant time: neither length nor content leaks through timing.
 * Hashed synchronously, so a Basic check answers without a promise (the authoriser then stays
 * synchronous for this request).
 */
function sameText(a: string, b: string): boolean {
  return timingSafeEqual(sha256Sync(a), sha256Sync(b));
}

const demoJwt = {
  algorithms: ["HS256"],
  key: { secretFrom: "JWT_SECRET" },
  issuer: "brrtrouter-edge-demo",
  clockToleranceSeconds: 30,
  requiredClaims: ["sub", "exp"],
} as const;

function verifyBasic(username: string, password: string, env: unknown): string | null {
  const users = (env as { BASIC_USERS?: string }).BASIC_USERS ?? "";
  for (const entry of users.split(",")) {
    const colon = entry.indexOf(":");
    if (colon <= 0) continue;
    // Compare both parts in constant time so timing says nothing about which part was wrong.
    const userMatches = sameText(entry.slice(0, colon).trim(), username);
    const passwordMatches = sameText(entry.slice(colon + 1).trim(), password);
    if (userMatches && passwordMatches) return username;
  }
  return null;
}

export const exampleSecurity: SecurityConfig = {
  realm: "pet-store",
  schemes: {
    bearerAuth: { jwt: demoJwt },
    oauth2: { jwt: demoJwt },
    apiKey: { keysFrom: "API_KEYS" },
    basicAuth: { verifyCredentials: verifyBasic },
  },
};
