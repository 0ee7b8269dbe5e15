import { describe, expect, it } from "vitest";
import type { OperationMeta, ParameterLocation, ParameterMeta, ParameterStyle } from "../../src/runtime/compiled-spec.ts";
import { Problem } from "../../src/runtime/problem.ts";
import { createRequestParser, type ParsedRequest, type RequestParserOptions } from "../../src/runtime/request/index.ts";
import { operation, param, ValidatorRegistry, type MiniSchema } from "./request-fixtures.ts";

const PRIMITIVE: MiniSchema = { type: "string" };
const ARRAY: MiniSchema = { type: "array", items: { type: "string" } };
const OBJECT: MiniSchema = {
  type: "object",
  properties: { R: { type: "integer" }, G: { type: "integer" }, B: { type: "integer" } },
};
const BLUE = "blue";
const COLORS = ["blue", "black", "brown"];
const RGB = { R: 100, G: 200, B: 150 };

/** A matcher stand-in: the path parameters as the generated matcher hands them over (percent-decoded segments). */
function matchedParams(op: OperationMeta, pathname: string): Record<string, string> {
  const template = op.path.split("/");
  const actual = pathname.split("/");
  const params: Record<string, string> = {};
  template.forEach((segment, i) => {
    const m = /^\{(.+)\}$/.exec(segment);
    if (m !== null) params[m[1]!] = decodeURIComponent(actual[i]!);
  });
  return params;
}

async function parse(
  registry: ValidatorRegistry,
  op: OperationMeta,
  target: string,
  init: RequestInit = {},
  options?: RequestParserOptions,
): Promise<ParsedRequest | Problem> {
  const request = new Request(`https://api.test${target}`, init);
  const url = new URL(request.url);
  return createRequestParser(registry.validators, options)(request, url, op, matchedParams(op, url.pathname));
}

async function parsed(registry: ValidatorRegistry, op: OperationMeta, target: string, init?: RequestInit, options?: RequestParserOptions): Promise<ParsedRequest> {
  const result = await parse(registry, op, target, init, options);
  if (result instanceof Problem) throw new Error(`unexpected problem: ${JSON.stringify(result.toJSON())}`);
  return result;
}

async function problem(registry: ValidatorRegistry, op: OperationMeta, target: string, init?: RequestInit, options?: RequestParserOptions): Promise<Problem> {
  const result = await parse(registry, op, target, init, options);
  if (!(result instanceof Problem)) throw new Error(`expected a problem, got ${JSON.stringify(result)}`);
  return result;
}

type Kind = "primitive" | "array" | "object";
const SCHEMA: Record<Kind, MiniSchema> = { primitive: PRIMITIVE, array: ARRAY, object: OBJECT };
const EXPECTED: Record<Kind, unknown> = { primitive: BLUE, array: COLORS, object: RGB };

/** The OpenAPI 3.1 style examples table, row by row: [style, explode, kind, serialisation]. */
const PATH_TABLE: [ParameterStyle, boolean, Kind, string][] = [
  ["simple", false, "primitive", "blue"],
  ["simple", false, "array", "blue,black,brown"],
  ["simple", false, "object", "R,100,G,200,B,150"],
  ["simple", true, "primitive", "blue"],
  ["simple", true, "array", "blue,black,brown"],
  ["simple", true, "object", "R=100,G=200,B=150"],
  ["label", false, "primitive", ".blue"],
  ["label", false, "array", ".blue,black,brown"],
  ["label", false, "object", ".R,100,G,200,B,150"],
  ["label", true, "primitive", ".blue"],
  ["label", true, "array", ".blue.black.brown"],
  ["label", true, "object", ".R=100.G=200.B=150"],
  ["matrix", false, "primitive", ";color=blue"],
  ["matrix", false, "array", ";color=blue,black,brown"],
  ["matrix", false, "object", ";color=R,100,G,200,B,150"],
  ["matrix", true, "primitive", ";color=blue"],
  ["matrix", true, "array", ";color=blue;color=black;color=brown"],
  ["matrix", true, "object", ";R=100;G=200;B=150"],
];

