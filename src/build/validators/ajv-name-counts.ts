/**
 * ajv's code optimisation (`code.optimize`, one pass per generated function) counts the uses of
 * every name in the function, to drop unused declarations and inline single-use constants. It
 * gets the counts by asking the root node for `names`, which each container node (block, `if`,
 * loop) computes afresh by merging its children's counts into a new object: a name is copied once
 * per level it is nested in, and the allErrors validators of a large spec nest deep (about a
 * quarter of ajv's compile time for DigitalOcean). Here the same counts are summed in one walk
 * into one object; ajv's own `optimizeNodes`/`optimizeNames` then run unchanged, so the code is
 * exactly what ajv generates.
 *
 * The walk knows ajv 8.20's node classes by name (their `names` getters, mirrored below); any
 * other node is asked for its own `names`, which is always right. It is used only with the ajv
 * version it was checked against ({@link FAST_NAME_COUNTS}), and only while
 * {@link withFastNameCounts} runs, so no other ajv user in the process sees a changed CodeGen.
 */
import { createRequire } from "node:module";
import { CodeGen } from "ajv/dist/compile/codegen/index.js";
import { _CodeOrName } from "ajv/dist/compile/codegen/code.js";

type Counts = Record<string, number>;

/** What the walk reads of ajv's code-generation nodes (private to ajv: hence the narrow shape). */
interface GenNode {
  readonly names: Counts;
  readonly nodes?: readonly GenNode[];
  readonly condition?: unknown;
  readonly else?: GenNode;
  readonly iteration?: { readonly names: Counts };
  readonly from?: unknown;
  readonly to?: unknown;
  readonly iterable?: { readonly names: Counts };
  readonly catch?: GenNode;
  readonly finally?: GenNode;
}

interface CodeGenInternals {
  readonly _root: GenNode & { optimizeNodes(): void; optimizeNames(names: Counts, constants: unknown): void };
  readonly _constants: unknown;
}

/** ajv's `addNames`. */
function add(into: Counts, from: Counts): void {
  for (const name in from) into[name] = (into[name] || 0) + (from[name] || 0);
}

/** ajv's `addExprNames`: an expression may be a boolean or number, which names nothing. */
function addExpression(into: Counts, expression: unknown): void {
  if (expression instanceof _CodeOrName) add(into, expression.names as Counts);
}

/** Containers whose `names` is their children's (ajv's ParentNode getter, not overridden). */
const PLAIN_CONTAINERS = new Set(["Root", "BlockNode", "Else", "For", "Func", "Return", "Catch", "Finally"]);

/** Adds `node.names` into `into`, as ajv's getters compute it, without the per-level copies. */
export function countNames(node: GenNode, into: Counts): void {
  const kind = (node as { constructor?: { name?: string } }).constructor?.name ?? "";
  const children = node.nodes;
  const container = Array.isArray(children) && (PLAIN_CONTAINERS.has(kind) || kind === "If" || kind === "ForLoop" || kind === "ForRange" || kind === "ForIter" || kind === "Try");
  if (!container) return add(into, node.names);
  for (const child of children) countNames(child, into);
  switch (kind) {
    case "If":
      addExpression(into, node.condition);
      if (node.else) countNames(node.else, into);
      break;
    case "ForLoop":
      add(into, (node.iteration as { names: Counts }).names);
      break;
    case "ForRange":
      addExpression(into, node.from);
      addExpression(into, node.to);
      break;
    case "ForIter":
      add(into, (node.iterable as { names: Counts }).names);
      break;
    case "Try":
      if (node.catch) countNames(node.catch, into);
      if (node.finally) countNames(node.finally, into);
      break;
  }
}

/** For tests: compare every count with ajv's own (`checked`/`mismatched` are counted while `enabled`). */
export const nameCountCheck: { enabled: boolean; checked: number; mismatched: number; firstMismatch?: string } = { enabled: false, checked: 0, mismatched: 0 };

/** The first name counted differently, or undefined. */
function differingName(a: Counts, b: Counts): string | undefined {
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) if ((a[name] || 0) !== (b[name] || 0)) return `${name}: ${a[name]} here, ${b[name]} by ajv`;
  return undefined;
}

/** ajv 8.20's `CodeGen.optimize`, with the root's counts from {@link countNames}. */
function optimize(this: CodeGenInternals, n = 1): void {
  while (n-- > 0) {
    this._root.optimizeNodes();
    const names: Counts = {};
    countNames(this._root, names);
    if (nameCountCheck.enabled) {
      nameCountCheck.checked++;
      const differing = differingName(names, this._root.names);
      if (differing !== undefined) {
        nameCountCheck.mismatched++;
        nameCountCheck.firstMismatch ??= differing;
      }
    }
    this._root.optimizeNames(names, this._constants);
  }
}

/** The ajv versions whose code generation {@link countNames} mirrors. */
const CHECKED_VERSIONS = /^8\.20\./;
export const FAST_NAME_COUNTS: boolean = CHECKED_VERSIONS.test((createRequire(import.meta.url)("ajv/package.json") as { version: string }).version);

/** Runs `compile` (synchronous ajv compiles) with the one-walk name counts, where the installed ajv is one they were checked against. */
export function withFastNameCounts<T>(compile: () => T): T {
  if (!FAST_NAME_COUNTS) return compile();
  const prototype = CodeGen.prototype as unknown as { optimize: (this: CodeGenInternals, n?: number) => void };
  const original = prototype.optimize;
  prototype.optimize = optimize;
  try {
    return compile();
  } finally {
    prototype.optimize = original;
  }
}
