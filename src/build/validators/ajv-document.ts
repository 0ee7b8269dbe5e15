/**
 * The linker: turns the schemas the operations reach into one flat schema document for ajv,
 * in which every reference is a plain pointer to a shared, compiled-once schema.
 *
 *   #/x-brrt/plain/<n>      a `$ref` target, compiled once, however many schemas use it
 *   #/x-brrt/readOnly/<n>   its request variant, only if it (transitively) uses readOnly
 *   #/x-brrt/writeOnly/<n>  its response variant, only if it uses writeOnly
 *   #/x-brrt-entries/<n>    one per distinct (operation, location) schema
 *
 * References are resolved here (resources.ts): `#/components/schemas/Pet`, odd pointers such as
 * `#/paths/~1v2~1foo/get/responses/200/content/application~1json/schema`, `$id`-relative URIs,
 * anchors, remote documents. `$dynamicRef` is resolved statically: a target is specialised per
 * set of dynamic anchors in scope (only anchors some `$dynamicRef` names), which is what the
 * dynamic scope amounts to for one entry point. ajv never sees an `$id`, so its own URI handling
 * plays no part.
 *
 * A subschema that *is* a target (same object: the bundler writes a repeated schema out once and
 * `$ref`s it elsewhere) becomes a `$ref` as well, so its code is generated once.
 */
import { isSchemaObject, pointerFromSegments, type SchemaObject } from "./keywords.ts";
import { ResourceIndex, type Resolved, type Scope } from "./resources.ts";
import { acceptsAnything, copySchema, ownFlags, type DescentHooks, type RefusedFlag } from "./schema-copy.ts";

/** Which side of the exchange a schema checks: requests refuse readOnly, responses refuse writeOnly. */
export type Flavour = "request" | "response" | "neutral";

export interface EntrySchema {
  readonly schema: unknown;
  readonly flavour: Flavour;
  /** Non-JSON bodies (multipart, urlencoded): file parts are not strings, accept them as they come. */
  readonly filesAsAny?: boolean;
}

export interface FlavourPolicy {
  readonly readOnlyInRequests: "refuse" | "allow";
  readonly writeOnlyInResponses: "refuse" | "allow";
}

export interface AjvDocument {
  /** The schema document to add to ajv. */
  readonly root: Record<string, unknown>;
  /** Per entry (same order as given): the pointer to compile, or undefined when the schema accepts anything. Equal schemas share a pointer. */
  readonly entries: readonly (string | undefined)[];
  /** References that resolve to nothing (left as written; the schemas using them fail to compile). */
  readonly unresolved: readonly string[];
  /** Distinct shared targets (after dynamic-scope specialisation). */
  readonly targets: number;
}

export interface LinkOptions extends FlavourPolicy {
  /** The URI the document is known by (its `#...` references resolve against it). */
  readonly documentUri: string;
  /** Further schema documents by URI (remote `$ref` targets). */
  readonly remotes?: Readonly<Record<string, unknown>>;
  /**
   * An index already made of this same document, URI and remotes (see {@link indexDocument}):
   * a document linked twice (request schemas, then response schemas) is then walked once. The
   * index only reads the document, so it serves as long as the document is not changed.
   */
  readonly index?: ResourceIndex;
}

/** The reference index of a document, to share between links of it (`LinkOptions.index`). */
export function indexDocument(document: unknown, options: Pick<LinkOptions, "documentUri" | "remotes">): ResourceIndex {
  return new ResourceIndex(options.documentUri, document, options.remotes);
}

const SHARED_KEY = "x-brrt";
const ENTRIES_KEY = "x-brrt-entries";

/** The `$dynamicAnchor`s in scope that some `$dynamicRef` asks for: the outermost one per name. */
interface Dynamic {
  readonly anchors: ReadonlyMap<string, SchemaObject>;
  readonly key: string;
}
const NO_DYNAMIC: Dynamic = { anchors: new Map(), key: "" };

interface Context {
  readonly scope: Scope;
  readonly dynamic: Dynamic;
}

interface Target {
  readonly index: number;
  readonly node: SchemaObject;
  readonly context: Context;
  readonly refs: Set<Target>;
  /** Flags the target uses, itself or through the targets it references (fixed point). */
  readonly uses: Set<RefusedFlag>;
}

export function buildAjvDocument(document: unknown, entries: readonly EntrySchema[], options: LinkOptions): AjvDocument {
  return new Linker(document, options).link(entries);
}

