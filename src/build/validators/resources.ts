/**
 * JSON Schema reference resolution done at build time, so that ajv only ever sees plain
 * `#/x-brrt/...` pointers: every `$id` (base URI changes, URNs, `file:` ids), `$anchor`,
 * `$dynamicAnchor`, remote document and JSON pointer is resolved here, once.
 *
 * A "source" is one JSON document with a URI: the bundled OpenAPI document, a remote schema,
 * ajv's 2020-12 meta-schemas. Walking a source records, for every schema object in it, the base
 * URI in effect and the schema resource it belongs to.
 */
import { createRequire } from "node:module";
import { isSchemaObject, pointerSegments, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS, type SchemaObject } from "./keywords.ts";

/** A schema resource: the root of a source or a subschema with `$id`. */
export interface Resource {
  readonly uri: string;
  readonly root: unknown;
  /** `$dynamicAnchor`s declared in this resource (not in nested resources). */
  readonly dynamicAnchors: Map<string, SchemaObject>;
}

export interface Scope {
  /** Absolute base URI, without fragment. */
  readonly base: string;
  readonly resource: Resource;
}

/** A schema location found by resolving a reference. */
export interface Resolved {
  readonly node: unknown;
  readonly scope: Scope;
  /** Set when the reference was a plain-name fragment (`#name`): the anchor name. */
  readonly anchor?: string;
}

