/**
 * Response schemas interpreted by @cfworker/json-schema (no eval): the build emits them as JSON
 * texts (`CompiledSpec.responseSchemas`, see src/build/validators/response-schemas.ts) because
 * response validation is a dev/test feature and generated code would be compiled at every
 * worker start. Nothing here runs until response validation is switched on; then each schema
 * (and the schemas it references) is parsed once, on first use, and its validator kept.
 *
 * Validators have the contract's shape ({@link Validator}, errors as ajv reports them), so the
 * response stage reports them exactly as it reports generated validators' errors. cfworker's
 * output units are mapped to that shape: wrapping units ("properties", "$ref", "allOf", ...) are
 * dropped, and the params ajv would give are read from the schema the unit points at.
 */
import { dereference, format as cfworkerFormats, validate, type OutputUnit, type Schema } from "@cfworker/json-schema";
import type { ValidationError, Validator } from "./compiled-spec.ts";
import { formats } from "./formats.ts";
import { MAX_PROBLEM_ERRORS } from "./problem.ts";
import { validator as contractValidator, type GeneratedValidate } from "./validator-runtime.ts";

/** The URI the list is known by: schema `i` sits at `#/$defs/i` (what the build writes in `$ref`s). */
const BASE_URI = "https://brrtrouter.invalid/response-schemas.json";
const DEFS = "/$defs/";
const DEF_REF = /"\$ref":"#\/\$defs\/(\d+)"/g;
/** Format names the build writes for the checks of formats.ts (see the build module). */
const FORMAT_PREFIX = "brrt:";
const NUMERIC_FORMAT_MARKER = "x-brrt-format";

type Node = Schema | boolean;

let formatsRegistered = false;

/**
 * Our format checks, under names of our own: cfworker's own `date-time` accepts a space and its
 * `time` no offset, and it has no `byte`. New names only, so cfworker's own formats are unchanged
 * for any other user of the library in the same worker.
 */
function registerFormats(): void {
  if (formatsRegistered) return;
  formatsRegistered = true;
  for (const name of Object.keys(formats)) {
    const check = formats[name];
    if (typeof check === "function") cfworkerFormats[FORMAT_PREFIX + name] = check;
  }
}

/** The response schemas of one compiled spec: validators built on first use, parsed schemas shared. */
export class ResponseSchemas {
  private readonly lookup: Record<string, Node> = Object.create(null) as Record<string, Node>;
  private readonly parsed: (Node | undefined)[] = [];
  private readonly validators: (Validator | undefined)[] = [];
  private base: URL | undefined;

  constructor(private readonly texts: readonly string[]) {}

  /** The validator of schema `index`; throws for an index the list lacks (a build bug). */
  validator(index: number): Validator {
    let validator = this.validators[index];
    if (validator === undefined) {
      if (!Number.isInteger(index) || index < 0 || index >= this.texts.length) throw new Error(`generated spec has no response schema ${index}`);
      validator = this.compile(index);
      this.validators[index] = validator;
    }
    return validator;
  }

  private compile(index: number): Validator {
    registerFormats();
    const root = this.load(index);
    const lookup = this.lookup;
    const run: GeneratedValidate = (data) => {
      const result = validate(data, root, "2020-12", lookup, false);
      if (result.valid) {
        run.errors = null;
        return true;
      }
      run.errors = ajvErrors(result.errors, root, lookup);
      return false;
    };
    return contractValidator(run);
  }

  /** Parses schema `start` and every schema it reaches that is not parsed yet, registering each with cfworker. */
  private load(start: number): Node {
    const base = (this.base ??= new URL(BASE_URI));
    const pending = [start];
    while (pending.length > 0) {
      const index = pending.pop() as number;
      if (this.parsed[index] !== undefined) continue;
      const text = this.texts[index] as string;
      const schema = JSON.parse(text) as Node;
      this.parsed[index] = schema;
      dereference(schema, this.lookup, base, DEFS + index);
      // `"$ref":"#/$defs/n"` unescaped can only be a key and its value (inside a JSON string the
      // quotes would be escaped); one inside an `enum` value at worst loads a schema early.
      for (const match of text.matchAll(DEF_REF)) {
        const next = Number(match[1]);
        if (next < this.texts.length && this.parsed[next] === undefined) pending.push(next);
      }
    }
    return this.parsed[start] as Node;
  }
}

