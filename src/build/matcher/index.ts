/**
 * The compiled route matcher: turns (method, path template, operationId) triples into the source
 * of an ES module exporting `match(method, pathname): MatchResult` (see `Matcher` in
 * src/runtime/compiled-spec.ts). The module is self-contained (no imports) so the build can paste
 * it into the generated spec module that workerd loads.
 *
 * Matching rules
 * - Path first, then method. The request path selects ONE path template (the most specific one
 *   that matches, below); only then is the method looked up among that template's operations.
 *   So with `POST /certificates/activate` and `GET /certificates/{id}`, `GET /certificates/activate`
 *   is a 405 (Allow: POST, OPTIONS), not the `{id}` route: this is the OpenAPI reading ("concrete
 *   paths are matched before their templated counterparts"), and the `Allow` header then tells the
 *   truth about the one resource the path names.
 * - Most specific template: segments are compared left to right; at each level a static segment
 *   beats a mixed one (`{name}.{ext}`), which beats a bare `{param}`; among mixed segments, more
 *   literal text first (`{name}.json` before `{name}.{ext}`). If a branch fails deeper, the next
 *   sibling is tried (backtracking), so `/a/b/c` still finds `/a/{x}/c` beside `/a/b/d`.
 * - Parameters: a parameter never contains `/` and is never empty, so `//` (an empty segment)
 *   matches no parameter. Within a segment, literal text splits the parameters; inner literals
 *   are placed as far right as possible, so earlier parameters are greedy: `{name}.{ext}` splits
 *   `a.b.c` into name `a.b`, ext `c` (the last `.`); `{a}-{b}-{c}` splits `w-x-y-z` into `w-x`, `y`, `z`.
 * - Encoding: the pathname is compared raw (as `URL.pathname` gives it, percent-encoded); template
 *   literals are encoded the same way at build time (`/café` compares against `/caf%C3%A9`).
 *   Parameters are `decodeURIComponent`-ed after the route is chosen, so `%2F` stays inside a
 *   parameter and becomes `/`. A malformed escape (`%E0%A4%A`) gives `{status: 400, param}`
 *   (checked after the method: a wrong method is a 405 first).
 * - Case-sensitive, byte-exact: `/Pets` is not `/pets`, `%c3%a9` is not `%C3%A9`.
 * - Methods: exact, upper-case as `Request.method` gives them. `HEAD` is served by the GET
 *   operation when the template declares no HEAD. A path with no operation for the method is a
 *   405 whose `allow` lists the declared methods, plus HEAD when GET is declared, plus OPTIONS,
 *   in the order GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE. An OPTIONS request on a path
 *   without an OPTIONS operation is such a 405 too: the runtime can answer it itself from `allow`.
 * - Trailing slash: the path is first matched exactly; if nothing matches and it ends in a single
 *   `/` (and is not `/`), it is matched again without that slash. So `/pets/` finds `/pets`, but a
 *   spec that declares `/pets/` gets its own route for it. `/pets//` finds nothing; `/` is only root.
 * - 404/405/400 results, and found results of parameterless routes, are shared frozen objects:
 *   a miss allocates nothing (the table form makes each once, on first use, instead of holding
 *   hundreds of module-level constants). Treat results as read-only.
 *
 * Templates that match the same requests with no precedence between them (`/a/{x}` vs `/a/{y}`)
 * are refused: see {@link findAmbiguousTemplates}; `compileMatcher` throws on them.
 *
 * Two forms of generated code, same rules, same results (the tests run both):
 * - `code` (codegen.ts): the trie as nested straight-line blocks. Fastest while the code stays
 *   hot in the CPU caches: hono's benchmark set ~1.4x faster than rou3/compiler.
 * - `table` (table.ts): the trie as typed arrays walked by one small function. On large tables
 *   requests spread over the whole trie, and per-node code then misses the instruction cache and
 *   runs in V8's unoptimised tiers; the table walker stays hot. DigitalOcean (267 templated
 *   paths) and the synthetic 10k set are ~2x faster than rou3/compiler in this form, while the
 *   code form is slower than rou3/compiler there. Its module is data (JSON text, split strings)
 *   and a few small functions, so V8 compiles it at start in a fraction of the time: DigitalOcean
 *   61 KB generated (the code form: ~3x that, a function per trie region).
 * `auto` (default) takes the table form from 200 templated paths (bench/route measurements).
 * Both answer fully static paths from one Map lookup first.
 */
