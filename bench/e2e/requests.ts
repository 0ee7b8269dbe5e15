/**
 * The requests of the end-to-end bench: the two timed ones (one per endpoint) and the checks
 * every contender must pass before it is timed (good request, bad request, no token).
 */
import { SignJWT } from "jose";
import { ISSUER } from "./workers/item.ts";

/** HS256 secret (32 bytes of text, what RFC 7518 §3.2 asks for), bound as JWT_SECRET. */
export const JWT_SECRET = "brrt-bench-secret-0123456789abcdef";

/** One token for the whole run: real clients reuse their access token for its lifetime. */
export async function benchToken(): Promise<string> {
  return new SignJWT({ scope: "items:read items:write" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject("bench-user")
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(JWT_SECRET));
}

export interface BenchRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type EndpointName = "GET /items/{id}" | "POST /items";
export const ENDPOINTS: readonly EndpointName[] = ["GET /items/{id}", "POST /items"];

const GOOD_PATH = "/items/42?limit=10&tags=red,blue";

/** Ten properties, nested object and array included: a typical small create call (~270 bytes). */
export const GOOD_ITEM = {
  name: "Cordless drill",
  sku: "TLS-0042",
  price: 89.9,
  quantity: 12,
  category: "tools",
  tags: ["power", "drill", "cordless"],
  active: true,
  description: "18 V cordless drill with two batteries and a charger.",
  weightKg: 1.6,
  dimensions: { width: 7.5, height: 24, depth: 21 },
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const jsonType = { "content-type": "application/json" };

/** The request wrk repeats for an endpoint. */
export function timedRequest(endpoint: EndpointName, token: string): BenchRequest {
  return endpoint === "GET /items/{id}"
    ? { method: "GET", path: GOOD_PATH, headers: bearer(token) }
    : { method: "POST", path: "/items", headers: { ...bearer(token), ...jsonType }, body: JSON.stringify(GOOD_ITEM) };
}

export interface Check {
  readonly name: string;
  readonly request: BenchRequest;
  readonly status: number;
  /** Extra check on the JSON answer of a good request. */
  readonly body?: (json: unknown) => boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

export function checks(token: string): Check[] {
  const post = (body: unknown, headers: Record<string, string> = { ...bearer(token), ...jsonType }): BenchRequest => ({
    method: "POST",
    path: "/items",
    headers,
    body: JSON.stringify(body),
  });
  return [
    {
      name: "GET good → 200",
      request: timedRequest("GET /items/{id}", token),
      status: 200,
      body: (json) =>
        isRecord(json) && json.id === 42 && json.limit === 10 && JSON.stringify(json.tags) === '["red","blue"]' && json.owner === "bench-user",
    },
    {
      name: "GET default limit → 200",
      request: { method: "GET", path: "/items/7", headers: bearer(token) },
      status: 200,
      body: (json) => isRecord(json) && json.id === 7 && json.limit === 20,
    },
    { name: "GET id not an integer → 400", request: { method: "GET", path: "/items/abc?limit=10", headers: bearer(token) }, status: 400 },
    { name: "GET limit too large → 400", request: { method: "GET", path: "/items/42?limit=1000", headers: bearer(token) }, status: 400 },
    { name: "GET no token → 401", request: { method: "GET", path: GOOD_PATH, headers: {} }, status: 401 },
    { name: "GET bad signature → 401", request: { method: "GET", path: GOOD_PATH, headers: bearer(`${token.slice(0, -4)}AAAA`) }, status: 401 },
    {
      name: "POST good → 201",
      request: timedRequest("POST /items", token),
      status: 201,
      body: (json) => isRecord(json) && json.id === 1 && json.sku === GOOD_ITEM.sku && isRecord(json.dimensions),
    },
    { name: "POST price not a number → 400", request: post({ ...GOOD_ITEM, price: "cheap" }), status: 400 },
    { name: "POST unknown property → 400", request: post({ ...GOOD_ITEM, colour: "red" }), status: 400 },
    { name: "POST bad sku pattern → 400", request: post({ ...GOOD_ITEM, sku: "tls-42" }), status: 400 },
    { name: "POST missing name → 400", request: post({ ...GOOD_ITEM, name: undefined }), status: 400 },
    { name: "POST no token → 401", request: post(GOOD_ITEM, jsonType), status: 401 },
  ];
}
