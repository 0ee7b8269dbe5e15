/**
 * The compiled matcher against a deliberately simple reference: every template as per-segment
 * regular expressions, the winner chosen by comparing all matching templates. Random route sets
 * over a tiny alphabet (so templates collide a lot) and random requests built from the same
 * pieces, plus the DigitalOcean and synthetic route sets.
 */
import { describe, expect, it } from "vitest";
import { compileMatcher, findAmbiguousTemplates, loadMatcher, parseTemplate, type RouteInput, type TemplateSegment } from "../../src/build/matcher/index.ts";
import type { HttpMethod, MatchResult } from "../../src/runtime/compiled-spec.ts";
import { digitalOceanSet } from "../fixtures/routes/digitalocean.ts";
import { random, syntheticSet } from "../fixtures/routes/synthetic.ts";
import { honoBenchSet } from "../fixtures/routes/hono-bench.ts";

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface RefTemplate {
  readonly path: string;
  /** Per segment: a regexp whose groups are the parameters, in order. */
  readonly segments: ReadonlyArray<{ readonly re: RegExp; readonly names: readonly string[]; readonly rank: readonly (number | string)[] }>;
  readonly ops: Map<string, number>;
}

/** Precedence as documented: static, then mixed by more literal text (then shape), then a bare parameter. */
function rankOf(segment: TemplateSegment): (number | string)[] {
  if (segment.kind === "static") return [0, 0, ""];
  if (segment.kind === "mixed") return [1, -segment.literalLength, segment.shape];
  return [2, 0, ""];
}

function compareRank(a: RefTemplate, b: RefTemplate): number {
  for (let i = 0; i < a.segments.length; i++) {
    const x = a.segments[i]!.rank;
    const y = b.segments[i]!.rank;
    for (let j = 0; j < 3; j++) if (x[j] !== y[j]) return x[j]! < y[j]! ? -1 : 1;
  }
  return 0;
}

function referenceMatcher(routes: readonly RouteInput[]): (method: string, path: string) => MatchResult {
  const byPath = new Map<string, RefTemplate>();
  routes.forEach((route, op) => {
    let t = byPath.get(route.path);
    if (!t) {
      const parsed = parseTemplate(route.path);
      t = {
        path: route.path,
        segments: parsed.segments.map((s) => ({
          re: new RegExp(`^${s.parts.map((p) => (p.kind === "literal" ? escape(p.text) : "(.+)")).join("")}$`),
          names: s.parts.flatMap((p) => (p.kind === "param" ? [p.name] : [])),
          rank: rankOf(s),
        })),
        ops: new Map(),
      };
      byPath.set(route.path, t);
    }
    t.ops.set(route.method, op);
  });
  const templates = [...byPath.values()];
  const find = (path: string): { t: RefTemplate; values: Array<[string, string]> } | undefined => {
    if (!path.startsWith("/")) return undefined;
    const parts = path === "/" ? [] : path.slice(1).split("/");
    let best: { t: RefTemplate; values: Array<[string, string]> } | undefined;
    for (const t of templates) {
      if (t.segments.length !== parts.length) continue;
      const values: Array<[string, string]> = [];
      const ok = t.segments.every((s, i) => {
        const m = s.re.exec(parts[i]!);
        if (!m) return false;
        s.names.forEach((name, j) => values.push([name, m[j + 1]!]));
        return true;
      });
      if (ok && (!best || compareRank(t, best.t) < 0)) best = { t, values };
    }
    return best;
  };
  return (method, path) => {
    let hit = find(path);
    if (!hit && path.length > 2 && path.endsWith("/")) hit = find(path.slice(0, -1));
    if (!hit) return { status: 404 };
    const { t, values } = hit;
    const op = t.ops.get(method) ?? (method === "HEAD" ? t.ops.get("GET") : undefined);
    if (op === undefined) {
      const methods = new Set(t.ops.keys());
      if (methods.has("GET")) methods.add("HEAD");
      methods.add("OPTIONS");
      const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];
      return { status: 405, allow: order.filter((m) => methods.has(m)).join(", ") };
    }
    const params: Record<string, string> = {};
    for (const [name, raw] of values) {
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        return { status: 400, param: name };
      }
    }
    return { status: 200, op, operationId: routes[op]!.operationId, params };
  };
}