describe("path parameters: style/explode table", () => {
  for (const [style, explode, kind, serialised] of PATH_TABLE) {
    it(`${style} explode=${explode} ${kind}: ${serialised}`, async () => {
      const registry = new ValidatorRegistry();
      const op = operation({ path: "/colors/{color}", parameters: [param(registry, "color", "path", SCHEMA[kind], { style, explode })] });
      const result = await parsed(registry, op, `/colors/${serialised}`);
      expect(result.params).toEqual({ color: EXPECTED[kind] });
    });
  }

  it("keeps an escaped delimiter inside an item (raw segment re-read from the pathname)", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ path: "/colors/{color}", parameters: [param(registry, "color", "path", ARRAY)] });
    expect((await parsed(registry, op, "/colors/a%2Cb,c%20d")).params).toEqual({ color: ["a,b", "c d"] });
    const label = operation({ path: "/colors/{color}", parameters: [param(registry, "color", "path", ARRAY, { style: "label", explode: true })] });
    expect((await parsed(registry, label, "/colors/.a%2Eb.c")).params).toEqual({ color: ["a.b", "c"] });
  });

  it("works under a mount prefix and with a trailing slash", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ path: "/colors/{color}/shades", parameters: [param(registry, "color", "path", ARRAY)] });
    const request = new Request("https://api.test/v2/colors/a%2Cb,c/shades/");
    const result = await createRequestParser(registry.validators)(request, new URL(request.url), op, { color: "a,b,c" });
    expect(result).not.toBeInstanceOf(Problem);
    expect((result as ParsedRequest).params).toEqual({ color: ["a,b", "c"] });
  });

  it("falls back to the decoded value when the parameter shares its segment", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ path: "/files/{name}.{ext}", parameters: [param(registry, "name", "path", ARRAY), param(registry, "ext", "path", PRIMITIVE)] });
    const request = new Request("https://api.test/files/a,b.txt");
    const result = await createRequestParser(registry.validators)(request, new URL(request.url), op, { name: "a,b", ext: "txt" });
    expect((result as ParsedRequest).params).toEqual({ name: ["a", "b"], ext: "txt" });
  });

  it("coerces integers, numbers and booleans, and reports what does not coerce at its pointer", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      path: "/t/{id}/{ratio}/{flag}/{ids}",
      parameters: [
        param(registry, "id", "path", { type: "integer" }),
        param(registry, "ratio", "path", { type: "number" }),
        param(registry, "flag", "path", { type: "boolean" }),
        param(registry, "ids", "path", { type: "array", items: { type: "integer" } }),
      ],
    });
    expect((await parsed(registry, op, "/t/42/0.5/true/1,2,3")).params).toEqual({ id: 42, ratio: 0.5, flag: true, ids: [1, 2, 3] });
    const p = await problem(registry, op, "/t/x/1e2/yes/1,two,3");
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([
      { in: "path", name: "id", pointer: "/id", message: "must be integer" },
      { in: "path", name: "flag", pointer: "/flag", message: "must be boolean" },
      { in: "path", name: "ids", pointer: "/ids/1", message: "must be integer" },
    ]);
  });

  it("refuses a label or matrix value without its prefix", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      path: "/a/{x}/{y}",
      parameters: [param(registry, "x", "path", PRIMITIVE, { style: "label" }), param(registry, "y", "path", ARRAY, { style: "matrix" })],
    });
    const p = await problem(registry, op, "/a/blue/;other=1");
    expect(p.errors).toEqual([
      { in: "path", name: "x", pointer: "/x", message: 'must start with "." (label style)' },
      { in: "path", name: "y", pointer: "/y", message: 'must start with ";y" (matrix style)' },
    ]);
  });
});

const QUERY_TABLE: [ParameterStyle, boolean, Kind, string][] = [
  ["form", false, "primitive", "color=blue"],
  ["form", false, "array", "color=blue,black,brown"],
  ["form", false, "object", "color=R,100,G,200,B,150"],
  ["form", true, "primitive", "color=blue"],
  ["form", true, "array", "color=blue&color=black&color=brown"],
  ["form", true, "object", "R=100&G=200&B=150"],
  ["spaceDelimited", false, "array", "color=blue%20black%20brown"],
  ["spaceDelimited", false, "object", "color=R%20100%20G%20200%20B%20150"],
  ["pipeDelimited", false, "array", "color=blue|black|brown"],
  ["pipeDelimited", false, "object", "color=R|100|G|200|B|150"],
  ["deepObject", true, "object", "color[R]=100&color[G]=200&color[B]=150"],
];

