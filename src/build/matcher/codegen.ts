/**
 * The "code" form of the matcher: straight-line JavaScript, one nested block per trie node, so
 * the work per request grows with the number of path segments, not the number of routes.
 *
 * Shape of the generated code (index.ts has the matching rules it implements):
 * - fully static templates are not in the walk at all: one `Map` from pathname to a per-method
 *   result array answers them (`$S`, also used by the table form);
 * - static children of a node form a character radix tree over the segment: shared prefixes are
 *   compared once with `charCodeAt`, branches `switch` on one character code, a literal matches
 *   when the segment ends right after it; no substring is made and no builtin is called
 *   (a builtin call such as startsWith/indexOf measured ~20 ns here, an inline compare 1-3 ns);
 * - a node with templated children finds its segment end once with `indexOf("/")`;
 * - mixed segments (`{name}.{ext}`) check their literal prefix/suffix, then place the inner
 *   literals with `lastIndexOf` from the right;
 * - a bare `{param}` accepts any non-empty segment;
 * - parameters are remembered as (start, end) positions in locals and sliced only when a route
 *   is found, by a small builder per parameter-name list (an object literal: stable shapes);
 * - failing a branch falls through to the next sibling (backtracking costs nothing extra);
 * - subtrees are outlined into functions when a function would grow past a budget, so every
 *   function stays small enough for V8's optimising compiler;
 * - 404/405/400 results, and found results of parameterless routes, are frozen and shared: the
 *   404 and parameterless templated routes' results are module constants; 405s (one per `Allow`
 *   value), 400s (one per parameter name) and static paths' result arrays are made on first use,
 *   so the module's top level holds no constant per operation (V8 compiles and runs it at start).
 *
 * Fastest while the generated code stays hot in the CPU caches (small and medium tables); for
 * large tables see table.ts.
 */
import type { HttpMethod } from "../../runtime/compiled-spec.ts";
import { orderedChildren, type TrieEntry, type TrieNode } from "./trie.ts";
import type { TemplateSegment } from "./template.ts";

/** A template with the operations declared on it. */
export interface PathEntry extends TrieEntry {
  /** method → operation index. */
  readonly ops: ReadonlyMap<HttpMethod, number>;
  /** operation index → operationId. */
  readonly operationIds: ReadonlyMap<number, string>;
}

export interface CodegenOptions {
  /** Source characters per generated function before subtrees are outlined. */
  readonly functionBudget: number;
}

/** Order of methods in `Allow` and of the method tests in generated code. */
export const METHOD_ORDER: readonly HttpMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];

/** `Allow` value for a path with these declared methods: plus HEAD when GET is there, plus OPTIONS. */
export function allowHeader(methods: Iterable<HttpMethod>): string {
  const set = new Set<HttpMethod>(methods);
  if (set.has("GET")) set.add("HEAD");
  set.add("OPTIONS");
  return METHOD_ORDER.filter((m) => set.has(m)).join(", ");
}

interface Plan {
  readonly child: TrieNode<PathEntry>;
  /** Parameters captured once this child's segment matched. */
  readonly captures: readonly Capture[];
  /** Code for the child's own children (inline, or a call to an outlined function). */
  next: string;
}

/** Literal runs around the parameters of a mixed segment: `lits[j]` precedes parameter j, the last one follows the last parameter. */
function splitMixed(segment: TemplateSegment): { lits: string[]; names: string[] } {
  const lits: string[] = [];
  const names: string[] = [];
  let pending = "";
  for (const part of segment.parts) {
    if (part.kind === "literal") pending += part.text;
    else {
      lits.push(pending);
      names.push(part.name);
      pending = "";
    }
  }
  lits.push(pending);
  return { lits, names };
}

/** Variables holding the positions of the parameters a segment captures (see Emitter.mixed). */
function capturesOf(segment: TemplateSegment, s: string, e: string, depth: number): Capture[] {
  if (segment.kind === "static") return [];
  if (segment.kind === "param") return [{ name: (segment.parts[0] as { name: string }).name, start: s, end: e }];
  return splitMixed(segment).names.map((name, j) => ({ name, start: `a${depth}_${j}`, end: `b${depth}_${j}` }));
}

