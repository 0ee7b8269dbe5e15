/**
 * What generated validator modules import besides formats: the two helpers ajv's generated code
 * calls (as ESM, in place of ajv's CommonJS `ajv/dist/runtime/*`), and the wrapper that gives
 * every exported validator the contract's error shape.
 */
import type { ValidationError, Validator } from "./compiled-spec.ts";
import { MAX_PROBLEM_ERRORS } from "./problem.ts";

/** Deep equality of JSON values (`const`, `enum`, `uniqueItems`), as ajv's `equal` helper. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a !== a && b !== b; // NaN
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** String length in code points (`minLength`/`maxLength` count characters, not UTF-16 units). */
export function ucs2length(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    length++;
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if ((next & 0xfc00) === 0xdc00) i++;
    }
  }
  return length;
}

/** ajv's test for type `object`, as one call (the generated code would write it out at every use). */
export function isObject(value: unknown): boolean {
  return !!value && typeof value == "object" && !Array.isArray(value);
}

/** ajv's test for type `integer` (a number with no fraction: note that Infinity passes, as in ajv). */
export function isInteger(value: unknown): boolean {
  return typeof value == "number" && !(value % 1) && !isNaN(value);
}

/**
 * `pattern`/`patternProperties` regexps: with the `u` flag as JSON Schema intends, and without it
 * for the patterns real specs write that `u` rejects (identity escapes such as `\:`). Built once,
 * at module start of the generated module.
 */
export function pattern(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    if (!flags.includes("u")) throw error;
    return new RegExp(source, flags.replace("u", ""));
  }
}

/**
 * Append one error (the generated code calls this at every error site instead of building the
 * object and pushing it inline, which is a third of a large module). Returns the list.
 * `params` defaults to a fresh `{}` (readOnly, anyOf, not, ...).
 */
export function addError(list: ValidationError[] | null, instancePath: string, keyword: string, params: Readonly<Record<string, unknown>> = {}): ValidationError[] {
  const error: ValidationError = { instancePath, keyword, params };
  if (list === null) return [error];
  list.push(error);
  return list;
}

/** `addError` for a `type` violation (the commonest error site by far: one argument less to write). */
export function addTypeError(list: ValidationError[] | null, instancePath: string, type: unknown): ValidationError[] {
  return addError(list, instancePath, "type", { type });
}

/** `addError` for a missing required property. */
export function addRequiredError(list: ValidationError[] | null, instancePath: string, missingProperty: string): ValidationError[] {
  return addError(list, instancePath, "required", { missingProperty });
}

/**
 * Keywords whose error params are one value, by the name ajv gives it (`enum` → `{allowedValues}`),
 * and the bounds, whose params are a fixed comparison and the limit. The build (compact-source.ts)
 * passes only the value for these, `addParamError` puts the params back together exactly.
 */
export const SINGLE_PARAM_NAMES: ReadonlyMap<string, string> = new Map([
  ["type", "type"],
  ["required", "missingProperty"],
  ["enum", "allowedValues"],
  ["const", "allowedValue"],
  ["format", "format"],
  ["pattern", "pattern"],
  ["multipleOf", "multipleOf"],
  ["maxLength", "limit"],
  ["minLength", "limit"],
  ["maxItems", "limit"],
  ["minItems", "limit"],
  ["maxProperties", "limit"],
  ["minProperties", "limit"],
  ["additionalProperties", "additionalProperty"],
  ["oneOf", "passingSchemas"],
  ["propertyNames", "propertyName"],
]);
export const BOUND_COMPARISONS: ReadonlyMap<string, string> = new Map([
  ["maximum", "<="],
  ["minimum", ">="],
  ["exclusiveMaximum", "<"],
  ["exclusiveMinimum", ">"],
]);

