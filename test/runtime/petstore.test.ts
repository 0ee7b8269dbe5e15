/**
 * The example pet store through its real worker (exports.default), with its real Durable
 * Object storage, real JWTs signed by jose, and strict response validation (vitest config).
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/app/worker.ts";

const testEnv = env as unknown as Env;
const API_KEY = { "x-api-key": "demo-key-1" };

async function token(scope: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ scope, ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("user-42")
    .setIssuer("brrtrouter-edge-demo")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(testEnv.JWT_SECRET));
}

function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://pets.test${path}`, init));
}

function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

describe("pet store", () => {
  it("creates, reads, lists, updates and deletes a pet, stored in the Durable Object", async () => {
    const created = await call("/pets", json({ name: "Rex", species: "dog", tags: ["good"] }, API_KEY));
    expect(created.status).toBe(201);
    const pet = (await created.json()) as { id: number; name: string; createdAt: string };
    expect(created.headers.get("location")).toBe(`/pets/${pet.id}`);
    expect(pet).toMatchObject({ name: "Rex", species: "dog", tags: ["good"] });

    const stub = testEnv.PET_STORE.get(testEnv.PET_STORE.idFromName("default"));
    const stored = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM pets WHERE id = ?", pet.id).one(),
    );
    expect(stored.name).toBe("Rex");

    expect(await (await call(`/pets/${pet.id}`)).json()).toEqual(pet);
    const listed = await call("/pets?species=dog&tags=good");
    expect(listed.headers.get("x-total-count")).toBe("1");

    const bearer = { authorization: `Bearer ${await token("pets:write")}` };
    const updated = await call(`/pets/${pet.id}`, { ...json({ name: "Rex II", species: "dog" }, bearer), method: "PUT" });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { name: string }).name).toBe("Rex II");

    const admin = { authorization: `Bearer ${await token("pets:admin")}` };
    expect((await call(`/pets/${pet.id}`, { method: "DELETE", headers: admin })).status).toBe(204);
    expect((await call(`/pets/${pet.id}`)).status).toBe(404);
  });

  it("refuses bad input with exact problems before any handler runs", async () => {
    const missing = await call("/pets", json({ species: "dog", id: 5 }, API_KEY));
    expect(missing.status).toBe(400);
    const problem = (await missing.json()) as { errors: { in: string; pointer: string }[] };
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: "body", pointer: "/name" }),
        expect.objectContaining({ in: "body", pointer: "/id" }),
      ]),
    );
    expect((await call("/pets?limit=1000")).status).toBe(400);
    expect((await call("/pets/0")).status).toBe(400);
    expect((await call("/pets", { ...json({}), headers: { ...API_KEY, "content-type": "text/csv" } })).status).toBe(415);
  });

  it("enforces the spec's security: 401 without credentials, 403 without the scope", async () => {
    const anonymous = await call("/pets", json({ name: "Tom", species: "cat" }));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
    const wrongScope = await call("/pets", json({ name: "Tom", species: "cat" }, { authorization: `Bearer ${await token("pets:read")}` }));
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    const basic = await call("/inventory", { headers: { authorization: `Basic ${btoa("admin:admin-password")}` } });
    expect(basic.status).toBe(501);
    const whoami = await call("/whoami", { headers: API_KEY });
    expect(await whoami.json()).toMatchObject({ apiKey: { scheme: "apiKey" } });
  });

  it("deserialises every parameter style the spec uses", async () => {
    await call("/pets", json({ name: "Mia", species: "cat", birthDate: "2015-05-05" }, API_KEY));
    const search = await call("/pets/search?filter[species]=cat&filter[minAge]=3&names=Mia|Tom&where=%7B%7D", {
      headers: { cookie: "sort=name" },
    });
    expect(search.status).toBe(200);
    expect(((await search.json()) as { name: string }[]).map((p) => p.name)).toContain("Mia");
    expect(await (await call("/labels/.red.green")).json()).toEqual(["red", "green"]);
    const stats = await call("/stats/;period=week");
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as Record<string, number>).cat).toBeGreaterThanOrEqual(1);
  });

  it("echoes text and bytes by content type", async () => {
    const text = await call("/echo", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(await text.text()).toBe("hello");
    const bytes = await call("/echo", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });
});
