/**
 * The one schema document ajv compiles from: only what the operations reach, each `$ref` target
 * once, so a schema used by a hundred operations is one shared function.
 *
 *   #/x-brrt/plain/<n>          a shared `$ref` target (hoisted)
 *   #/x-brrt/readOnly/<n>       its request variant, only if it (transitively) uses readOnly
 *   #/x-brrt/writeOnly/<n>      its response variant, only if it uses writeOnly
 *   #/x-brrt-entries/<n>        one per distinct (operation, location) schema
 *   #/<original pointer>        a target that cannot move (see below), plain
 *   #/x-brrt-<flag>/<pointer>   ... and its variants
 *
 * Every `#/...` `$ref` — `#/components/schemas/Pet` or an odd one such as
 * `#/paths/~1v2~1foo/get/responses/200/content/application~1json/schema` — is redirected to its
 * target's home. A subschema that *is* a target (same object in the bundled document: the
 * bundler writes a repeated schema out once and `$ref`s it elsewhere) becomes a `$ref` too,
 * so its code is not generated twice.
 *
 * A target below a schema with `$id` stays at its original pointer: moving it would change the
 * base URI its relative references resolve against. Such copies keep nested targets inline.
 *
 * ajv compiles `<uri>#/x-brrt-entries/<n>` with this document as the root, so all entries share
 * one cache of compiled targets.
 */
import { isSchemaObject, pointerFromSegments, pointerSegments, resolvePointer, type SchemaObject } from "./keywords.ts";
import { acceptsAnything, copySchema, documentPointer, scanSchema, type CopyOptions, type RefusedFlag } from "./schema-copy.ts";

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
  /** `$ref` targets that do not exist in the document. */
  readonly missing: readonly string[];
  /** Targets compiled once and shared, and those kept at their original place. */
  readonly targets: { readonly hoisted: number; readonly inPlace: number };
}

const SHARED_KEY = "x-brrt";
const ENTRIES_KEY = "x-brrt-entries";

interface Target {
  readonly pointer: string;
  readonly segments: readonly string[];
  readonly value: unknown;
  readonly refs: ReadonlySet<string>;
  /** Flags the target uses, itself or through the targets it references (fixed point). */
  readonly uses: Set<RefusedFlag>;
  /** Compiled at `#/x-brrt/<flavour>/<index>`; false: kept at its original pointer. */
  readonly hoisted: boolean;
  readonly index: number;
}

