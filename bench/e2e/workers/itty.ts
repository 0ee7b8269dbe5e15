/**
 * The two bench endpoints on plain itty-router 5: jose's jwtVerify for auth (HS256, issuer
 * checked, signature verified on every request) and hand-written validation of the same
 * constraints the spec declares (no schema library). No OpenAPI document.
 */
import { Router, error, json, type IRequest } from "itty-router";
import { jwtVerify } from "jose";
import { createdItem, ISSUER, itemView, type BenchEnv } from "./item.ts";

type AuthedRequest = IRequest & { sub: string };

const encoder = new TextEncoder();

async function withAuth(request: IRequest, env: BenchEnv): Promise<Response | undefined> {
  const header = request.headers.get("authorization");
  if (header === null || !header.startsWith("Bearer ")) return error(401, "missing bearer token");
  try {
    const { payload } = await jwtVerify(header.slice(7), encoder.encode(env.JWT_SECRET), { algorithms: ["HS256"], issuer: ISSUER });
    if (typeof payload.sub !== "string") return error(401, "token has no subject");
    (request as AuthedRequest).sub = payload.sub;
    return undefined;
  } catch {
    return error(401, "invalid token");
  }
}

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const isString = (value: unknown, min: number, max: number): value is string =>
  typeof value === "string" && value.length >= min && value.length <= max;
const isTags = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length <= 10 && value.every((tag) => isString(tag, 1, 32));
const CATEGORIES = new Set(["tools", "garden", "kitchen", "toys"]);
const SKU = /^[A-Z]{3}-[0-9]{4}$/;
const ITEM_KEYS = new Set(["name", "sku", "price", "quantity", "category", "tags", "active", "description", "weightKg", "dimensions"]);
const DIMENSION_KEYS = new Set(["width", "height", "depth"]);

function integerParam(raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return isInt(value, min, max) ? value : undefined;
}

function isDimensions(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!DIMENSION_KEYS.has(key)) return false;
  for (const key of DIMENSION_KEYS) if (typeof record[key] !== "number" || (record[key] as number) < 0) return false;
  return true;
}

/** The NewItem schema of bench/e2e/spec.yaml, by hand. Returns what is wrong, or undefined. */
function newItemProblem(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body must be an object";
  const item = body as Record<string, unknown>;
  for (const key of Object.keys(item)) if (!ITEM_KEYS.has(key)) return `unknown property ${key}`;
  if (!isString(item.name, 1, 64)) return "name";
  if (typeof item.sku !== "string" || !SKU.test(item.sku)) return "sku";
  if (typeof item.price !== "number" || item.price < 0) return "price";
  if (!isInt(item.quantity, 0, 100_000)) return "quantity";
  if (typeof item.category !== "string" || !CATEGORIES.has(item.category)) return "category";
  if (item.tags !== undefined && !isTags(item.tags)) return "tags";
  if (item.active !== undefined && typeof item.active !== "boolean") return "active";
  if (item.description !== undefined && !isString(item.description, 0, 500)) return "description";
  if (item.weightKg !== undefined && (typeof item.weightKg !== "number" || item.weightKg <= 0)) return "weightKg";
  if (item.dimensions !== undefined && !isDimensions(item.dimensions)) return "dimensions";
  return undefined;
}

const router = Router<IRequest, [BenchEnv, ExecutionContext]>({ catch: error });

router.get("/items/:id", withAuth, (request: IRequest) => {
  const id = integerParam(request.params.id, 1, 1_000_000);
  if (id === undefined) return error(400, "id must be an integer from 1 to 1000000");
  const rawLimit = request.query.limit;
  const limit = rawLimit === undefined ? 20 : integerParam(Array.isArray(rawLimit) ? "" : rawLimit, 1, 100);
  if (limit === undefined) return error(400, "limit must be an integer from 1 to 100");
  const rawTags = request.query.tags;
  const tags = rawTags === undefined ? undefined : Array.isArray(rawTags) ? null : rawTags.split(",");
  if (tags === null || (tags !== undefined && !isTags(tags))) return error(400, "tags must be up to 10 comma-separated strings of 1 to 32 characters");
  return json(itemView(id, limit, tags, (request as AuthedRequest).sub));
});

router.post("/items", withAuth, async (request: IRequest) => {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return error(400, "body is not JSON");
  }
  const problem = newItemProblem(body);
  if (problem !== undefined) return error(400, `invalid item: ${problem}`);
  return json(createdItem(body as object), { status: 201 });
});

router.all("*", () => error(404));

export default { fetch: router.fetch };
