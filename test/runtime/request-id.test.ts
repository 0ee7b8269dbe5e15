/**
 * Every answer of the pipeline carries the request's `x-request-id`, whichever stage produced
 * it: the handler's plain result (headers in the Response init), a result with its own headers
 * (case-insensitive replacement of a handler-set id), a handler's own Response (mutable or
 * immutable headers), 204s, every refusal (404, 405, OPTIONS, 400, 401, 501), mock mode, HEAD,
 * routes composed with itty-router, and a thrown handler.
 */
import { describe, expect, it } from "vitest";
import * as spec from "../../generated/petstore/spec.js";
import { createApp, type AppOptions, type Handlers } from "../../src/runtime/index.ts";

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
const quietLogger = { error: () => undefined, warn: () => undefined };
const ID = "req-42.a:b_c";

function appWith(handlers: Handlers, options: Partial<AppOptions<unknown>> = {}) {
  return createApp({ spec, handlers, logger: quietLogger, insecure: true, responseValidation: "off", ...options });
}

async function idOf(app: ReturnType<typeof appWith>, path: string, init: RequestInit = {}): Promise<{ status: number; id: string | null; response: Response }> {
  const headers = new Headers(init.headers);
  headers.set("x-request-id", ID);
  const response = await app.fetch(new Request(`http://example.com${path}`, { ...init, headers }), {}, ctx);
  return { status: response.status, id: response.headers.get("x-request-id"), response };
}

describe("x-request-id on every answer", () => {
  const app = appWith(
    {
      getPet: (req) => ({ body: { petId: req.params.petId } }),
      searchPets: () => ({ body: [], headers: { "X-Request-Id": "set-by-handler", "x-total-count": "0" } }),
      listPets: () => new Response("[]", { headers: { "content-type": "application/json" } }),
      getStats: () => Response.redirect("https://example.com/elsewhere", 302),
      getLabels: () => ({ status: 204 }),
      getInventory: () => undefined as never,
    },
    { routes: (router) => router.get("/extra", () => ({ body: { extra: true } })).get("/extra-response", () => new Response("ok")) },
  );

  it("on a plain JSON result, with the JSON content type", async () => {
    const { status, id, response } = await idOf(app, "/pets/42");
    expect([status, id]).toEqual([200, ID]);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ petId: 42 });
  });

  it("replacing an id the handler set, whatever its case, and keeping the handler's other headers", async () => {
    const { id, response } = await idOf(app, "/pets/search");
    expect(id).toBe(ID);
    expect(response.headers.get("x-total-count")).toBe("0");
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("on a handler's own Response, mutable or immutable (a redirect)", async () => {
    expect((await idOf(app, "/pets")).id).toBe(ID);
    const redirect = await idOf(app, "/stats/;period=week");
    expect([redirect.status, redirect.id]).toEqual([302, ID]);
  });

  it("on 204 answers (an empty result, a result of undefined)", async () => {
    expect(await idOf(app, "/labels/.blue").then((r) => [r.status, r.id])).toEqual([204, ID]);
    expect(await idOf(app, "/inventory").then((r) => [r.status, r.id])).toEqual([204, ID]);
  });

  it("on refusals: 404, 405, OPTIONS, malformed path, 501", async () => {
    expect(await idOf(app, "/nope").then((r) => [r.status, r.id])).toEqual([404, ID]);
    expect(await idOf(app, "/pets/search", { method: "DELETE" }).then((r) => [r.status, r.id])).toEqual([405, ID]);
    expect(await idOf(app, "/pets", { method: "OPTIONS" }).then((r) => [r.status, r.id])).toEqual([204, ID]);
    expect(await idOf(app, "/pets/%E0%A4%A").then((r) => [r.status, r.id])).toEqual([400, ID]);
    expect(await idOf(appWith({}), "/inventory").then((r) => [r.status, r.id])).toEqual([501, ID]);
  });

  it("on a parameter refusal and a security refusal", async () => {
    expect(await idOf(app, "/pets/abc").then((r) => [r.status, r.id])).toEqual([400, ID]);
    const secured = createApp({ spec, handlers: {}, logger: quietLogger, responseValidation: "off", security: { schemes: {} } });
    const refused = await idOf(secured, "/inventory");
    expect([refused.status, refused.id]).toEqual([401, ID]);
  });

  it("in mock mode, on HEAD and on composed routes", async () => {
    expect(await idOf(appWith({}, { mock: true }), "/inventory").then((r) => [r.status, r.id])).toEqual([200, ID]);
    const head = await idOf(app, "/pets/7", { method: "HEAD" });
    expect([head.status, head.id, await head.response.text()]).toEqual([200, ID, ""]);
    expect(await idOf(app, "/extra").then((r) => [r.status, r.id])).toEqual([200, ID]);
    expect(await idOf(app, "/extra-response").then((r) => [r.status, r.id])).toEqual([200, ID]);
  });

  it("on the 500 of a throwing handler, matching the problem's requestId", async () => {
    const throwing = appWith({ getPet: () => { throw new Error("boom"); } });
    const { status, id, response } = await idOf(throwing, "/pets/1");
    expect([status, id]).toEqual([500, ID]);
    expect(((await response.json()) as { requestId: string }).requestId).toBe(ID);
  });
});