/** A captured parameter: identifiers of the variables holding its start and end positions. */
interface Capture {
  readonly name: string;
  readonly start: string;
  readonly end: string;
}

const str = (s: string): string => JSON.stringify(s);
/** Object-literal key; `__proto__` must be computed or it would set the prototype. */
const key = (name: string): string => (name === "__proto__" ? '["__proto__"]' : str(name));

class Emitter {
  private readonly decls: string[] = [];
  private readonly functions: string[] = [];
  private readonly interned = new Map<string, string>();
  /** Result builders, one per list of parameter names. */
  private readonly builders = new Map<string, string>();
  private readonly operationIds: string[] = [];
  private counter = 0;

  constructor(private readonly options: CodegenOptions) {}

  /** A module-level constant, shared by every site that needs the same value. */
  private constant(expr: string): string {
    let name = this.interned.get(expr);
    if (!name) {
      name = `$c${this.interned.size}`;
      this.interned.set(expr, name);
      this.decls.push(`const ${name}=${expr};`);
    }
    return name;
  }

  /**
   * A function building the found result for a list of parameter names: slices the values,
   * and decodes them only when one holds a `%` (the rare, slower path through `$dec`).
   */
  private builder(names: readonly string[]): string {
    const id = JSON.stringify(names);
    let name = this.builders.get(id);
    if (name) return name;
    name = `$b${this.builders.size}`;
    this.builders.set(id, name);
    const positions = names.map((_, i) => `a${i},b${i}`).join(",");
    const slices = names.map((_, i) => `v${i}=p.slice(a${i},b${i})`).join(",");
    const clean = names.map((_, i) => `v${i}.indexOf("%")<0`).join("&&");
    const params = names.map((n, i) => `${key(n)}:v${i}`).join(",");
    const table = this.constant(`[${names.map(str).join(",")}]`);
    const values = names.map((_, i) => `v${i}`).join(",");
    this.functions.push(
      `function ${name}(o,p,${positions}){const ${slices};if(${clean})return{status:200,op:o,operationId:$O[o],params:{${params}}};return $dec(o,${table},[${values}]);}`,
    );
    return name;
  }

  private found(op: number, operationId: string, captures: readonly Capture[]): string {
    this.operationIds[op] = operationId;
    if (captures.length === 0) return `return ${this.constant(`Object.freeze({status:200,op:${op},operationId:${str(operationId)},params:$E})`)};`;
    const positions = captures.map((c) => `${c.start},${c.end}`).join(",");
    return `return ${this.builder(captures.map((c) => c.name))}(${op},p,${positions});`;
  }

  /** Code run when the path ends exactly at this node: choose by method, or 405. */
  private terminal(entry: PathEntry, trieCaptures: readonly Capture[]): string {
    // The trie shares nodes across parameter names (`/a/{id}` and `/a/{app_id}/b` share `{}`):
    // positions come from the path walked, names from the template that ends here.
    const captures = trieCaptures.map((c, i) => ({ ...c, name: entry.template.params[i]! }));
    let code = "";
    for (const method of METHOD_ORDER) {
      const op = entry.ops.get(method);
      if (op === undefined) continue;
      const test = method === "GET" && !entry.ops.has("HEAD") ? `m==="GET"||m==="HEAD"` : `m===${str(method)}`;
      code += `if(${test})${this.found(op, entry.operationIds.get(op)!, captures)}`;
    }
    return code + `return $405(${allowMask(entry.ops.keys())});`;
  }

  /** Code for having matched `plan.child`'s segment, which ends at `end`. */
  private continuation(plan: Plan, end: string): string {
    const entry = plan.child.terminal[0];
    const s = `s${plan.child.depth}`;
    if (entry && plan.next) return `if(${end}===n){${this.terminal(entry, plan.captures)}}{const ${s}=${end}+1;${plan.next}}`;
    if (entry) return `if(${end}===n){${this.terminal(entry, plan.captures)}}`;
    if (plan.next) return `if(${end}!==n){const ${s}=${end}+1;${plan.next}}`;
    return "";
  }