describe("query parameters: style/explode table", () => {
  for (const [style, explode, kind, serialised] of QUERY_TABLE) {
    it(`${style} explode=${explode} ${kind}: ${serialised}`, async () => {
      const registry = new ValidatorRegistry();
      const op = operation({ parameters: [param(registry, "color", "query", SCHEMA[kind], { style, explode })] });
      const result = await parsed(registry, op, `/things?${serialised}`);
      expect(result.query).toEqual({ color: EXPECTED[kind] });
    });
  }

  it("accepts the encoded and literal delimiters of spaceDelimited and pipeDelimited", async () => {
    const registry = new ValidatorRegistry();
    const space = operation({ parameters: [param(registry, "color", "query", ARRAY, { style: "spaceDelimited", explode: false })] });
    expect((await parsed(registry, space, "/things?color=blue+black%20brown")).query).toEqual({ color: COLORS });
    const pipe = operation({ parameters: [param(registry, "color", "query", ARRAY, { style: "pipeDelimited", explode: false })] });
    expect((await parsed(registry, pipe, "/things?color=blue%7Cblack|brown")).query).toEqual({ color: COLORS });
  });

  it("splits form lists on literal commas only, decoding each item", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ parameters: [param(registry, "tags", "query", ARRAY, { explode: false })] });
    expect((await parsed(registry, op, "/things?tags=a%2Cb,c+d,e%26f")).query).toEqual({ tags: ["a,b", "c d", "e&f"] });
  });

  it("reads exploded form arrays from repeated names and keeps a single one as a one-item list", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ parameters: [param(registry, "id", "query", { type: "array", items: { type: "integer" } })] });
    expect((await parsed(registry, op, "/things?id=3")).query).toEqual({ id: [3] });
    expect((await parsed(registry, op, "/things?id=3&id=4")).query).toEqual({ id: [3, 4] });
  });

  it("coerces and validates; errors point into the parameter", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      parameters: [
        param(registry, "limit", "query", { type: "integer", minimum: 1, maximum: 100 }),
        param(registry, "sort", "query", { type: "string", enum: ["asc", "desc"] }),
        param(registry, "ids", "query", { type: "array", items: { type: "integer" } }, { explode: false }),
        param(registry, "color", "query", OBJECT, { style: "deepObject", explode: true }),
      ],
    });
    expect((await parsed(registry, op, "/things?limit=10&sort=asc&ids=1,2&color[R]=1")).query).toEqual({ limit: 10, sort: "asc", ids: [1, 2], color: { R: 1 } });
    const p = await problem(registry, op, "/things?limit=abc&sort=up&ids=1,x&color[G]=green");
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([
      { in: "query", name: "limit", pointer: "/limit", message: "must be integer" },
      { in: "query", name: "sort", pointer: "/sort", message: "must be one of: asc, desc" },
      { in: "query", name: "ids", pointer: "/ids/1", message: "must be integer" },
      { in: "query", name: "color", pointer: "/color/G", message: "must be integer" },
    ]);
    const range = await problem(registry, op, "/things?limit=500");
    expect(range.errors).toEqual([{ in: "query", name: "limit", pointer: "/limit", message: "must be <= 100" }]);
  });

  it("applies the schema default when absent, and requires required parameters", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      parameters: [
        param(registry, "limit", "query", { type: "integer" }, { default: 20 }),
        param(registry, "q", "query", { type: "string" }, { required: true }),
      ],
    });
    expect((await parsed(registry, op, "/things?q=x")).query).toEqual({ limit: 20, q: "x" });
    expect((await parsed(registry, op, "/things?q=x&limit=5")).query).toEqual({ limit: 5, q: "x" });
    expect((await problem(registry, op, "/things")).errors).toEqual([{ in: "query", name: "q", pointer: "/q", message: "is required" }]);
  });

  it("allowEmptyValue: an empty value is refused unless allowed", async () => {
    const registry = new ValidatorRegistry();
    const strict = operation({ parameters: [param(registry, "q", "query", { type: "string", minLength: 1 })] });
    expect((await problem(registry, strict, "/things?q=")).errors).toEqual([{ in: "query", name: "q", pointer: "/q", message: "must not be empty" }]);
    const lenient = operation({ parameters: [param(registry, "flag", "query", { type: "boolean" }, { allowEmptyValue: true })] });
    expect((await parsed(registry, lenient, "/things?flag")).query).toEqual({ flag: "" });
    expect((await parsed(registry, lenient, "/things?flag=")).query).toEqual({ flag: "" });
    expect((await parsed(registry, lenient, "/things?flag=true")).query).toEqual({ flag: true });
  });

  it("allowReserved: + stays a plus and reserved characters pass through", async () => {
    const registry = new ValidatorRegistry();
    const reserved = operation({ parameters: [param(registry, "path", "query", PRIMITIVE, { allowReserved: true })] });
    expect((await parsed(registry, reserved, "/things?path=/a/b?c=1+2:3")).query).toEqual({ path: "/a/b?c=1+2:3" });
    const plain = operation({ parameters: [param(registry, "path", "query", PRIMITIVE)] });
    expect((await parsed(registry, plain, "/things?path=1+2%2B3")).query).toEqual({ path: "1 2+3" });
  });

  it("content-typed parameters: JSON is parsed, bad or too deep JSON is a 400", async () => {
    const registry = new ValidatorRegistry();
    const filter = { name: "filter", in: "query", required: false, style: "form", explode: true, allowEmptyValue: false, allowReserved: false, shape: { type: "any" }, contentType: "application/json", validator: registry.add({ type: "object", properties: { n: { type: "integer" } }, required: ["n"] }) } satisfies ParameterMeta;
    const op = operation({ parameters: [filter] });
    const json = encodeURIComponent(JSON.stringify({ n: 1, tags: ["a"] }));
    expect((await parsed(registry, op, `/things?filter=${json}`)).query).toEqual({ filter: { n: 1, tags: ["a"] } });
    expect((await problem(registry, op, `/things?filter=${encodeURIComponent("{n:1")}`)).errors).toEqual([
      { in: "query", name: "filter", pointer: "/filter", message: "must be valid JSON" },
    ]);
    expect((await problem(registry, op, `/things?filter=${encodeURIComponent(JSON.stringify({ m: 1 }))}`)).errors).toEqual([
      { in: "query", name: "filter", pointer: "/filter/n", message: "is required" },
    ]);
    const deep = "[".repeat(100) + "]".repeat(100);
    expect((await problem(registry, op, `/things?filter=${deep}`)).errors).toEqual([
      { in: "query", name: "filter", pointer: "/filter", message: "must not nest deeper than 64 levels" },
    ]);
    const header = operation({ parameters: [{ ...filter, in: "header", name: "X-Filter", style: "simple", explode: false }] });
    expect((await parsed(registry, header, "/things", { headers: { "x-filter": '{"n":2}' } })).headers).toEqual({ "X-Filter": { n: 2 } });
  });

  it("unknown query parameters are ignored by default and refused with strictQuery", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      parameters: [param(registry, "q", "query", PRIMITIVE), param(registry, "color", "query", OBJECT, { style: "deepObject", explode: true })],
    });
    expect((await parsed(registry, op, "/things?q=a&debug=1")).query).toEqual({ q: "a" });
    const p = await problem(registry, op, "/things?q=a&color[R]=1&debug=1&x%20y=2", {}, { strictQuery: true });
    expect(p.errors).toEqual([
      { in: "query", name: "debug", pointer: "/debug", message: "is not a known query parameter" },
      { in: "query", name: "x y", pointer: "/x y", message: "is not a known query parameter" },
    ]);
    const none = operation({});
    expect((await problem(registry, none, "/things?x=1", {}, { strictQuery: true })).errors).toEqual([
      { in: "query", name: "x", pointer: "/x", message: "is not a known query parameter" },
    ]);
  });

  it("refuses a repeated single value and a malformed escape", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ parameters: [param(registry, "a", "query", PRIMITIVE), param(registry, "b", "query", PRIMITIVE)] });
    expect((await problem(registry, op, "/things?a=1&a=2&b=%ZZ")).errors).toEqual([
      { in: "query", name: "a", pointer: "/a", message: "must be given only once" },
      { in: "query", name: "b", pointer: "/b", message: "is not correctly percent-encoded" },
    ]);
  });

  it("free-form exploded form object takes the names no other parameter claims", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      parameters: [param(registry, "q", "query", PRIMITIVE), param(registry, "filters", "query", { type: "object", additionalProperties: { type: "integer" } })],
    });
    expect((await parsed(registry, op, "/things?q=x&a=1&b=2")).query).toEqual({ q: "x", filters: { a: 1, b: 2 } });
  });

  it("unions coerce to the most specific type", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ parameters: [param(registry, "v", "query", { type: ["integer", "string"] }), param(registry, "n", "query", { type: ["string", "null"] })] });
    expect((await parsed(registry, op, "/things?v=5&n=null")).query).toEqual({ v: 5, n: null });
    expect((await parsed(registry, op, "/things?v=five&n=x")).query).toEqual({ v: "five", n: "x" });
  });
});