/** `addError` for a keyword of {@link SINGLE_PARAM_NAMES} or {@link BOUND_COMPARISONS}, given the params' value. */
export function addParamError(list: ValidationError[] | null, instancePath: string, keyword: string, value: unknown): ValidationError[] {
  return addError(list, instancePath, keyword, paramsOf(keyword, value));
}

/**
 * The params of {@link addParamError}, each as an object literal of a fixed shape (cheaper to
 * make and to read than one with a computed key); test/build/compact-source-rewrites.test.ts
 * checks this agrees with {@link SINGLE_PARAM_NAMES} and {@link BOUND_COMPARISONS}.
 */
function paramsOf(keyword: string, value: unknown): Readonly<Record<string, unknown>> {
  switch (keyword) {
    case "enum":
      return { allowedValues: value };
    case "format":
      return { format: value };
    case "maximum":
      return { comparison: "<=", limit: value };
    case "minimum":
      return { comparison: ">=", limit: value };
    case "exclusiveMaximum":
      return { comparison: "<", limit: value };
    case "exclusiveMinimum":
      return { comparison: ">", limit: value };
    case "maxLength":
    case "minLength":
    case "maxItems":
    case "minItems":
    case "maxProperties":
    case "minProperties":
      return { limit: value };
    case "pattern":
      return { pattern: value };
    case "type":
      return { type: value };
    case "required":
      return { missingProperty: value };
    case "const":
      return { allowedValue: value };
    case "multipleOf":
      return { multipleOf: value };
    case "additionalProperties":
      return { additionalProperty: value };
    case "oneOf":
      return { passingSchemas: value };
    case "propertyNames":
      return { propertyName: value };
    default: {
      const comparison = BOUND_COMPARISONS.get(keyword);
      return comparison === undefined ? { [SINGLE_PARAM_NAMES.get(keyword) as string]: value } : { comparison, limit: value };
    }
  }
}

/** Append the errors of a validator this one called (`more` is set: the call returned false). */
export function concatErrors(list: ValidationError[] | null, more: ValidationError[]): ValidationError[] {
  return list === null ? more : list.concat(more);
}

/** The shape of a function ajv generates. */
export interface GeneratedValidate {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

/**
 * Wrap a generated function as a contract {@link Validator}.
 *
 * Errors keep ajv's shape exactly (for `required`, `instancePath` is the object that lacks the
 * property and `params.missingProperty` names it): the request stage turns that into a pointer at
 * the missing property, for generated and hand-written validators alike.
 * At most {@link MAX_PROBLEM_ERRORS} errors are kept.
 */
export function validator(validate: GeneratedValidate): Validator {
  const wrapped: Validator = (data: unknown): boolean => {
    if (validate(data)) {
      wrapped.errors = null;
      return true;
    }
    wrapped.errors = shapeErrorsInPlace(validate.errors ?? []);
    return false;
  };
  return wrapped;
}

/**
 * The list the validators of a generated module report to (compact-source.ts `sharedErrorList`),
 * one for all: validation is synchronous, and {@link listValidator} takes off it what one
 * validation added. Empty between validations.
 */
export const reported: ValidationError[] = [];

/** `addError` onto {@link reported}. */
export function reportError(instancePath: string, keyword: string, params: Readonly<Record<string, unknown>> = {}): void {
  reported.push({ instancePath, keyword, params });
}

/** `addTypeError` onto {@link reported}. */
export function reportTypeError(instancePath: string, type: unknown): void {
  reported.push({ instancePath, keyword: "type", params: { type } });
}

/** `addRequiredError` onto {@link reported}. */
export function reportRequiredError(instancePath: string, missingProperty: string): void {
  reported.push({ instancePath, keyword: "required", params: { missingProperty } });
}

/** `addParamError` onto {@link reported}. */
export function reportParamError(instancePath: string, keyword: string, value: unknown): void {
  addParamError(reported, instancePath, keyword, value);
}

/*
 * The check helpers below take the instance path last, in up to four pieces the generated code
 * passes apart (`instancePath, "/name"`, or `"/items/", i0, "/name"`): they join them only to
 * report an error, so a valid value costs no string (ajv's inline code builds the path only on
 * error too).
 */
type Piece = string | number;

/** A required property: reported as ajv reports `required` when it is not there. */
export function checkRequired(value: unknown, missingProperty: string, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value === undefined) reportRequiredError(path + suffix + more + last, missingProperty);
}

