import { describe, expect, it } from "vitest";
import type { OperationMeta } from "../../src/runtime/compiled-spec.ts";
import { Problem } from "../../src/runtime/problem.ts";
import { createRequestParser, type ParsedRequest, type RequestParserOptions } from "../../src/runtime/request/index.ts";
import { media, operation, ValidatorRegistry, type MiniSchema } from "./request-fixtures.ts";

const PET: MiniSchema = {
  type: "object",
  properties: { name: { type: "string", minLength: 1 }, age: { type: "integer", minimum: 0 }, tags: { type: "array", items: { type: "string" } } },
  required: ["name"],
  additionalProperties: false,
};

function bodyOp(registry: ValidatorRegistry, content: Record<string, MiniSchema | undefined>, required = true, method: "POST" | "PATCH" = "POST"): OperationMeta {
  const entries = Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, media(registry, schema, true)]));
  return operation({ method, path: "/pets", requestBody: { required, content: entries } });
}

async function send(registry: ValidatorRegistry, op: OperationMeta, init: RequestInit, options?: RequestParserOptions): Promise<ParsedRequest | Problem> {
  const request = new Request("https://api.test/pets", { method: op.method, ...init });
  return createRequestParser(registry.validators, options)(request, new URL(request.url), op, {});
}

async function accepted(registry: ValidatorRegistry, op: OperationMeta, init: RequestInit, options?: RequestParserOptions): Promise<ParsedRequest> {
  const result = await send(registry, op, init, options);
  if (result instanceof Problem) throw new Error(`unexpected problem: ${JSON.stringify(result.toJSON())}`);
  return result;
}

async function refused(registry: ValidatorRegistry, op: OperationMeta, init: RequestInit, options?: RequestParserOptions): Promise<Problem> {
  const result = await send(registry, op, init, options);
  if (!(result instanceof Problem)) throw new Error(`expected a problem, got ${JSON.stringify(result)}`);
  return result;
}

const json = (value: unknown, type = "application/json"): RequestInit => ({ body: JSON.stringify(value), headers: { "content-type": type } });

/** A body with no Content-Length: chunks of `chunkSize` bytes, `chunks` times; counts how many were pulled. */
function streamedBody(chunkSize: number, chunks: number): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const chunk = new Uint8Array(chunkSize).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) {
        controller.close();
        return;
      }
      pulled++;
      controller.enqueue(chunk.slice());
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