  /** Moves `code` (a node's children, entered with segment start `s`) into its own function. */
  private outline(code: string, s: string, captures: readonly Capture[]): string {
    const name = `$t${this.counter++}`;
    const args = ["m", "p", "n", s, ...new Set(captures.flatMap((c) => [c.start, c.end]))].join(",");
    this.functions.push(`function ${name}(${args}){${code}}`);
    return `{const r=${name}(${args});if(r!==undefined)return r;}`;
  }

  /**
   * Code trying `node`'s children against the segment starting at variable `s` (there is one:
   * `s` is just past a `/`). Grandchildren code is generated first; the biggest pieces are
   * outlined into functions until what stays inline fits the budget.
   */
  private children(node: TrieNode<PathEntry>, s: string, captures: readonly Capture[]): string {
    const d = node.depth;
    const e = `e${d}`;
    const plans: Plan[] = orderedChildren(node).map((child) => {
      const caps = [...captures, ...capturesOf(child.segment!, s, e, child.depth)];
      const next = child.children.size > 0 ? this.children(child, `s${child.depth}`, caps) : "";
      return { child, captures: caps, next };
    });
    let total = plans.reduce((n, p) => n + p.next.length, 0);
    for (const plan of [...plans].sort((a, b) => b.next.length - a.next.length)) {
      if (total <= this.options.functionBudget || plan.next.length < 200) break;
      const stub = this.outline(plan.next, `s${plan.child.depth}`, plan.captures);
      total -= plan.next.length - stub.length;
      plan.next = stub;
    }
    const statics = plans.filter((p) => p.child.segment!.kind === "static");
    const templated = plans.filter((p) => p.child.segment!.kind !== "static");
    let code = "";
    const empty = statics.find((p) => p.child.segment!.shape === "");
    // An empty segment only exists as the last one (`/pets/`), and is a match only at the end.
    if (empty) code += this.continuation(empty, s);
    const named = statics.filter((p) => p.child.segment!.shape !== "");
    if (named.length > 0) code += this.radix(named, s, 0);
    if (templated.length > 0) code += `let ${e}=p.indexOf("/",${s});if(${e}<0)${e}=n;`;
    for (const plan of templated) {
      code += plan.child.segment!.kind === "param" ? `if(${e}>${s}){${this.continuation(plan, e)}}` : this.mixed(plan, s, e);
    }
    return code;
  }

  /**
   * Static siblings as a character radix tree over the segment: shared prefixes are compared
   * once, branches `switch` on one character code, and a literal matches when the segment ends
   * right after it (end of path or `/`). No substring is made, no builtin is called.
   */
  private radix(plans: readonly Plan[], s: string, offset: number): string {
    let code = "";
    const at = (i: number): string => (i === 0 ? s : `${s}+${i}`);
    const here = plans.find((p) => p.child.segment!.shape.length === offset);
    if (here) code += `if(${at(offset)}===n||p.charCodeAt(${at(offset)})===47){${this.continuation(here, `(${at(offset)})`)}}`;
    const longer = plans.filter((p) => p.child.segment!.shape.length > offset);
    if (longer.length === 0) return code;
    const texts = longer.map((p) => p.child.segment!.shape);
    let common = 0;
    while (texts.every((t) => t.length > offset + common && t.charCodeAt(offset + common) === texts[0]!.charCodeAt(offset + common))) common++;
    if (common > 0) {
      const chain = [];
      for (let i = offset; i < offset + common; i++) chain.push(`p.charCodeAt(${at(i)})===${texts[0]!.charCodeAt(i)}`);
      return code + `if(${chain.join("&&")}){${this.radix(longer, s, offset + common)}}`;
    }
    code += `switch(p.charCodeAt(${at(offset)})){`;
    for (const [c, group] of groupBy(longer, (p) => p.child.segment!.shape.charCodeAt(offset))) {
      code += `case ${c}:{${this.radix(group, s, offset + 1)}break;}`;
    }
    return code + "}";
  }