class Linker {
  private readonly index: ResourceIndex;
  private readonly nodeIds = new Map<object, number>();
  private readonly targets = new Map<string, Target>();
  private readonly unresolved = new Set<string>();
  /** While discovering: the target whose subtree is being walked (its references become edges). */
  private discovering: Target | undefined;

  constructor(
    document: unknown,
    private readonly options: LinkOptions,
  ) {
    this.index = options.index ?? indexDocument(document, options);
  }

  link(entries: readonly EntrySchema[]): AjvDocument {
    // 1. Discover every target reachable from the entries (walking copies that are thrown away).
    const queue: Target[] = [];
    const discover = (node: unknown, context: Context): void => {
      copySchema(node, context, this.hooks(undefined, false, (target) => queue.push(target)));
    };
    const entryContexts = entries.map((entry) => this.entryContext(entry.schema));
    entries.forEach((entry, i) => discover(entry.schema, entryContexts[i] as Context));
    for (let next = 0; next < queue.length; next++) {
      const target = queue[next] as Target;
      this.discovering = target;
      discover(target.node, target.context);
      this.discovering = undefined;
    }
    this.propagateFlags();

    // 2. Copy each target once per flavour it needs.
    const refusedIn = (flavour: Flavour): RefusedFlag | undefined =>
      flavour === "request" && this.options.readOnlyInRequests === "refuse"
        ? "readOnly"
        : flavour === "response" && this.options.writeOnlyInResponses === "refuse"
          ? "writeOnly"
          : undefined;
    const shared: Record<string, Record<string, unknown>> = {};
    const flags: (RefusedFlag | undefined)[] = [undefined];
    for (const flag of ["readOnly", "writeOnly"] as const) if (entries.some((e) => refusedIn(e.flavour) === flag)) flags.push(flag);
    for (const flag of flags) {
      for (const target of this.targets.values()) {
        if (flag !== undefined && !target.uses.has(flag)) continue;
        (shared[flag ?? "plain"] ??= {})[String(target.index)] = copySchema(target.node, target.context, this.hooks(flag, false));
      }
    }

    // 3. Entries: the target itself when the whole schema is one, else a copy (equal copies shared).
    const root: Record<string, unknown> = { [`${SHARED_KEY}-true`]: true, [`${SHARED_KEY}-false`]: false };
    if (Object.keys(shared).length > 0) root[SHARED_KEY] = shared;
    const entryList: Record<string, unknown> = {};
    const byJson = new Map<string, string>();
    const result = entries.map((entry, i) => {
      const flag = refusedIn(entry.flavour);
      const context = entryContexts[i] as Context;
      const whole = isSchemaObject(entry.schema) && entry.filesAsAny !== true ? this.existingTarget(entry.schema, context) : undefined;
      if (whole !== undefined) return this.home(whole, flag);
      const copy = copySchema(entry.schema, context, this.hooks(flag, entry.filesAsAny === true));
      if (acceptsAnything(copy)) return undefined;
      // A bare `$ref` compiles as its target: no wrapper function.
      if (isSchemaObject(copy) && Object.keys(copy).length === 1 && typeof copy.$ref === "string" && copy.$ref.startsWith(`#/${SHARED_KEY}/`)) return copy.$ref;
      const json = JSON.stringify(copy);
      const known = byJson.get(json);
      if (known !== undefined) return known;
      const index = String(Object.keys(entryList).length);
      entryList[index] = copy;
      const pointer = pointerFromSegments([ENTRIES_KEY, index]);
      byJson.set(json, pointer);
      return pointer;
    });
    if (Object.keys(entryList).length > 0) root[ENTRIES_KEY] = entryList;
    return { root, entries: result, unresolved: [...this.unresolved], targets: this.targets.size };
  }

  /** An entry schema lives in the document (same object) or, when it was made up, at the document's root scope. */
  private entryContext(schema: unknown): Context {
    const scope = this.index.scopeOf(schema) ?? this.index.documentScope;
    return { scope, dynamic: this.enterResource(NO_DYNAMIC, scope) };
  }