describe("JSON bodies", () => {
  it("parses, validates and hands over the value with its media type", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": PET });
    const result = await accepted(registry, op, json({ name: "Rex", age: 3 }, "Application/JSON; charset=UTF-8"));
    expect(result.body).toEqual({ name: "Rex", age: 3 });
    expect(result.contentType).toBe("application/json");
  });

  it("reports every violation with the validator's pointer, missing properties pointing at the property", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": PET });
    const p = await refused(registry, op, json({ age: -1, tags: ["a", 2], colour: "red" }));
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([
      { in: "body", name: "name", pointer: "/name", message: "is required" },
      { in: "body", name: "age", pointer: "/age", message: "must be >= 0" },
      { in: "body", name: "tags", pointer: "/tags/1", message: "must be string" },
      { in: "body", name: "colour", pointer: "/colour", message: "is not an allowed property" },
    ]);
  });

  it("malformed JSON is a 400, never a 500", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": PET });
    const p = await refused(registry, op, { body: '{"name": "Rex",', headers: { "content-type": "application/json" } });
    expect(p.status).toBe(400);
    expect(p.detail).toBe("The request body is not valid JSON.");
    expect(p.errors?.[0]?.message).toMatch(/^is not valid JSON: /);
    const bad = await refused(registry, op, { body: new Uint8Array([0x22, 0xff, 0xfe, 0x22]), headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
  });

  it("100,000 levels of [[[[ are refused by the depth scan without a stack overflow", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": undefined });
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const p = await refused(registry, op, { body: deep, headers: { "content-type": "application/json" } });
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([{ in: "body", pointer: "", message: "must not nest deeper than 64 levels" }]);
    const objects = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    expect((await refused(registry, op, { body: objects, headers: { "content-type": "application/json" } })).status).toBe(400);
  });

  it("depth 64 passes, 65 does not; brackets inside strings do not count", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": undefined });
    const nested = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect((await accepted(registry, op, { body: nested(64), headers: { "content-type": "application/json" } })).body).toBeDefined();
    expect((await refused(registry, op, { body: nested(65), headers: { "content-type": "application/json" } })).status).toBe(400);
    const tricky = JSON.stringify({ s: "[[[[[[[[[[" + '\\"[[[[' + "[".repeat(100) });
    expect((await accepted(registry, op, { body: tricky, headers: { "content-type": "application/json" } })).body).toEqual(JSON.parse(tricky));
    expect((await accepted(registry, op, { body: nested(100), headers: { "content-type": "application/json" } }, { limits: { maxJsonDepth: 100 } })).body).toBeDefined();
  });

  it("own __proto__ keys from JSON stay data", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": undefined });
    const result = await accepted(registry, op, { body: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}', headers: { "content-type": "application/json" } });
    expect(Object.hasOwn(result.body as object, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("media type selection", () => {
  it("+json types match only when declared or covered by application/*+json", async () => {
    const registry = new ValidatorRegistry();
    const plain = bodyOp(registry, { "application/json": undefined });
    const p = await refused(registry, plain, json({}, "application/merge-patch+json"));
    expect(p.status).toBe(415);
    const suffixed = bodyOp(registry, { "application/json": undefined, "application/*+json": undefined });
    const result = await accepted(registry, suffixed, json({ a: 1 }, "application/merge-patch+json"));
    expect(result).toMatchObject({ body: { a: 1 }, contentType: "application/merge-patch+json" });
    const exact = bodyOp(registry, { "application/merge-patch+json": undefined });
    expect((await accepted(registry, exact, json({ a: 1 }, "application/merge-patch+json"))).body).toEqual({ a: 1 });
  });

  it("the most specific declared range wins, whatever the declaration order", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "*/*": undefined, "text/*": { type: "string", maxLength: 3 }, "text/csv": { type: "string" } });
    expect((await accepted(registry, op, { body: "a,b,c,d", headers: { "content-type": "text/csv" } })).body).toBe("a,b,c,d");
    expect((await refused(registry, op, { body: "long text", headers: { "content-type": "text/plain" } })).errors).toEqual([
      { in: "body", pointer: "", message: "must be at most 3 characters long" },
    ]);
    const bytes = (await accepted(registry, op, { body: "abc", headers: { "content-type": "image/png" } })).body;
    expect(bytes).toBeInstanceOf(Uint8Array);
  });

  it("a missing or undeclared Content-Type is a 415 listing the accepted types", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": undefined, "application/x-www-form-urlencoded": undefined });
    const wrong = await refused(registry, op, { body: "<a/>", headers: { "content-type": "application/xml" } });
    expect(wrong.status).toBe(415);
    expect(wrong.detail).toBe('Content-Type "application/xml" is not accepted by this operation; send one of: application/json, application/x-www-form-urlencoded.');
    expect(wrong.headers).toEqual({ "Accept-Post": "application/json, application/x-www-form-urlencoded" });
    const response = wrong.toResponse();
    expect(response.headers.get("accept-post")).toBe("application/json, application/x-www-form-urlencoded");
    expect(await response.json()).toMatchObject({ status: 415, accept: ["application/json", "application/x-www-form-urlencoded"] });

    const missing = await refused(registry, op, { body: new Blob(["{}"]) });
    expect(missing.status).toBe(415);
    expect(missing.detail).toContain("has no Content-Type");

    const patch = bodyOp(registry, { "application/merge-patch+json": undefined }, true, "PATCH");
    expect((await refused(registry, patch, json({}, "text/plain"))).headers).toEqual({ "Accept-Patch": "application/merge-patch+json" });
    expect((await refused(registry, patch, json({}, "not a media type"))).status).toBe(415);
  });

  it("an unsupported charset is a 415", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "text/plain": undefined });
    expect((await refused(registry, op, { body: "x", headers: { "content-type": "text/plain; charset=klingon" } })).status).toBe(415);
    expect((await accepted(registry, op, { body: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), headers: { "content-type": "text/plain; charset=iso-8859-1" } })).body).toBe("café");
  });
});

