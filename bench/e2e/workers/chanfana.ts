/**
 * The two bench endpoints with chanfana on hono, as its README shows: class-based OpenAPIRoute
 * endpoints with zod 4 schemas (chanfana validates and coerces params, query and body), behind
 * hono's jwt middleware (HS256, issuer checked, signature verified on every request).
 */
import { fromHono, OpenAPIRoute, contentJson } from "chanfana";
import { Hono, type Context } from "hono";
import { jwt } from "hono/jwt";
import { z } from "zod";
import { createdItem, ISSUER, itemView, type BenchEnv } from "./item.ts";

type AppEnv = { Bindings: BenchEnv; Variables: { jwtPayload: { sub: string } } };
type AppContext = Context<AppEnv>;

const app = new Hono<AppEnv>();
const auth = (c: AppContext, next: () => Promise<void>) =>
  jwt({ secret: c.env.JWT_SECRET, alg: "HS256", verification: { iss: ISSUER } })(c, next);
app.use("/items", auth);
app.use("/items/*", auth);

class GetItem extends OpenAPIRoute {
  override schema = {
    security: [{ bearerAuth: [] }],
    request: {
      params: z.object({ id: z.coerce.number().int().min(1).max(1_000_000) }),
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        tags: z
          .string()
          .optional()
          .transform((value) => (value === undefined ? undefined : value.split(",")))
          .pipe(z.array(z.string().min(1).max(32)).max(10).optional()),
      }),
    },
    responses: { "200": { description: "The item" } },
  };

  override async handle(c: AppContext) {
    const data = await this.getValidatedData<typeof this.schema>();
    return c.json(itemView(data.params.id, data.query.limit, data.query.tags, c.get("jwtPayload").sub));
  }
}

class CreateItem extends OpenAPIRoute {
  override schema = {
    security: [{ bearerAuth: [] }],
    request: {
      body: contentJson(
        z
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
          .strict(),
      ),
    },
    responses: { "201": { description: "Created" } },
  };

  override async handle(c: AppContext) {
    const data = await this.getValidatedData<typeof this.schema>();
    return c.json(createdItem(data.body), 201);
  }
}

const openapi = fromHono(app);
openapi.get("/items/:id", GetItem);
openapi.post("/items", CreateItem);

export default app;
