/**
 * Test stand-ins for what the build step generates: a tiny JSON-Schema subset validator that
 * reports errors exactly in ajv's shape (keyword, instancePath, params), and builders for
 * hand-written OperationMeta / ParameterMeta objects.
 */

import type {
  HttpMethod,
  MediaTypeMeta,
  OperationMeta,
  ParameterLocation,
  ParameterMeta,
  ParameterStyle,
  ResponseMeta,
  ValidationError,
  Validator,
  ValueShape,
} from "../../src/runtime/compiled-spec.ts";
import { pointerToken } from "../../src/runtime/problem.ts";

export interface MiniSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: MiniSchema;
  properties?: Record<string, MiniSchema>;
  required?: string[];
  additionalProperties?: false | MiniSchema;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function check(schema: MiniSchema, value: unknown, path: string, errors: ValidationError[]): void {
  const push = (keyword: string, params: Record<string, unknown>, message: string) => errors.push({ instancePath: path, keyword, params, message });
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    const ok = types.some((t) => t === actual || (t === "number" && actual === "integer"));
    if (!ok) {
      push("type", { type: types.join(",") }, `must be ${types.join(",")}`);
      return;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    push("enum", { allowedValues: schema.enum }, "must be equal to one of the allowed values");
  }
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) push("const", { allowedValue: schema.const }, "must be equal to constant");
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) push("minimum", { comparison: ">=", limit: schema.minimum }, `must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) push("maximum", { comparison: "<=", limit: schema.maximum }, `must be <= ${schema.maximum}`);
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength) push("minLength", { limit: schema.minLength }, "too short");
    if (schema.maxLength !== undefined && value.length > schema.maxLength) push("maxLength", { limit: schema.maxLength }, "too long");
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) push("pattern", { pattern: schema.pattern }, "pattern");
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) push("minItems", { limit: schema.minItems }, "too few");
    if (schema.maxItems !== undefined && value.length > schema.maxItems) push("maxItems", { limit: schema.maxItems }, "too many");
    if (schema.items !== undefined) value.forEach((item, i) => check(schema.items!, item, `${path}/${i}`, errors));
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(record, name)) push("required", { missingProperty: name }, `must have required property '${name}'`);
    }
    for (const key of Object.keys(record)) {
      const sub = schema.properties !== undefined && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
      if (sub !== undefined) check(sub, record[key], `${path}/${pointerToken(key)}`, errors);
      else if (schema.additionalProperties === false) push("additionalProperties", { additionalProperty: key }, "must NOT have additional properties");
      else if (schema.additionalProperties !== undefined) check(schema.additionalProperties, record[key], `${path}/${pointerToken(key)}`, errors);
    }
  }
}

/** A validator with ajv's calling convention (`errors` set on failure, allErrors semantics). */
export function schemaValidator(schema: MiniSchema): Validator {
  const validate: Validator = (data: unknown) => {
    const errors: ValidationError[] = [];
    check(schema, data, "", errors);
    validate.errors = errors.length === 0 ? null : errors;
    return errors.length === 0;
  };
  return validate;
}

/** The coercion shape the build step would derive from a MiniSchema. */
export function shapeOf(schema: MiniSchema): ValueShape {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 1) return { type: "union", options: types.map((t) => shapeOf({ ...schema, type: t })) };
  switch (types[0]) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
    case "null":
      return { type: types[0] };
    case "array":
      return { type: "array", items: schema.items === undefined ? { type: "any" } : shapeOf(schema.items) };
    case "object": {
      const properties: Record<string, ValueShape> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) properties[k] = shapeOf(v);
      const additional = schema.additionalProperties === undefined || schema.additionalProperties === false ? { type: "any" as const } : shapeOf(schema.additionalProperties);
      return { type: "object", properties, additional };
    }
    default:
      return { type: "any" };
  }
}

/** Validators registered by name, as `spec.validators` holds them. */
export class ValidatorRegistry {
  readonly validators: Record<string, Validator> = {};
  private next = 0;
  add(schema: MiniSchema): string {
    const name = `v${this.next++}`;
    this.validators[name] = schemaValidator(schema);
    return name;
  }
}

const DEFAULT_STYLE: Record<ParameterLocation, ParameterStyle> = { path: "simple", header: "simple", query: "form", cookie: "form" };

export function param(
  registry: ValidatorRegistry,
  name: string,
  location: ParameterLocation,
  schema: MiniSchema,
  extra: Partial<Omit<ParameterMeta, "name" | "in" | "shape" | "validator">> = {},
): ParameterMeta {
  const style = extra.style ?? DEFAULT_STYLE[location];
  return {
    name,
    in: location,
    required: location === "path",
    allowEmptyValue: false,
    allowReserved: false,
    ...extra,
    style,
    explode: extra.explode ?? style === "form",
    shape: shapeOf(schema),
    validator: registry.add(schema),
  };
}

export function media(registry: ValidatorRegistry, schema: MiniSchema | undefined, withShape = false): MediaTypeMeta {
  if (schema === undefined) return {};
  return withShape ? { validator: registry.add(schema), shape: shapeOf(schema) } : { validator: registry.add(schema) };
}

let nextIndex = 0;

export function operation(fields: {
  method?: HttpMethod;
  path?: string;
  operationId?: string;
  parameters?: ParameterMeta[];
  requestBody?: OperationMeta["requestBody"];
  responses?: Record<string, ResponseMeta>;
}): OperationMeta {
  const method = fields.method ?? "GET";
  const path = fields.path ?? "/things";
  return {
    index: nextIndex++,
    operationId: fields.operationId ?? `${method} ${path}`,
    method,
    path,
    tags: [],
    deprecated: false,
    parameters: fields.parameters ?? [],
    requestBody: fields.requestBody,
    responses: fields.responses ?? {},
    security: [],
    extensions: {},
  };
}

export function isProblemLike(value: unknown): value is { status: number; detail: string; errors?: { in: string; name?: string; pointer: string; message: string }[]; headers?: Record<string, string>; extensions?: Record<string, unknown> } {
  return typeof value === "object" && value !== null && "status" in value && "title" in value;
}
