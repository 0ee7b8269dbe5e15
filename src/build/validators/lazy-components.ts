/**
 * Generated validator code that costs nothing at start-up until it is used.
 *
 * A worker's start-up pays for every top-level function declaration and constant of the
 * validators module, though a request uses a handful of them. Measured in workerd on
 * DigitalOcean's bundle (240 validators, 297 functions; interleaved starts, `workerd serve`
 * CPU): moving the validators' top-level code into a function called on first use cut ~6–14 ms
 * of start-up, where moving only the final `validators` object cut ~1 ms; every function or
 * closure made at start-up counts (a stub per validator cost ~5 ms more). So the module's top
 * level is split into components — statements joined by the names they share — each a block of
 * one `__brrtMake(component)` function, run when one of its validators is first looked up
 * (validator-runtime.ts `lazyValidators`). Constants that name no function (enum lists, schema
 * fragments, patterns) are copied into each component that uses them: at the top level they
 * were most of the cost (22 regular expressions, 171 array and object literals on
 * DigitalOcean), and copies add ~5 KB there where one shared component would hold 65 % of the
 * code.
 *
 * The input is the compacted ajv output (compact-source.ts). Its top level holds function
 * declarations, `const` declarations with one declarator, and expression statements on those
 * names (`validate3.evaluated = …`); anything else, or a shape not recognised, returns
 * `undefined` and the module stays as it was (eager, still correct).
 */
import { blankStrings } from "./string-literals.ts";

interface Statement {
  /** Source text, from the original code (strings intact). */
  readonly text: string;
  /** Same span with string contents blanked: for scanning. */
  readonly blank: string;
  /** The name it declares, if any. */
  readonly declares: string | undefined;
  readonly isFunction: boolean;
}

