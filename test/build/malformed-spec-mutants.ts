/**
 * Seeded mutants of spec/openapi.yaml for malformed-spec.test.ts: the document parsed to plain
 * values and broken one way at a time (structured mutants, written back as YAML or JSON), and
 * the YAML text itself broken (text mutants, for the two readers of load.ts / load-fast.ts).
 *
 * Everything comes from one mulberry32 stream per category, so a seed names the same mutants on
 * every run and machine; a failing test's name carries its category, number and seed.
 */
import { parse, stringify } from "yaml";
import { mulberry32 } from "../fixtures/seeded-random.ts";

export type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

/**
 * What the build must do with a mutant beyond "resolve with diagnostics or output":
 * `refuse` when the document is certainly unusable (a dangling `$ref`, a duplicate
 * operationId, ...); `either` when it may still describe a servable API.
 */
export type Expectation = "refuse" | "either";

export interface Mutant {
  readonly category: string;
  /** Unique, stable: category, number in it, and what was done. */
  readonly name: string;
  /** File name to write the text under (its extension picks nothing: both readers take both). */
  readonly fileName: string;
  readonly text: string | Uint8Array;
  readonly expect: Expectation;
  /**
   * The problem is written somewhere in the file, so a refusal must point into it (a line and
   * column inside the text). False for text with no usable lines (binary, empty).
   */
  readonly located: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = readonly (string | number)[];

export function baseDocument(yamlText: string): JsonObject {
  return parse(yamlText) as JsonObject;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every node below the root, depth first, with its path. */
function nodes(root: Json): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [];
  const walk = (value: Json, path: Path): void => {
    if (Array.isArray(value)) value.forEach((item, i) => (out.push({ path: [...path, i], value: item }), walk(item, [...path, i])));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) (out.push({ path: [...path, key], value: item }), walk(item, [...path, key]));
  };
  walk(root, []);
  return out;
}

function at(root: Json, path: Path): Json {
  let value: Json = root;
  for (const segment of path) value = (value as Record<string | number, Json>)[segment]!;
  return value;
}

function set(root: Json, path: Path, value: Json): void {
  (at(root, path.slice(0, -1)) as Record<string | number, Json>)[path[path.length - 1]!] = value;
}

function remove(root: Json, path: Path): void {
  const parent = at(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete (parent as JsonObject)[last as string];
}

/** Renames `from` to `to` in `object`, keeping the key order (positions stay where they were). */
function renameKey(object: JsonObject, from: string, to: string): void {
  const entries = Object.entries(object);
  for (const key of Object.keys(object)) delete object[key];
  for (const [key, value] of entries) object[key === from ? to : key] = value;
}

function pointerOf(path: Path): string {
  return "#" + path.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** [path template, method] of every operation. */
function operations(doc: JsonObject): { template: string; method: string; op: JsonObject }[] {
  const out: { template: string; method: string; op: JsonObject }[] = [];
  const paths = doc.paths;
  if (!isObject(paths)) return out;
  for (const [template, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) if (isObject(item[method])) out.push({ template, method, op: item[method] as JsonObject });
  }
  return out;
}

/** Every object that is a schema by position (under a `schema`, components.schemas, properties, items, allOf...). */
function schemaPaths(doc: JsonObject): Path[] {
  return nodes(doc)
    .filter(({ path, value }) => {
      if (!isObject(value) || path.length < 2) return false;
      const parent = path[path.length - 2];
      const key = path[path.length - 1];
      if (key === "schema" || key === "items" || key === "event" || key === "message") return true;
      if (parent === "properties" || parent === "allOf" || parent === "anyOf" || parent === "oneOf") return true;
      return path.length === 3 && path[0] === "components" && path[1] === "schemas";
    })
    .map(({ path }) => path);
}

/** Every parameter object written inline (in a path item, an operation or components.parameters). */
function parameterPaths(doc: JsonObject): Path[] {
  return nodes(doc)
    .filter(({ path, value }) => isObject(value) && typeof value.in === "string" && typeof value.name === "string" && path.includes("parameters"))
    .map(({ path }) => path);
}

/** A value of another type than `value`, from a fixed menu that includes the pathological ones. */
function otherTypeValue(random: Random, value: Json): { label: string; value: Json } {
  const deep = (depth: number): Json => {
    let out: Json = { leaf: true };
    for (let i = 0; i < depth; i++) out = { nested: out };
    return out;
  };
  const menu: { label: string; value: () => Json; type: string }[] = [
    { label: "null", value: () => null, type: "null" },
    { label: "number", value: () => 42, type: "number" },
    { label: "negative float", value: () => -1.5, type: "number" },
    { label: "string", value: () => "nonsense", type: "string" },
    { label: "empty string", value: () => "", type: "string" },
    { label: "array", value: () => [1, "two", null], type: "array" },
    { label: "empty array", value: () => [], type: "array" },
    { label: "object", value: () => ({ unexpected: "value" }), type: "object" },
    { label: "empty object", value: () => ({}), type: "object" },
    { label: "boolean", value: () => true, type: "boolean" },
    { label: "huge string", value: () => "x".repeat(200_000), type: "string" },
    { label: "deep object", value: () => deep(400), type: "object" },
  ];
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const choice = pick(
    random,
    menu.filter((m) => m.type !== type),
  );
  return { label: choice.label, value: choice.value() };
}

/** Near misses of a key a reader might write: case, a letter more or less, swapped letters, a space. */
function nearMiss(random: Random, key: string): string {
  const variants = [
    key.toUpperCase() === key ? key.toLowerCase() : key.toUpperCase(),
    key.length > 1 ? key.slice(0, -1) : key + key,
    key + "s",
    key.length > 2 ? key.charAt(1) + key.charAt(0) + key.slice(2) : "_" + key,
    key + " ",
    key.charAt(0).toUpperCase() + key.slice(1),
  ].filter((k) => k !== key);
  return pick(random, variants);
}

interface Written {
  readonly text: string;
  readonly fileName: string;
}

/** YAML (no anchors: shared objects written out) or JSON, chosen by the stream. */
function write(random: Random, doc: Json): Written {
  if (random() < 0.3) return { text: JSON.stringify(doc, null, 2), fileName: "openapi.json" };
  return { text: stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }), fileName: "openapi.yaml" };
}