describe("header parameters", () => {
  const HEADER_TABLE: [boolean, Kind, string][] = [
    [false, "primitive", "blue"],
    [false, "array", "blue,black,brown"],
    [false, "object", "R,100,G,200,B,150"],
    [true, "primitive", "blue"],
    [true, "array", "blue, black, brown"],
    [true, "object", "R=100,G=200,B=150"],
  ];
  for (const [explode, kind, serialised] of HEADER_TABLE) {
    it(`simple explode=${explode} ${kind}: ${serialised}`, async () => {
      const registry = new ValidatorRegistry();
      const op = operation({ parameters: [param(registry, "X-Color", "header", SCHEMA[kind], { explode })] });
      expect((await parsed(registry, op, "/things", { headers: { "x-color": serialised } })).headers).toEqual({ "X-Color": EXPECTED[kind] });
    });
  }

  it("matches names case-insensitively, coerces, and ignores Accept/Content-Type/Authorization definitions", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      parameters: [
        param(registry, "X-Rate", "header", { type: "integer" }, { required: true }),
        param(registry, "Authorization", "header", { type: "integer" }, { required: true }),
      ],
    });
    expect((await parsed(registry, op, "/things", { headers: { "X-RATE": "7", authorization: "Bearer x" } })).headers).toEqual({ "X-Rate": 7 });
    expect((await problem(registry, op, "/things", { headers: { "x-rate": "fast" } })).errors).toEqual([
      { in: "header", name: "X-Rate", pointer: "/X-Rate", message: "must be integer" },
    ]);
  });
});

