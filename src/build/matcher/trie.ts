/**
 * The route trie both the code generator and the ambiguity check walk: one level per path
 * segment, siblings keyed by segment shape (parameter names erased), so `/a/{x}` and `/a/{y}`
 * land on the same node.
 */
import { compareSegments, parseTemplate, type ParsedTemplate, type TemplateSegment } from "./template.ts";

export interface TrieNode<T> {
  /** The segment that leads here (absent for the root). */
  readonly segment?: TemplateSegment;
  readonly depth: number;
  readonly children: Map<string, TrieNode<T>>;
  /** Entries whose template ends at this node. */
  readonly terminal: T[];
}

export interface TrieEntry {
  readonly template: ParsedTemplate;
}

export function newNode<T>(depth: number, segment?: TemplateSegment): TrieNode<T> {
  return segment ? { segment, depth, children: new Map(), terminal: [] } : { depth, children: new Map(), terminal: [] };
}

export function insert<T extends TrieEntry>(root: TrieNode<T>, entry: T): TrieNode<T> {
  let node = root;
  for (const segment of entry.template.segments) {
    let child = node.children.get(segment.shape);
    if (!child) {
      child = newNode<T>(node.depth + 1, segment);
      node.children.set(segment.shape, child);
    }
    node = child;
  }
  node.terminal.push(entry);
  return node;
}

/** Children in the order the matcher tries them (see {@link compareSegments}). */
export function orderedChildren<T>(node: TrieNode<T>): TrieNode<T>[] {
  return [...node.children.values()].sort((a, b) => compareSegments(a.segment!, b.segment!));
}

export function buildTrie(paths: readonly string[]): TrieNode<TrieEntry> {
  const root = newNode<TrieEntry>(0);
  for (const path of paths) insert(root, { template: parseTemplate(path) });
  return root;
}
