/**
 * The table form's start-up shape (compact data, results made on first use): the results stay
 * exactly those of the code form (deep-equal, frozen where frozen, the same shared objects where
 * the code form shares them), name lists survive any characters, and the DigitalOcean module
 * stays small.
 */
import { describe, expect, it } from "vitest";
import { compileMatcher, formatTemplate, loadMatcher, parseTemplate, type RouteInput } from "../../src/build/matcher/index.ts";
import { nameList, separatorFor } from "../../src/build/matcher/compact.ts";
import type { HttpMethod, MatchResult } from "../../src/runtime/compiled-spec.ts";
import { digitalOceanSet, loadDigitalOceanRoutes } from "../fixtures/routes/digitalocean.ts";

const evaluate = (expression: string): unknown => new Function(`"use strict";return ${expression};`)();

describe("nameList", () => {
  it("round-trips names through one split string, whatever they hold", () => {
    for (const names of [["a", "b"], ["GET /pets", "x,y", ""], ["", ""], ["only"], ["a b", "c,d", "e|f", "g\th", "i\nj", "k\u0001l"]]) {
      expect(evaluate(nameList(names))).toEqual(names);
    }
    expect(nameList(["a", "b"])).toBe('"a b".split(" ")');
    expect(nameList(["a b"])).toBe('"a b".split(",")');
  });

  it("falls back to an array literal when every separator occurs, and for no names", () => {
    const names = ["a b", "c,d", "e|f", "g\th", "i\nj", "k\u0001l", "m\u0002n"];
    expect(separatorFor(names, [" ", ",", "|", "\t", "\n", "\u0001", "\u0002"])).toBeUndefined();
    expect(nameList(names)).toBe(JSON.stringify(names));
    expect(evaluate(nameList(names))).toEqual(names);
    expect(evaluate(nameList([]))).toEqual([]);
  });
});

/** Every way a result can be told apart: value, frozen-ness of it and of its params. */
function shape(result: MatchResult): unknown {
  return { result, frozen: Object.isFrozen(result), paramsFrozen: result.status === 200 ? Object.isFrozen(result.params) : null };
}

