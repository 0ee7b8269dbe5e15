/**
 * The DigitalOcean public API (read in place from ../shared/corpus): its templates are not
 * ambiguous for our precedence, and every operation is found from a concrete request made by
 * filling each parameter with a sample value, with that value decoded back.
 */
import { describe, expect, it } from "vitest";
import { compileMatcher, findAmbiguousTemplates, loadMatcher, parseTemplate } from "../../src/build/matcher/index.ts";
import { loadDigitalOceanRoutes } from "../fixtures/routes/digitalocean.ts";

describe("DigitalOcean route table", () => {
  const routes = loadDigitalOceanRoutes();

  it("has its ~660 operations on ~445 templates, none ambiguous", () => {
    expect(routes.length).toBeGreaterThan(600);
    const templates = [...new Set(routes.map((r) => r.path))];
    expect(templates.length).toBeGreaterThan(400);
    expect(findAmbiguousTemplates(templates)).toEqual([]);
    // The trap the corpus README names: a static segment beside a templated one at the same level.
    const parsed = templates.map((t) => parseTemplate(t).segments.map((s) => s.shape));
    const staticBesideParam = parsed.filter((a) => parsed.some((b) => a.length === b.length && a.at(-1) !== "{}" && b.at(-1) === "{}" && a.slice(0, -1).join("/") === b.slice(0, -1).join("/")));
    expect(staticBesideParam.length).toBeGreaterThan(0);
  });

  it.each(["code", "table"] as const)("routes every template to itself, parameters decoded (%s form)", (mode) => {
    const match = loadMatcher(compileMatcher(routes, { mode }));
    routes.forEach((route, op) => {
      const template = parseTemplate(route.path);
      const values = new Map(template.params.map((name, i) => [name, `v ${i}/é`]));
      const path = "/" + template.segments.map((s) => s.parts.map((p) => (p.kind === "literal" ? p.text : encodeURIComponent(values.get(p.name)!))).join("")).join("/");
      const got = match(route.method, path);
      expect(got).toEqual({ status: 200, op, operationId: route.operationId, params: Object.fromEntries(values) });
      if (route.method === "GET") expect(match("HEAD", path)).toMatchObject({ status: 200 });
    });
  });

  it("answers 405 with an Allow list for a method the path lacks", () => {
    const match = loadMatcher(compileMatcher(routes));
    const got = match("TRACE", "/v2/account/keys/123");
    expect(got).toEqual({ status: 405, allow: "GET, HEAD, PUT, DELETE, OPTIONS" });
  });
});