/** The items of an array that must be strings (the caller has tested it is an array); each other item reported at `<path>/<index>`. */
export function checkStringItems(items: readonly unknown[], path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  for (let i = 0; i < items.length; i++) if (typeof items[i] !== "string") reportTypeError(`${path}${suffix}${more}${last}/${i}`, "string");
}

/** An optional property that must be a string: checked, and reported as ajv reports `type`. */
export function checkString(value: unknown, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value !== undefined && typeof value !== "string") reportTypeError(path + suffix + more + last, "string");
}

/** The same for a boolean. */
export function checkBoolean(value: unknown, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value !== undefined && typeof value !== "boolean") reportTypeError(path + suffix + more + last, "boolean");
}

/** The same for an integer (as ajv tests it: see {@link isInteger}). */
export function checkInteger(value: unknown, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value !== undefined && !isInteger(value)) reportTypeError(path + suffix + more + last, "integer");
}

/** An optional property that must be a string of `allowed`: a `type` error, then an `enum` error, as ajv reports them. */
export function checkStringEnum(value: unknown, allowed: readonly unknown[], path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value === undefined) return;
  if (typeof value !== "string") reportTypeError(path + suffix + more + last, "string");
  if (!allowed.includes(value)) addParamError(reported, path + suffix + more + last, "enum", allowed);
}

/**
 * An optional property that must be an integer within bounds (either may be undefined): a `type`
 * error, then for any number the `maximum` and `minimum` errors, as ajv reports them.
 */
export function checkIntegerRange(value: unknown, maximum: number | undefined, minimum: number | undefined, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value === undefined) return;
  if (!isInteger(value)) reportTypeError(path + suffix + more + last, "integer");
  if (typeof value == "number") {
    if (maximum !== undefined) checkMaximum(value, maximum, path, suffix, more, last);
    if (minimum !== undefined) checkMinimum(value, minimum, path, suffix, more, last);
  }
}

/** An optional property that must be an array of strings: a `type` error for anything else, then one per item. */
export function checkStringArray(value: unknown, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value === undefined) return;
  if (Array.isArray(value)) checkStringItems(value, path, suffix, more, last);
  else reportTypeError(path + suffix + more + last, "array");
}

/** An optional property that must be a string of a format (`test`: the format's check, `format`: its name). */
export function checkStringFormat(value: unknown, test: (value: string) => boolean, format: string, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value === undefined) return;
  if (typeof value === "string") {
    if (!test(value)) addParamError(reported, path + suffix + more + last, "format", format);
  } else reportTypeError(path + suffix + more + last, "string");
}

/** An optional property that must be an integer of a numeric format (int32, int64): `type`, then `format`, as ajv reports them. */
export function checkIntegerFormat(value: unknown, test: { validate(value: number): boolean }, format: string, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value === undefined) return;
  if (!isInteger(value)) reportTypeError(path + suffix + more + last, "integer");
  if (typeof value == "number" && !test.validate(value)) addParamError(reported, path + suffix + more + last, "format", format);
}

/** `maximum` of a number, tested and reported as ajv does (NaN fails every bound). */
export function checkMaximum(value: number, limit: number, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value > limit || isNaN(value)) addParamError(reported, path + suffix + more + last, "maximum", limit);
}

/** `minimum`, as {@link checkMaximum}. */
export function checkMinimum(value: number, limit: number, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value < limit || isNaN(value)) addParamError(reported, path + suffix + more + last, "minimum", limit);
}

