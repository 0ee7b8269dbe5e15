/**
 * Violations as a client developer reads them: where (`in`, `name`, JSON pointer) and what, in a
 * sentence. Validator errors arrive in ajv's shape (keyword + params) and are turned into
 * sentences here, so every stage and the response validator phrase them the same way.
 */

import type { ValidationError, Validator } from "../compiled-spec.ts";
import { pointerToken, type ProblemError, type ProblemLocation } from "../problem.ts";

/** Bounded list of violations: adding past `max` is a no-op, and callers stop work once `full`. */
export class ErrorList {
  readonly items: ProblemError[] = [];
  constructor(readonly max: number) {}

  get full(): boolean {
    return this.items.length >= this.max;
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  add(location: ProblemLocation, name: string | undefined, pointer: string, message: string): void {
    if (this.items.length >= this.max) return;
    this.items.push(name === undefined ? { in: location, pointer, message } : { in: location, name, pointer, message });
  }
}

/**
 * Run `validator` on `value`; on failure add each reported violation, its pointer prefixed with
 * `basePointer` (`/limit` for a parameter, `""` for a body). Returns whether the value passed.
 */
export function runValidator(
  validator: Validator,
  value: unknown,
  location: ProblemLocation,
  name: string | undefined,
  basePointer: string,
  errors: ErrorList,
): boolean {
  let valid: boolean;
  try {
    valid = validator(value);
  } catch (error) {
    // A generated validator only throws on pathological input (e.g. recursion past the stack for a
    // value the depth limit did not cover). That is still the client's value, so it is a 400.
    errors.add(location, name, basePointer, error instanceof RangeError ? "is nested too deeply to validate" : "could not be validated");
    return false;
  }
  if (valid) return true;
  const reported = validator.errors;
  if (reported === undefined || reported === null || reported.length === 0) {
    errors.add(location, name, basePointer, "is invalid");
    return false;
  }
  for (const error of reported) {
    if (errors.full) break;
    const described = describeValidationError(error);
    const at = basePointer + described.pointer;
    errors.add(location, name ?? topLevelName(at), at, described.message);
  }
  return false;
}

/** For a body violation: the top-level property it is under (`/tags/1` → `tags`), so every located error has a name. */
function topLevelName(pointer: string): string | undefined {
  if (pointer.length < 2) return undefined;
  const end = pointer.indexOf("/", 1);
  const token = end === -1 ? pointer.slice(1) : pointer.slice(1, end);
  return token.includes("~") ? token.replace(/~1/g, "/").replace(/~0/g, "~") : token;
}

/** The pointer (relative to the validated value) and sentence for one ajv-shaped error. */
export function describeValidationError(error: ValidationError): { pointer: string; message: string } {
  const at = error.instancePath ?? "";
  const p = error.params ?? {};
  switch (error.keyword) {
    case "type":
      return { pointer: at, message: `must be ${joinTypes(p.type)}` };
    case "required":
      return { pointer: at + "/" + pointerToken(String(p.missingProperty)), message: "is required" };
    case "dependentRequired":
    case "dependencies":
      return {
        pointer: at + "/" + pointerToken(String(p.missingProperty)),
        message: `is required when "${String(p.property)}" is present`,
      };
    case "enum":
      return { pointer: at, message: `must be one of: ${listValues(p.allowedValues)}` };
    case "const":
      return { pointer: at, message: `must be equal to ${formatValue(p.allowedValue)}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { pointer: at, message: `must be ${String(p.comparison ?? comparisonFor(error.keyword))} ${String(p.limit)}` };
    case "multipleOf":
      return { pointer: at, message: `must be a multiple of ${String(p.multipleOf)}` };
    case "minLength":
      return { pointer: at, message: `must be at least ${count(p.limit, "character")} long` };
    case "maxLength":
      return { pointer: at, message: `must be at most ${count(p.limit, "character")} long` };
    case "minItems":
      return { pointer: at, message: `must have at least ${count(p.limit, "item")}` };
    case "maxItems":
    case "items":
    case "additionalItems":
      return { pointer: at, message: `must have at most ${count(p.limit, "item")}` };
    case "minProperties":
      return { pointer: at, message: `must have at least ${count(p.limit, "property", "properties")}` };
    case "maxProperties":
      return { pointer: at, message: `must have at most ${count(p.limit, "property", "properties")}` };
    case "uniqueItems":
      return { pointer: at, message: `must not contain duplicate items (items ${String(p.j)} and ${String(p.i)} are identical)` };
    case "pattern":
      return { pointer: at, message: `must match pattern "${String(p.pattern)}"` };
    case "format":
      return { pointer: at, message: `must be a valid ${String(p.format)}` };
    case "additionalProperties":
      return { pointer: at + "/" + pointerToken(String(p.additionalProperty)), message: "is not an allowed property" };
    case "unevaluatedProperties":
      return { pointer: at + "/" + pointerToken(String(p.unevaluatedProperty)), message: "is not an allowed property" };
    case "unevaluatedItems":
      return { pointer: at, message: `must have at most ${count(p.len, "item")}` };
    case "propertyNames":
      return { pointer: at, message: `has an invalid property name "${String(p.propertyName)}"` };
    case "contains":
      return { pointer: at, message: containsMessage(p.minContains, p.maxContains) };
    case "oneOf":
      return {
        pointer: at,
        message: Array.isArray(p.passingSchemas)
          ? "must match exactly one of the allowed schemas, but matches several"
          : "must match exactly one of the allowed schemas",
      };
    case "anyOf":
      return { pointer: at, message: "must match at least one of the allowed schemas" };
    case "not":
      return { pointer: at, message: "must not match the excluded schema" };
    case "if":
      return { pointer: at, message: `must match the "${String(p.failingKeyword ?? "then")}" schema` };
    case "false schema":
      return { pointer: at, message: "is not allowed" };
    case "discriminator":
      return p.error === "mapping"
        ? { pointer: at + "/" + pointerToken(String(p.tag)), message: `must be one of the discriminator's mapped values (got ${formatValue(p.tagValue)})` }
        : { pointer: at + "/" + pointerToken(String(p.tag)), message: "must be a string" };
    default:
      return { pointer: at, message: error.message ?? `fails "${error.keyword}"` };
  }
}

function comparisonFor(keyword: string): string {
  return keyword === "minimum" ? ">=" : keyword === "maximum" ? "<=" : keyword === "exclusiveMinimum" ? ">" : "<";
}

function joinTypes(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(",");
  return types.length <= 1 ? (types[0] ?? "valid") : `${types.slice(0, -1).join(", ")} or ${types[types.length - 1]}`;
}

function count(n: unknown, singular: string, plural = singular + "s"): string {
  return `${String(n)} ${n === 1 ? singular : plural}`;
}

function containsMessage(min: unknown, max: unknown): string {
  if (typeof max === "number") return `must contain at most ${count(max, "matching item")}`;
  return `must contain at least ${count(typeof min === "number" ? min : 1, "matching item")}`;
}

const MAX_LISTED_VALUES = 10;

function listValues(values: unknown): string {
  if (!Array.isArray(values)) return formatValue(values);
  const shown = values.slice(0, MAX_LISTED_VALUES).map((v) => (typeof v === "string" ? v : formatValue(v)));
  return values.length > MAX_LISTED_VALUES ? `${shown.join(", ")}, … (${values.length} in all)` : shown.join(", ");
}

function formatValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
