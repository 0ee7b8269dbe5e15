/**
 * The core pipeline inside workerd: matching outcomes, 404/405/OPTIONS/HEAD, 501 and mock
 * mode, a throwing handler, the built-in document. Uses the pet store's generated module with
 * handlers written here, so each behaviour is pinned independently of the example app.
 */
import { describe, expect, it } from "vitest";
import * as spec from "../../generated/petstore/spec.js";
import { createApp, type Handlers } from "../../src/runtime/index.ts";

const ctx: ExecutionContext = {
  waitUntil: () => undefined,
  passThroughOnException: () => undefined,
  props: {},
} as unknown as ExecutionContext;

const errors: unknown[] = [];
const quietLogger = { error: (_m: string, d?: unknown) => void errors.push(d), warn: () => undefined };

function appWith(handlers: Handlers, options: { mock?: boolean } = {}) {
  return createApp({ spec, handlers, logger: quietLogger, insecure: true, responseValidation: "off", ...options });
}

async function call(app: ReturnType<typeof appWith>, path: string, init?: RequestInit): Promise<Response> {
  return app.fetch(new Request(`http://example.com${path}`, init), {}, ctx);
}

async function problemOf(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as Record<string, unknown>;
}

describe("matching outcomes", () => {
  const app = appWith({
    getPet: (req) => ({ body: { route: "getPet", petId: req.params.petId } }),
    searchPets: () => ({ body: { route: "searchPets" } }),
    listPets: () => ({ body: [], headers: { "x-total-count": "0" } }),
  });

  it("routes a templated path and hands the handler coerced parameters", async () => {
    const response = await call(app, "/pets/42");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ route: "getPet", petId: 42 });
  });

  it("prefers a static segment over a template (/pets/search beside /pets/{petId})", async () => {
    expect(await (await call(app, "/pets/search")).json()).toEqual({ route: "searchPets" });
  });

  it("answers 404 problem+json for an undeclared path", async () => {
    const response = await call(app, "/nope/at/all");
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ status: 404, title: "Not Found" });
  });

  it("answers 405 with an Allow header when the path exists but the method does not", async () => {
    const response = await call(app, "/pets/search", { method: "DELETE" });
    expect(response.status).toBe(405);
    const allow = response.headers.get("allow") ?? "";
    expect(allow.split(", ")).toEqual(expect.arrayContaining(["GET", "HEAD", "OPTIONS"]));
    expect(await problemOf(response)).toMatchObject({ status: 405 });
  });

  it("answers OPTIONS automatically with the allowed methods", async () => {
    const response = await call(app, "/pets", { method: "OPTIONS" });
    expect(response.status).toBe(204);
    expect((response.headers.get("allow") ?? "").split(", ")).toEqual(expect.arrayContaining(["GET", "POST", "HEAD", "OPTIONS"]));
  });

  it("serves HEAD from the GET operation without a body", async () => {
    const response = await call(app, "/pets/7", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe("");
  });

  it("answers HEAD refusals without a body: 405, 400 and 404 keep their status and headers", async () => {
    const noGet = await call(app, "/echo", { method: "HEAD" });
    expect(noGet.status).toBe(405);
    expect(noGet.headers.get("allow")).toContain("POST");
    expect(noGet.headers.get("content-type")).toBe("application/problem+json");
    expect(await noGet.text()).toBe("");
    const badParam = await call(app, "/pets/%E0%A4%A", { method: "HEAD" });
    expect(badParam.status).toBe(400);
    expect(await badParam.text()).toBe("");
    const undeclared = await call(app, "/nope/at/all", { method: "HEAD" });
    expect(undeclared.status).toBe(404);
    expect(undeclared.headers.get("x-request-id")).not.toBeNull();
    expect(await undeclared.text()).toBe("");
  });

  it("refuses a malformed percent escape in a path parameter with 400 and a pointer", async () => {
    const response = await call(app, "/pets/%E0%A4%A");
    expect(response.status).toBe(400);
    const body = await problemOf(response);
    expect(body.errors).toEqual([expect.objectContaining({ in: "path", name: "petId", pointer: "/petId" })]);
  });

  it("serves the bundled, normalised document at /openapi.json", async () => {
    const response = await call(app, "/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBeNull();
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths)).toContain("/pets/{petId}");
  });

  it("sends the stored gzip bytes as they are to clients that accept gzip", async () => {
    const response = await call(app, "/openapi.json", { headers: { "accept-encoding": "br;q=1, gzip;q=0.8" } });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const plain = new Response(response.body!.pipeThrough(new DecompressionStream("gzip")));
    expect(((await plain.json()) as { info: { title: string } }).info.title).toBe("BRRTRouter Edge Pet Store");
    const refused = await call(app, "/openapi.json", { headers: { "accept-encoding": "gzip;q=0, identity" } });
    expect(refused.headers.get("content-encoding")).toBeNull();
  });

  it("echoes a well-formed x-request-id and makes one up otherwise", async () => {
    const kept = await call(app, "/pets/search", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await call(app, "/pets/search", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("operations without handlers", () => {
  it("answer 501 naming the operationId", async () => {
    const response = await call(appWith({}), "/inventory");
    expect(response.status).toBe(501);
    expect(await problemOf(response)).toMatchObject({ status: 501, operationId: "getInventory" });
  });

  it("answer with the example of the first 2xx response in mock mode, honouring Accept", async () => {
    const app = appWith({}, { mock: true });
    const response = await call(app, "/inventory", { headers: { accept: "application/json" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ cat: 4, dog: 7 });
    const photo = await call(app, "/pets/1/photos/rex-at-the-beach.jpg");
    expect(await photo.json()).toEqual({ petId: 1, name: "rex-at-the-beach", ext: "jpg", bytes: 20480 });
    const refused = await call(app, "/inventory", { headers: { accept: "text/html" } });
    expect(refused.status).toBe(406);
  });
});

describe("a handler that throws", () => {
  it("gets a 500 problem with a request id, and the app keeps serving", async () => {
    let calls = 0;
    const app = appWith({
      getPet: () => {
        calls++;
        throw new Error("boom");
      },
      getStats: async () => Promise.reject(new TypeError("async boom")),
      searchPets: () => ({ body: [] }),
    });
    const first = await call(app, "/pets/1");
    expect(first.status).toBe(500);
    const body = await problemOf(first);
    expect(body.requestId).toBe(first.headers.get("x-request-id"));
    expect(JSON.stringify(body)).not.toContain("boom");
    const rejected = await call(app, "/stats/;period=week");
    expect(rejected.status).toBe(500);
    for (let i = 0; i < 20; i++) expect((await call(app, "/pets/search")).status).toBe(200);
    expect((await call(app, "/pets/2")).status).toBe(500);
    expect(calls).toBe(2);
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });
});