type StructuredMutation = (random: Random, doc: JsonObject) => { what: string; expect: Expectation };

const structured: Record<string, StructuredMutation> = {
  "delete-key": (random, doc) => {
    const candidates = nodes(doc).filter(({ path }) => typeof path[path.length - 1] === "string");
    const { path } = pick(random, candidates);
    remove(doc, path);
    return { what: `delete ${path.join(".")}`, expect: "either" };
  },

  "other-type": (random, doc) => {
    const { path, value } = pick(random, nodes(doc));
    const replacement = otherTypeValue(random, value);
    set(doc, path, replacement.value);
    return { what: `${path.join(".")} = ${replacement.label}`, expect: "either" };
  },

  "near-miss-key": (random, doc) => {
    const candidates = nodes(doc).filter(({ path }) => typeof path[path.length - 1] === "string");
    const { path } = pick(random, candidates);
    const key = path[path.length - 1] as string;
    const to = nearMiss(random, key);
    const parent = at(doc, path.slice(0, -1)) as JsonObject;
    if (Object.prototype.hasOwnProperty.call(parent, to)) delete parent[key];
    else renameKey(parent, key, to);
    return { what: `rename ${path.join(".")} -> ${JSON.stringify(to)}`, expect: "either" };
  },

  ref: (random, doc) => {
    const candidates = nodes(doc).filter(({ path, value }) => isObject(value) && path.length >= 2);
    const { path } = pick(random, candidates);
    const kind = pick(random, ["dangling", "self", "cycle", "other-file", "http", "tilde-2", "anchor", "bad-percent", "empty", "non-string", "sibling-dangling"] as const);
    let ref: Json;
    let expect: Expectation = "refuse";
    switch (kind) {
      case "dangling":
        ref = "#/components/schemas/DoesNotExist";
        break;
      case "self":
        ref = pointerOf(path);
        expect = "either";
        break;
      case "cycle": {
        const components = (isObject(doc.components) ? doc.components : (doc.components = {})) as JsonObject;
        const schemas = (isObject(components.schemas) ? components.schemas : (components.schemas = {})) as JsonObject;
        schemas.CycleA = { $ref: "#/components/schemas/CycleB" };
        schemas.CycleB = { $ref: "#/components/schemas/CycleA" };
        ref = "#/components/schemas/CycleA";
        expect = "either";
        break;
      }
      case "other-file":
        ref = "other.yaml#/x";
        break;
      case "http":
        ref = "http://example.com/x";
        break;
      case "tilde-2":
        ref = "#/components/schemas/~2";
        break;
      case "anchor":
        ref = "#foo";
        expect = "either";
        break;
      case "bad-percent":
        ref = "#/a%ZZ";
        break;
      case "empty":
        ref = "";
        expect = "either";
        break;
      case "non-string":
        ref = pick(random, [42, null, ["#/x"], { $ref: "#/x" }] as Json[]);
        expect = "either";
        break;
      case "sibling-dangling":
        // A $ref beside other keys: still must resolve.
        set(doc, path, { ...(at(doc, path) as JsonObject), $ref: "#/components/responses/Nope" });
        return { what: `${path.join(".")} gains $ref to #/components/responses/Nope (${kind})`, expect: "refuse" };
    }
    set(doc, path, { $ref: ref });
    return { what: `${path.join(".")} = {$ref: ${JSON.stringify(ref)}} (${kind})`, expect };
  },

  "duplicate-operation-id": (random, doc) => {
    const ops = operations(doc);
    const a = pick(random, ops);
    let b = pick(random, ops);
    if (b === a) b = ops[(ops.indexOf(a) + 1) % ops.length]!;
    b.op.operationId = a.op.operationId as Json;
    return { what: `${b.method} ${b.template} takes operationId ${String(a.op.operationId)}`, expect: "refuse" };
  },

  "path-template": (random, doc) => {
    const paths = doc.paths as JsonObject;
    const templates = Object.keys(paths);
    const from = pick(random, templates);
    const variants: { to: string; expect: Expectation }[] = [
      { to: from.replace("}", ""), expect: "either" },
      { to: from.replace("{", ""), expect: "either" },
      { to: from + "/{", expect: "either" },
      { to: from + "/}", expect: "either" },
      { to: from + "/{undeclared}", expect: "refuse" },
      { to: from + "/{}", expect: "either" },
      { to: from + "/{a}{b}", expect: "refuse" },
      { to: from + "/{{x}}", expect: "either" },
      { to: from.slice(1), expect: "either" },
      { to: "", expect: "either" },
      { to: from + "/{pet Id}", expect: "refuse" },
      { to: from.includes("{") ? from + "/" + from.slice(from.indexOf("{")) : from + "/{id}/{id}", expect: "refuse" },
      { to: from + "/%zz/\u0000/é", expect: "either" },
      { to: from + "//x", expect: "refuse" },
    ];
    const { to, expect } = pick(random, variants);
    if (Object.prototype.hasOwnProperty.call(paths, to)) delete paths[from];
    else renameKey(paths, from, to);
    return { what: `path ${JSON.stringify(from)} -> ${JSON.stringify(to)}`, expect };
  },

  parameter: (random, doc) => {
    const candidates = parameterPaths(doc);
    const path = pick(random, candidates);
    const parameter = at(doc, path) as JsonObject;
    const edits: { what: string; apply: () => void; expect: Expectation }[] = [
      { what: "in: body", apply: () => (parameter.in = "body"), expect: "refuse" },
      { what: "in: path, required: false", apply: () => ((parameter.in = "path"), (parameter.required = false)), expect: "refuse" },
      { what: "style: deepObject", apply: () => (parameter.style = "deepObject"), expect: "either" },
      { what: "style: matrix", apply: () => (parameter.style = "matrix"), expect: "either" },
      { what: "style: label", apply: () => (parameter.style = "label"), expect: "either" },
      { what: "style: spaceDelimited", apply: () => (parameter.style = "spaceDelimited"), expect: "either" },
      { what: "style: form", apply: () => (parameter.style = "form"), expect: "either" },
      { what: "style: nonsense", apply: () => (parameter.style = "nonsense"), expect: "refuse" },
      { what: "explode: 'yes'", apply: () => (parameter.explode = "yes"), expect: "refuse" },
      { what: "in: cookie, style: deepObject, explode: false", apply: () => ((parameter.in = "cookie"), (parameter.style = "deepObject"), (parameter.explode = false)), expect: "either" },
      { what: "in: header, style: pipeDelimited", apply: () => ((parameter.in = "header"), (parameter.style = "pipeDelimited")), expect: "either" },
      { what: "content and schema", apply: () => (parameter.content = { "application/json": { schema: { type: "object" } } }), expect: "either" },
      { what: "neither content nor schema", apply: () => delete parameter.schema, expect: "either" },
      { what: "content with two media types", apply: () => (delete parameter.schema, (parameter.content = { "application/json": {}, "text/plain": {} })), expect: "either" },
      { what: "name: ''", apply: () => (parameter.name = ""), expect: "either" },
      { what: "allowEmptyValue on path", apply: () => ((parameter.in = "path"), (parameter.required = true), (parameter.allowEmptyValue = true)), expect: "either" },
      {
        // OpenAPI: "The list MUST NOT include duplicated parameters". Components are not a list:
        // the operation that uses one gets it twice instead.
        what: "declared twice in one list",
        apply: () => {
          const list = at(doc, path.slice(0, -1));
          if (Array.isArray(list)) list.push(clone(parameter));
          else for (const { op } of operations(doc)) if (Array.isArray(op.parameters) && op.parameters.some((p) => isObject(p) && p.$ref === pointerOf(path))) op.parameters.push({ $ref: pointerOf(path) });
        },
        expect: "either",
      },
    ];
    const edit = pick(random, edits);
    edit.apply();
    return { what: `${path.join(".")}: ${edit.what}`, expect: edit.expect };
  },

  security: (random, doc) => {
    const ops = operations(doc);
    const { op, method, template } = pick(random, ops);
    const edits: { what: string; apply: () => void; expect: Expectation }[] = [
      { what: "operation names undeclared scheme", apply: () => (op.security = [{ nope: [] }]), expect: "refuse" },
      { what: "root names undeclared scheme", apply: () => (doc.security = [{ bearerAuth: [] }, { ghost: ["read"] }]), expect: "refuse" },
      { what: "scopes not a list", apply: () => (op.security = [{ bearerAuth: "read" }]), expect: "refuse" },
      { what: "security a string", apply: () => (op.security = "bearerAuth"), expect: "refuse" },
      { what: "security a list of strings", apply: () => (op.security = ["bearerAuth"]), expect: "refuse" },
      { what: "scheme type nonsense", apply: () => (((doc.components as JsonObject).securitySchemes as JsonObject).apiKey = { type: "magic" }), expect: "refuse" },
      { what: "apiKey without in", apply: () => (((doc.components as JsonObject).securitySchemes as JsonObject).apiKey = { type: "apiKey", name: "k" }), expect: "refuse" },
      { what: "oauth2 without flows", apply: () => (((doc.components as JsonObject).securitySchemes as JsonObject).oauth2 = { type: "oauth2" }), expect: "refuse" },
      { what: "http without scheme", apply: () => (((doc.components as JsonObject).securitySchemes as JsonObject).bearerAuth = { type: "http" }), expect: "refuse" },
      { what: "http scheme nonsense", apply: () => (((doc.components as JsonObject).securitySchemes as JsonObject).bearerAuth = { type: "http", scheme: "telepathy" }), expect: "either" },
      { what: "securitySchemes removed", apply: () => delete (doc.components as JsonObject).securitySchemes, expect: "refuse" },
      { what: "scheme is a $ref that dangles", apply: () => (((doc.components as JsonObject).securitySchemes as JsonObject).apiKey = { $ref: "#/components/securitySchemes/none" }), expect: "refuse" },
    ];
    const edit = pick(random, edits);
    edit.apply();
    return { what: `${method} ${template}: ${edit.what}`, expect: edit.expect };
  },

  realtime: (random, doc) => {
    const paths = doc.paths as JsonObject;
    const ws = (paths["/chat/{roomId}"] as JsonObject).get as JsonObject;
    const sse = (paths["/pets/events"] as JsonObject).get as JsonObject;
    const wsExt = ws["x-websocket"] as JsonObject;
    const sseExt = sse["x-sse"] as JsonObject;
    const edits: { what: string; apply: () => void }[] = [
      { what: "x-sse: true", apply: () => (sse["x-sse"] = true) },
      { what: "x-sse: 'pets'", apply: () => (sse["x-sse"] = "pets") },
      { what: "x-sse: []", apply: () => (sse["x-sse"] = []) },
      { what: "x-sse: null", apply: () => (sse["x-sse"] = null) },
      { what: "x-sse.channel: 5", apply: () => (sseExt.channel = 5) },
      { what: "x-sse.channel missing", apply: () => delete sseExt.channel },
      { what: "x-sse.retainEvents: -1", apply: () => (sseExt.retainEvents = -1) },
      { what: "x-sse.retainEvents: 'lots'", apply: () => (sseExt.retainEvents = "lots") },
      { what: "x-sse.heartbeatSeconds: 1e308", apply: () => (sseExt.heartbeatSeconds = 1e308) },
      { what: "x-sse.event: dangling $ref", apply: () => (sseExt.event = { $ref: "#/components/schemas/Ghost" }) },
      { what: "x-sse.event: 'Pet'", apply: () => (sseExt.event = "Pet") },
      { what: "x-sse.event: {type: banana}", apply: () => (sseExt.event = { type: "banana" }) },
      { what: "x-sse.unknown", apply: () => (sseExt.unknown = { a: 1 }) },
      { what: "x-websocket: []", apply: () => (ws["x-websocket"] = []) },
      { what: "x-websocket: 1", apply: () => (ws["x-websocket"] = 1) },
      { what: "x-websocket.room: 42", apply: () => (wsExt.room = 42) },
      { what: "x-websocket.room names undeclared {nope}", apply: () => (wsExt.room = "chat:{nope}") },
      { what: "x-websocket.room unbalanced", apply: () => (wsExt.room = "chat:{roomId") },
      { what: "x-websocket.maxMessageBytes: '4k'", apply: () => (wsExt.maxMessageBytes = "4k") },
      { what: "x-websocket.maxSessions: 0", apply: () => (wsExt.maxSessions = 0) },
      { what: "x-websocket.message: {type: nonsense}", apply: () => (wsExt.message = { type: "nonsense" }) },
      { what: "x-websocket.message: {pattern: '('}", apply: () => (wsExt.message = { type: "string", pattern: "(" }) },
      { what: "x-websocket.slowConsumer.action: explode", apply: () => (wsExt.slowConsumer = { maxUnackedBytes: 10, action: "explode" }) },
      { what: "x-websocket.slowConsumer: 'close'", apply: () => (wsExt.slowConsumer = "close") },
      { what: "x-websocket on a POST", apply: () => (((paths["/pets"] as JsonObject).post as JsonObject)["x-websocket"] = clone(wsExt)) },
      { what: "x-sse and x-websocket on one operation", apply: () => (sse["x-websocket"] = { room: "pets" }) },
      { what: "x-sse on an operation with a request body", apply: () => (((paths["/pets"] as JsonObject).post as JsonObject)["x-sse"] = clone(sseExt)) },
    ];
    const edit = pick(random, edits);
    edit.apply();
    return { what: edit.what, expect: "either" };
  },

  "schema-keyword": (random, doc) => {
    const path = pick(random, schemaPaths(doc));
    const schema = at(doc, path) as JsonObject;
    const edits: { what: string; apply: () => void; expect: Expectation }[] = [
      { what: "pattern: '('", apply: () => (schema.pattern = "("), expect: "either" },
      { what: "pattern: '[a-'", apply: () => (schema.pattern = "[a-"), expect: "either" },
      { what: "pattern: '\\\\'", apply: () => (schema.pattern = "\\"), expect: "either" },
      { what: "pattern: 'a{2,1}'", apply: () => (schema.pattern = "a{2,1}"), expect: "either" },
      { what: "pattern: '(?<n>a)(?<n>b)'", apply: () => (schema.pattern = "(?<n>a)(?<n>b)"), expect: "either" },
      { what: "pattern: '\\\\p{Nope}'", apply: () => (schema.pattern = "\\p{Nope}"), expect: "either" },
      { what: "pattern: 5", apply: () => (schema.pattern = 5), expect: "either" },
      { what: "patternProperties: {'(': {}}", apply: () => (schema.patternProperties = { "(": {} }), expect: "either" },
      { what: "type: [string, banana]", apply: () => (schema.type = ["string", "banana"]), expect: "either" },
      { what: "type: []", apply: () => (schema.type = []), expect: "either" },
      { what: "type: [1, null]", apply: () => (schema.type = [1, null]), expect: "either" },
      { what: "type: [string, string]", apply: () => (schema.type = ["string", "string"]), expect: "either" },
      { what: "type: banana", apply: () => (schema.type = "banana"), expect: "either" },
      { what: "minimum: '5'", apply: () => (schema.minimum = "5"), expect: "either" },
      { what: "maxLength: -1", apply: () => (schema.maxLength = -1), expect: "either" },
      { what: "maxLength: 1.5", apply: () => (schema.maxLength = 1.5), expect: "either" },
      { what: "multipleOf: 0", apply: () => (schema.multipleOf = 0), expect: "either" },
      { what: "enum: []", apply: () => (schema.enum = []), expect: "either" },
      { what: "enum: 'cat'", apply: () => (schema.enum = "cat"), expect: "either" },
      { what: "required: 'name'", apply: () => (schema.required = "name"), expect: "either" },
      { what: "required: [name, name]", apply: () => (schema.required = ["name", "name"]), expect: "either" },
      { what: "properties: []", apply: () => (schema.properties = []), expect: "either" },
      { what: "items: 'x'", apply: () => (schema.items = "x"), expect: "either" },
      { what: "additionalProperties: 'no'", apply: () => (schema.additionalProperties = "no"), expect: "either" },
      { what: "allOf: []", apply: () => (schema.allOf = []), expect: "either" },
      { what: "format: warp-speed", apply: () => (schema.format = "warp-speed"), expect: "either" },
      { what: "default of the wrong type", apply: () => (schema.default = { not: "expected" }), expect: "either" },
      { what: "const and enum disagree", apply: () => ((schema.const = 1), (schema.enum = [2])), expect: "either" },
      { what: "$schema: unknown dialect", apply: () => (schema.$schema = "https://example.com/my-dialect"), expect: "either" },
      { what: "$id: relative", apply: () => (schema.$id = "relative/id"), expect: "either" },
      { what: "$anchor: not-an-anchor!", apply: () => (schema.$anchor = "not an anchor!"), expect: "either" },
      { what: "$dynamicRef dangling", apply: () => (schema.$dynamicRef = "#nowhere"), expect: "either" },
      { what: "nullable: 'yes'", apply: () => (schema.nullable = "yes"), expect: "either" },
      { what: "discriminator without propertyName", apply: () => (schema.discriminator = { mapping: { a: "#/nowhere" } }), expect: "either" },
      {
        what: "recursive through properties",
        apply: () => {
          const schemas = ((doc.components as JsonObject).schemas ??= {}) as JsonObject;
          schemas.Node = { type: "object", properties: { next: { $ref: "#/components/schemas/Node" }, list: { type: "array", items: { $ref: "#/components/schemas/Node" } } } };
          set(doc, path, { $ref: "#/components/schemas/Node" });
        },
        expect: "either",
      },
      {
        what: "recursive through allOf only",
        apply: () => {
          const schemas = ((doc.components as JsonObject).schemas ??= {}) as JsonObject;
          schemas.Loop = { allOf: [{ $ref: "#/components/schemas/Loop" }] };
          set(doc, path, { $ref: "#/components/schemas/Loop" });
        },
        expect: "either",
      },
      {
        what: "mutually recursive through anyOf",
        apply: () => {
          const schemas = ((doc.components as JsonObject).schemas ??= {}) as JsonObject;
          schemas.Even = { anyOf: [{ type: "null" }, { type: "array", items: { $ref: "#/components/schemas/Odd" } }] };
          schemas.Odd = { type: "array", items: { $ref: "#/components/schemas/Even" } };
          set(doc, path, { $ref: "#/components/schemas/Even" });
        },
        expect: "either",
      },
    ];
    const edit = pick(random, edits);
    edit.apply();
    return { what: `${path.join(".")}: ${edit.what}`, expect: edit.expect };
  },

  "document-shape": (random, doc) => {
    const edits: { what: string; apply: () => void; expect: Expectation }[] = [
      { what: "openapi: 3.2.0", apply: () => (doc.openapi = "3.2.0"), expect: "refuse" },
      { what: "openapi: 3.1 (a number)", apply: () => (doc.openapi = 3.1), expect: "refuse" },
      { what: "openapi: '3.0.3' (3.1 features kept)", apply: () => (doc.openapi = "3.0.3"), expect: "refuse" },
      { what: "swagger: '2.0' instead", apply: () => (delete doc.openapi, (doc.swagger = "2.0")), expect: "refuse" },
      { what: "no info", apply: () => delete doc.info, expect: "refuse" },
      { what: "paths: null", apply: () => (doc.paths = null), expect: "refuse" },
      { what: "paths: []", apply: () => (doc.paths = []), expect: "refuse" },
      { what: "paths: {}", apply: () => (doc.paths = {}), expect: "either" },
      { what: "components: 'x'", apply: () => (doc.components = "x"), expect: "refuse" },
      { what: "every operation's responses: {}", apply: () => operations(doc).forEach(({ op }) => (op.responses = {})), expect: "either" },
      { what: "a path item that is a $ref to another", apply: () => ((doc.paths as JsonObject)["/alias"] = { $ref: "#/paths/~1pets" }), expect: "either" },
      { what: "webhooks with garbage", apply: () => (doc.webhooks = { hook: { post: "x" } }), expect: "refuse" },
      { what: "__proto__ key in paths", apply: () => Object.defineProperty(doc.paths, "__proto__", { value: { get: { responses: { "200": { description: "x" } } } }, enumerable: true, configurable: true, writable: true }), expect: "either" },
      { what: "constructor as operationId", apply: () => (pick(random, operations(doc)).op.operationId = "constructor"), expect: "either" },
      { what: "toString as a path parameter name", apply: () => ((doc.paths as JsonObject)["/x/{toString}"] = { get: { parameters: [{ name: "toString", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "x" } } } }), expect: "either" },
      { what: "2,000 operations", apply: () => { for (let i = 0; i < 2000; i++) (doc.paths as JsonObject)[`/bulk/${i}`] = { get: { operationId: `bulk${i}`, responses: { "204": { description: "x" } } } }; }, expect: "either" },
    ];
    const edit = pick(random, edits);
    edit.apply();
    return { what: edit.what, expect: edit.expect };
  },
};

