/**
 * The matcher's shared case suite (in the style of hono's shared router tests): each case is a
 * route table plus requests with the exact expected result, run against the compiled matcher.
 */
import { describe, expect, it } from "vitest";
import {
  compileMatcher,
  findAmbiguousTemplates,
  formatTemplate,
  importMatcher,
  loadMatcher,
  parseTemplate,
  TemplateError,
  type RouteInput,
} from "../../src/build/matcher/index.ts";
import type { HttpMethod, MatchResult } from "../../src/runtime/compiled-spec.ts";

type Expected = { ok: string; params?: Record<string, string> } | 404 | { allow: string } | { bad: string };

interface Case {
  readonly name: string;
  /** `"GET /pets/{id}"`; operationId is `method + path` unless given after a `|`. */
  readonly routes: readonly string[];
  readonly requests: ReadonlyArray<readonly [method: string, path: string, expected: Expected]>;
}

function toRoutes(lines: readonly string[]): RouteInput[] {
  return lines.map((line) => {
    const space = line.indexOf(" ");
    const method = line.slice(0, space);
    const [path, operationId] = line.slice(space + 1).split("|");
    return { method: method as HttpMethod, path: path!, operationId: operationId ?? `${method} ${path}` };
  });
}

function expectedResult(routes: readonly RouteInput[], expected: Expected): MatchResult {
  if (expected === 404) return { status: 404 };
  if ("allow" in expected) return { status: 405, allow: expected.allow };
  if ("bad" in expected) return { status: 400, param: expected.bad };
  const op = routes.findIndex((r) => r.operationId === expected.ok || `${r.method} ${r.path}` === expected.ok);
  if (op < 0) throw new Error(`no route ${expected.ok}`);
  return { status: 200, op, operationId: routes[op]!.operationId, params: expected.params ?? {} };
}

const PETS = ["GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"];