  private hooks(refuse: RefusedFlag | undefined, filesAsAny: boolean, found?: (target: Target) => void): DescentHooks<Context> {
    return {
      refuse,
      filesAsAny,
      enter: (node, context) => {
        const scope = this.index.scopeOf(node);
        if (scope === undefined || scope.resource === context.scope.resource) return scope === undefined || scope === context.scope ? context : { scope, dynamic: context.dynamic };
        return { scope, dynamic: this.enterResource(context.dynamic, scope) };
      },
      reference: (node, keyword, value, context) => {
        const resolved = this.resolveReference(keyword, value, context);
        if (resolved === undefined) {
          this.unresolved.add(value);
          return undefined;
        }
        if (!isSchemaObject(resolved.node)) return resolved.node === false ? `#/${SHARED_KEY}-false` : `#/${SHARED_KEY}-true`;
        const target = this.target(resolved.node, resolved.scope, context.dynamic, found);
        return this.home(target, refuse);
      },
      shared: (node, context) => {
        const target = this.existingTarget(node, context);
        if (target === undefined) return undefined;
        this.discovering?.refs.add(target);
        return this.home(target, refuse);
      },
      carriesFlag: (schema, flag, context) => this.carriesFlag(schema, flag, context, 0),
    };
  }

  /** `$ref` resolves as written; `$dynamicRef` to an anchor declared with `$dynamicAnchor` goes to the outermost such anchor in scope. */
  private resolveReference(keyword: "$ref" | "$dynamicRef", value: string, context: Context): Resolved | undefined {
    const resolved = this.index.resolve(context.scope.base, value);
    if (keyword === "$ref" || resolved === undefined || resolved.anchor === undefined) return resolved;
    const node = resolved.node;
    if (!isSchemaObject(node) || node.$dynamicAnchor !== resolved.anchor) return resolved;
    const outermost = context.dynamic.anchors.get(resolved.anchor);
    if (outermost === undefined || outermost === node) return resolved;
    const scope = this.index.scopeOf(outermost);
    return scope === undefined ? resolved : { node: outermost, scope };
  }

  private nodeId(node: object): number {
    let id = this.nodeIds.get(node);
    if (id === undefined) {
      id = this.nodeIds.size;
      this.nodeIds.set(node, id);
    }
    return id;
  }

  /** The dynamic anchors in scope after entering `scope`'s resource: ones already bound stay (the outermost wins). */
  private enterResource(dynamic: Dynamic, scope: Scope): Dynamic {
    if (this.index.dynamicNames.size === 0) return NO_DYNAMIC;
    let anchors: Map<string, SchemaObject> | undefined;
    for (const [name, node] of scope.resource.dynamicAnchors) {
      if (!this.index.dynamicNames.has(name) || dynamic.anchors.has(name)) continue;
      anchors ??= new Map(dynamic.anchors);
      anchors.set(name, node);
    }
    if (anchors === undefined) return dynamic;
    const key = [...anchors].map(([name, node]) => `${name}=${this.nodeId(node)}`).sort().join(",");
    return { anchors, key };
  }

  private targetKey(node: SchemaObject, dynamic: Dynamic): string {
    return `${this.nodeId(node)}|${dynamic.key}`;
  }

  private target(node: SchemaObject, scope: Scope, from: Dynamic, found?: (target: Target) => void): Target {
    const dynamic = this.enterResource(from, scope);
    const key = this.targetKey(node, dynamic);
    let target = this.targets.get(key);
    if (target === undefined) {
      target = { index: this.targets.size, node, context: { scope, dynamic }, refs: new Set(), uses: ownFlags(node) };
      this.targets.set(key, target);
      found?.(target);
    }
    this.discovering?.refs.add(target);
    return target;
  }

  private existingTarget(node: SchemaObject, context: Context): Target | undefined {
    return this.nodeIds.has(node) ? this.targets.get(this.targetKey(node, context.dynamic)) : undefined;
  }

  private home(target: Target, flag: RefusedFlag | undefined): string {
    const variant = flag !== undefined && target.uses.has(flag) ? flag : "plain";
    return `#/${SHARED_KEY}/${variant}/${target.index}`;
  }

  private carriesFlag(schema: unknown, flag: RefusedFlag, context: Context, depth: number): boolean {
    if (!isSchemaObject(schema) || depth > 32) return false;
    if (schema[flag] === true) return true;
    if (typeof schema.$ref === "string") {
      const resolved = this.index.resolve(context.scope.base, schema.$ref);
      if (resolved !== undefined && this.carriesFlag(resolved.node, flag, { scope: resolved.scope, dynamic: context.dynamic }, depth + 1)) return true;
    }
    return Array.isArray(schema.allOf) && schema.allOf.some((member) => this.carriesFlag(member, flag, context, depth + 1));
  }

  private propagateFlags(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const target of this.targets.values()) {
        for (const referenced of target.refs) {
          for (const flag of referenced.uses) {
            if (!target.uses.has(flag)) {
              target.uses.add(flag);
              changed = true;
            }
          }
        }
      }
    }
  }
}
