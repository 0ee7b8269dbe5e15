/**
 * Every router in the route benchmark behind one interface: build from OpenAPI-style routes,
 * then `find(method, path)` → the op index of the route that answers (or -1).
 *
 * Fairness notes:
 * - Each router gets the same routes and requests. OpenAPI `{x}` becomes the router's `:x`;
 *   literals are spelled as the request pathname spells them (find-my-way, which decodes the
 *   path first, gets them as written).
 * - Routers that pick the first registered match (hono, itty-router) get the routes in our
 *   precedence order (static before templated at each level), so their first hit is the
 *   most specific one, as it is for us.
 * - Only the route lookup is timed: `find` returns the op index read from the router's result,
 *   which every contender pays alike. Our matcher does more per call than some (decodes
 *   parameters, distinguishes 405), and still is measured as-is.
 * - itty-router has no synchronous lookup: its `fetch` parses the URL and awaits handlers. Its
 *   routes table (built by itty's own `IttyRouter`, so the regexps are itty's) is walked with the
 *   exact loop `fetch` runs: method equal or ALL, then `pathname.match(regexp)`, groups as params.
 */
import { addRoute, createRouter, findRoute } from "rou3";
import { compileRouter } from "rou3/compiler";
import FindMyWay from "find-my-way";
import { TrieRouter } from "hono/router/trie-router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { IttyRouter } from "itty-router";
import { compileMatcher, compareSegments, loadMatcher, parseTemplate, type MatcherOptions, type RouteInput } from "../../src/build/matcher/index.ts";

export interface Contender {
  readonly name: string;
  /** Builds the router; throws when the router refuses the route set. */
  build(routes: readonly RouteInput[]): (method: string, path: string) => number;
}

/**
 * `{name}` → `:name` (whole segments only: none of the benchmark sets has mixed segments), and
 * literals in the form `URL.pathname` gives them (`/<upload_url>` → `/%3Cupload_url%3E`), since
 * requests are pathnames: every router is given the spelling its requests will use.
 */
function colonPath(template: string): string {
  const parsed = parseTemplate(template);
  if (parsed.segments.length === 0) return "/";
  return parsed.segments.map((s) => "/" + s.parts.map((p) => (p.kind === "literal" ? p.text : `:${p.name}`)).join("")).join("");
}

/** find-my-way decodes the request path before matching, so it gets literals as written in the spec. */
function colonPathAsWritten(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ":$1");
}

/** Route indices in our precedence order: at the first differing segment, static < mixed < param. */
function precedenceOrder(routes: readonly RouteInput[]): number[] {
  const parsed = routes.map((r) => parseTemplate(r.path).segments);
  return routes
    .map((_, i) => i)
    .sort((a, b) => {
      const x = parsed[a]!;
      const y = parsed[b]!;
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareSegments(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length || a - b;
    });
}

function brrt(name: string, options: MatcherOptions): Contender {
  return {
    name,
    build(routes) {
      const match = loadMatcher(compileMatcher(routes, options));
      return (method, path) => {
        const r = match(method, path);
        return r.status === 200 ? r.op : -1;
      };
    },
  };
}

/** The default (what the build emits), and each form forced, to show why the default is chosen. */
export const ours: Contender = brrt("brrt compiled", {});
export const oursCode: Contender = brrt("brrt (code form)", { mode: "code" });
export const oursTable: Contender = brrt("brrt (table form)", { mode: "table" });
export const oursTableNoMap: Contender = brrt("brrt (table, no static map)", { mode: "table", staticMap: false });
export const oursCodeNoMap: Contender = brrt("brrt (code, no static map)", { mode: "code", staticMap: false });

const rou3: Contender = {
  name: "rou3",
  build(routes) {
    const router = createRouter<number>();
    routes.forEach((r, i) => addRoute(router, r.method, colonPath(r.path), i));
    return (method, path) => findRoute(router, method, path)?.data ?? -1;
  },
};

const rou3Compiled: Contender = {
  name: "rou3/compiler",
  build(routes) {
    const router = createRouter<number>();
    routes.forEach((r, i) => addRoute(router, r.method, colonPath(r.path), i));
    const find = compileRouter(router);
    return (method, path) => find(method, path)?.data ?? -1;
  },
};

const findMyWay: Contender = {
  name: "find-my-way",
  build(routes) {
    const router = FindMyWay();
    const handler = (): void => {};
    routes.forEach((r, i) => router.on(r.method, colonPathAsWritten(r.path), handler, { op: i }));
    return (method, path) => (router.find(method as "GET", path)?.store as { op: number } | undefined)?.op ?? -1;
  },
};

function honoContender(name: string, make: () => TrieRouter<number> | RegExpRouter<number>): Contender {
  return {
    name,
    build(routes) {
      const router = make();
      for (const i of precedenceOrder(routes)) router.add(routes[i]!.method, colonPath(routes[i]!.path), i);
      // RegExpRouter compiles on first match and throws there if it cannot take the set.
      router.match("GET", "/");
      return (method, path) => (router.match(method, path)[0][0]?.[0] as number | undefined) ?? -1;
    },
  };
}

type IttyRoute = [method: string, regexp: RegExp, handlers: unknown[], path: string];

const itty: Contender = {
  name: "itty-router (route loop)",
  build(routes) {
    const router = IttyRouter();
    const add = router as unknown as Record<string, (path: string, handler: () => number) => unknown>;
    for (const i of precedenceOrder(routes)) add[routes[i]!.method.toLowerCase()]!(colonPath(routes[i]!.path), () => i);
    const table = router.routes as unknown as IttyRoute[];
    return (method, path) => {
      for (const [m, regexp, handlers] of table) {
        let match: RegExpMatchArray | null;
        if ((m === method || m === "ALL") && (match = path.match(regexp))) {
          void (match.groups || {});
          return (handlers[0] as () => number)();
        }
      }
      return -1;
    };
  },
};

export const contenders: readonly Contender[] = [
  ours,
  oursCode,
  oursTable,
  ...(process.env.BRRT_VARIANTS ? [oursTableNoMap, oursCodeNoMap] : []),
  rou3Compiled,
  rou3,
  findMyWay,
  honoContender("hono TrieRouter", () => new TrieRouter<number>()),
  honoContender("hono RegExpRouter", () => new RegExpRouter<number>()),
  itty,
];
