/**
 * The data-driven form of the matcher ("table" mode): the same rules as the generated code in
 * codegen.ts, but the trie is data (typed arrays) walked by one small generic function, so the
 * module stays small and the hot code fits in the CPU's instruction cache however many routes
 * there are. Large route tables spread requests over the whole trie; there, code that is the
 * same for every request beats code specialised per node (measured: bench/route).
 *
 * Per trie level the walker scans the segment once with charCodeAt, hashing it as it goes
 * (h = h*31 + c); static children live in one open-addressing table placed by (node, hash) and are
 * confirmed by comparing their literal; then mixed segments (generic, rare); then a bare parameter.
 * Parameter positions go into a preallocated Int32Array; the found result is built by the builder
 * of the terminal's parameter-name list (an object literal per list, up to
 * SPECIALISED_BUILDERS_MAX lists) or by one generic builder (larger tables, escaped values).
 *
 * Start-up cost: V8 compiles every module at worker start (~45 ms per MB) and runs its top level,
 * so the module holds data, not code or literals: integer tables are JSON text, name lists one
 * string each (compact.ts), a terminal's method row is decoded on its first request, and results
 * are made on first use and kept (one frozen object per parameterless operation, per `Allow`
 * value, per bad parameter name, per static path's method row) instead of hundreds of
 * module-level constants. DigitalOcean: 116 → 52 KB minified, compile ~6-7 → ~0.8 ms, evaluate
 * ~1.0 → ~0.4 ms (Node 20 vm modules, loaded machine); ~72 KB with the per-list builders, which
 * cost ~0.7 ms of start-up and buy ~20 % of match speed there.
 */
import { METHOD_ORDER, opRow, type PathEntry } from "./codegen.ts";
import { orderedChildren, type TrieNode } from "./trie.ts";
import { nameList } from "./compact.ts";

const str = (s: string): string => JSON.stringify(s);

/** The segment hash the generated walker computes, in the same 32-bit arithmetic. */
export function segmentHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * Up to this many distinct parameter-name lists, each list gets its own builder: an object
 * literal with the names as constant keys, so each result shape is known where it is built.
 * DigitalOcean (110 lists): matching ~20 % faster than through the generic builder's keyed
 * stores (same-process A/B, 393 vs 471 ns/match), for ~20 KB of code (~0.7 ms of start-up).
 * Beyond it (the 10k set) the many small builders stay cold and unoptimised: the generic one wins.
 */
const SPECIALISED_BUILDERS_MAX = 256;

/**
 * `$b<j>(o,p,t)`: the found result for list j's names from the captures in $C; a value holding
 * "%" goes to the generic $build, which decodes it (and answers 400 when it is malformed).
 */