describe("table form results equal the code form's", () => {
  it("on every DigitalOcean request, its trailing-slash, HEAD, wrong-method and bad-escape variants", () => {
    const set = digitalOceanSet();
    const table = loadMatcher(compileMatcher(set.routes, { mode: "table" }));
    const code = loadMatcher(compileMatcher(set.routes, { mode: "code" }));
    let compared = 0;
    for (const request of set.requests) {
      const paths = [request.path, request.path + "/", request.path + "//", request.path.replace(/\/[^/]*$/, "/%E0%A4%A"), request.path + "/x"];
      for (const path of paths) {
        for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "get", "CONNECT"]) {
          expect(shape(table(method, path))).toEqual(shape(code(method, path)));
          compared++;
        }
      }
    }
    expect(compared).toBe(set.requests.length * 50);
  });

  it("gives the same results from a per-list builder as from the generic one: plain, percent-encoded, malformed, __proto__", () => {
    const plain: RouteInput[] = [
      { method: "GET", path: "/items/{id}", operationId: "getItem" },
      { method: "GET", path: "/items/{id}/parts/{part}", operationId: "getPart" },
    ];
    // A __proto__ name cannot be an object literal key: a table holding one builds every result generically.
    const odd: RouteInput[] = [...plain, { method: "GET", path: "/odd/{__proto__}", operationId: "getOdd" }];
    expect(compileMatcher(plain, { mode: "table" })).toMatch(/^function \$b1\(/m);
    expect(compileMatcher(odd, { mode: "table" })).not.toMatch(/^function \$b0\(/m);
    for (const routes of [plain, odd]) {
      const table = loadMatcher(compileMatcher(routes, { mode: "table" }));
      const code = loadMatcher(compileMatcher(routes, { mode: "code" }));
      for (const path of ["/items/42", "/items/a%20b", "/items/%E0%A4%A", "/items/1/parts/x%2Fy", "/items/1/parts/%ZZ", "/odd/v", "/odd/%41"]) {
        expect(shape(table("GET", path))).toEqual(shape(code("GET", path)));
      }
      expect(table("GET", "/items/1/parts/x%2Fy")).toMatchObject({ status: 200, params: { id: "1", part: "x/y" } });
    }
    expect(Object.keys((loadMatcher(compileMatcher(odd, { mode: "table" }))("GET", "/odd/v") as { params: object }).params)).toEqual(["__proto__"]);
  });

  it("shares the objects the code form shares: parameterless hits, 405s by Allow value, 400s by parameter name", () => {
    const routes: RouteInput[] = [
      { method: "GET", path: "/a", operationId: "getA" },
      { method: "PUT", path: "/a", operationId: "putA" },
      { method: "GET", path: "/b", operationId: "getB" },
      { method: "GET", path: "/c/{id}/d", operationId: "getD" },
      { method: "GET", path: "/e/{id}", operationId: "getE" },
      { method: "GET", path: "/f/{id}", operationId: "getF" },
      { method: "POST", path: "/f/{id}", operationId: "postF" },
    ];
    for (const mode of ["code", "table"] as const) {
      for (const staticMap of [true, false]) {
        const match = loadMatcher(compileMatcher(routes, { mode, staticMap }));
        const getA = match("GET", "/a");
        expect(getA).toEqual({ status: 200, op: 0, operationId: "getA", params: {} });
        expect(Object.isFrozen(getA) && Object.isFrozen((getA as { params: object }).params)).toBe(true);
        // Repeat, HEAD served by GET, trailing slash: the same object.
        expect(match("GET", "/a")).toBe(getA);
        expect(match("HEAD", "/a")).toBe(getA);
        expect(match("GET", "/a/")).toBe(getA);
        // Parameterless results of different operations share the empty params object.
        expect((match("GET", "/b") as { params: object }).params).toBe((getA as { params: object }).params);
        // 405: one object per Allow value, across paths; a different Allow value, a different object.
        const b405 = match("POST", "/b");
        expect(b405).toEqual({ status: 405, allow: "GET, HEAD, OPTIONS" });
        expect(match("DELETE", "/e/1")).toBe(b405);
        expect(match("POST", "/c/1/d")).toBe(b405);
        expect(match("OPTIONS", "/b/")).toBe(b405);
        expect(match("BREW", "/b")).toBe(b405);
        expect(Object.isFrozen(b405)).toBe(true);
        expect(match("POST", "/a")).toEqual({ status: 405, allow: "GET, HEAD, PUT, OPTIONS" });
        expect(match("POST", "/a")).not.toBe(b405);
        // 400: one object per parameter name, across templates.
        const bad = match("GET", "/e/%zz");
        expect(bad).toEqual({ status: 400, param: "id" });
        expect(match("GET", "/c/%E0%A4%A/d")).toBe(bad);
        expect(match("POST", "/f/%")).toBe(bad);
        expect(Object.isFrozen(bad)).toBe(true);
        // With parameters: a fresh, unfrozen object each time.
        const e1 = match("GET", "/e/1");
        expect(e1).toEqual({ status: 200, op: 4, operationId: "getE", params: { id: "1" } });
        expect(match("GET", "/e/1")).not.toBe(e1);
        expect(Object.isFrozen(e1)).toBe(false);
        // A miss is the shared 404.
        expect(match("GET", "/zzz")).toBe(match("PUT", "/yyy"));
      }
    }
  });

  it("keeps operationIds, parameter names and static paths that hold separator characters", () => {
    const odd = ["GET /x y", "a,b", "c|d", "e\tf", "g\nh", "i\u0001j", "k\u0002l", "", "\u00e9\u{1F600}"];
    const routes: RouteInput[] = odd.map((operationId, i) => ({ method: "GET" as HttpMethod, path: `/s${i}/a,b|c%20d`, operationId }));
    routes.push({ method: "GET", path: "/p/{a b}/{c,d}/{e|f}.{g\"h}", operationId: "params" });
    routes.push({ method: "GET", path: "/q/{x}", operationId: "q" });
    for (const mode of ["code", "table"] as const) {
      const match = loadMatcher(compileMatcher(routes, { mode }));
      odd.forEach((operationId, op) => expect(match("GET", `/s${op}/a,b|c%20d`)).toEqual({ status: 200, op, operationId, params: {} }));
      expect(match("GET", "/p/1/2/3.4")).toEqual({ status: 200, op: odd.length, operationId: "params", params: { "a b": "1", "c,d": "2", "e|f": "3", 'g"h': "4" } });
      expect(match("GET", "/p/1/%zz/3.4")).toEqual({ status: 400, param: "c,d" });
      expect(match("GET", "/q/%C3%A9")).toEqual({ status: 200, op: odd.length + 1, operationId: "q", params: { x: "é" } });
    }
  });
});