describe("required and absent bodies", () => {
  it("a required body that is missing or empty is a 400", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": PET });
    const none = await refused(registry, op, {});
    expect(none.status).toBe(400);
    expect(none.errors).toEqual([{ in: "body", pointer: "", message: "is required" }]);
    expect((await refused(registry, op, { body: "", headers: { "content-type": "application/json" } })).status).toBe(400);
    const empty = streamedBody(1, 0);
    expect((await refused(registry, op, { body: empty.stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit)).status).toBe(400);
  });

  it("an optional body may be absent", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": PET }, false);
    const result = await accepted(registry, op, {});
    expect(result.body).toBeUndefined();
    expect(result.contentType).toBeUndefined();
  });
});

describe("body size limit", () => {
  it("refuses from Content-Length before reading", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/octet-stream": undefined });
    const body = streamedBody(1024, 4);
    const request = new Request("https://api.test/pets", {
      method: "POST",
      body: body.stream,
      headers: { "content-type": "application/octet-stream", "content-length": String(2 * 1024 * 1024) },
      duplex: "half",
    } as RequestInit);
    const result = await createRequestParser(registry.validators)(request, new URL(request.url), op, {});
    expect(result).toBeInstanceOf(Problem);
    expect((result as Problem).status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(1);
  });

  it("refuses a streamed body with no Content-Length while streaming, cancelling the rest", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/json": undefined });
    const body = streamedBody(64 * 1024, 1000); // 64 MB offered, 1 MiB allowed
    const p = await refused(registry, op, { body: body.stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
    expect(p.status).toBe(413);
    expect(p.detail).toBe("The request body is larger than the limit of 1048576 bytes.");
    expect(body.pulled()).toBeLessThan(30);
  });

  it("accepts a streamed body within the limit, and the limit is configurable", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "text/plain": undefined });
    const small = streamedBody(100, 5);
    expect(((await accepted(registry, op, { body: small.stream, headers: { "content-type": "text/plain" }, duplex: "half" } as RequestInit)).body as string).length).toBe(500);
    const over = streamedBody(100, 5);
    const p = await refused(registry, op, { body: over.stream, headers: { "content-type": "text/plain" }, duplex: "half" } as RequestInit, { limits: { maxBodyBytes: 250 } });
    expect(p.status).toBe(413);
  });
});

