/**
 * The data-driven form of the matcher ("table" mode): the same rules as the generated code in
 * codegen.ts, but the trie is data (typed arrays) walked by one small generic function, so the
 * module stays small and the hot code fits in the CPU's instruction cache however many routes
 * there are. Large route tables spread requests over the whole trie; there, code that is the
 * same for every request beats code specialised per node (measured: bench/route).
 *
 * Per trie level the walker scans the segment once with charCodeAt, hashing it as it goes
 * (h = h*31 + c); static children live in one open-addressing table keyed by (node, hash) and are
 * confirmed with `startsWith`; then mixed segments (generic, rare); then a bare parameter.
 * Parameter positions go into a preallocated Int32Array; the found result is built by a small
 * generated function per parameter-name list.
 */
import { METHOD_ORDER, allowHeader, type PathEntry } from "./codegen.ts";
import { orderedChildren, type TrieNode } from "./trie.ts";

const str = (s: string): string => JSON.stringify(s);

/** The segment hash the generated walker computes, in the same 32-bit arithmetic. */
export function segmentHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

function slotOf(node: number, hash: number, shift: number): number {
  return Math.imul((hash ^ Math.imul(node, 0x45d9f3b)) | 0, 0x9e3779b1 | 0) >>> shift;
}

interface Mixed {
  readonly child: number;
  /** Literal runs: lits[j] precedes parameter j; the last follows the last parameter. */
  readonly lits: readonly string[];
  readonly minLength: number;
}

/** Up to this many distinct parameter-name lists, each gets its own builder (an object literal, hot enough to be optimised); beyond, one generic builder. */
export const TUPLE_BUILDERS_UP_TO = 128;

