/**
 * Per-operation parsing plan: everything about an operation's parameters and body that does not
 * depend on the request, worked out the first time the operation is requested and kept (keyed by
 * the operation object) for the life of the isolate. A request then only walks its own
 * operation's parameters, never the spec.
 */

import type { CompiledSpec, OperationMeta, ParameterMeta, ValueShape, Validator } from "../compiled-spec.ts";
import { pointerToken } from "../problem.ts";
import { shapeKind, type ShapeKind } from "./coerce.ts";
import { bodyKindOf, compileMediaEntries, lookupValidator, parseMediaType, type MediaEntry } from "./media-type.ts";

export interface ParameterPlan {
  readonly meta: ParameterMeta;
  readonly name: string;
  /** `/name` as a JSON pointer: the base of every violation's pointer. */
  readonly pointer: string;
  /** Lower-case name for header look-up. */
  readonly headerName: string;
  readonly kind: ShapeKind;
  readonly validator: Validator | undefined;
  /** `content`-typed parameter whose media type is JSON: the raw value is `JSON.parse`d. */
  readonly json: boolean;
  /** Path only: position of the `{name}` segment counted from the end, or -1 when it shares its segment. */
  readonly segmentFromEnd: number;
  /** Query/cookie exploded `form` objects: the declared property names read as top-level names. */
  readonly propertyNames: readonly string[];
  /** Exploded `form` object without declared properties: it takes every name no other parameter claims. */
  readonly freeForm: boolean;
}

export interface BodyPlan {
  readonly required: boolean;
  readonly entries: readonly MediaEntry[];
  /** The declared media types, for 415 answers. */
  readonly accepted: readonly string[];
}

export interface OperationPlan {
  readonly path: readonly ParameterPlan[];
  readonly query: readonly ParameterPlan[];
  readonly header: readonly ParameterPlan[];
  readonly cookie: readonly ParameterPlan[];
  /** Query names some parameter reads (for `strictQuery` and free-form objects). */
  readonly claimedQueryNames: ReadonlySet<string>;
  /** `name[` prefixes of deepObject parameters. */
  readonly claimedQueryPrefixes: readonly string[];
  readonly freeFormQuery: boolean;
  readonly freeFormCookie: boolean;
  /** The path template ends with `/` (so a trailing slash in the request is part of the last segment). */
  readonly templateEndsWithSlash: boolean;
  readonly body: BodyPlan | undefined;
  /** Nothing to parse at all: the request is passed through without looking at it. */
  readonly empty: boolean;
}

/** OpenAPI: header parameters with these names SHALL be ignored (they are described elsewhere). */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

export function compileOperationPlan(op: OperationMeta, validators: CompiledSpec["validators"], strictQuery: boolean): OperationPlan {
  const templateSegments = op.path.split("/");
  const path: ParameterPlan[] = [];
  const query: ParameterPlan[] = [];
  const header: ParameterPlan[] = [];
  const cookie: ParameterPlan[] = [];
  const claimedQueryNames = new Set<string>();
  const claimedQueryPrefixes: string[] = [];

  for (const meta of op.parameters) {
    if (meta.in === "header" && IGNORED_HEADERS.has(meta.name.toLowerCase())) continue;
    const plan = compileParameter(meta, validators, templateSegments);
    if (meta.in === "path") path.push(plan);
    else if (meta.in === "header") header.push(plan);
    else if (meta.in === "cookie") cookie.push(plan);
    else {
      query.push(plan);
      claimedQueryNames.add(meta.name);
      for (const property of plan.propertyNames) claimedQueryNames.add(property);
      if (meta.style === "deepObject") claimedQueryPrefixes.push(meta.name + "[");
    }
  }

  const body = op.requestBody === undefined ? undefined : compileBody(op.requestBody, validators);
  const empty = path.length + query.length + header.length + cookie.length === 0 && body === undefined && !strictQuery;
  return {
    path,
    query,
    header,
    cookie,
    claimedQueryNames,
    claimedQueryPrefixes,
    freeFormQuery: query.some((p) => p.freeForm),
    freeFormCookie: cookie.some((p) => p.freeForm),
    templateEndsWithSlash: op.path.length > 1 && op.path.endsWith("/"),
    body,
    empty,
  };
}

function compileParameter(meta: ParameterMeta, validators: CompiledSpec["validators"], templateSegments: readonly string[]): ParameterPlan {
  const kind = meta.contentType === undefined ? shapeKind(meta.shape) : "primitive";
  let segmentFromEnd = -1;
  if (meta.in === "path") {
    const index = templateSegments.indexOf(`{${meta.name}}`);
    if (index !== -1) segmentFromEnd = templateSegments.length - 1 - index;
  }
  const explodedFormObject =
    kind === "object" && meta.explode && meta.style === "form" && (meta.in === "query" || meta.in === "cookie") && meta.contentType === undefined;
  const objectShape = explodedFormObject ? objectOption(meta.shape) : undefined;
  const propertyNames = objectShape === undefined ? [] : Object.keys(objectShape.properties);
  let json = false;
  if (meta.contentType !== undefined) {
    const media = parseMediaType(meta.contentType);
    json = media !== undefined && bodyKindOf(media.type, media.subtype) === "json";
  }
  return {
    meta,
    name: meta.name,
    pointer: "/" + pointerToken(meta.name),
    headerName: meta.name.toLowerCase(),
    kind,
    validator: lookupValidator(validators, meta.validator),
    json,
    segmentFromEnd,
    propertyNames,
    freeForm: explodedFormObject && propertyNames.length === 0,
  };
}

function objectOption(shape: ValueShape): Extract<ValueShape, { type: "object" }> | undefined {
  if (shape.type === "object") return shape;
  if (shape.type === "union") for (const option of shape.options) if (option.type === "object") return option;
  return undefined;
}

function compileBody(requestBody: NonNullable<OperationMeta["requestBody"]>, validators: CompiledSpec["validators"]): BodyPlan {
  const entries = compileMediaEntries(requestBody.content, validators);
  return { required: requestBody.required, entries, accepted: entries.map((e) => e.range) };
}