const TEMPLATE_PIECES = ["a", "b", "ab", "ba", "a.json", "{}", "{}", "{}.json", "{}.{}", "x{}", "{}-{}", "{}-x", "v{}.{}", "%C3%A9"];
const REQUEST_PIECES = ["a", "b", "ab", "ba", "abc", "a.json", "x.json", ".json", "x.y.z", "x1", "x", "q-r", "q-r-s", "q-x", "v1.2", "%41", "a%2Fb", "%E0%A4%A", "%C3%A9", "é", "", "A"];
const METHODS: HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "HEAD"];

function randomRoutes(rnd: () => number, count: number): RouteInput[] {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const paths = new Set<string>();
  while (paths.size < count) {
    const depth = Math.floor(rnd() * 4);
    let n = 0;
    let path = depth === 0 ? "/" : "";
    for (let i = 0; i < depth; i++) path += "/" + pick(TEMPLATE_PIECES).replace(/\{\}/g, () => `{${pick(["id", "x", "name"])}${n++}}`);
    if (depth > 0 && rnd() < 0.1) path += "/";
    paths.add(path);
  }
  // Drop templates the build would refuse.
  const refused = new Set(findAmbiguousTemplates([...paths]).flatMap(([, b]) => [b]));
  const routes: RouteInput[] = [];
  for (const path of paths) {
    if (refused.has(path)) continue;
    const methods = new Set<HttpMethod>();
    const k = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < k; i++) methods.add(pick(METHODS));
    for (const method of methods) routes.push({ method, path, operationId: `${method} ${path}` });
  }
  return routes;
}

function randomRequest(rnd: () => number): [string, string] {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const depth = Math.floor(rnd() * 5);
  let path = depth === 0 ? "/" : "";
  for (let i = 0; i < depth; i++) path += "/" + pick(REQUEST_PIECES);
  if (rnd() < 0.15) path += "/";
  return [pick([...METHODS, "PATCH", "OPTIONS"]), path];
}

describe.each(["code", "table"] as const)("compiled matcher (%s form) agrees with the reference implementation", (mode) => {
  it("on 40 random route sets × 1,000 random requests", () => {
    const rnd = random(7);
    let compared = 0;
    for (let set = 0; set < 40; set++) {
      const routes = randomRoutes(rnd, 12 + Math.floor(rnd() * 30));
      const compiled = loadMatcher(compileMatcher(routes, { mode }));
      const reference = referenceMatcher(routes);
      for (let i = 0; i < 1000; i++) {
        const [method, path] = randomRequest(rnd);
        const got = compiled(method, path);
        const want = reference(method, path);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          expect({ routes: routes.map((r) => `${r.method} ${r.path}`), method, path, got }).toEqual({ routes: routes.map((r) => `${r.method} ${r.path}`), method, path, got: want });
        }
        compared++;
      }
    }
    expect(compared).toBe(40_000);
  });

  it("on the hono benchmark, DigitalOcean and synthetic 10k sets, every request and its variants", () => {
    for (const set of [honoBenchSet, digitalOceanSet(), syntheticSet(2_000)]) {
      const compiled = loadMatcher(compileMatcher(set.routes, { mode }));
      const reference = referenceMatcher(set.routes);
      for (const request of set.requests) {
        for (const [method, path] of [
          [request.method, request.path],
          ["HEAD", request.path],
          ["PATCH", request.path],
          [request.method, request.path + "/"],
          [request.method, request.path + "/x"],
          [request.method, request.path.slice(0, -1)],
          [request.method, request.path.replace(/z(\/|$)/, "%zz$1")],
        ] as const) {
          const got = compiled(method, path);
          const want = reference(method, path);
          if (JSON.stringify(got) !== JSON.stringify(want)) expect({ set: set.name, method, path, got }).toEqual({ set: set.name, method, path, got: want });
        }
      }
    }
  });
});