/** `document` is where `#` refs point: an OpenAPI document, or (conformance suite) a schema, possibly boolean. */
export function buildAjvDocument(document: Record<string, unknown>, entries: readonly EntrySchema[], policy: FlavourPolicy, rootValue: unknown = document): AjvDocument {
  const { targets, missing } = collectTargets(rootValue, entries);
  const byObject = new Map<unknown, Target>();
  for (const target of targets.values()) if (isSchemaObject(target.value) && !byObject.has(target.value)) byObject.set(target.value, target);

  const refusedIn = (flavour: Flavour): RefusedFlag | undefined =>
    flavour === "request" && policy.readOnlyInRequests === "refuse"
      ? "readOnly"
      : flavour === "response" && policy.writeOnlyInResponses === "refuse"
        ? "writeOnly"
        : undefined;

  /** Where references to `target` go in a copy refusing `flag`: its variant if it needs one. */
  const home = (target: Target, flag: RefusedFlag | undefined): string => {
    const variant = flag !== undefined && target.uses.has(flag) ? flag : undefined;
    if (target.hoisted) return pointerFromSegments([SHARED_KEY, variant ?? "plain", String(target.index)]);
    return variant === undefined ? target.pointer : pointerFromSegments([`${SHARED_KEY}-${variant}`, ...target.segments]);
  };

  const carriesFlag = (schema: unknown, flag: RefusedFlag, depth = 0): boolean => {
    if (!isSchemaObject(schema) || depth > 32) return false;
    if (schema[flag] === true) return true;
    const pointer = documentPointer(schema.$ref);
    if (pointer !== undefined && carriesFlag(targets.get(pointer)?.value, flag, depth + 1)) return true;
    return Array.isArray(schema.allOf) && schema.allOf.some((member) => carriesFlag(member, flag, depth + 1));
  };

  /** `inPlace`: the copy sits at its original pointer, where nested in-place targets must stay inline. */
  const copyOptions = (flag: RefusedFlag | undefined, inPlace: boolean, filesAsAny = false): CopyOptions => ({
    refuse: flag,
    filesAsAny,
    carriesFlag,
    redirect: (pointer) => {
      const target = targets.get(pointer);
      return target === undefined ? pointer : home(target, flag);
    },
    sharedRef: (node: SchemaObject) => {
      const target = byObject.get(node);
      return target === undefined || (inPlace && !target.hoisted) ? undefined : home(target, flag);
    },
  });

  // In-place copies resolve against the document's own base URI.
  const root: Record<string, unknown> = typeof document.$id === "string" ? { $id: document.$id } : {};
  const shared: Record<string, Record<string, unknown>> = {};
  const flags: (RefusedFlag | undefined)[] = [undefined];
  for (const flag of ["readOnly", "writeOnly"] as const) if (entries.some((e) => refusedIn(e.flavour) === flag)) flags.push(flag);
  for (const flag of flags) {
    const placedInPlace = new Set<string>();
    const chosen = [...targets.values()].filter((t) => flag === undefined || t.uses.has(flag)).sort((a, b) => a.segments.length - b.segments.length);
    for (const target of chosen) {
      if (target.hoisted) {
        const copy = copySchema(target.value, copyOptions(flag, false));
        (shared[flag ?? "plain"] ??= {})[String(target.index)] = copy;
        continue;
      }
      // Nested in an in-place target already placed: its copy holds this one.
      if (target.segments.some((_, i) => placedInPlace.has(pointerFromSegments(target.segments.slice(0, i))))) continue;
      placedInPlace.add(target.pointer);
      const at = flag === undefined ? target.segments : [`${SHARED_KEY}-${flag}`, ...target.segments];
      setAt(root, at, copySchema(target.value, copyOptions(flag, true)), document, flag === undefined ? 0 : 1);
    }
  }
  if (Object.keys(shared).length > 0) root[SHARED_KEY] = shared;

  const entryList: Record<string, unknown> = {};
  const byJson = new Map<string, string>();
  const result = entries.map((entry) => {
    const flag = refusedIn(entry.flavour);
    const whole = byObject.get(entry.schema);
    if (whole !== undefined && entry.filesAsAny !== true) return home(whole, flag);
    const copy = copySchema(entry.schema, copyOptions(flag, false, entry.filesAsAny === true));
    if (acceptsAnything(copy)) return undefined;
    // A bare `$ref` compiles as its target: no wrapper function.
    const ref = isSchemaObject(copy) && Object.keys(copy).length === 1 ? documentPointer(copy.$ref) : undefined;
    if (ref !== undefined && resolvePointer(root, ref) !== undefined) return ref;
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
  const hoisted = [...targets.values()].filter((t) => t.hoisted).length;
  return { root, entries: result, missing, targets: { hoisted, inPlace: targets.size - hoisted } };
}

/** Every `$ref` target the entries reach, transitively, with the flags each uses. */
function collectTargets(document: unknown, entries: readonly EntrySchema[]): { targets: Map<string, Target>; missing: string[] } {
  const targets = new Map<string, Target>();
  const missing: string[] = [];
  const queue: Target[] = [];
  const reach = (refs: Iterable<string>): void => {
    for (const pointer of refs) {
      if (targets.has(pointer) || missing.includes(pointer)) continue;
      const value = resolvePointer(document, pointer);
      if (value === undefined) {
        missing.push(pointer);
        continue;
      }
      const segments = pointerSegments(pointer);
      const scan = scanSchema(value, underResource(document, segments));
      const target: Target = { pointer, segments, value, refs: scan.refs, uses: new Set(scan.flags), hoisted: !underResource(document, segments), index: targets.size };
      targets.set(pointer, target);
      queue.push(target);
    }
  };
  for (const entry of entries) reach(scanSchema(entry.schema).refs);
  while (queue.length > 0) reach((queue.pop() as Target).refs);

  let changed = true;
  while (changed) {
    changed = false;
    for (const target of targets.values()) {
      for (const ref of target.refs) {
        for (const flag of targets.get(ref)?.uses ?? []) {
          if (!target.uses.has(flag)) {
            target.uses.add(flag);
            changed = true;
          }
        }
      }
    }
  }
  return { targets, missing };
}

/**
 * Whether a schema with `$id` sits on the way from the document root to (not including)
 * `segments`. A root `$id` counts for every target, the root itself included: the root's copy
 * carries that `$id` and a moved copy would declare it a second time.
 */
function underResource(document: unknown, segments: readonly string[]): boolean {
  if (isSchemaObject(document) && typeof document.$id === "string") return true;
  let node: unknown = document;
  for (const segment of segments) {
    if (isSchemaObject(node) && typeof node.$id === "string") return true;
    node = isSchemaObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return false;
}

/**
 * Store `value` at `segments` below `root`, creating the objects on the way. An intermediate
 * object keeps the original's `$id`, so base URIs along the pointer stay what they were.
 */
function setAt(root: Record<string, unknown>, segments: readonly string[], value: unknown, document: unknown, skip: number): void {
  if (segments.length === 0) {
    if (isSchemaObject(value)) Object.assign(root, value);
    return;
  }
  let node = root;
  let original: unknown = document;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as string;
    if (i >= skip) original = isSchemaObject(original) || Array.isArray(original) ? (original as Record<string, unknown>)[segment] : undefined;
    let child = node[segment];
    if (!isSchemaObject(child)) {
      child = i >= skip && isSchemaObject(original) && typeof original.$id === "string" ? { $id: original.$id } : {};
      node[segment] = child;
    }
    node = child as Record<string, unknown>;
  }
  node[segments[segments.length - 1] as string] = value;
}