export function emitTableMatcher(root: TrieNode<PathEntry>, statics: readonly PathEntry[], tupleBuildersUpTo = TUPLE_BUILDERS_UP_TO): string {
  const nodes: TrieNode<PathEntry>[] = [];
  const idOf = new Map<TrieNode<PathEntry>, number>();
  const visit = (node: TrieNode<PathEntry>): void => {
    idOf.set(node, nodes.length);
    nodes.push(node);
    for (const child of orderedChildren(node)) visit(child);
  };
  visit(root);

  const decls: string[] = [];
  const interned = new Map<string, string>();
  const constant = (expr: string): string => {
    let name = interned.get(expr);
    if (!name) {
      name = `$c${interned.size}`;
      interned.set(expr, name);
      decls.push(`const ${name}=${expr};`);
    }
    return name;
  };
  const operationIds: string[] = [];
  /** Per terminal: results per method slot (constant for parameterless, else op index) + 405. */
  const terminals: PathEntry[] = [];
  const termOf = new Int32Array(nodes.length).fill(-1);
  nodes.forEach((node, i) => {
    const entry = node.terminal[0];
    if (entry) {
      termOf[i] = terminals.length;
      terminals.push(entry);
    }
  });
  const opsBySlot: number[] = [];
  const termNames: string[] = [];
  const termBad: string[] = [];
  const tuples = new Set(nodes.flatMap((n) => n.terminal.map((e) => JSON.stringify(e.template.params))));
  const perTuple = tuples.size <= tupleBuildersUpTo;
  const builders = new Map<string, string>();
  const builderFunctions: string[] = [];
  /** A builder for one name list: an object literal, so the params object gets a stable shape. */
  const builder = (names: readonly string[]): string => {
    const id = JSON.stringify(names);
    let name = builders.get(id);
    if (name) return name;
    name = `$b${builders.size}`;
    builders.set(id, name);
    const slices = names.map((_, i) => `v${i}=p.slice($C[${2 * i}],$C[${2 * i + 1}])`).join(",");
    const clean = names.map((_, i) => `v${i}.indexOf("%")<0`).join("&&");
    const params = names.map((n, i) => `${n === "__proto__" ? '["__proto__"]' : str(n)}:v${i}`).join(",");
    builderFunctions.push(`function ${name}(o,p,t){const ${slices};if(${clean})return{status:200,op:o,operationId:$O[o],params:{${params}}};return $build(o,p,t);}`);
    return name;
  };
  const termBuilders: string[] = [];
  const termAllow: string[] = [];
  for (const entry of terminals) {
    for (const method of METHOD_ORDER) {
      const op = entry.ops.get(method) ?? (method === "HEAD" ? entry.ops.get("GET") : undefined);
      opsBySlot.push(op ?? -1);
      if (op !== undefined) operationIds[op] = entry.operationIds.get(op)!;
    }
    const names = entry.template.params;
    termNames.push(names.length > 0 ? constant(`[${names.map(str).join(",")}]`) : "0");
    termBuilders.push(names.length > 0 ? (perTuple ? builder(names) : "$build") : "0");
    termBad.push(names.length > 0 ? constant(`[${names.map((n) => constant(`Object.freeze({status:400,param:${str(n)}})`)).join(",")}]`) : "0");
    termAllow.push(constant(`Object.freeze({status:405,allow:${str(allowHeader(entry.ops.keys()))}})`));
  }

  // Node records, variable length, addressed by offset into one Int32Array:
  //   [flags, bare-parameter child, terminal, mixed list index, literal length, literal char codes...]
  // flags: 1 static children, 2 mixed children, 4 has children. A node carries its own literal,
  // so checking a static child and reading its record for the next level touch the same memory.
  const offsetOf = new Int32Array(nodes.length);
  let total = 0;
  nodes.forEach((node, i) => {
    offsetOf[i] = total;
    total += 5 + (node.segment?.kind === "static" ? node.segment.shape.length : 0);
  });
  const records = new Int32Array(total);
  const staticEdges: Array<{ parent: number; child: number; hash: number }> = [];
  const mixedLists: string[] = [];
  nodes.forEach((node, i) => {
    const at = offsetOf[i]!;
    let flags = node.children.size > 0 ? 4 : 0;
    let param = -1;
    const mixed: Mixed[] = [];
    for (const child of orderedChildren(node)) {
      const segment = child.segment!;
      const id = offsetOf[idOf.get(child)!]!;
      if (segment.kind === "static") {
        staticEdges.push({ parent: at, child: id, hash: segmentHash(segment.shape) });
        flags |= 1;
      } else if (segment.kind === "param") {
        param = id;
      } else {
        const lits: string[] = [];
        let pending = "";
        for (const part of segment.parts) {
          if (part.kind === "literal") pending += part.text;
          else {
            lits.push(pending);
            pending = "";
          }
        }
        lits.push(pending);
        mixed.push({ child: id, lits, minLength: segment.literalLength + lits.length - 1 });
        flags |= 2;
      }
    }
    records[at] = flags;
    records[at + 1] = param;
    records[at + 2] = termOf[i]!;
    records[at + 3] = -1;
    if (mixed.length > 0) {
      records[at + 3] = mixedLists.length;
      mixedLists.push(`[${mixed.map((m) => `[${m.child},${m.minLength},${m.lits.map(str).join(",")}]`).join(",")}]`);
    }
    const text = node.segment?.kind === "static" ? node.segment.shape : "";
    records[at + 4] = text.length;
    for (let j = 0; j < text.length; j++) records[at + 5 + j] = text.charCodeAt(j);
  });
  // Static children: open addressing over (parent offset, segment hash), at most half full; one
  // slot = (parent, hash, child) side by side, so a probe touches one cache line.
  let bits = 1;
  while (1 << bits < staticEdges.length * 2) bits++;
  const size = 1 << bits;
  const shift = 32 - bits;
  const slots = new Int32Array(size * 3);
  for (let i = 0; i < size; i++) slots[3 * i] = -1;
  for (const edge of staticEdges) {
    let i = slotOf(edge.parent, edge.hash, shift);
    while (slots[3 * i] !== -1) i = (i + 1) & (size - 1);
    slots[3 * i] = edge.parent;
    slots[3 * i + 1] = edge.hash;
    slots[3 * i + 2] = edge.child;
  }

  const staticRows = statics.map((entry) => {
    const path = entry.template.segments.length === 0 ? "/" : "/" + entry.template.segments.map((s) => s.shape).join("/");
    const allow = constant(`Object.freeze({status:405,allow:${str(allowHeader(entry.ops.keys()))}})`);
    const slots = METHOD_ORDER.map((method) => {
      const op = entry.ops.get(method) ?? (method === "HEAD" ? entry.ops.get("GET") : undefined);
      if (op === undefined) return allow;
      operationIds[op] = entry.operationIds.get(op)!;
      return constant(`Object.freeze({status:200,op:${op},operationId:${str(entry.operationIds.get(op)!)},params:$E})`);
    });
    return `[${str(path)},[${[...slots, allow].join(",")}]]`;
  });

  const maxParams = Math.max(1, ...terminals.map((t) => t.template.params.length));
  const ints = (a: ArrayLike<number>): string => `new Int32Array([${Array.from(a).join(",")}])`;
  const W = METHOD_ORDER.length;
  const walker = [
    // One trie level at record `node`: segment [s, e) (hashed while scanning only when the node
    // has static children); static children, then mixed, then the bare parameter.
    "function $walk(m,p,n,node,s,k){const f=$N[node];let e=s,r;",
    `if(f&1){let h=0;for(;e<n;e++){const c=p.charCodeAt(e);if(c===47)break;h=(Math.imul(h,31)+c)|0;}`,
    `let i=Math.imul((h^Math.imul(node,${0x45d9f3b}))|0,${0x9e3779b1 | 0})>>>${shift};const L=e-s;`,
    `for(;;){const x=$H[3*i];if(x<0)break;if(x===node&&$H[3*i+1]===h){const c=$H[3*i+2];if($N[c+4]===L){let j=0;while(j<L&&p.charCodeAt(s+j)===$N[c+5+j])j++;`,
    `if(j===L){r=$next(m,p,n,c,e,k);if(r!==undefined)return r;break;}}}i=(i+1)&${size - 1};}}`,
    "else{while(e<n&&p.charCodeAt(e)!==47)e++;}",
    "if(f&2&&e>s){const xs=$MX[$N[node+3]];for(let j=0;j<xs.length;j++){const q=$mixed(p,s,e,xs[j],k);if(q>=0){r=$next(m,p,n,xs[j][0],e,q);if(r!==undefined)return r;}}}",
    "const c=$N[node+1];if(c>=0&&e>s){$C[2*k]=s;$C[2*k+1]=e;return $next(m,p,n,c,e,k+1);}}",
    // Having matched the segment of child record c, ending at e.
    "function $next(m,p,n,c,e,k){if(e===n){const t=$N[c+2];return t<0?undefined:$term(m,p,t);}return $N[c]&4?$walk(m,p,n,c,e+1,k):undefined;}",
    // Mixed segment: prefix, suffix, inner literals from the right (earlier parameters greedy); returns the new capture count or -1.
    "function $mixed(p,s,e,x,k){const z=x.length-1,np=z-2;if(e-s<x[1])return -1;const a=x[2],b=x[z];",
    "if(a.length>0&&!p.startsWith(a,s))return -1;if(b.length>0&&!p.startsWith(b,e-b.length))return -1;",
    "let end=e-b.length;for(let j=np-1;j>=1;j--){const l=x[2+j];let min=a.length+j;for(let i=1;i<j;i++)min+=x[2+i].length;",
    "const at=p.lastIndexOf(l,end-1-l.length);if(at<s+min)return -1;$C[2*(k+j)]=at+l.length;$C[2*(k+j)+1]=end;end=at;}",
    "$C[2*k]=s+a.length;$C[2*k+1]=end;return k+np;}",
    // Terminal: method slot (HEAD folded into GET at build time); 405 when empty.
    `function $term(m,p,t){const i=$mi(m);const o=i<${W}?$OP[t*${W}+i]:-1;if(o<0)return $AL[t];const F=$F[o];return F!==0?F:$BL[t](o,p,t);}`,
    // One builder for every terminal, so it is hot and optimised however many templates there
    // are (a builder per parameter-name list ran unoptimised in large tables: 10k set 1.3 µs → 0.65 µs).
    "function $build(o,p,t){const names=$PN[t],params={};for(let i=0;i<names.length;i++){let v=p.slice($C[2*i],$C[2*i+1]);" +
      'if(v.indexOf("%")>=0){try{v=decodeURIComponent(v)}catch{return $PB[t][i]}}const name=names[i];' +
      'if(name==="__proto__")Object.defineProperty(params,name,{value:v,enumerable:true,writable:true,configurable:true});else params[name]=v;}' +
      "return{status:200,op:o,operationId:$O[o],params};}",
    "function $w(m,p,n){if(p.charCodeAt(0)!==47)return;if(n===1){const t=$N[2];return t<0?undefined:$term(m,p,t);}return $walk(m,p,n,0,1,0);}",
  ].join("\n");

  // Found results of parameterless operations (shared, frozen); 0 where a builder is needed.
  const foundByOp: string[] = [];
  for (const entry of terminals) {
    for (const op of entry.ops.values()) {
      foundByOp[op] = entry.template.params.length === 0 ? constant(`Object.freeze({status:200,op:${op},operationId:${str(entry.operationIds.get(op)!)},params:$E})`) : "0";
    }
  }
  const ids = Array.from(operationIds, (id) => (id === undefined ? '""' : str(id))).join(",");
  return [
    "const $NF=Object.freeze({status:404});",
    "const $E=Object.freeze({});",
    `const $O=[${ids}];`,
    ...decls,
    `const $S=new Map([${staticRows.join(",")}]);`,
    `const $C=new Int32Array(${2 * maxParams});`,
    `const $N=${ints(records)};`,
    `const $H=${ints(slots)};`,
    `const $MX=[${mixedLists.join(",")}];`,
    `const $OP=${ints(opsBySlot)};`,
    `const $F=[${Array.from(foundByOp, (f) => f ?? "0").join(",")}];`,
    `const $PN=[${termNames.join(",")}];`,
    `const $PB=[${termBad.join(",")}];`,
    ...builderFunctions,
    `const $BL=[${termBuilders.join(",")}];`,
    `const $AL=[${termAllow.join(",")}];`,
    `function $mi(m){switch(m){${METHOD_ORDER.map((m, i) => `case ${str(m)}:return ${i};`).join("")}}return ${W};}`,
    walker,
    "function match(m,p){let h=$S.get(p);if(h!==undefined)return h[$mi(m)];const n=p.length;let r=$w(m,p,n);if(r!==undefined)return r;" +
      "if(n>2&&p.charCodeAt(n-1)===47){h=$S.get(p.slice(0,-1));if(h!==undefined)return h[$mi(m)];r=$w(m,p,n-1);if(r!==undefined)return r;}return $NF;}",
    "export { match };",
    "",
  ].join("\n");
}