describe("cookie parameters", () => {
  const COOKIE_TABLE: [boolean, Kind, string][] = [
    [false, "primitive", "color=blue"],
    [false, "array", "color=blue,black,brown"],
    [false, "object", "color=R,100,G,200,B,150"],
    [true, "primitive", "color=blue"],
    [true, "array", "color=blue; color=black; color=brown"],
    [true, "object", "R=100; G=200; B=150"],
  ];
  for (const [explode, kind, serialised] of COOKIE_TABLE) {
    it(`form explode=${explode} ${kind}: ${serialised}`, async () => {
      const registry = new ValidatorRegistry();
      const op = operation({ parameters: [param(registry, "color", "cookie", SCHEMA[kind], { explode })] });
      expect((await parsed(registry, op, "/things", { headers: { cookie: serialised } })).cookies).toEqual({ color: EXPECTED[kind] });
    });
  }

  it("decodes values, strips quotes, coerces, and reports at the cookie's pointer", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ parameters: [param(registry, "session", "cookie", PRIMITIVE), param(registry, "n", "cookie", { type: "integer" })] });
    expect((await parsed(registry, op, "/things", { headers: { cookie: 'other=1; session="a%20b"; n=3' } })).cookies).toEqual({ session: "a b", n: 3 });
    expect((await problem(registry, op, "/things", { headers: { cookie: "n=three" } })).errors).toEqual([
      { in: "cookie", name: "n", pointer: "/n", message: "must be integer" },
    ]);
  });
});

describe("errors from every location in one 400", () => {
  it("collects path, query, header and cookie violations before answering", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({
      path: "/pets/{id}",
      parameters: [
        param(registry, "id", "path", { type: "integer" }),
        param(registry, "limit", "query", { type: "integer" }, { required: true }),
        param(registry, "X-Trace", "header", { type: "string", pattern: "^[a-f0-9]+$" }, { required: true }),
        param(registry, "tz", "cookie", { type: "string" }, { required: true }),
      ],
    });
    const p = await problem(registry, op, "/pets/abc", { headers: { "x-trace": "XYZ" } });
    expect(p.status).toBe(400);
    expect(p.detail).toBe("The request has 4 invalid values in path parameters, the query string, header parameters and cookie parameters.");
    expect(p.errors).toEqual([
      { in: "path", name: "id", pointer: "/id", message: "must be integer" },
      { in: "query", name: "limit", pointer: "/limit", message: "is required" },
      { in: "header", name: "X-Trace", pointer: "/X-Trace", message: 'must match pattern "^[a-f0-9]+$"' },
      { in: "cookie", name: "tz", pointer: "/tz", message: "is required" },
    ]);
    const body = (await p.toResponse().json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: "about:blank", status: 400, title: "Bad Request" });
  });

  it("bounds the list at 20", async () => {
    const registry = new ValidatorRegistry();
    const parameters = Array.from({ length: 30 }, (_, i) => param(registry, `p${i}`, "query", { type: "integer" }, { required: true }));
    const p = await problem(registry, operation({ parameters }), "/things");
    expect(p.errors).toHaveLength(20);
    expect(p.detail).toContain("at least 20 invalid values");
  });
});