/** `exclusiveMaximum`, as {@link checkMaximum}. */
export function checkExclusiveMaximum(value: number, limit: number, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value >= limit || isNaN(value)) addParamError(reported, path + suffix + more + last, "exclusiveMaximum", limit);
}

/** `exclusiveMinimum`, as {@link checkMaximum}. */
export function checkExclusiveMinimum(value: number, limit: number, path: string, suffix: Piece = "", more: Piece = "", last: Piece = ""): void {
  if (value <= limit || isNaN(value)) addParamError(reported, path + suffix + more + last, "exclusiveMinimum", limit);
}

/**
 * A generated function that reports its errors to {@link reported}; valid when it added none
 * (net: a rule that recovered truncates what its failed alternatives added). Its result is not
 * read here: one that no other validator asks returns nothing.
 */
export type ReportingValidate = (data: unknown, instancePath: string) => unknown;

/** {@link validator} for a {@link ReportingValidate}: the errors are what the call added to {@link reported}. */
export function listValidator(validate: ReportingValidate): Validator {
  const wrapped: Validator = (data: unknown): boolean => {
    const start = reported.length; // 0, unless a validation runs inside another
    try {
      validate(data, "");
    } catch (error) {
      reported.length = start;
      throw error;
    }
    if (reported.length === start) {
      wrapped.errors = null;
      return true;
    }
    wrapped.errors = shapeErrors(reported, start);
    reported.length = start;
    return false;
  };
  return wrapped;
}

/**
 * The `validators` of a generated module whose code is made on first use (build:
 * lazy-components.ts): `make(component)` runs one component's code and returns its validators,
 * `slotsJson` names each validator's component and index. A read-only record, as the contract
 * says, whose entries exist from the start and are made when first read: a Proxy, so that no
 * function per validator is created at start-up (in workerd each one made there counts). The
 * runtime reads each validator once, when an operation's request plan is made.
 */
