/**
 * The two bench endpoints the way a hono app usually has them: @hono/zod-openapi routes (zod 4
 * schemas validate params, query and body; the OpenAPI document is generated from them) behind
 * hono's own jwt middleware (HS256, issuer checked; it verifies the signature on every request).
 */
import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { jwt } from "hono/jwt";
import { createdItem, ISSUER, itemView, type BenchEnv } from "./item.ts";

type Variables = { jwtPayload: { sub: string } };
const app = new OpenAPIHono<{ Bindings: BenchEnv; Variables: Variables }>();

// The secret is a binding, so the middleware is made per request (hono's documented pattern for env secrets).
const auth: MiddlewareHandler<{ Bindings: BenchEnv }> = (c, next) =>
  jwt({ secret: c.env.JWT_SECRET, alg: "HS256", verification: { iss: ISSUER } })(c, next);
app.use("/items", auth);
app.use("/items/*", auth);

const Tags = z
  .string()
  .optional()
  .transform((value) => (value === undefined ? undefined : value.split(",")))
  .pipe(z.array(z.string().min(1).max(32)).max(10).optional());

const getItem = createRoute({
  method: "get",
  path: "/items/{id}",
  security: [{ bearerAuth: [] }],
  request: {
    params: z.object({ id: z.coerce.number().int().min(1).max(1_000_000) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), tags: Tags }),
  },
  responses: {
    200: {
      description: "The item",
      content: {
        "application/json": {
          schema: z.object({ id: z.number().int(), limit: z.number().int(), tags: z.array(z.string()), owner: z.string() }),
        },
      },
    },
  },
});

const NewItem = z
  .object({
    name: z.string().min(1).max(64),
    sku: z.string().regex(/^[A-Z]{3}-[0-9]{4}$/),
    price: z.number().min(0),
    quantity: z.number().int().min(0).max(100_000),
    category: z.enum(["tools", "garden", "kitchen", "toys"]),
    tags: z.array(z.string().min(1).max(32)).max(10).optional(),
    active: z.boolean().optional(),
    description: z.string().max(500).optional(),
    weightKg: z.number().gt(0).optional(),
    dimensions: z.strictObject({ width: z.number().min(0), height: z.number().min(0), depth: z.number().min(0) }).optional(),
  })
  .strict();

const createItem = createRoute({
  method: "post",
  path: "/items",
  security: [{ bearerAuth: [] }],
  request: { body: { required: true, content: { "application/json": { schema: NewItem } } } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: z.object({ id: z.number() }).passthrough() } } } },
});

app.openapi(getItem, (c) => {
  const { id } = c.req.valid("param");
  const { limit, tags } = c.req.valid("query");
  return c.json(itemView(id, limit, tags, c.get("jwtPayload").sub), 200);
});

app.openapi(createItem, (c) => c.json(createdItem(c.req.valid("json")) as { id: number }, 201));

app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "bench", version: "1.0.0" } });

export default app;
