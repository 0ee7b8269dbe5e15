/**
 * Which templates the matcher cannot order: pairs that match at least one common request path
 * and where the matcher's precedence (static > mixed by literal length > bare parameter, decided
 * at the first segment where two templates differ) does not pick a winner.
 *
 * - Same shape (`/a/{x}` vs `/a/{y}`, `/f/{name}.json` vs `/f/{id}.json`): always ambiguous.
 * - Mixed segments with equally much literal text and different shapes that can match the same
 *   segment (`{a}-{b}` vs `{a}.{b}` both match `x-y.z`), when the rest of both templates can match
 *   a common path too.
 * - Static beside templated (`/certificates/activate` vs `/certificates/{id}`) is NOT ambiguous:
 *   static wins; nor is `{name}.json` vs `{name}.{ext}`: more literal text wins.
 */
import { buildTrie, type TrieEntry, type TrieNode } from "./trie.ts";
import type { TemplateSegment } from "./template.ts";

/** Token of a segment pattern: a literal character, ANY (exactly one non-`/` char) or STAR (zero or more). */
type Token = string | typeof ANY | typeof STAR;
const ANY = 0;
const STAR = 1;

function tokens(segment: TemplateSegment): Token[] {
  const out: Token[] = [];
  for (const part of segment.parts) {
    if (part.kind === "literal") out.push(...part.text);
    else out.push(ANY, STAR); // a parameter is one or more characters
  }
  return out;
}

/**
 * Whether some `/`-free string matches both segments: a search over the product of the two
 * patterns' automata (position in each pattern), exact for this small pattern language.
 */
export function segmentsOverlap(a: TemplateSegment, b: TemplateSegment): boolean {
  if (a.kind === "static" && b.kind === "static") return a.shape === b.shape;
  const x = tokens(a);
  const y = tokens(b);
  const seen = new Set<number>();
  const stack: Array<[number, number]> = [[0, 0]];
  const width = y.length + 1;
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === x.length && j === y.length) return true;
    const ti = x[i];
    const tj = y[j];
    // A STAR may match nothing.
    if (ti === STAR) stack.push([i + 1, j]);
    if (tj === STAR) stack.push([i, j + 1]);
    // Both consume one common character.
    if (ti === undefined || tj === undefined) continue;
    const compatible = typeof ti !== "string" || typeof tj !== "string" || ti === tj;
    if (!compatible) continue;
    stack.push([ti === STAR ? i : i + 1, tj === STAR ? j : j + 1]);
  }
  return false;
}

/** Two different sibling segments whose order the matcher would pick arbitrarily. */
function tied(a: TemplateSegment, b: TemplateSegment): boolean {
  return a.kind === "mixed" && b.kind === "mixed" && a.literalLength === b.literalLength;
}

/** Every pair (one template under `a`, one under `b`) that can match a common path. */
function overlappingPairs(a: TrieNode<TrieEntry>, b: TrieNode<TrieEntry>, out: Array<readonly [string, string]>): void {
  for (const x of a.terminal) for (const y of b.terminal) out.push([x.template.path, y.template.path]);
  for (const ca of a.children.values()) {
    for (const cb of b.children.values()) {
      if (segmentsOverlap(ca.segment!, cb.segment!)) overlappingPairs(ca, cb, out);
    }
  }
}

function visit(node: TrieNode<TrieEntry>, out: Array<readonly [string, string]>): void {
  const ends = node.terminal;
  for (let i = 0; i < ends.length; i++) for (let j = i + 1; j < ends.length; j++) out.push([ends[i]!.template.path, ends[j]!.template.path]);
  // Only mixed siblings can tie; comparing just those keeps wide nodes (hundreds of static children) linear.
  const mixed = [...node.children.values()].filter((c) => c.segment!.kind === "mixed");
  for (let i = 0; i < mixed.length; i++) {
    for (let j = i + 1; j < mixed.length; j++) {
      const a = mixed[i]!;
      const b = mixed[j]!;
      if (tied(a.segment!, b.segment!) && segmentsOverlap(a.segment!, b.segment!)) overlappingPairs(a, b, out);
    }
  }
  for (const child of node.children.values()) visit(child, out);
}

/**
 * Pairs of path templates that match the same requests and that the matcher cannot order (see
 * the module comment). Each pair is listed once, in input order within the pair. Throws
 * `TemplateError` for a template that does not parse.
 */
export function findAmbiguousTemplates(paths: readonly string[]): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  visit(buildTrie(paths), out);
  const order = new Map(paths.map((p, i) => [p, i] as const));
  return out.map(([a, b]) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? ([a, b] as const) : ([b, a] as const)));
}