const cases: Case[] = [
  {
    name: "root",
    routes: ["GET /", "GET /a"],
    requests: [
      ["GET", "/", { ok: "GET /" }],
      ["HEAD", "/", { ok: "GET /" }],
      ["POST", "/", { allow: "GET, HEAD, OPTIONS" }],
      ["GET", "//", 404],
      ["GET", "/a", { ok: "GET /a" }],
      ["GET", "/a/", { ok: "GET /a" }],
      ["GET", "/b", 404],
      ["GET", "", 404],
      ["GET", "a", 404],
    ],
  },
  {
    name: "no root route",
    routes: ["GET /a"],
    requests: [
      ["GET", "/", 404],
      ["GET", "//", 404],
    ],
  },
  {
    name: "static and parameter segments",
    routes: PETS,
    requests: [
      ["GET", "/pets", { ok: "GET /pets" }],
      ["POST", "/pets", { ok: "POST /pets" }],
      ["GET", "/pets/42", { ok: "GET /pets/{id}", params: { id: "42" } }],
      ["DELETE", "/pets/42", { ok: "DELETE /pets/{id}", params: { id: "42" } }],
      ["GET", "/pets/42/toys", 404],
      ["GET", "/pet", 404],
      ["GET", "/petsx", 404],
      ["GET", "/Pets", 404],
      ["GET", "/PETS/1", 404],
    ],
  },
  {
    name: "static beats parameter; path first, then method",
    routes: ["POST /certificates/activate", "GET /certificates/{certificate_id}", "DELETE /certificates/{certificate_id}"],
    requests: [
      ["POST", "/certificates/activate", { ok: "POST /certificates/activate" }],
      ["GET", "/certificates/activate", { allow: "POST, OPTIONS" }],
      ["GET", "/certificates/activated", { ok: "GET /certificates/{certificate_id}", params: { certificate_id: "activated" } }],
      ["GET", "/certificates/activat", { ok: "GET /certificates/{certificate_id}", params: { certificate_id: "activat" } }],
      ["PUT", "/certificates/abc", { allow: "GET, HEAD, DELETE, OPTIONS" }],
    ],
  },
  {
    name: "backtracking when the static branch fails deeper",
    routes: ["GET /a/b/d", "GET /a/{x}/c", "GET /a/b/c/d", "GET /a/{x}/c/e", "GET /a/{x}/{y}/{z}/f"],
    requests: [
      ["GET", "/a/b/d", { ok: "GET /a/b/d" }],
      ["GET", "/a/b/c", { ok: "GET /a/{x}/c", params: { x: "b" } }],
      ["GET", "/a/b/c/d", { ok: "GET /a/b/c/d" }],
      ["GET", "/a/b/c/e", { ok: "GET /a/{x}/c/e", params: { x: "b" } }],
      ["GET", "/a/b/c/d/f", { ok: "GET /a/{x}/{y}/{z}/f", params: { x: "b", y: "c", z: "d" } }],
      ["GET", "/a/b/c/x", 404],
    ],
  },
  {
    name: "templates inside a segment",
    routes: [
      "GET /files/{name}.{ext}",
      "GET /files/{name}.json",
      "GET /files/index.json",
      "GET /v1/{a}-{b}",
      "GET /x/prefix{id}",
      "GET /y/{id}suffix",
      "GET /z/{a}-{b}-{c}",
      "GET /r/v{major}.{minor}/{rest}",
    ],
    requests: [
      ["GET", "/files/a.b.c", { ok: "GET /files/{name}.{ext}", params: { name: "a.b", ext: "c" } }],
      ["GET", "/files/a.txt", { ok: "GET /files/{name}.{ext}", params: { name: "a", ext: "txt" } }],
      ["GET", "/files/a.json", { ok: "GET /files/{name}.json", params: { name: "a" } }],
      ["GET", "/files/a.b.json", { ok: "GET /files/{name}.json", params: { name: "a.b" } }],
      ["GET", "/files/index.json", { ok: "GET /files/index.json" }],
      ["GET", "/files/.json", 404],
      ["GET", "/files/a.", 404],
      ["GET", "/files/.a", 404],
      ["GET", "/files/abc", 404],
      ["GET", "/files/a%2Eb.c", { ok: "GET /files/{name}.{ext}", params: { name: "a.b", ext: "c" } }],
      ["GET", "/files/a..b", { ok: "GET /files/{name}.{ext}", params: { name: "a.", ext: "b" } }],
      ["GET", "/v1/x-y", { ok: "GET /v1/{a}-{b}", params: { a: "x", b: "y" } }],
      ["GET", "/v1/x-y-z", { ok: "GET /v1/{a}-{b}", params: { a: "x-y", b: "z" } }],
      ["GET", "/v1/-y", 404],
      ["GET", "/v1/xy", 404],
      ["GET", "/x/prefix42", { ok: "GET /x/prefix{id}", params: { id: "42" } }],
      ["GET", "/x/prefix", 404],
      ["GET", "/x/prefi42", 404],
      ["GET", "/y/42suffix", { ok: "GET /y/{id}suffix", params: { id: "42" } }],
      ["GET", "/y/suffix", 404],
      ["GET", "/z/w-x-y-z", { ok: "GET /z/{a}-{b}-{c}", params: { a: "w-x", b: "y", c: "z" } }],
      ["GET", "/z/a-b-c", { ok: "GET /z/{a}-{b}-{c}", params: { a: "a", b: "b", c: "c" } }],
      ["GET", "/z/a---c", { ok: "GET /z/{a}-{b}-{c}", params: { a: "a", b: "-", c: "c" } }],
      ["GET", "/z/a--c", 404],
      ["GET", "/z/a-b", 404],
      ["GET", "/r/v1.2/x", { ok: "GET /r/v{major}.{minor}/{rest}", params: { major: "1", minor: "2", rest: "x" } }],
      ["GET", "/r/v1.2", 404],
      ["GET", "/r/v.2/x", 404],
    ],
  },
  {
    name: "percent-decoding of parameters; literals compared raw",
    routes: ["GET /pets/{id}", "GET /a%20b/{x}", "GET /c d/{x}"],
    requests: [
      ["GET", "/pets/a%2Fb", { ok: "GET /pets/{id}", params: { id: "a/b" } }],
      ["GET", "/pets/a%2fb", { ok: "GET /pets/{id}", params: { id: "a/b" } }],
      ["GET", "/pets/%E2%9C%93", { ok: "GET /pets/{id}", params: { id: "✓" } }],
      ["GET", "/pets/a+b", { ok: "GET /pets/{id}", params: { id: "a+b" } }],
      ["GET", "/pets/%E0%A4%A", { bad: "id" }],
      ["GET", "/pets/%", { bad: "id" }],
      ["GET", "/pets/%zz", { bad: "id" }],
      ["DELETE", "/pets/%zz", { allow: "GET, HEAD, OPTIONS" }],
      ["GET", "/%70ets/1", 404],
      ["GET", "/a%20b/1", { ok: "GET /a%20b/{x}", params: { x: "1" } }],
      ["GET", "/a b/1", 404],
      ["GET", "/c%20d/1", { ok: "GET /c d/{x}", params: { x: "1" } }],
    ],
  },
  {
    name: "unicode",
    routes: ["GET /café/{name}", "GET /日本/{x}"],
    requests: [
      ["GET", new URL("http://h/café/été").pathname, { ok: "GET /café/{name}", params: { name: "été" } }],
      ["GET", "/caf%C3%A9/%F0%9F%90%88", { ok: "GET /café/{name}", params: { name: "🐈" } }],
      ["GET", "/café/x", 404],
      ["GET", new URL("http://h/日本/東京").pathname, { ok: "GET /日本/{x}", params: { x: "東京" } }],
    ],
  },
  {
    name: "methods: exact, HEAD from GET, 405 allow lists",
    routes: ["DELETE /r", "PUT /r", "GET /r", "PATCH /r", "POST /r", "HEAD /h", "GET /h", "POST /p", "OPTIONS /o", "GET /o", "TRACE /t"],
    requests: [
      ["GET", "/r", { ok: "GET /r" }],
      ["HEAD", "/r", { ok: "GET /r" }],
      ["PATCH", "/r", { ok: "PATCH /r" }],
      ["get", "/r", { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" }],
      ["OPTIONS", "/r", { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" }],
      ["PROPFIND", "/r", { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" }],
      ["HEAD", "/h", { ok: "HEAD /h" }],
      ["GET", "/h", { ok: "GET /h" }],
      ["HEAD", "/p", { allow: "POST, OPTIONS" }],
      ["OPTIONS", "/o", { ok: "OPTIONS /o" }],
      ["DELETE", "/o", { allow: "GET, HEAD, OPTIONS" }],
      ["TRACE", "/t", { ok: "TRACE /t" }],
      ["GET", "/t", { allow: "OPTIONS, TRACE" }],
    ],
  },
  {
    name: "trailing slash",
    routes: [...PETS, "GET /x", "GET /x/|slashX", "GET /y/|slashY", "GET /q/{id}/"],
    requests: [
      ["GET", "/pets/", { ok: "GET /pets" }],
      ["GET", "/pets//", 404],
      ["GET", "/pets/1/", { ok: "GET /pets/{id}", params: { id: "1" } }],
      ["GET", "/x", { ok: "GET /x" }],
      ["GET", "/x/", { ok: "slashX" }],
      ["GET", "/y/", { ok: "slashY" }],
      ["GET", "/y", 404],
      ["GET", "/q/1/", { ok: "GET /q/{id}/", params: { id: "1" } }],
      ["GET", "/q/1", 404],
      ["GET", "/q//", 404],
    ],
  },
  {
    name: "empty segments never match parameters",
    routes: ["GET /a/{x}/b", "GET /pets/{id}", "GET /{p}"],
    requests: [
      ["GET", "/a//b", 404],
      ["GET", "/a/x/b", { ok: "GET /a/{x}/b", params: { x: "x" } }],
      ["GET", "/pets/", { ok: "GET /{p}", params: { p: "pets" } }],
      ["GET", "//pets", 404],
      ["GET", "/", 404],
    ],
  },
  {
    name: "parameter names that are Object.prototype keys",
    routes: ["GET /o/{__proto__}", "GET /c/{constructor}/{toString}"],
    requests: [
      ["GET", "/o/x", { ok: "GET /o/{__proto__}", params: { ["__proto__"]: "x" } }],
      ["GET", "/o/%41", { ok: "GET /o/{__proto__}", params: { ["__proto__"]: "A" } }],
      ["GET", "/c/a/b", { ok: "GET /c/{constructor}/{toString}", params: { constructor: "a", toString: "b" } }],
    ],
  },
];

const MODES = ["code", "table"] as const;

describe.each(MODES)("compiled matcher (%s form): shared cases", (mode) => {
  for (const c of cases) {
    it(c.name, () => {
      const routes = toRoutes(c.routes);
      const match = loadMatcher(compileMatcher(routes, { mode }));
      for (const [method, path, expected] of c.requests) {
        const want = expectedResult(routes, expected);
        const got = match(method, path);
        expect({ request: `${method} ${path}`, result: got }).toEqual({ request: `${method} ${path}`, result: want });
        if (want.status === 200 && "params" in want) {
          // Own enumerable properties exactly (toEqual ignores a `__proto__` own key).
          expect(Object.getOwnPropertyNames(got.status === 200 ? got.params : {})).toEqual(Object.getOwnPropertyNames(want.params));
          for (const name of Object.getOwnPropertyNames(want.params)) {
            expect(Object.getOwnPropertyDescriptor((got as typeof want).params, name)?.value).toBe(Object.getOwnPropertyDescriptor(want.params, name)?.value);
          }
        }
      }
    });
  }

  it("preallocates misses and parameterless hits (no allocation, frozen)", () => {
    const match = loadMatcher(compileMatcher(toRoutes(PETS), { mode }));
    expect(match("GET", "/nope")).toBe(match("GET", "/other"));
    expect(Object.isFrozen(match("GET", "/nope"))).toBe(true);
    expect(match("PUT", "/pets")).toBe(match("PATCH", "/pets"));
    expect(match("GET", "/pets")).toBe(match("GET", "/pets/"));
    expect(Object.isFrozen(match("GET", "/pets"))).toBe(true);
    expect(match("GET", "/pets/%zz")).toBe(match("GET", "/pets/%"));
    expect(match("GET", "/pets/1")).not.toBe(match("GET", "/pets/1"));
  });

  it("long paths: 10,000-character parameter, 1,000-segment requests and templates", () => {
    const deepStatic = "/" + Array.from({ length: 1000 }, (_, i) => `s${i}`).join("/");
    const deepParams = "/" + Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? `{p${i}}` : `d${i}`)).join("/");
    const routes = toRoutes([...PETS, `GET ${deepStatic}|deepStatic`, `GET ${deepParams}|deepParams`]);
    const match = loadMatcher(compileMatcher(routes, { mode }));
    const long = "x".repeat(10_000);
    expect(match("GET", `/pets/${long}`)).toEqual({ status: 200, op: 2, operationId: "GET /pets/{id}", params: { id: long } });
    expect(match("GET", "/" + Array.from({ length: 1000 }, () => "pets").join("/"))).toEqual({ status: 404 });
    expect(match("GET", deepStatic)).toMatchObject({ status: 200, operationId: "deepStatic" });
    expect(match("GET", deepStatic + "/")).toMatchObject({ status: 200, operationId: "deepStatic" });
    expect(match("GET", deepStatic.slice(0, -1))).toEqual({ status: 404 });
    const concrete = formatTemplate(parseTemplate(deepParams), (name) => `v${name}`);
    const found = match("GET", concrete);
    expect(found).toMatchObject({ status: 200, operationId: "deepParams" });
    expect(found.status === 200 && Object.keys(found.params).length).toBe(100);
    expect(found.status === 200 && found.params["p999"]).toBe("vp999");
  });

  it("generated source is a self-contained ES module exporting match", async () => {
    const source = compileMatcher(toRoutes(PETS), { mode });
    expect(source).not.toMatch(/\bimport\b/);
    expect(source.match(/\bexport\b/g)).toHaveLength(1);
    const match = await importMatcher(source);
    expect(match("GET", "/pets/7")).toEqual({ status: 200, op: 2, operationId: "GET /pets/{id}", params: { id: "7" } });
  });

  it("refuses ambiguous templates, duplicate operations and malformed templates", () => {
    expect(() => compileMatcher(toRoutes(["GET /a/{x}", "POST /a/{y}"]))).toThrow(/ambiguous path templates: \/a\/\{x\} and \/a\/\{y\}/);
    expect(() => compileMatcher(toRoutes(["GET /a", "GET /a"]))).toThrow(/declared twice/);
    for (const bad of ["pets", "/a/{b", "/a/b}", "/a/{x}{y}", "/a//b", "/a?x=1", "/a#f", "/a/{x}/{x}", "/a/{}"]) {
      expect(() => compileMatcher(toRoutes([`GET ${bad}`])), bad).toThrow(TemplateError);
    }
  });
});

describe("findAmbiguousTemplates", () => {
  const pairs = (paths: string[]): string[] => findAmbiguousTemplates(paths).map(([a, b]) => `${a} | ${b}`);

  it("same shape with different parameter names is ambiguous", () => {
    expect(pairs(["/a/{x}", "/a/{y}"])).toEqual(["/a/{x} | /a/{y}"]);
    expect(pairs(["/f/{name}.json", "/f/{id}.json"])).toEqual(["/f/{name}.json | /f/{id}.json"]);
    expect(pairs(["/a/{x}/b", "/a/{y}/b", "/a/{z}/b"])).toEqual(["/a/{x}/b | /a/{y}/b", "/a/{x}/b | /a/{z}/b", "/a/{y}/b | /a/{z}/b"]);
  });

  it("precedence decides static vs parameter and more literal text", () => {
    expect(pairs(["/certificates/activate", "/certificates/{certificate_id}"])).toEqual([]);
    expect(pairs(["/f/{name}.json", "/f/{name}.{ext}"])).toEqual([]);
    expect(pairs(["/a/{x}/b", "/a/{y}/c"])).toEqual([]);
    expect(pairs(["/pets", "/pets/"])).toEqual([]);
    expect(pairs(["/a/{x}", "/a/{x}/b"])).toEqual([]);
  });

  it("mixed segments with equal literal text that can match the same segment are ambiguous", () => {
    expect(pairs(["/v/{a}-{b}", "/v/{a}.{b}"])).toEqual(["/v/{a}-{b} | /v/{a}.{b}"]);
    expect(pairs(["/v/{a}-x", "/v/{a}.y"])).toEqual([]);
    expect(pairs(["/v/v{a}", "/v/{a}s"])).toEqual(["/v/v{a} | /v/{a}s"]);
    expect(pairs(["/v/{a}-{b}/x", "/v/{a}.{b}/x"])).toEqual(["/v/{a}-{b}/x | /v/{a}.{b}/x"]);
    expect(pairs(["/v/{a}-{b}/x", "/v/{a}.{b}/y"])).toEqual([]);
    expect(pairs(["/v/{a}-{b}/{c}", "/v/{a}.{b}/y"])).toEqual(["/v/{a}-{b}/{c} | /v/{a}.{b}/y"]);
  });
});

describe("parseTemplate / formatTemplate", () => {
  it("splits segments into literal and parameter parts, literals in URL.pathname form", () => {
    const t = parseTemplate("/files/{name}.{ext}/café/");
    expect(t.params).toEqual(["name", "ext"]);
    expect(t.segments.map((s) => [s.kind, s.shape])).toEqual([
      ["static", "files"],
      ["mixed", "{}.{}"],
      ["static", "caf%C3%A9"],
      ["static", ""],
    ]);
    expect(parseTemplate("/").segments).toEqual([]);
  });

  it("fills parameters percent-encoded", () => {
    expect(formatTemplate(parseTemplate("/a/{x}/{y}.json"), (n) => (n === "x" ? "a/b" : "é"))).toBe("/a/a%2Fb/%C3%A9.json");
    expect(formatTemplate(parseTemplate("/"), () => "")).toBe("/");
  });
});

describe("compileMatcher forms", () => {
  it("auto picks the code form for small tables and the table form from 200 templated paths", () => {
    const small = compileMatcher(toRoutes(PETS));
    expect(small).not.toContain("function $walk");
    const big = compileMatcher(Array.from({ length: 200 }, (_, i) => ({ method: "GET" as const, path: `/r${i}/{id}`, operationId: `op${i}` })));
    expect(big).toContain("function $walk");
    expect(compileMatcher(toRoutes(PETS), { mode: "table" })).toContain("function $walk");
  });

  it("table form with more parameter-name lists than per-list builders (generic builder), incl. __proto__", () => {
    const routes: RouteInput[] = Array.from({ length: 300 }, (_, i) => ({ method: "GET" as const, path: `/r${i}/{p${i}}/{q${i}}`, operationId: `op${i}` }));
    routes.push({ method: "GET", path: "/o/{__proto__}", operationId: "proto" });
    const match = loadMatcher(compileMatcher(routes, { mode: "table" }));
    expect(match("GET", "/r7/a/b%2Fc")).toEqual({ status: 200, op: 7, operationId: "op7", params: { p7: "a", q7: "b/c" } });
    expect(match("GET", "/r7/a/%zz")).toEqual({ status: 400, param: "q7" });
    const proto = match("GET", "/o/x");
    expect(proto.status === 200 && Object.getOwnPropertyDescriptor(proto.params, "__proto__")?.value).toBe("x");
    expect(proto.status === 200 && Object.getPrototypeOf(proto.params)).toBe(Object.prototype);
  });
});