export function lazyValidators(make: (component: number) => readonly Validator[], slotsJson: string): Readonly<Record<string, Validator>> {
  let slots: Record<string, readonly [number, number]> | undefined;
  const table = (): Record<string, readonly [number, number]> => (slots ??= JSON.parse(slotsJson) as Record<string, readonly [number, number]>);
  const components: (readonly Validator[] | undefined)[] = [];
  const slotOf = (key: string | symbol): readonly [number, number] | undefined =>
    typeof key === "string" && Object.hasOwn(table(), key) ? table()[key] : undefined;
  const read = (key: string | symbol): Validator | undefined => {
    const slot = slotOf(key);
    if (slot === undefined) return undefined;
    const made = (components[slot[0]] ??= make(slot[0]));
    return made[slot[1]];
  };
  const refuse = (): boolean => false;
  return new Proxy(Object.create(null) as Record<string, Validator>, {
    get: (_target, key) => read(key),
    has: (_target, key) => slotOf(key) !== undefined,
    ownKeys: () => Object.keys(table()),
    // Configurable, as a Proxy must report a property its (empty) target lacks; the traps below
    // refuse every change, so the record is read-only all the same.
    getOwnPropertyDescriptor: (_target, key) => {
      const validator = read(key);
      return validator === undefined ? undefined : { value: validator, writable: false, enumerable: true, configurable: true };
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
  });
}

/** The errors from `start` on (at most {@link MAX_PROBLEM_ERRORS}), in a new list, each with its message. */
function shapeErrors(errors: readonly ValidationError[], start = 0): ValidationError[] {
  const end = Math.min(errors.length, start + MAX_PROBLEM_ERRORS);
  const kept: ValidationError[] = [];
  for (let i = start; i < end; i++) {
    const error = errors[i] as ValidationError;
    kept.push({ instancePath: error.instancePath, keyword: error.keyword, message: error.message ?? messageFor(error.keyword, error.params), params: error.params });
  }
  return kept;
}

function shapeErrorsInPlace(errors: ValidationError[]): ValidationError[] {
  const kept = errors.length > MAX_PROBLEM_ERRORS ? errors.slice(0, MAX_PROBLEM_ERRORS) : errors;
  for (let i = 0; i < kept.length; i++) {
    const error = kept[i] as ValidationError;
    kept[i] = { instancePath: error.instancePath, keyword: error.keyword, message: error.message ?? messageFor(error.keyword, error.params), params: error.params };
  }
  return kept;
}

type Params = Readonly<Record<string, unknown>>;
const fixed = (message: string) => (): string => message;
const fewerOrMore = (keyword: string, what: string) => (p: Params, k: string): string => `must NOT have ${k === keyword ? "more" : "fewer"} than ${String(p.limit)} ${what}`;

/**
 * ajv's English messages, made at run time from keyword and params: the generated code carries
 * no message strings (ajv `messages: false`), and only the few reported errors need one.
 */
const MESSAGES: Readonly<Record<string, (params: Params, keyword: string) => string>> = {
  type: (p) => `must be ${String(p.type)}`,
  required: (p) => `must have required property '${String(p.missingProperty)}'`,
  dependentRequired: (p) => `must have ${p.depsCount === 1 ? "property" : "properties"} ${String(p.deps)} when property ${String(p.property)} is present`,
  additionalProperties: fixed("must NOT have additional properties"),
  unevaluatedProperties: fixed("must NOT have unevaluated properties"),
  propertyNames: fixed("property name must be valid"),
  items: (p) => `must NOT have more than ${String(p.limit)} items`,
  additionalItems: (p) => `must NOT have more than ${String(p.limit)} items`,
  unevaluatedItems: (p) => `must NOT have more than ${String(p.limit)} items`,
  maxItems: fewerOrMore("maxItems", "items"),
  minItems: fewerOrMore("maxItems", "items"),
  maxLength: fewerOrMore("maxLength", "characters"),
  minLength: fewerOrMore("maxLength", "characters"),
  maxProperties: fewerOrMore("maxProperties", "properties"),
  minProperties: fewerOrMore("maxProperties", "properties"),
  maximum: (p) => `must be ${String(p.comparison)} ${String(p.limit)}`,
  minimum: (p) => `must be ${String(p.comparison)} ${String(p.limit)}`,
  exclusiveMaximum: (p) => `must be ${String(p.comparison)} ${String(p.limit)}`,
  exclusiveMinimum: (p) => `must be ${String(p.comparison)} ${String(p.limit)}`,
  multipleOf: (p) => `must be multiple of ${String(p.multipleOf)}`,
  pattern: (p) => `must match pattern "${String(p.pattern)}"`,
  format: (p) => `must match format "${String(p.format)}"`,
  enum: fixed("must be equal to one of the allowed values"),
  const: fixed("must be equal to constant"),
  uniqueItems: (p) => `must NOT have duplicate items (items ## ${String(p.j)} and ${String(p.i)} are identical)`,
  contains: (p) =>
    p.maxContains === undefined
      ? `must contain at least ${String(p.minContains)} valid item(s)`
      : `must contain at least ${String(p.minContains)} and no more than ${String(p.maxContains)} valid item(s)`,
  oneOf: fixed("must match exactly one schema in oneOf"),
  anyOf: fixed("must match a schema in anyOf"),
  not: fixed("must NOT be valid"),
  if: (p) => `must match "${String(p.failingKeyword)}" schema`,
  "false schema": fixed("boolean schema is false"),
  readOnly: fixed("must not be present in a request (readOnly)"),
  writeOnly: fixed("must not be present in a response (writeOnly)"),
};

function messageFor(keyword: string, params: Params): string {
  const make = MESSAGES[keyword];
  return make === undefined ? `must pass "${keyword}" keyword validation` : make(params, keyword);
}