  /**
   * A segment like `{name}.{ext}`: literal prefix and suffix at fixed places, inner literals found
   * from the right with lastIndexOf, so earlier parameters take as much as they can
   * (`a.b.c` → name `a.b`, ext `c`). Every parameter is non-empty.
   */
  private mixed(plan: Plan, s: string, e: string): string {
    const segment = plan.child.segment!;
    const d = plan.child.depth;
    const { lits } = splitMixed(segment);
    const k = lits.length - 1;
    const first = lits[0]!;
    const last = lits[k]!;
    const conds = [`${e}-${s}>=${segment.literalLength + k}`];
    if (first) conds.push(`p.startsWith(${str(first)},${s})`);
    if (last) conds.push(`p.startsWith(${str(last)},${e}-${last.length})`);
    // Params right to left: param j spans [a_j, b_j).
    let body = `const b${d}_${k - 1}=${e}-${last.length};`;
    let close = "";
    for (let j = k - 1; j >= 1; j--) {
      const lit = lits[j]!;
      // Fewest characters before this literal: prefix, params 0..j-1 (one or more each), literals between them.
      let minBefore = first.length + j;
      for (let i = 1; i < j; i++) minBefore += lits[i]!.length;
      body += `const x${d}_${j}=p.lastIndexOf(${str(lit)},b${d}_${j}-1-${lit.length});if(x${d}_${j}>=${s}+${minBefore}){const a${d}_${j}=x${d}_${j}+${lit.length},b${d}_${j - 1}=x${d}_${j};`;
      close += "}";
    }
    body += `const a${d}_0=${s}+${first.length};`;
    return `if(${conds.join("&&")}){${body}${this.continuation(plan, e)}${close}}`;
  }

  /**
   * Fully static templates go in one Map from pathname to a per-method result array (index from
   * `$mi`, the last slot is the 405): one hash lookup instead of a character walk, and they leave
   * the trie (and the generated code) entirely. The Map starts as pathname → row index; a path's
   * result array is made on its first request ($static), so the module holds no constant per
   * static operation (V8 compiles and runs the module's top level at worker start).
   */
  private staticTable(statics: readonly PathEntry[]): string {
    const paths = statics.map((entry) => (entry.template.segments.length === 0 ? "/" : "/" + entry.template.segments.map((s) => s.shape).join("/")));
    // A pathname literal is percent-encoded: it never holds a space (a request's pathname has %20).
    if (paths.some((p) => p.includes(" "))) throw new Error("static path with a raw space");
    for (const entry of statics) for (const [op, id] of entry.operationIds) this.operationIds[op] = id;
    const rows = statics.map((entry) => opRow(entry.ops));
    return [
      `const $SD=${str(rows.join(" "))}.split(" ");`,
      `const $S=new Map();{const a=${str(paths.join(" "))}.split(" ");for(let i=0;i<${paths.length};i++)$S.set(a[i],i);}`,
    ].join("\n");
  }

  emit(root: TrieNode<PathEntry>, statics: readonly PathEntry[]): string {
    const rootEntry = root.terminal[0];
    const rootCode = rootEntry ? this.terminal(rootEntry, []) : "return;";
    const kids = root.children.size > 0 ? this.children(root, "s0", []) : "";
    const walk = `function $w(m,p,n){if(p.charCodeAt(0)!==47)return;if(n===1){${rootCode}}const s0=1;${kids}}`;
    const table = this.staticTable(statics);
    const ids = Array.from(this.operationIds, (id) => (id === undefined ? "" : str(id))).join(",");
    return [
      "const $NF=Object.freeze({status:404});",
      "const $E=Object.freeze({});",
      `const $O=[${ids}];`,
      ...this.decls,
      `const $M=${JSON.stringify(METHOD_ORDER)};`,
      "const $A=[];",
      "const $B=new Map();",
      `const $SF=[];`,
      table,
      METHOD_INDEX_SOURCE,
      RESULT_SOURCES,
      DECODE_SOURCE,
      ...this.functions,
      walk,
      MATCH_SOURCE,
      "export { match };",
      "",
    ].join("\n");
  }
}