/** Keywords whose values are data, never schemas: nothing in them declares an `$id`. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "example", "examples"]);

export function resolveUri(base: string, ref: string): string {
  if (ref.startsWith("#")) return stripFragment(base) + ref;
  try {
    return new URL(ref, base).href;
  } catch {
    return ref; // e.g. a relative reference against a URN base: not resolvable, compare as written
  }
}

export function stripFragment(uri: string): string {
  const hash = uri.indexOf("#");
  return hash < 0 ? uri : uri.slice(0, hash);
}

export class ResourceIndex {
  private readonly resources = new Map<string, Resource>();
  private readonly anchors = new Map<string, { node: SchemaObject; scope: Scope }>();
  private readonly scopes = new WeakMap<object, Scope>();
  /** Names used by `$dynamicRef: "...#name"`: the only dynamic anchors worth tracking. */
  readonly dynamicNames = new Set<string>();

  /**
   * `document`: the OpenAPI document or (conformance suite) a root schema; `remotes`: further
   * sources by URI. All sources are walked up front: which `$dynamicAnchor` names matter must be
   * known before the first reference is resolved.
   */
  constructor(
    readonly documentUri: string,
    readonly document: unknown,
    remotes: Readonly<Record<string, unknown>> = {},
  ) {
    this.addSource(documentUri, document, isSchemaObject(document) && typeof document.openapi === "string");
    for (const [uri, schema] of Object.entries(remotes)) if (!this.resources.has(uri)) this.addSource(uri, schema, false);
    for (const [uri, schema] of Object.entries(metaSchemas())) if (!this.resources.has(uri)) this.addSource(uri, schema, false);
  }

  /** The scope of a schema object from a walked source (undefined for objects this index never saw). */
  scopeOf(node: unknown): Scope | undefined {
    return isSchemaObject(node) ? this.scopes.get(node) : undefined;
  }

  get documentScope(): Scope {
    return this.scopes.get(this.document as object) ?? { base: this.documentUri, resource: this.resources.get(this.documentUri) as Resource };
  }

  /** Resolutions made so far, by base URI and reference: the index never changes once made. */
  private readonly resolved = new Map<string, Map<string, Resolved | undefined>>();

  /**
   * Resolve a `$ref`/`$dynamicRef` value written in a schema whose base URI is `base`. The same
   * reference is resolved many times (discovery, each flavour's copy, the response link), and
   * pointers into a large document are long walks: each is made once.
   */
  resolve(base: string, ref: string): Resolved | undefined {
    let byRef = this.resolved.get(base);
    if (byRef === undefined) this.resolved.set(base, (byRef = new Map()));
    if (byRef.has(ref)) return byRef.get(ref);
    const resolved = this.resolveOnce(base, ref);
    byRef.set(ref, resolved);
    return resolved;
  }

  private resolveOnce(base: string, ref: string): Resolved | undefined {
    const absolute = resolveUri(base, ref);
    const hash = absolute.indexOf("#");
    const uri = hash < 0 ? absolute : absolute.slice(0, hash);
    const fragment = hash < 0 ? "" : absolute.slice(hash + 1);
    const resource = this.resource(uri);
    if (resource === undefined) return undefined;
    if (fragment === "") return { node: resource.root, scope: this.scopeAt(resource.root, resource) };
    if (fragment.startsWith("/")) return this.followPointer(resource, fragment);
    const anchored = this.anchors.get(`${uri}#${safeDecode(fragment)}`);
    return anchored === undefined ? undefined : { node: anchored.node, scope: anchored.scope, anchor: safeDecode(fragment) };
  }

  private resource(uri: string): Resource | undefined {
    return this.resources.get(uri);
  }

  private scopeAt(node: unknown, resource: Resource): Scope {
    return this.scopeOf(node) ?? { base: resource.uri, resource };
  }

  /** Walk a JSON pointer from a resource root; objects on the way keep the scope the walk recorded. */
  private followPointer(resource: Resource, fragment: string): Resolved | undefined {
    let node: unknown = resource.root;
    let scope = this.scopeAt(node, resource);
    for (const segment of pointerSegments("#" + fragment)) {
      if (Array.isArray(node)) node = node[Number(segment)];
      else if (isSchemaObject(node) && Object.hasOwn(node, segment)) node = node[segment];
      else return undefined;
      if (node === undefined) return undefined;
      scope = this.scopeOf(node) ?? scope;
    }
    return { node, scope };
  }

  /**
   * Record scopes, resources and anchors of one source. A schema source is walked through schema
   * keywords only (an unknown keyword's `$id` declares nothing); an OpenAPI document, whose
   * schemas sit at many places, through every member except data-valued ones (`example`, `enum`, `x-*`...).
   */
  private addSource(uri: string, root: unknown, openapi: boolean): void {
    // A root `$id` names the source a second time and is the base for everything in it.
    const declared = isSchemaObject(root) && typeof root.$id === "string" ? stripFragment(resolveUri(uri, root.$id)) : uri;
    const resource: Resource = { uri: declared, root, dynamicAnchors: new Map() };
    this.resources.set(uri, resource);
    if (!this.resources.has(declared)) this.resources.set(declared, resource);
    this.walk(root, { base: declared, resource }, openapi, true);
  }

  private walk(node: unknown, parent: Scope, everywhere: boolean, isRoot = false): void {
    if (Array.isArray(node)) {
      if (everywhere) for (const item of node) this.walk(item, parent, everywhere);
      return;
    }
    if (!isSchemaObject(node) || this.scopes.has(node)) return;
    let scope = parent;
    if (!isRoot && typeof node.$id === "string" && !(everywhere && !looksLikeSchema(node))) {
      const uri = stripFragment(resolveUri(parent.base, node.$id));
      {
        const resource: Resource = { uri, root: node, dynamicAnchors: new Map() };
        if (!this.resources.has(uri)) this.resources.set(uri, resource);
        scope = { base: uri, resource };
      }
    }
    this.scopes.set(node, scope);
    if (typeof node.$anchor === "string") this.addAnchor(scope, node.$anchor, node);
    if (typeof node.$dynamicAnchor === "string") {
      this.addAnchor(scope, node.$dynamicAnchor, node);
      if (!scope.resource.dynamicAnchors.has(node.$dynamicAnchor)) scope.resource.dynamicAnchors.set(node.$dynamicAnchor, node);
    }
    if (typeof node.$dynamicRef === "string") {
      const hash = node.$dynamicRef.indexOf("#");
      const name = hash < 0 ? "" : node.$dynamicRef.slice(hash + 1);
      if (name !== "" && !name.startsWith("/")) this.dynamicNames.add(safeDecode(name));
    }
    for (const key in node) {
      const value = node[key];
      if (everywhere) {
        if (!DATA_KEYWORDS.has(key) && !key.startsWith("x-")) this.walk(value, scope, true);
      } else if (SCHEMA_MAP_KEYWORDS.has(key)) {
        if (isSchemaObject(value)) for (const name in value) this.walk(value[name], scope, false);
      } else if (Array.isArray(value)) {
        if (SCHEMA_ARRAY_KEYWORDS.has(key)) for (const item of value) this.walk(item, scope, false);
      } else if (SCHEMA_KEYWORDS.has(key)) {
        this.walk(value, scope, false);
      }
    }
  }

  private addAnchor(scope: Scope, name: string, node: SchemaObject): void {
    const key = `${scope.resource.uri}#${name}`;
    if (!this.anchors.has(key)) this.anchors.set(key, { node, scope });
  }
}

/** In an OpenAPI document `$id` may also be a plain member of some non-schema object; count it only on schema-looking objects. */
function looksLikeSchema(node: SchemaObject): boolean {
  return typeof node.$id === "string" && !("in" in node && "name" in node);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

let metaCache: Record<string, unknown> | undefined;
/** ajv's copies of the 2020-12 meta-schemas, for `$ref`s to https://json-schema.org/draft/2020-12/... */
function metaSchemas(): Record<string, unknown> {
  if (metaCache !== undefined) return metaCache;
  const require = createRequire(import.meta.url);
  const out: Record<string, unknown> = {};
  for (const name of ["schema", "meta/core", "meta/applicator", "meta/unevaluated", "meta/validation", "meta/meta-data", "meta/format-annotation", "meta/content"]) {
    const schema = require(`ajv/dist/refs/json-schema-2020-12/${name}.json`) as { $id: string };
    out[schema.$id] = schema;
  }
  return (metaCache = out);
}