describe("application/x-www-form-urlencoded", () => {
  const FORM: MiniSchema = {
    type: "object",
    properties: { name: { type: "string" }, age: { type: "integer" }, ids: { type: "array", items: { type: "integer" } }, adult: { type: "boolean" } },
    required: ["name"],
  };

  it("parses fields and coerces them per shape", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/x-www-form-urlencoded": FORM });
    const result = await accepted(registry, op, { body: "name=Rex+the%20Dog&age=3&ids=1&ids=2&adult=true&extra=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(result.body).toEqual({ name: "Rex the Dog", age: 3, ids: [1, 2], adult: true, extra: "x" });
  });

  it("reports per-field errors with pointers", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/x-www-form-urlencoded": FORM });
    const p = await refused(registry, op, { body: "age=old&ids=1&ids=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(p.errors).toEqual([
      { in: "body", name: "name", pointer: "/name", message: "is required" },
      { in: "body", name: "age", pointer: "/age", message: "must be integer" },
      { in: "body", name: "ids", pointer: "/ids/1", message: "must be integer" },
    ]);
    const twice = await refused(registry, op, { body: "name=a&name=b", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(twice.errors).toEqual([{ in: "body", name: "name", pointer: "/name", message: "must be given only once" }]);
  });

  it("prototype keys are dropped; too many fields is a 400", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/x-www-form-urlencoded": FORM });
    const result = await accepted(registry, op, {
      body: "__proto__[polluted]=1&__proto__=x&constructor=y&prototype=z&name=a",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(Object.keys(result.body as object)).toEqual(["__proto__[polluted]", "name"]);
    expect(Object.getPrototypeOf(result.body)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const many = Array.from({ length: 101 }, (_, i) => `f${i}=1`).join("&");
    expect((await refused(registry, op, { body: many, headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(400);
  });
});

describe("multipart/form-data", () => {
  const UPLOAD: MiniSchema = {
    type: "object",
    properties: { title: { type: "string" }, count: { type: "integer" }, file: { type: "string" }, labels: { type: "array", items: { type: "string" } } },
    required: ["title", "file"],
  };

  it("fields are coerced and validated, files arrive as File", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "multipart/form-data": UPLOAD });
    const form = new FormData();
    form.append("title", "holiday");
    form.append("count", "2");
    form.append("labels", "a");
    form.append("labels", "b");
    form.append("file", new File(["hello"], "hello.txt", { type: "text/plain" }));
    const result = await accepted(registry, op, { body: form });
    const body = result.body as Record<string, unknown>;
    expect(result.contentType).toBe("multipart/form-data");
    expect(body.title).toBe("holiday");
    expect(body.count).toBe(2);
    expect(body.labels).toEqual(["a", "b"]);
    expect(body.file).toBeInstanceOf(File);
    expect(await (body.file as File).text()).toBe("hello");
    expect((body.file as File).name).toBe("hello.txt");
  });

  it("reports field errors with pointers; __proto__ fields are dropped", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "multipart/form-data": UPLOAD });
    const form = new FormData();
    form.append("count", "many");
    form.append("__proto__", "x");
    form.append("constructor", "y");
    const p = await refused(registry, op, { body: form });
    expect(p.errors).toEqual([
      { in: "body", name: "title", pointer: "/title", message: "is required" },
      { in: "body", name: "file", pointer: "/file", message: "is required" },
      { in: "body", name: "count", pointer: "/count", message: "must be integer" },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a body that is not multipart is a 400", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "multipart/form-data": UPLOAD });
    const p = await refused(registry, op, { body: "garbage", headers: { "content-type": "multipart/form-data; boundary=xyz" } });
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([{ in: "body", pointer: "", message: "is not valid multipart/form-data" }]);
  });
});

describe("text and binary bodies", () => {
  it("text/plain is a string", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "text/plain": { type: "string" } });
    expect((await accepted(registry, op, { body: "héllo", headers: { "content-type": "text/plain; charset=utf-8" } })).body).toBe("héllo");
  });

  it("application/octet-stream is a Uint8Array of exactly the bytes sent", async () => {
    const registry = new ValidatorRegistry();
    const op = bodyOp(registry, { "application/octet-stream": { type: "string" } });
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const result = await accepted(registry, op, { body: bytes, headers: { "content-type": "application/octet-stream" } });
    expect(result.body).toBeInstanceOf(Uint8Array);
    expect([...(result.body as Uint8Array)]).toEqual([0, 1, 2, 250, 255]);
    const streamed = streamedBody(1000, 3);
    const big = await accepted(registry, op, { body: streamed.stream, headers: { "content-type": "application/octet-stream" }, duplex: "half" } as RequestInit);
    expect((big.body as Uint8Array).byteLength).toBe(3000);
  });
});

describe("parameters are checked before the body is read", () => {
  it("a parameter error answers 400 and leaves the body unread", async () => {
    const registry = new ValidatorRegistry();
    const op: OperationMeta = {
      ...bodyOp(registry, { "application/json": PET }),
      parameters: [{ name: "dry", in: "query", required: true, style: "form", explode: true, allowEmptyValue: false, allowReserved: false, shape: { type: "boolean" } }],
    };
    const request = new Request("https://api.test/pets", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    const result = await createRequestParser(registry.validators)(request, new URL(request.url), op, {});
    expect((result as Problem).errors).toEqual([{ in: "query", name: "dry", pointer: "/dry", message: "is required" }]);
    expect(request.bodyUsed).toBe(false);
  });
});