/** Units that only say "a subschema failed": their subschema's own units follow them. */
const WRAPPERS = new Set([
  "$ref",
  "$recursiveRef",
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "allOf",
  "dependentSchemas",
]);

const COMPARISONS: Readonly<Record<string, string>> = { minimum: ">=", maximum: "<=", exclusiveMinimum: ">", exclusiveMaximum: "<" };
const LIMITS = new Set(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]);

function decodePointer(location: string): string {
  const pointer = location.startsWith("#") ? location.slice(1) : location;
  try {
    return decodeURIComponent(pointer);
  } catch {
    return pointer;
  }
}

function lastToken(pointer: string): string {
  return pointer
    .slice(pointer.lastIndexOf("/") + 1)
    .replace(/~1/g, "/")
    .replace(/~0/g, "~");
}

function capture(pattern: RegExp, text: string): string[] {
  return pattern.exec(text)?.slice(1) ?? [];
}

interface Located {
  /** The schema object holding the unit's keyword. */
  readonly node: Record<string, unknown> | undefined;
  /** Set when the unit comes from a numeric format's range check. */
  readonly format: string | undefined;
}

/** The schema a unit's `keywordLocation` names (through `$ref`s), without its last token (the keyword). */
function locate(keywordLocation: string, root: Node, lookup: Record<string, Node>): Located {
  const tokens = keywordLocation.startsWith("#/") ? keywordLocation.slice(2).split("/") : [];
  let node: unknown = root;
  let format: string | undefined;
  for (let i = 0; i < tokens.length - 1; i++) {
    if (typeof node !== "object" || node === null) return { node: undefined, format };
    const record = node as Record<string, unknown>;
    const token = tokens[i] as string;
    if (token === "$ref" && typeof record.__absolute_ref__ === "string") node = lookup[record.__absolute_ref__];
    else {
      let key = token;
      try {
        key = decodeURIComponent(token);
      } catch {
        // as written
      }
      node = record[key.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    if (typeof node === "object" && node !== null && typeof (node as Record<string, unknown>)[NUMERIC_FORMAT_MARKER] === "string") {
      format = (node as Record<string, unknown>)[NUMERIC_FORMAT_MARKER] as string;
    }
  }
  return { node: typeof node === "object" && node !== null ? (node as Record<string, unknown>) : undefined, format };
}

/** Whether `node` or a subschema it applies in place (`allOf`, `$ref`, ...) declares property `key`. */
function declares(node: unknown, key: string, lookup: Record<string, Node>, depth: number): boolean {
  if (typeof node !== "object" || node === null || depth > 16) return false;
  const schema = node as Record<string, unknown>;
  const properties = schema.properties;
  if (typeof properties === "object" && properties !== null && Object.hasOwn(properties, key)) return true;
  const patterns = schema.patternProperties;
  if (typeof patterns === "object" && patterns !== null && Object.keys(patterns).some((p) => new RegExp(p, "u").test(key))) return true;
  if (typeof schema.__absolute_ref__ === "string" && declares(lookup[schema.__absolute_ref__], key, lookup, depth + 1)) return true;
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const members = schema[keyword];
    if (Array.isArray(members) && members.some((member) => declares(member, key, lookup, depth + 1))) return true;
  }
  return ["then", "else"].some((keyword) => declares(schema[keyword], key, lookup, depth + 1));
}

/**
 * cfworker's output units as ajv-shaped errors (keyword + params; messages are added by the
 * contract wrapper), in cfworker's order, at most a few more than a problem lists.
 */
export function ajvErrors(units: readonly OutputUnit[], root: Node, lookup: Record<string, Node>): ValidationError[] {
  const errors: ValidationError[] = [];
  const seen = new Set<string>();
  const add = (instancePath: string, keyword: string, params: Readonly<Record<string, unknown>>, once = false): void => {
    if (once) {
      const key = `${keyword}\u0000${instancePath}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    errors.push({ instancePath, keyword, params });
  };
  let skipUnder: string | undefined;
  for (let i = 0; i < units.length && errors.length < MAX_PROBLEM_ERRORS; i++) {
    const unit = units[i] as OutputUnit;
    if (skipUnder !== undefined && (unit.keywordLocation.startsWith(skipUnder) || unit.keyword === "false")) continue;
    skipUnder = undefined;
    const at = decodePointer(unit.instanceLocation);
    const keyword = unit.keyword;

    if (keyword === "false") {
      // A `false` schema under additionalProperties/items says which property or item is too many.
      const previous = units[i - 1];
      const parent = previous === undefined ? undefined : decodePointer(previous.instanceLocation);
      if (previous !== undefined && parent !== undefined && at.startsWith(parent + "/")) {
        const token = lastToken(at);
        if (previous.keyword === "additionalProperties") add(parent, "additionalProperties", { additionalProperty: token });
        else if (previous.keyword === "unevaluatedProperties") {
          // cfworker counts a property whose own schema failed as unevaluated too; ajv (and the
          // request path) reports only that failure.
          // And one declared by a subschema that failed (`allOf: [{$ref: Fields}]`) is unevaluated
          // to cfworker, evaluated to ajv: the other failure is the one to report.
          const declared = declares(locate(previous.keywordLocation, root, lookup).node, token, lookup, 0);
          if (!declared && !errors.some((e) => e.instancePath === at || e.instancePath.startsWith(at + "/"))) {
            add(parent, "unevaluatedProperties", { unevaluatedProperty: token });
          }
        }
        else if (previous.keyword === "items" || previous.keyword === "additionalItems") add(parent, previous.keyword, { limit: Number(token) }, true);
        else if (previous.keyword === "unevaluatedItems") add(parent, "unevaluatedItems", { len: Number(token) }, true);
        else add(at, "false schema", {});
      } else add(at, "false schema", {});
      continue;
    }
    if (WRAPPERS.has(keyword) || (keyword === "dependencies" && unit.error.endsWith("dependant schema."))) continue;

    const { node, format } = locate(unit.keywordLocation, root, lookup);
    if (format !== undefined) {
      add(at, "format", { format }, true);
      continue;
    }
    const value = node?.[keyword];
    if (keyword === "type") add(at, "type", { type: value });
    else if (keyword === "required") add(at, "required", { missingProperty: capture(/^Instance does not have required property "(.*)"\.$/s, unit.error)[0] });
    else if (keyword === "dependentRequired" || keyword === "dependencies") {
      const [property, missingProperty] = capture(/^Instance has "(.*)" but does not have "(.*)"\.$/s, unit.error);
      add(at, keyword, { property, missingProperty, depsCount: 1, deps: missingProperty });
    } else if (keyword === "const") add(at, "const", { allowedValue: value });
    else if (keyword === "enum") add(at, "enum", { allowedValues: value });
    else if (Object.hasOwn(COMPARISONS, keyword)) add(at, keyword, { comparison: COMPARISONS[keyword], limit: value });
    else if (LIMITS.has(keyword)) add(at, keyword, { limit: value });
    else if (keyword === "multipleOf") add(at, "multipleOf", { multipleOf: value });
    else if (keyword === "pattern") add(at, "pattern", { pattern: value });
    else if (keyword === "format") add(at, "format", { format: typeof value === "string" && value.startsWith(FORMAT_PREFIX) ? value.slice(FORMAT_PREFIX.length) : value });
    else if (keyword === "uniqueItems") {
      const [first, second] = capture(/indexes (\d+) and (\d+)/, unit.error);
      add(at, "uniqueItems", { i: Number(first), j: Number(second) });
    } else if (keyword === "contains" || keyword === "minContains" || keyword === "maxContains") {
      add(at, "contains", { minContains: node?.minContains ?? 1, ...(node?.maxContains === undefined ? {} : { maxContains: node.maxContains }) }, true);
    } else if (keyword === "oneOf") {
      const matches = Number(capture(/\((\d+) matches\)/, unit.error)[0] ?? 0);
      // cfworker counts the passing branches without naming them: an empty list says "several".
      add(at, "oneOf", { passingSchemas: matches > 1 ? [] : null });
    } else if (keyword === "not") {
      // The build writes a writeOnly refusal as `{not: true, writeOnly: true}`.
      if (node?.writeOnly === true) add(at, "writeOnly", {});
      else add(at, "not", {});
    } else if (keyword === "if") add(at, "if", { failingKeyword: capture(/"(then|else)"/, unit.error)[0] ?? "then" });
    else if (keyword === "propertyNames") {
      add(at, "propertyNames", { propertyName: capture(/^Property name "(.*)" does not match schema\.$/s, unit.error)[0] });
      skipUnder = unit.keywordLocation + "/";
    } else add(at, keyword, {});
  }
  return errors;
}