describe("DigitalOcean table-form module size (start-up cost: V8 compiles it at worker start)", () => {
  it("stays data, not code: no per-operation constants; one small builder per parameter-name list", () => {
    const routes = loadDigitalOceanRoutes();
    const source = compileMatcher(routes);
    expect(source).toContain("function $walk");
    // Was 132 KB with 552 result constants and 110 builders in bigger form (Dec 2026); ~53 KB
    // with the generic builder only; ~73 KB with the 110 list builders back (~20 % faster matching).
    expect(source.length).toBeLessThan(80_000);
    expect(source.match(/Object\.freeze\(/g)?.length ?? 0).toBeLessThanOrEqual(6);
    const lists = new Set(routes.map((r) => JSON.stringify(parseTemplate(r.path).params)).filter((l) => l !== "[]"));
    expect(source.match(/^function \$b\d+\(/gm)?.length).toBe(lists.size);
    expect(source.match(/^function (?!\$b\d+\()/gm)?.length ?? 0).toBeLessThan(20);
    // Every operation is still routed.
    const match = loadMatcher(source);
    routes.forEach((route, op) => {
      const path = formatTemplate(parseTemplate(route.path), () => "v");
      expect(match(route.method, path)).toMatchObject({ status: 200, op, operationId: route.operationId });
    });
  });
});

describe("table form method rows decoded on first use", () => {
  it("answers by method whichever request reaches a terminal first: 405, unknown method, HEAD, static row", () => {
    const routes: RouteInput[] = [
      { method: "GET", path: "/t/{id}", operationId: "getT" },
      { method: "HEAD", path: "/h/{id}", operationId: "headH" },
      { method: "GET", path: "/h/{id}", operationId: "getH" },
      { method: "TRACE", path: "/x/{id}", operationId: "traceX" },
      { method: "DELETE", path: "/s", operationId: "deleteS" },
    ];
    const firsts: Array<[string, string]> = [["POST", "/t/1"], ["BREW", "/t/1"], ["HEAD", "/t/1"], ["GET", "/t/1"]];
    for (const [method, path] of firsts) {
      const match = loadMatcher(compileMatcher(routes, { mode: "table" }));
      const code = loadMatcher(compileMatcher(routes, { mode: "code" }));
      // The first request decides nothing: every later answer is the code form's.
      expect(match(method, path)).toEqual(code(method, path));
      for (const m of ["GET", "HEAD", "POST", "DELETE", "TRACE", "OPTIONS", "BREW"]) {
        for (const p of ["/t/1", "/h/1", "/x/1", "/s", "/s/"]) expect(match(m, p)).toEqual(code(m, p));
      }
    }
    const match = loadMatcher(compileMatcher(routes, { mode: "table" }));
    expect(match("HEAD", "/h/1")).toMatchObject({ operationId: "headH" });
    expect(match("HEAD", "/t/1")).toMatchObject({ operationId: "getT" });
    expect(match("GET", "/x/1")).toEqual({ status: 405, allow: "OPTIONS, TRACE" });
    expect(match("GET", "/s")).toEqual({ status: 405, allow: "DELETE, OPTIONS" });
  });
});
