/**
 * Authorise-stage benchmark: per-request cost of the whole `authorise(request, url, op, env)`
 * call for RS256 / ES256 / EdDSA / HS256 bearer JWTs — with the verified-token cache (steady-state
 * hit), with the cache on but every request a miss, and with the cache off — next to jose's bare
 * `jwtVerify` on a pre-imported key (the floor), the public fast path and an API key.
 *
 *   node --import tsx bench/security/run.ts [--quick]
 *
 * Node's WebCrypto (what jose uses here) is OpenSSL, as is workerd's, so the ratios carry over;
 * absolute figures on a Worker differ. Writes bench/results/security.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { jwtVerify, type CryptoKey } from "jose";
import { measure } from "mitata";
import { createAuthoriser, DEFAULT_TOKEN_CACHE_ENTRIES, type Authoriser, type JwtKeySource } from "../../src/runtime/security/index.ts";
import type { OperationMeta } from "../../src/runtime/compiled-spec.ts";
import {
  AUDIENCE,
  HS_SECRET,
  ISSUER,
  bearerHeader,
  makeKeyPair,
  operation,
  request,
  schemes,
  secretBytes,
  signToken,
} from "../../test/fixtures/security/fixture.ts";

const quick = process.argv.includes("--quick");
const minCpuNs = (quick ? 150 : 600) * 1e6;
const env = { JWT_SECRET: HS_SECRET, API_KEYS: Array.from({ length: 20 }, (_, i) => `svc${i}:key-${i}`).join(",") };
/** More distinct tokens than the cache holds, visited round-robin: every lookup misses. */
const MISS_POOL = DEFAULT_TOKEN_CACHE_ENTRIES * 2;

interface Row {
  case: string;
  alg: string;
  nsPerRequest: number;
  p50Ns: number;
  p99Ns: number;
  requestsPerSecond: number;
}

const rows: Row[] = [];

async function time(name: string, alg: string, fn: () => unknown): Promise<void> {
  // Every timed call must authorise: a benchmark of refusals would measure the wrong thing.
  const check = await fn();
  if (check === undefined || (check as { status?: number }).status !== undefined) throw new Error(`${name}/${alg}: not authorised: ${JSON.stringify(check)}`);
  const stats = await measure(fn, { min_cpu_time: minCpuNs });
  const row = { case: name, alg, nsPerRequest: stats.avg, p50Ns: stats.p50, p99Ns: stats.p99, requestsPerSecond: 1e9 / stats.avg };
  rows.push(row);
  console.log(`${name.padEnd(28)} ${alg.padEnd(6)} ${(row.nsPerRequest / 1000).toFixed(2).padStart(9)} µs  p50 ${(row.p50Ns / 1000).toFixed(2).padStart(8)} µs  p99 ${(row.p99Ns / 1000).toFixed(2).padStart(8)} µs  ${Math.round(row.requestsPerSecond).toString().padStart(8)}/s`);
}

function authoriser(alg: string, key: JwtKeySource, cache: boolean): Authoriser {
  return createAuthoriser(schemes, {
    tokenCache: cache ? {} : false,
    schemes: {
      bearer: { jwt: { algorithms: [alg as "HS256"], key, issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["sub"] } },
      apiKey: { keysFrom: "API_KEYS" },
    },
  });
}

const op: OperationMeta = operation([{ bearer: [] }]);

const families: { alg: "RS256" | "ES256" | "EdDSA" | "HS256"; signing: CryptoKey | Uint8Array; verifying: CryptoKey | Uint8Array; source: JwtKeySource }[] = [];
for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
  const pair = await makeKeyPair(alg);
  families.push({ alg, signing: pair.privateKey, verifying: pair.publicKey, source: { jwk: pair.publicJwk } });
}
families.push({ alg: "HS256", signing: secretBytes(HS_SECRET), verifying: secretBytes(HS_SECRET), source: { secretFrom: "JWT_SECRET" } });

console.log(`${"case".padEnd(28)} ${"alg".padEnd(6)} ${"mean".padStart(12)}`);
for (const family of families) {
  const token = await signToken(family.signing, family.alg, { scope: "pets:read pets:write" });
  const { request: req, url } = request({ headers: bearerHeader(token) });

  await time("jose jwtVerify (floor)", family.alg, () =>
    jwtVerify(token, family.verifying, { algorithms: [family.alg], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["sub"] }),
  );
  const cached = authoriser(family.alg, family.source, true);
  await time("authorise, cache hit", family.alg, () => cached(req, url, op, env));
  const uncached = authoriser(family.alg, family.source, false);
  await time("authorise, cache off", family.alg, () => uncached(req, url, op, env));

  const pool = await Promise.all(Array.from({ length: MISS_POOL }, (_, i) => signToken(family.signing, family.alg, { sub: `u${i}` })));
  const poolRequests = pool.map((t) => request({ headers: bearerHeader(t) }));
  const missing = authoriser(family.alg, family.source, true);
  let next = 0;
  await time("authorise, cache miss", family.alg, () => {
    const { request: r, url: u } = poolRequests[next]!;
    next = (next + 1) % poolRequests.length;
    return missing(r, u, op, env);
  });
}

const publicOp = operation([]);
const apiKeyOp = operation([{ apiKey: [] }]);
const plain = request();
const keyed = request({ headers: { "x-api-key": "key-17" } });
const base = authoriser("HS256", { secretFrom: "JWT_SECRET" }, true);
await time("public operation", "-", () => base(plain.request, plain.url, publicOp, env));
await time("apiKey (20 keys, SHA-256)", "-", () => base(keyed.request, keyed.url, apiKeyOp, env));

const outDir = path.resolve(import.meta.dirname, "../results");
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, "security.json"),
  JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, missPool: MISS_POOL, rows }, null, 2) + "\n",
);
console.log(`\nwrote ${path.join(outDir, "security.json")}`);