describe("limits on parameters and headers", () => {
  it("refuses more query pairs or cookies than maxParameters", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ parameters: [param(registry, "a", "query", PRIMITIVE), param(registry, "c", "cookie", PRIMITIVE)] });
    const many = Array.from({ length: 101 }, (_, i) => `k${i}=1`).join("&");
    const q = await problem(registry, op, `/things?${many}`);
    expect(q.status).toBe(400);
    expect(q.errors).toEqual([{ in: "query", pointer: "", message: "must have at most 100 entries" }]);
    expect((await parsed(registry, op, `/things?${many}`, {}, { limits: { maxParameters: 200 } })).query).toEqual({});
    const cookies = Array.from({ length: 11 }, (_, i) => `k${i}=1`).join("; ");
    expect((await problem(registry, op, "/things", { headers: { cookie: cookies } }, { limits: { maxParameters: 10 } })).errors).toEqual([
      { in: "cookie", pointer: "", message: "must have at most 10 entries" },
    ]);
  });

  it("refuses a header section over maxHeaderBytes with 431", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({});
    const big = await problem(registry, op, "/things", { headers: { "x-big": "a".repeat(17 * 1024) } });
    expect(big.status).toBe(431);
    expect(await parsed(registry, op, "/things", { headers: { "x-big": "a".repeat(1000) } })).toBeDefined();
  });
});

describe("prototype pollution", () => {
  function expectClean(): void {
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  }

  const attacks: [string, ParameterLocation, ParameterStyle, boolean, string, RequestInit][] = [
    ["deepObject __proto__", "query", "deepObject", true, "/things?color[__proto__][polluted]=1&color[__proto__]=x&color[constructor]=y&color[prototype]=z&color[R]=1", {}],
    ["exploded form object", "query", "form", true, "/things?__proto__=x&constructor=y&prototype=z&R=1", {}],
    ["form object list", "query", "form", false, "/things?color=__proto__,x,constructor,y,R,1", {}],
    ["header object", "header", "simple", true, "/things", { headers: { color: "__proto__=x,constructor=y,prototype=z,R=1" } }],
    ["cookie object", "cookie", "form", false, "/things", { headers: { cookie: "color=__proto__,x,R,1" } }],
  ];
  for (const [label, location, style, explode, target, init] of attacks) {
    it(`${label}: forbidden keys are dropped and nothing reaches Object.prototype`, async () => {
      const registry = new ValidatorRegistry();
      const schema: MiniSchema = { type: "object", additionalProperties: { type: "string" } };
      const op = operation({ parameters: [param(registry, "color", location, schema, { style, explode })] });
      const result = await parsed(registry, op, target, init);
      const values = location === "query" ? result.query : location === "header" ? result.headers : result.cookies;
      const color = values.color as Record<string, unknown>;
      expect(Object.keys(color)).toEqual(["R"]);
      expect(Object.getPrototypeOf(color)).toBeNull();
      const copy = Object.assign({}, color);
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expectClean();
    });
  }

  it("path objects too", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({ path: "/c/{color}", parameters: [param(registry, "color", "path", { type: "object" }, { explode: true })] });
    const result = await parsed(registry, op, "/c/__proto__=x,R=1");
    expect(Object.keys(result.params.color as object)).toEqual(["R"]);
    expectClean();
  });
});

describe("operations that declare nothing", () => {
  it("returns the same empty result without reading anything", async () => {
    const registry = new ValidatorRegistry();
    const op = operation({});
    const parser = createRequestParser(registry.validators);
    const request = new Request("https://api.test/things?x=1", { method: "POST", body: "ignored" });
    const a = await parser(request, new URL(request.url), op, {});
    const b = await parser(new Request("https://api.test/things"), new URL("https://api.test/things"), op, {});
    expect(a).toBe(b);
    expect(request.bodyUsed).toBe(false);
  });
});