import type { HttpMethod, Matcher } from "../../runtime/compiled-spec.ts";
import { emitMatcher, type PathEntry } from "./codegen.ts";
import { emitTableMatcher } from "./table.ts";
import { findAmbiguousTemplates } from "./ambiguity.ts";
import { parseTemplate } from "./template.ts";
import { insert, newNode } from "./trie.ts";

export { findAmbiguousTemplates, segmentsOverlap } from "./ambiguity.ts";
export { allowHeader } from "./codegen.ts";
export { loadMatcher, importMatcher } from "./load.ts";
export {
  compareSegments,
  encodePathLiteral,
  formatTemplate,
  parseTemplate,
  TemplateError,
  type LiteralPart,
  type ParamPart,
  type ParsedTemplate,
  type TemplatePart,
  type TemplateSegment,
} from "./template.ts";

/** One operation; its position in the array is its op index. */
export interface RouteInput {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
}

export interface MatcherOptions {
  /**
   * `code`: one nested block per trie node (fastest while the code stays hot in the CPU caches);
   * `table`: the trie as typed arrays walked by one small function (small module, steady speed
   * for large tables); `auto` (default): code up to {@link MatcherOptions.tableFrom} templated paths.
   */
  readonly mode?: "code" | "table" | "auto";
  /** For `auto`: number of templated (non-static) paths from which the table form is used. */
  readonly tableFrom?: number;
  /** Answer fully static paths from one Map lookup before walking the trie (default true). */
  readonly staticMap?: boolean;
  /**
   * Source characters a generated function may hold before subtrees move into functions of their
   * own. V8 does not optimise very large functions; the default keeps every function well under
   * that limit.
   */
  readonly functionBudget?: number;
}

const DEFAULT_FUNCTION_BUDGET = 4_000;
const DEFAULT_TABLE_FROM = 200;

/**
 * JS source of an ES module that declares and exports `match` (the `Matcher` signature). No
 * imports. Throws `TemplateError` for a malformed template, and an Error for ambiguous templates
 * or the same method declared twice on one template.
 */
export function compileMatcher(routes: readonly RouteInput[], options: MatcherOptions = {}): string {
  const byPath = new Map<string, { ops: Map<HttpMethod, number>; operationIds: Map<number, string> }>();
  routes.forEach((route, index) => {
    let entry = byPath.get(route.path);
    if (!entry) {
      entry = { ops: new Map(), operationIds: new Map() };
      byPath.set(route.path, entry);
    }
    if (entry.ops.has(route.method)) throw new Error(`${route.method} ${route.path} is declared twice (operations ${entry.ops.get(route.method)} and ${index})`);
    entry.ops.set(route.method, index);
    entry.operationIds.set(index, route.operationId);
  });
  const ambiguous = findAmbiguousTemplates([...byPath.keys()]);
  if (ambiguous.length > 0) {
    throw new Error(`ambiguous path templates: ${ambiguous.map(([a, b]) => `${a} and ${b}`).join("; ")}`);
  }
  const entries: PathEntry[] = [...byPath].map(([path, entry]) => ({ template: parseTemplate(path), ...entry }));
  const isStatic = (e: PathEntry): boolean => e.template.segments.every((s) => s.kind === "static");
  const templated = entries.filter((e) => !isStatic(e)).length;
  const mode = options.mode === "code" || options.mode === "table" ? options.mode : templated >= (options.tableFrom ?? DEFAULT_TABLE_FROM) ? "table" : "code";
  const staticMap = options.staticMap ?? true;
  const root = newNode<PathEntry>(0);
  const statics: PathEntry[] = [];
  for (const entry of entries) {
    if (staticMap && isStatic(entry)) statics.push(entry);
    else insert(root, entry);
  }
  if (mode === "table") return emitTableMatcher(root, statics);
  return emitMatcher(root, statics, { functionBudget: options.functionBudget ?? DEFAULT_FUNCTION_BUDGET });
}

export type { HttpMethod, Matcher };