/** How many structured mutants of each category the test builds. */
export const STRUCTURED_COUNTS: Readonly<Record<keyof typeof structured, number>> = {
  "delete-key": 30,
  "other-type": 30,
  "near-miss-key": 20,
  ref: 30,
  "duplicate-operation-id": 5,
  "path-template": 16,
  parameter: 20,
  security: 14,
  realtime: 22,
  "schema-keyword": 36,
  "document-shape": 16,
};

export function structuredMutants(base: JsonObject, seed: number): Mutant[] {
  const out: Mutant[] = [];
  for (const [category, count] of Object.entries(STRUCTURED_COUNTS)) {
    // One stream per category (seed mixed with the name), so changing one count moves no other.
    const random = mulberry32(seed ^ hash(category));
    for (let i = 0; i < count; i++) {
      const doc = clone(base);
      const { what, expect } = structured[category]!(random, doc);
      const { text, fileName } = write(random, doc);
      out.push({ category, name: `${category} #${i} (${what})`, fileName, text, expect, located: true });
    }
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A deep flow sequence written as text (a parser's recursion, not ours). */
function deepFlow(depth: number): string {
  return `openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
}

/**
 * Text mutants of the YAML: what the readers (load.ts, load-fast.ts) must turn into diagnostics
 * or values, never into an exception, a hang or unbounded memory.
 */
export function textMutants(yamlText: string, seed: number): Mutant[] {
  const random = mulberry32(seed ^ hash("text"));
  const out: Mutant[] = [];
  const add = (category: string, what: string, text: string | Uint8Array, expect: Expectation, located = true, fileName = "openapi.yaml"): void => {
    out.push({ category, name: `${category} #${out.filter((m) => m.category === category).length} (${what})`, fileName, text, expect, located });
  };
  const lines = yamlText.split("\n");

  for (let i = 0; i < 20; i++) {
    const offset = 1 + int(random, yamlText.length - 2);
    add("truncated", `at byte ${offset}`, yamlText.slice(0, offset), "either");
  }

  const indented = lines.map((line, i) => ({ line, i })).filter(({ line }) => /^ {2,}\S/.test(line));
  for (let k = 0; k < 4; k++) {
    const { i } = pick(random, indented);
    const copy = [...lines];
    copy[i] = copy[i]!.replace(/^ {2}/, "\t");
    add("tabs", `tab on line ${i + 1}`, copy.join("\n"), "either");
  }
  add("tabs", "every indent a tab", lines.map((line) => line.replace(/^( {2})+/, (s) => "\t".repeat(s.length / 2))).join("\n"), "refuse");

  const withValue = lines.map((line, i) => ({ line, i })).filter(({ line }) => /:\s+\S/.test(line) && !line.trimStart().startsWith("#"));
  for (let k = 0; k < 6; k++) {
    const { line, i } = pick(random, withValue);
    const quote = k % 2 === 0 ? '"' : "'";
    const copy = [...lines];
    copy[i] = line.replace(/:\s+/, (s) => s + quote);
    add("unterminated-quote", `${quote} on line ${i + 1}`, copy.join("\n"), "either");
  }

  add("bom", "UTF-8 BOM before a valid document", "\ufeff" + yamlText, "either");
  add("bom", "BOM before JSON", "\ufeff" + JSON.stringify(parse(yamlText)), "either", true, "openapi.json");
  add("bom", "BOM before a truncated document", "\ufeff" + yamlText.slice(0, Math.floor(yamlText.length / 3)), "either");
  add("bom", "BOM in the middle", yamlText.replace("paths:", "\ufeffpaths:"), "either");

  add("duplicate-keys", "top-level info twice", yamlText.replace("tags:", "info: { title: again, version: '2' }\ntags:"), "refuse");
  add("duplicate-keys", "operationId twice in one operation", yamlText.replace("      operationId: listPets\n", "      operationId: listPets\n      operationId: listPets2\n"), "refuse");
  add("duplicate-keys", "duplicate key in a flow mapping", yamlText.replace("{ type: integer, minimum: 1 }", "{ type: integer, type: string }"), "refuse");
  add("duplicate-keys", "duplicate JSON key", JSON.stringify(parse(yamlText)).replace('"openapi":"3.1.0"', '"openapi":"3.1.0","openapi":"3.0.0"'), "refuse", true, "openapi.json");

  add("aliases", "a schema shared by anchor and alias", yamlText.replace("    Species:\n", "    Species: &species\n").replace("    Photo:\n", "    Kind: *species\n    Photo:\n"), "either");
  add("aliases", "merge key", yamlText.replace("    Photo:\n      type: object\n", "    Photo:\n      <<: { type: object, description: merged }\n"), "either");
  add("aliases", "merge key of a scalar", yamlText.replace("    Photo:\n      type: object\n", "    Photo:\n      <<: 5\n      type: object\n"), "either");
  add("aliases", "alias of an undefined anchor", yamlText.replace("info:\n", "x-ghost: *nowhere\ninfo:\n"), "refuse");
  add("aliases", "recursive alias", yamlText.replace("info:\n", "x-loop: &loop [1, *loop]\ninfo:\n"), "either");
  add("aliases", "recursive alias through a mapping", yamlText.replace("info:\n", "x-loop: &loop { self: *loop }\ninfo:\n"), "either");
  add("aliases", "alias as a mapping key", yamlText.replace("info:\n", "x-k: &k key\nx-m: { *k : v }\ninfo:\n"), "either");
  add("aliases", "anchored schema used as a recursive $ref target", yamlText.replace("    Photo:\n", "    Tree: &tree\n      type: object\n      properties:\n        kids: { type: array, items: { $ref: '#/components/schemas/Tree' } }\n    Photo:\n"), "either");
  {
    // Billion laughs: 9 levels of 10 aliases, 10^9 leaves if expanded. Hung off an extension
    // (kept in the document) and off a schema (compiled into validators).
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let l = 1; l < 9; l++) {
      const prev = String.fromCharCode(96 + l);
      const name = String.fromCharCode(97 + l);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    add("alias-bomb", "10^9 leaves under an extension", yamlText.replace("info:\n", `x-lols:\n${levels.map((l) => "  " + l).join("\n")}\ninfo:\n`), "either");
    add("alias-bomb", "10^9 leaves as a schema's enum", yamlText.replace("info:\n", `x-lols:\n${levels.map((l) => "  " + l).join("\n")}\ninfo:\n`).replace("      enum: [cat, dog, bird, fish, other]\n", "      enum: *i\n"), "either");
    const mapLevels = ["a: &a {k0: lol, k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol, k9: lol}"];
    for (let l = 1; l < 9; l++) {
      const prev = String.fromCharCode(96 + l);
      const name = String.fromCharCode(97 + l);
      mapLevels.push(`${name}: &${name} {${Array.from({ length: 10 }, (_, k) => `k${k}: *${prev}`).join(", ")}}`);
    }
    add("alias-bomb", "10^9 leaves as a schema's properties", yamlText.replace("info:\n", `x-lols:\n${mapLevels.map((l) => "  " + l).join("\n")}\ninfo:\n`).replace("    Photo:\n      type: object\n", "    Photo:\n      type: object\n      x-examples: *i\n      default: *i\n"), "either");
  }

  {
    const flat = Array.from({ length: 40_000 }, (_, i) => `  k${i}: ${i}`).join("\n");
    add("huge", "40,000 keys in one extension", yamlText.replace("info:\n", `x-flat:\n${flat}\ninfo:\n`), "either");
    add("huge", "a 2 MB scalar", yamlText.replace("  version: 1.0.0\n", `  version: 1.0.0\n  x-big: ${"y".repeat(2_000_000)}\n`), "either");
    add("huge", "100,000 short lines of comments", yamlText + "#\n".repeat(100_000), "either");
    add("huge", "nesting 10,000 deep (flow)", deepFlow(10_000), "either");
    add("huge", "nesting 300 deep (flow)", deepFlow(300), "either");
    add("huge", "nesting 3,000 deep (block)", `openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep:\n${Array.from({ length: 3000 }, (_, d) => " ".repeat(d + 1) + "k:").join("\n")} v\n`, "either");
  }

  add("json", "the document as JSON in a .yaml file", JSON.stringify(parse(yamlText)), "either");
  add("json", "the document as pretty JSON", JSON.stringify(parse(yamlText), null, 2), "either", true, "openapi.json");
  add("json", "JSON with a trailing comma", JSON.stringify(parse(yamlText), null, 2).replace(/\n}$/, ",\n}"), "either", true, "openapi.json");
  add("json", "JSON with a comment", "// spec\n" + JSON.stringify(parse(yamlText)), "either", true, "openapi.json");
  add("json", "JSON cut short", JSON.stringify(parse(yamlText)).slice(0, 5000), "refuse", true, "openapi.json");

  add("empty", "empty file", "", "refuse", false);
  add("empty", "only whitespace", "  \n\n\t\n", "refuse", false);
  add("empty", "only a comment", "# nothing\n", "refuse", false);
  add("empty", "only ---", "---\n", "refuse", false);
  add("empty", "null", "null\n", "refuse", false);
  add("empty", "a scalar", "hello\n", "refuse", false);
  add("empty", "a list", "- openapi: 3.1.0\n", "refuse", false);
  add("empty", "two documents", yamlText + "\n---\n" + yamlText, "refuse");

  const bytes = new Uint8Array(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = int(random, 256);
  add("binary", "4 KB of random bytes", bytes, "refuse", false, "openapi.bin");
  add("binary", "PNG header", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), "refuse", false);
  add("binary", "NUL bytes", new Uint8Array(1024), "refuse", false);
  add("binary", "NUL inside a valid document", yamlText.replace("title: BRRTRouter", "title: BRRT\u0000Router"), "either");
  add("binary", "invalid UTF-8 inside a valid document", Buffer.concat([Buffer.from(yamlText.slice(0, 200)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(yamlText.slice(200))]), "either");
  add("binary", "gzip of the document", new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, ...bytes.slice(0, 200)]), "refuse", false);

  add("yaml-misc", "CRLF line endings", yamlText.replace(/\n/g, "\r\n"), "either");
  add("yaml-misc", "CR line endings", yamlText.replace(/\n/g, "\r"), "either");
  add("yaml-misc", "a tag on a schema", yamlText.replace("    Photo:\n", "    Photo: !custom\n"), "either");
  add("yaml-misc", "!!binary on a scalar", yamlText.replace("  version: 1.0.0\n", "  version: !!binary aGVsbG8=\n"), "either");
  add("yaml-misc", "a collection as a key", yamlText.replace("info:\n", "? [a, b]\n: v\ninfo:\n"), "either");
  add("yaml-misc", "a directive", "%YAML 1.1\n---\n" + yamlText, "either");
  add("yaml-misc", "unbalanced flow braces", yamlText.replace("{ type: integer, minimum: 1 }", "{ type: integer, minimum: 1 "), "refuse");
  add("yaml-misc", "a key of 5,000 characters", yamlText.replace("info:\n", `${"k".repeat(5000)}: v\ninfo:\n`), "either");
  add("yaml-misc", "comment straight after a quote", yamlText.replace('"#/components/parameters/limit"', '"#/components/parameters/limit"#c'), "either");
  add("yaml-misc", "a line with only spaces inside a block scalar", yamlText.replace("    bearer JWT,", "    \n    bearer JWT,"), "either");
  add("yaml-misc", "integers past 2^53 and .nan", yamlText.replace("maximum: 100", "maximum: 123456789012345678901234567890").replace("minimum: 0", "minimum: .nan"), "either");
  return out;
}
