import { describe, expect, it } from "vitest";
import type { OperationMeta, ResponseMeta } from "../../src/runtime/compiled-spec.ts";
import { createResponseValidator, responseMetaFor } from "../../src/runtime/response-validation.ts";
import { operation, ValidatorRegistry, type MiniSchema } from "./request-fixtures.ts";

const PET: MiniSchema = { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } }, required: ["id", "name"] };

function petOp(registry: ValidatorRegistry): OperationMeta {
  const ok: ResponseMeta = {
    headers: { "X-Rate-Limit": { required: true, validator: registry.add({ type: "integer" }) }, "X-Optional": { required: false } },
    content: { "application/json": { validator: registry.add(PET) } },
  };
  const error: ResponseMeta = { headers: {}, content: { "application/problem+json": { validator: registry.add({ type: "object", required: ["title"] }) } } };
  const created: ResponseMeta = { headers: {}, content: { "text/plain": { validator: registry.add({ type: "string", maxLength: 5 }) } } };
  return operation({ operationId: "getPet", responses: { "200": ok, "2XX": created, default: error } });
}

function logCollector(): { log: (message: string, detail: unknown) => void; entries: { message: string; detail: unknown }[] } {
  const entries: { message: string; detail: unknown }[] = [];
  return { log: (message, detail) => entries.push({ message, detail }), entries };
}

const good = () => Response.json({ id: 1, name: "Rex" }, { headers: { "x-rate-limit": "10" } });

describe("response validation", () => {
  it("status lookup: exact, then class, then default", () => {
    const registry = new ValidatorRegistry();
    const op = petOp(registry);
    expect(responseMetaFor(op, 200)).toBe(op.responses["200"]);
    expect(responseMetaFor(op, 201)).toBe(op.responses["2XX"]);
    expect(responseMetaFor(op, 404)).toBe(op.responses.default);
    expect(responseMetaFor(operation({ responses: { "200": { headers: {}, content: {} } } }), 500)).toBeUndefined();
  });

  it("off returns the response untouched without looking at it", async () => {
    const registry = new ValidatorRegistry();
    const validate = createResponseValidator(registry.validators, "off");
    const response = new Response("not json", { headers: { "content-type": "application/json" } });
    expect(await validate(petOp(registry), response)).toBe(response);
    expect(response.bodyUsed).toBe(false);
  });

  it("a matching response passes, and the client still gets the whole body", async () => {
    const registry = new ValidatorRegistry();
    const { log, entries } = logCollector();
    const validate = createResponseValidator(registry.validators, "strict", log);
    const original = good();
    const result = await validate(petOp(registry), original);
    expect(result).toBe(original);
    expect(await result.json()).toEqual({ id: 1, name: "Rex" });
    expect(entries).toEqual([]);
  });

  it("strict: a body mismatch becomes a 500 problem naming the operation", async () => {
    const registry = new ValidatorRegistry();
    const { log, entries } = logCollector();
    const validate = createResponseValidator(registry.validators, "strict", log);
    const result = await validate(petOp(registry), Response.json({ id: "one" }, { headers: { "x-rate-limit": "10" } }));
    expect(result.status).toBe(500);
    expect(result.headers.get("content-type")).toBe("application/problem+json");
    const body = (await result.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 500, operationId: "getPet" });
    expect(body.detail).toContain("getPet");
    expect(body.errors).toEqual([
      { in: "body", name: "name", pointer: "/name", message: "is required" },
      { in: "body", name: "id", pointer: "/id", message: "must be integer" },
    ]);
    expect(entries).toHaveLength(1);
  });

  it("warn: logs the mismatch and returns the original, body intact", async () => {
    const registry = new ValidatorRegistry();
    const { log, entries } = logCollector();
    const validate = createResponseValidator(registry.validators, "warn", log);
    const original = Response.json({ id: "one", name: "Rex" }, { headers: { "x-rate-limit": "10" } });
    const result = await validate(petOp(registry), original);
    expect(result).toBe(original);
    expect(await result.text()).toBe('{"id":"one","name":"Rex"}');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.message).toContain("getPet");
    expect(entries[0]!.detail).toMatchObject({ operationId: "getPet", status: 200, errors: [{ in: "body", name: "id", pointer: "/id", message: "must be integer" }] });
  });

  it("checks required headers and header schemas", async () => {
    const registry = new ValidatorRegistry();
    const validate = createResponseValidator(registry.validators, "strict", () => {});
    const missing = await validate(petOp(registry), Response.json({ id: 1, name: "Rex" }));
    expect(((await missing.json()) as { errors: unknown }).errors).toEqual([{ in: "header", name: "X-Rate-Limit", pointer: "", message: "is required" }]);
    const wrong = await validate(petOp(registry), Response.json({ id: 1, name: "Rex" }, { headers: { "x-rate-limit": "lots" } }));
    expect(((await wrong.json()) as { errors: unknown }).errors).toEqual([{ in: "header", name: "X-Rate-Limit", pointer: "", message: "must be integer" }]);
  });

  it("checks the content type against the declared media types", async () => {
    const registry = new ValidatorRegistry();
    const validate = createResponseValidator(registry.validators, "strict", () => {});
    const html = await validate(petOp(registry), new Response("<p>hi</p>", { headers: { "content-type": "text/html", "x-rate-limit": "1" } }));
    expect(html.status).toBe(500);
    expect(((await html.json()) as { errors: unknown }).errors).toEqual([
      { in: "header", name: "Content-Type", pointer: "", message: '"text/html" is not a declared media type (declared: application/json)' },
    ]);
    const invalidJson = await validate(petOp(registry), new Response("{", { headers: { "content-type": "application/json", "x-rate-limit": "1" } }));
    expect(((await invalidJson.json()) as { errors: unknown }).errors).toEqual([{ in: "body", pointer: "", message: "is not valid JSON" }]);
    const empty = await validate(petOp(registry), new Response(null, { headers: { "x-rate-limit": "1" } }));
    expect(empty.status).toBe(500);
  });

  it("uses the 2XX and default entries", async () => {
    const registry = new ValidatorRegistry();
    const validate = createResponseValidator(registry.validators, "strict", () => {});
    expect((await validate(petOp(registry), new Response("short", { status: 201 }))).status).toBe(201);
    expect((await validate(petOp(registry), new Response("far too long", { status: 202 }))).status).toBe(500);
    const problem = Response.json({ title: "Not Found" }, { status: 404, headers: { "content-type": "application/problem+json" } });
    expect((await validate(petOp(registry), problem)).status).toBe(404);
    const bare = Response.json({ oops: 1 }, { status: 404, headers: { "content-type": "application/problem+json" } });
    expect((await validate(petOp(registry), bare)).status).toBe(500);
  });

  it("an undeclared status is a mismatch; an operation declaring nothing is not checked", async () => {
    const registry = new ValidatorRegistry();
    const validate = createResponseValidator(registry.validators, "strict", () => {});
    const op = operation({ operationId: "only200", responses: { "200": { headers: {}, content: {} } } });
    const result = await validate(op, new Response("x", { status: 418 }));
    expect(result.status).toBe(500);
    expect(((await result.json()) as { errors: unknown }).errors).toEqual([{ in: "body", name: "status", pointer: "", message: "status 418 is not declared (declared: 200)" }]);
    const nothing = new Response("anything", { status: 299 });
    expect(await validate(operation({}), nothing)).toBe(nothing);
    expect(nothing.bodyUsed).toBe(false);
  });

  it("does not read bodies it has no schema for (streams stay streams)", async () => {
    const registry = new ValidatorRegistry();
    const validate = createResponseValidator(registry.validators, "strict", () => {});
    const op = operation({ responses: { "200": { headers: {}, content: { "text/event-stream": {} } } } });
    const stream = new ReadableStream({ start() {} }); // never ends
    const response = new Response(stream, { headers: { "content-type": "text/event-stream" } });
    expect(await validate(op, response)).toBe(response);
  });
});