/** Method → slot in a static result array; unknown methods get the 405 slot. */
const METHOD_INDEX_SOURCE = `function $mi(m){switch(m){${METHOD_ORDER.map((m, i) => `case ${str(m)}:return ${i};`).join("")}}return ${METHOD_ORDER.length};}`;

/** The rare path: some parameter holds a `%`. Decodes each, or answers 400 naming the first bad one. */
const DECODE_SOURCE =
  "function $dec(op,names,values){const params={};" +
  "for(let i=0;i<names.length;i++){let v=values[i];" +
  'if(v.indexOf("%")>=0){try{v=decodeURIComponent(v)}catch{return $bad(names[i])}}' +
  "Object.defineProperty(params,names[i],{value:v,enumerable:true,writable:true,configurable:true})}" +
  "return{status:200,op,operationId:$O[op],params};}";

/** Exact path first (static table, then the walk); then, for a trailing `/`, the same without it. */
const MATCH_SOURCE =
  'function match(m,p){let h=$S.get(p);if(h!==undefined){if(typeof h==="number")h=$static(p,h);return h[$mi(m)];}const n=p.length;let r=$w(m,p,n);if(r!==undefined)return r;' +
  'if(n>2&&p.charCodeAt(n-1)===47){const q=p.slice(0,-1);h=$S.get(q);if(h!==undefined){if(typeof h==="number")h=$static(q,h);return h[$mi(m)];}r=$w(m,p,n-1);if(r!==undefined)return r;}return $NF;}';

const W = METHOD_ORDER.length;
const OPTIONS_BIT = 1 << METHOD_ORDER.indexOf("OPTIONS");

/** Bit i set when `Allow` lists METHOD_ORDER[i] (see {@link allowHeader}): the key of the shared 405. */
export function allowMask(methods: Iterable<HttpMethod>): number {
  const allow = allowHeader(methods).split(", ");
  return METHOD_ORDER.reduce((mask, method, i) => (allow.includes(method) ? mask | (1 << i) : mask), 0);
}

/**
 * A path's operations by method slot, as the generated code decodes them: `<slot digit><op>`
 * entries joined by ","; HEAD is left out when GET serves it (the decoder fills it from GET).
 */
export function opRow(ops: ReadonlyMap<HttpMethod, number>): string {
  return METHOD_ORDER.flatMap((method, slot) => (ops.has(method) ? [`${slot}${ops.get(method)}`] : [])).join(",");
}

/**
 * Results made on first use, then shared: the 405 per `Allow` value ($405 by method mask), the
 * 400 per parameter name ($bad), a static path's result array ($static: found results of its
 * operations, frozen, kept per op in $SF; its 405 last).
 */
const RESULT_SOURCES = [
  `function $405(k){return $A[k]||($A[k]=Object.freeze({status:405,allow:$M.filter((_,i)=>k>>i&1).join(", ")}));}`,
  "function $bad(n){let r=$B.get(n);if(r===undefined)$B.set(n,r=Object.freeze({status:400,param:n}));return r;}",
  `function $static(p,j){const ops=[${new Array(W).fill(-1).join(",")}];for(const x of $SD[j].split(","))ops[x.charCodeAt(0)-48]=+x.slice(1);if(ops[1]<0)ops[1]=ops[0];` +
    `let k=${OPTIONS_BIT};for(let i=0;i<${W};i++)if(ops[i]>=0)k|=1<<i;const a=$405(k),r=[];` +
    `for(let i=0;i<${W};i++){const o=ops[i];r.push(o<0?a:$SF[o]||($SF[o]=Object.freeze({status:200,op:o,operationId:$O[o],params:$E})));}r.push(a);$S.set(p,r);return r;}`,
].join("\n");

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function emitMatcher(root: TrieNode<PathEntry>, statics: readonly PathEntry[], options: CodegenOptions): string {
  return new Emitter(options).emit(root, statics);
}