const FUNCTION_DECLARATION = /^function\s+([A-Za-z_$][\w$]*)\s*\(/;
const CONST_DECLARATION = /^const\s+([A-Za-z_$][\w$]*)\s*=/;
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** Top-level statements of `code`, or undefined where the scan meets something it does not expect. */
function splitStatements(code: string): Statement[] | undefined {
  const blank = blankStrings(code);
  const out: Statement[] = [];
  let i = 0;
  const length = blank.length;
  while (i < length) {
    while (i < length && /\s/.test(blank[i]!)) i++;
    if (i >= length) break;
    const start = i;
    const isFunction = blank.startsWith("function", start);
    let depth = 0;
    let end = -1;
    let topLevelComma = false;
    for (; i < length; i++) {
      const c = blank[i]!;
      if (c === "," && depth === 0) topLevelComma = true;
      else if (c === "{" || c === "(" || c === "[") depth++;
      else if (c === "}" || c === ")" || c === "]") {
        depth--;
        if (depth < 0) return undefined;
        if (depth === 0 && c === "}" && isFunction) {
          end = i + 1;
          break;
        }
      } else if (c === ";" && depth === 0) {
        end = i + 1;
        break;
      }
    }
    if (end === -1) return undefined;
    i = end;
    const text = code.slice(start, end);
    const blankText = blank.slice(start, end);
    const fn = isFunction ? FUNCTION_DECLARATION.exec(blankText) : null;
    if (isFunction && fn === null) return undefined;
    const constant = isFunction ? null : CONST_DECLARATION.exec(blankText);
    if (!isFunction && constant === null && !/^[A-Za-z_$][\w$]*\s*\./.test(blankText)) return undefined;
    // `const a = 1, b = 2`: more than one name, not a shape the components are built from.
    if (constant !== null && topLevelComma) return undefined;
    out.push({ text, blank: blankText, declares: fn?.[1] ?? constant?.[1], isFunction });
  }
  return out;
}

/** Names of `declared` that `statement` mentions (not as a property after a dot). */
function mentions(statement: Statement, declared: ReadonlyMap<string, number>, self: number): number[] {
  const out: number[] = [];
  for (const match of statement.blank.matchAll(IDENTIFIER)) {
    if (match.index > 0 && statement.blank[match.index - 1] === ".") continue;
    const target = declared.get(match[0]);
    if (target !== undefined && target !== self) out.push(target);
  }
  return out;
}

export interface LazyModule {
  /** The module's code: `function __brrtMake(component)`, nothing else at the top level. */
  readonly code: string;
  /** Per root function (as given): its component and its index in what `__brrtMake` returns. */
  readonly slotOf: ReadonlyMap<string, readonly [component: number, index: number]>;
}

/**
 * Wraps the components of `code`; `roots` are the functions `validators` exports, `wrapper` the
 * runtime helper that turns one into a Validator (`listValidator` or `validator`). The generated
 * name is `__brrtMake`.
 */
export function lazyComponents(code: string, roots: readonly string[], wrapper: string): LazyModule | undefined {
  const statements = splitStatements(code);
  if (statements === undefined || code.includes("__brrtMake")) return undefined;
  const declared = new Map<string, number>();
  statements.forEach((s, i) => {
    if (s.declares !== undefined) declared.set(s.declares, i);
  });
  for (const root of roots) {
    const at = declared.get(root);
    if (at === undefined || !statements[at]!.isFunction) return undefined;
  }

  // Code: functions and whatever mentions code, to a fixed point (`const wrapper = { validate:
  // validate4 }`, `validate4.evaluated = …`). Data: the rest, constants built from literals and
  // helpers (enum lists, schema fragments, patterns), which a component gets its own copy of.
  const edges = statements.map((s, i) => mentions(s, declared, i));
  const isCode = statements.map((s) => s.isFunction);
  for (let changed = true; changed; ) {
    changed = false;
    edges.forEach((targets, i) => {
      if (!isCode[i] && targets.some((t) => isCode[t])) {
        isCode[i] = true;
        changed = true;
      }
    });
  }
  // A statement that is not a declaration and touches no code would be an effect on shared data:
  // not a shape this transform can copy.
  if (statements.some((s, i) => !isCode[i] && s.declares === undefined)) return undefined;

  // Components: code statements joined by mentions either way.
  const parent = statements.map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  edges.forEach((targets, i) => {
    if (!isCode[i]) return;
    for (const t of targets) if (isCode[t]) parent[find(i)] = find(t);
  });
  const componentOf = new Map<number, number>();
  const members: number[][] = [];
  statements.forEach((_, i) => {
    if (!isCode[i]) return;
    const root = find(i);
    let component = componentOf.get(root);
    if (component === undefined) {
      component = members.length;
      componentOf.set(root, component);
      members.push([]);
    }
    members[component]!.push(i);
  });

  const exported: string[][] = members.map(() => []);
  const slotOf = new Map<string, readonly [number, number]>();
  for (const root of new Set(roots)) {
    const component = componentOf.get(find(declared.get(root)!))!;
    slotOf.set(root, [component, exported[component]!.length]);
    exported[component]!.push(root);
  }

  // One function holds every component, each in its own block of a switch: a block's functions
  // and constants are made when the block runs, and the top level gets one function instead of
  // hundreds of functions, arrays, objects and regular expressions. A component's block starts
  // with the data it mentions (directly or through other data), in the module's order.
  const cases = members.map((indices, component) => {
    const data = new Set<number>();
    const visit = (i: number): void => {
      for (const t of edges[i]!) {
        if (!isCode[t] && !data.has(t)) {
          data.add(t);
          visit(t);
        }
      }
    };
    indices.forEach(visit);
    const body = [...[...data].sort((a, b) => a - b), ...indices].map((i) => statements[i]!.text).join("");
    const made = exported[component]!.map((fn) => `__brrt_${wrapper}(${fn})`).join(",");
    return `case ${component}: {${body}return [${made}];}`;
  });
  return { code: `function __brrtMake(component) {switch (component) {${cases.join("")}default: return [];}}`, slotOf };
}