describe("response validation with response schemas (data, interpreted)", () => {
  // What `brrt build` emits: JSON texts, `$ref`s as `#/$defs/<index>` into the same list.
  const responseSchemas = [
    '{"type":"object","required":["id","name"],"properties":{"id":{"type":"integer"},"name":{"$ref":"#/$defs/1"},"password":{"not":true,"writeOnly":true}},"additionalProperties":false}',
    '{"type":"string","minLength":1}',
    '{"type":"integer"}',
  ];
  const op = operation({
    operationId: "getUser",
    responses: { "200": { headers: { "X-Count": { required: false, schema: 2 } }, content: { "application/json": { schema: 0 } } } },
  });

  it("checks bodies and headers against them and reports pointers into the body", async () => {
    const validate = createResponseValidator({}, "strict", () => {}, responseSchemas);
    const good = Response.json({ id: 1, name: "Ann" }, { headers: { "x-count": "2" } });
    expect(await validate(op, good)).toBe(good);
    const header = await validate(op, Response.json({ id: 1, name: "Ann" }, { headers: { "x-count": "many" } }));
    expect(((await header.json()) as { errors: unknown }).errors).toEqual([{ in: "header", name: "X-Count", pointer: "", message: "must be integer" }]);
    const bad = await validate(op, Response.json({ id: "1", name: "", password: "x", extra: 1 }));
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as { errors: unknown }).errors).toEqual([
      { in: "body", name: "id", pointer: "/id", message: "must be integer" },
      { in: "body", name: "name", pointer: "/name", message: "must be at least 1 character long" },
      { in: "body", name: "password", pointer: "/password", message: "must not be present in a response (writeOnly)" },
      { in: "body", name: "extra", pointer: "/extra", message: "is not an allowed property" },
    ]);
    const missing = await validate(op, Response.json({ id: 1 }));
    expect(((await missing.json()) as { errors: unknown }).errors).toEqual([{ in: "body", name: "name", pointer: "/name", message: "is required" }]);
  });

  it("a schema index the list lacks is a build bug, reported when the operation is first checked", async () => {
    const validate = createResponseValidator({}, "strict", () => {}, []);
    await expect(validate(op, Response.json({ id: 1, name: "Ann" }))).rejects.toThrow(/no response schema \d/);
  });
});