function specialisedBuilders(lists: readonly (readonly string[])[]): string[] {
  return lists.map((names, j) => {
    const values = names.map((_, i) => `v${i}=p.slice($C[${2 * i}],$C[${2 * i + 1}])`).join(",");
    const plain = names.map((_, i) => `v${i}.indexOf("%")<0`).join("&&");
    const params = names.map((name, i) => `${JSON.stringify(name)}:v${i}`).join(",");
    return `function $b${j}(o,p,t){const ${values};return ${plain}?{status:200,op:o,operationId:$O[o],params:{${params}}}:$build(o,p,t);}`;
  });
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

export function emitTableMatcher(root: TrieNode<PathEntry>, statics: readonly PathEntry[]): string {
  const nodes: TrieNode<PathEntry>[] = [];
  const idOf = new Map<TrieNode<PathEntry>, number>();
  const visit = (node: TrieNode<PathEntry>): void => {
    idOf.set(node, nodes.length);
    nodes.push(node);
    for (const child of orderedChildren(node)) visit(child);
  };
  visit(root);

  const operationIds: string[] = [];
  // Terminals: the trie's first (they may have parameters), then the fully static paths (none).
  const terminals: PathEntry[] = [];
  const termOf = new Int32Array(nodes.length).fill(-1);
  nodes.forEach((node, i) => {
    const entry = node.terminal[0];
    if (entry) {
      termOf[i] = terminals.length;
      terminals.push(entry);
    }
  });
  const trieTerminals = terminals.length;
  terminals.push(...statics);

  /**
   * Per terminal, its operations by method slot, decoded into $OP on the terminal's first request:
   * `<slot digit><op>` entries joined by ","; HEAD is left out when it is served by GET.
   */
  const opRows: string[] = [];
  /** Parameter names: each distinct list once, one after another ($PN), and per terminal (start, count) in that array ($PT). */
  const paramNames: string[] = [];
  const termNames: number[] = [];
  /** Each distinct non-empty list in order of first use, and per terminal its index there (-1: none). */
  const distinctLists: (readonly string[])[] = [];
  const termList: number[] = [];
  /** A list (as JSON) → where its names start in paramNames and its index in distinctLists. */
  const seenLists = new Map<string, { readonly start: number; readonly index: number }>();
  for (const entry of terminals) {
    opRows.push(opRow(entry.ops));
    const names = entry.template.params;
    if (names.length === 0) {
      termNames.push(0, 0);
      termList.push(-1);
      continue;
    }
    const list = JSON.stringify(names);
    let seen = seenLists.get(list);
    if (seen === undefined) {
      seen = { start: paramNames.length, index: distinctLists.push(names) - 1 };
      seenLists.set(list, seen);
      paramNames.push(...names);
    }
    termNames.push(seen.start, names.length);
    termList.push(seen.index);
  }
  const specialised = distinctLists.length <= SPECIALISED_BUILDERS_MAX && distinctLists.every((l) => !l.includes("__proto__"));
  for (const entry of terminals) for (const [op, id] of entry.operationIds) operationIds[op] = id;

  // Node records, six values each, in one Int32Array (a node's record is at 6 × its index):
  //   [flags, bare-parameter child, terminal, mixed list index, literal length, literal start]
  // flags: 1 static children, 2 mixed children, 4 has children. The literal's char codes are in
  // $L (one byte each: literals are percent-encoded ASCII), each distinct text once.
  const RECORD = 6;
  const offsetOf = nodes.map((_, i) => RECORD * i);
  const records: number[] = [];
  let literals = "";
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
    let mixedIndex = -1;
    if (mixed.length > 0) {
      mixedIndex = mixedLists.length;
      mixedLists.push(`[${mixed.map((m) => `[${m.child},${m.minLength},${m.lits.map(str).join(",")}]`).join(",")}]`);
    }
    const text = node.segment?.kind === "static" ? node.segment.shape : "";
    let start = literals.indexOf(text);
    if (start < 0) {
      start = literals.length;
      literals += text;
    }
    records.push(flags, param, termOf[i]!, mixedIndex, text.length, start);
  });
  // Static children: open addressing over (parent offset, segment hash), at most half full; one
  // slot = (parent, hash, child) side by side. The stored hash lets a probe pass over a sibling
  // without comparing its literal (DigitalOcean's /v2 has dozens of static children clustered in
  // the table); a candidate with the same hash is confirmed by its literal, length first.
  let bits = 1;
  while (1 << bits < staticEdges.length * 2) bits++;
  const size = 1 << bits;
  const shift = 32 - bits;
  const slots = new Int32Array(size * 3).fill(-1);
  for (const edge of staticEdges) {
    let i = slotOf(edge.parent, edge.hash, shift);
    while (slots[3 * i] !== -1) i = (i + 1) & (size - 1);
    slots[3 * i] = edge.parent;
    slots[3 * i + 1] = edge.hash;
    slots[3 * i + 2] = edge.child;
  }

  const staticPaths = statics.map((entry) => (entry.template.segments.length === 0 ? "/" : "/" + entry.template.segments.map((s) => s.shape).join("/")));
  // A pathname literal is percent-encoded: it never holds a space (a request's pathname has %20).
  if (staticPaths.some((p) => p.includes(" "))) throw new Error("static path with a raw space");

  const maxParams = Math.max(1, ...terminals.map((t) => t.template.params.length));
  // Integer tables as JSON text: V8's JSON parser reads numbers several times faster than the
  // JS parser compiles an array literal of them, and a JS decoding loop would run unoptimised.
  const json = (a: ArrayLike<number>): string => `JSON.parse(${str(`[${Array.from(a).join(",")}]`)})`;
  const ints = (a: ArrayLike<number>): string => `new Int32Array(${json(a)})`;
  const W = METHOD_ORDER.length;
  const OPTIONS_BIT = 1 << METHOD_ORDER.indexOf("OPTIONS");
  const walker = [
    // One trie level at record `node`: segment [s, e) (hashed while scanning only when the node
    // has static children); static children, then mixed, then the bare parameter.
    "function $walk(m,p,n,node,s,k){const f=$N[node];let e=s,r;",
    `if(f&1){let h=0;for(;e<n;e++){const c=p.charCodeAt(e);if(c===47)break;h=(Math.imul(h,31)+c)|0;}`,
    `let i=Math.imul((h^Math.imul(node,${0x45d9f3b}))|0,${0x9e3779b1 | 0})>>>${shift};const L=e-s;`,
    `for(;;){const x=$H[3*i];if(x<0)break;if(x===node&&$H[3*i+1]===h){const c=$H[3*i+2];if($N[c+4]===L){let j=0;const o=$N[c+5];while(j<L&&p.charCodeAt(s+j)===$L[o+j])j++;`,
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
    // Terminal: method slot (HEAD served by GET unless declared); 405 when empty. $F holds the
    // found result of each operation without parameters once made ($one, on first use: a repeat
    // gets the same frozen object), else 0: $build makes a fresh one for a terminal with parameters.
    `function $term(m,p,t){const i=$mi(m);const o=i<${W}?$OP[t*${W}+i]:-1;if(o<0){if(o===-2){$row(t);return $term(m,p,t);}return $allow(t);}const F=$F[o];return F!==0?F:$PT[2*t+1]!==0?${specialised ? "$BF[$BI[t]](o,p,t)" : "$build(o,p,t)"}:$one(o);}`,
    // A terminal's $OP row (-2 until then): its entries, then HEAD from GET unless declared.
    `function $row(t){const b=t*${W};if($OP[b]!==-2)return;$OP.fill(-1,b,b+${W});for(const x of $OD[t].split(","))$OP[b+x.charCodeAt(0)-48]=+x.slice(1);if($OP[b+1]<0)$OP[b+1]=$OP[b];}`,
    "function $one(o){return $F[o]=Object.freeze({status:200,op:o,operationId:$O[o],params:$E});}",
    // The 405 of a terminal, made on first use: its methods are the filled slots (HEAD is filled
    // when GET is), plus OPTIONS; one shared frozen object per method set ($A by bit mask).
    `function $allow(t){let r=$AL[t];if(r!==0)return r;$row(t);let k=${OPTIONS_BIT};for(let i=0;i<${W};i++)if($OP[t*${W}+i]>=0)k|=1<<i;` +
      `r=$A[k];if(r===0)r=$A[k]=Object.freeze({status:405,allow:$M.filter((_,i)=>k>>i&1).join(", ")});return $AL[t]=r;}`,
    // A static path's results by method slot (405 last), made on its first request; until then
    // $S maps the path to its terminal.
    `function $static(p,t){$row(t);const r=[];for(let i=0;i<${W};i++){const o=$OP[t*${W}+i];r.push(o<0?$allow(t):$F[o]!==0?$F[o]:$one(o));}r.push($allow(t));$S.set(p,r);return r;}`,
    // The 400 for a parameter name: one shared frozen object per name.
    "function $bad(n){let r=$B.get(n);if(r===undefined)$B.set(n,r=Object.freeze({status:400,param:n}));return r;}",
    // The generic builder: every terminal with parameters in a large table (one function, so it
    // stays hot and optimised however many templates there are: 10k set 1.3 µs → 0.65 µs against
    // a builder per list), and any value holding "%" (decoded here, 400 when malformed).
    "function $build(o,p,t){const a=$PT[2*t],c=$PT[2*t+1],params={};for(let i=0;i<c;i++){let v=p.slice($C[2*i],$C[2*i+1]);" +
      'if(v.indexOf("%")>=0){try{v=decodeURIComponent(v)}catch{return $bad($PN[a+i])}}const name=$PN[a+i];' +
      'if(name==="__proto__")Object.defineProperty(params,name,{value:v,enumerable:true,writable:true,configurable:true});else params[name]=v;}' +
      "return{status:200,op:o,operationId:$O[o],params};}",
    "function $w(m,p,n){if(p.charCodeAt(0)!==47)return;if(n===1){const t=$N[2];return t<0?undefined:$term(m,p,t);}return $walk(m,p,n,0,1,0);}",
    ...(specialised ? specialisedBuilders(distinctLists) : []),
  ].join("\n");

  const ids = Array.from(operationIds, (id) => id ?? "");
  return [
    "const $NF=Object.freeze({status:404});",
    "const $E=Object.freeze({});",
    `const $O=${nameList(ids)};`,
    `const $M=${JSON.stringify(METHOD_ORDER)};`,
    // Static paths → terminal index (after the trie's terminals).
    `const $S=new Map();{const a=${str(staticPaths.join(" "))}.split(" ");for(let i=0;i<${staticPaths.length};i++)$S.set(a[i],${trieTerminals}+i);}`,
    `const $C=new Int32Array(${2 * maxParams});`,
    `const $N=${ints(records)};`,
    `const $L=new TextEncoder().encode(${str(literals)});`,
    `const $H=${ints(slots)};`,
    `const $MX=[${mixedLists.join(",")}];`,
    `const $OD=${str(opRows.join(" "))}.split(" ");`,
    `const $OP=new Int32Array(${opRows.length * W}).fill(-2);`,
    `const $F=${json(ids.map(() => 0))};`,
    `const $AL=${json(terminals.map(() => 0))};`,
    `const $A=${json(new Array(1 << W).fill(0))};`,
    "const $B=new Map();",
    // Parameter names (each distinct list once; they never hold "/"): one string split on it;
    // per terminal, (start, count) in it.
    `const $PN=${str(paramNames.join("/"))}.split("/");`,
    `const $PT=${ints(termNames)};`,
    ...(specialised ? [`const $BI=${ints(termList)};`, `const $BF=[${distinctLists.map((_, j) => `$b${j}`).join(",")}];`] : []),
    `function $mi(m){switch(m){${METHOD_ORDER.map((m, i) => `case ${str(m)}:return ${i};`).join("")}}return ${W};}`,
    walker,
    'function match(m,p){let h=$S.get(p);if(h!==undefined){if(typeof h==="number")h=$static(p,h);return h[$mi(m)];}const n=p.length;let r=$w(m,p,n);if(r!==undefined)return r;' +
      'if(n>2&&p.charCodeAt(n-1)===47){const q=p.slice(0,-1);h=$S.get(q);if(h!==undefined){if(typeof h==="number")h=$static(q,h);return h[$mi(m)];}r=$w(m,p,n-1);if(r!==undefined)return r;}return $NF;}',
    "export { match };",
    "",
  ].join("\n");
}
