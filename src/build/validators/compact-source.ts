/**
 * Exact, local rewrites of ajv's standalone output that make it smaller without changing what
 * it does. Each one matches text ajv generates in one fixed form; anything else is left alone.
 * Where a rewrite must apply everywhere or nowhere (a calling convention), it checks that it
 * did and otherwise returns the code as it was.
 *
 * Why bother: a Worker compiles (at least pre-parses) every byte of its modules at each start,
 * and for a large spec the validators are the largest module by far.
 */
import { BOUND_COMPARISONS, SINGLE_PARAM_NAMES } from "../../runtime/validator-runtime.ts";
import { blankStrings, maskStrings, type MaskedCode } from "./string-literals.ts";

/** `schemaPath` is not part of the contract's ValidationError, and it is a long string per error site. */
function dropSchemaPaths(code: string): string {
  return code.replace(/schemaPath:"(?:[^"\\]|\\.)*",/g, "");
}

/** `if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}` → one expression. */
function compactErrorPush(code: string): string {
  return code.replace(/if\(vErrors === null\)\{vErrors = \[(err\d+)\];\}else \{vErrors\.push\(\1\);\}/g, "(vErrors||(vErrors=[])).push($1);");
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
/**
 * A property name made a JSON-pointer token, as ajv writes it for additional/pattern properties
 * (`key0.replace(/~/g, "~0").replace(/\//g, "~1")`; any string, so it also reads masked code).
 */
const ESCAPED_KEY = String.raw`[\w$]+\.replace\(/~/g, ${STRING}\)\.replace\(/\\//g, ${STRING}\)`;
/** `instancePath`, or it plus string literals, loop indices and escaped property names. */
const PATH_EXPRESSION = String.raw`instancePath(?:\s*\+\s*(?:${STRING}|${ESCAPED_KEY}|[\w$]+))*`;
/** A params value: a literal, a variable, or a value read from a schema constant (`schema3.properties["a.b"].enum`). */
const PARAM_VALUE = String.raw`(?:${STRING}|[\w$]+(?:\.[\w$]+|\[(?:${STRING}|\d+)\])*|-?[\d.eE+-]+)`;
/** `{type: "string"}`, `{limit: 1}`, `{comparison: "<=", limit: 2}`, `{allowedValues: schema3.enum}`, `{}`. */
const PARAMS = String.raw`\{(?:[\w$]+: ${PARAM_VALUE}(?:, [\w$]+: ${PARAM_VALUE})*)?\}`;
const ERROR_SITE = new RegExp(
  String.raw`const (err\d+) = \{(?:instancePath|instancePath:(${PATH_EXPRESSION})),keyword:(${STRING}),params:(${PARAMS})\};\(vErrors\|\|\(vErrors=\[\]\)\)\.push\(\1\);`,
  "g",
);
/** Name the generated code calls to append an error (see validator-runtime.ts `addError`). */
const ADD_ERROR_BINDING = "__brrt_addError";
/** The same for the two commonest errors, whose keyword and params shape are fixed. */
const ADD_TYPE_ERROR_BINDING = "__brrt_addTypeError";
const ADD_REQUIRED_ERROR_BINDING = "__brrt_addRequiredError";
/** The same for the keywords whose params are one value (or a bound and its comparison): see validator-runtime.ts `addParamError`. */
const ADD_PARAM_ERROR_BINDING = "__brrt_addParamError";
/** Appends a called validator's errors (see validator-runtime.ts `concatErrors`). */
const CONCAT_ERRORS_BINDING = "__brrt_concatErrors";

/** `{name: value}` or `{comparison: "<=", limit: value}`, split. */
const ONE_PARAM = new RegExp(String.raw`^\{([\w$]+): (${PARAM_VALUE})\}$`);
const BOUND_PARAMS = new RegExp(String.raw`^\{comparison: (${STRING}), limit: (${PARAM_VALUE})\}$`);

/**
 * The error object literal and its push, at each of the thousands of places ajv reports an
 * error, → one call: `vErrors=addError(vErrors,path,"keyword",{params});`, for `type` and
 * `required` (7 of 10 sites in a large spec) `vErrors=addTypeError(vErrors,path,"string");`,
 * and for the keywords whose params are one value `vErrors=addParamError(vErrors,path,"enum",value);`.
 * A site in any other form (a params value the pattern does not read) is left as it is.
 */
function compactErrorSites(code: string): string {
  return code.replace(ERROR_SITE, (_site, _name: string, path: string | undefined, keywordLiteral: string, params: string) => {
    const at = path ?? "instancePath";
    const keyword = JSON.parse(keywordLiteral) as string;
    const one = ONE_PARAM.exec(params);
    if (one !== null && SINGLE_PARAM_NAMES.get(keyword) === one[1]) {
      if (keyword === "type") return `vErrors=${ADD_TYPE_ERROR_BINDING}(vErrors,${at},${one[2]});`;
      if (keyword === "required") return `vErrors=${ADD_REQUIRED_ERROR_BINDING}(vErrors,${at},${one[2]});`;
      return `vErrors=${ADD_PARAM_ERROR_BINDING}(vErrors,${at},${keywordLiteral},${one[2]});`;
    }
    const bound = BOUND_PARAMS.exec(params);
    const comparison = BOUND_COMPARISONS.get(keyword);
    if (bound !== null && comparison !== undefined && JSON.stringify(comparison) === bound[1]) {
      return `vErrors=${ADD_PARAM_ERROR_BINDING}(vErrors,${at},${keywordLiteral},${bound[2]});`;
    }
    if (params === "{}") return `vErrors=${ADD_ERROR_BINDING}(vErrors,${at},${keywordLiteral});`;
    return `vErrors=${ADD_ERROR_BINDING}(vErrors,${at},${keywordLiteral},${params});`;
  });
}

/** A JSON literal as ajv writes an enum value it compares with `===`. */
const LITERAL = String.raw`(?:${STRING}|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)`;
/** A read from a schema constant: `schema3.properties["a.b"].enum`. */
const SCHEMA_READ = String.raw`schema\d+(?:\.[A-Za-z_$][\w$]*|\[(?:${STRING}|\d+)\])*`;
/** Name the module-level arrays of enum values get (`allowedValues0`, ...). */
const ALLOWED_VALUES = "allowedValues";

/**
 * `if(!((data0 === "a") || (data0 === "b") || ...)){<enum error, params schema3....enum>}`: an
 * `enum` of JSON literals, compared one by one (ajv writes one `===` per value) →
 * `if(!allowedValues0.includes(data0)){...allowedValues0...}`, the values in a module-level
 * array shared by every enum with the same values. `includes` compares as `===` does for these
 * values (SameValueZero differs only for NaN, which JSON cannot hold). Applies only where the
 * literals are exactly the values the error reports (read back from the schema constant), with at
 * least two of them.
 */
function sharedEnums(code: string): string {
  const constants = new Map<string, unknown>();
  for (const match of code.matchAll(SCHEMA_CONST)) {
    try {
      constants.set(match[1] as string, JSON.parse(match[2] as string));
    } catch {
      // not JSON (ajv wrote code): its enums stay as they are
    }
  }
  const arrays = new Map<string, string>();
  const site = new RegExp(
    String.raw`if\(!\((\(*\(${ARGUMENT} === ${LITERAL}\)(?:\)* \|\| \(${ARGUMENT} === ${LITERAL}\))+)\)\)\{vErrors=${ADD_PARAM_ERROR_BINDING}\(vErrors,(${PATH_EXPRESSION}),"enum",(${SCHEMA_READ})\);errors\+\+;\}`,
    "g",
  );
  const comparison = new RegExp(String.raw`\((${ARGUMENT}) === (${LITERAL})\)`, "g");
  const rewritten = code.replace(site, (whole, chain: string, path: string, read: string) => {
    const subjects = new Set<string>();
    const values: unknown[] = [];
    const comparisons: string[] = [];
    for (const part of chain.matchAll(comparison)) {
      subjects.add(part[1] as string);
      values.push(JSON.parse(part[2] as string));
      comparisons.push(`${part[1] as string} === ${part[2] as string}`);
    }
    // Exactly ajv's `or(...)` of the comparisons: `((a) || (b)) || (c)`, nothing else in between.
    if (comparisons.reduce((x, y) => `(${x}) || (${y})`) !== chain) return whole;
    const [name, ...steps] = [read.slice(0, read.search(/[.[]|$/)), ...(parsePath(read.slice(read.search(/[.[]|$/))) ?? [])];
    let reported: unknown = constants.get(name as string);
    for (const step of steps) reported = (reported as Record<string, unknown> | undefined)?.[step as string];
    const text = JSON.stringify(values);
    if (subjects.size !== 1 || !Array.isArray(reported) || JSON.stringify(reported) !== text) return whole;
    let array = arrays.get(text);
    if (array === undefined) arrays.set(text, (array = `${ALLOWED_VALUES}${arrays.size}`));
    const subject = [...subjects][0] as string;
    return `if(!${array}.includes(${subject})){vErrors=${ADD_PARAM_ERROR_BINDING}(vErrors,${path},"enum",${array});errors++;}`;
  });
  return [...arrays].map(([text, array]) => `const ${array} = ${text};`).join("") + rewritten;
}

/** Name the generated code calls to test for a JSON object (see validator-runtime.ts `isObject`). */
const IS_OBJECT_BINDING = "__brrt_isObject";
/** The same for an integer (`isInteger`). */
const IS_INTEGER_BINDING = "__brrt_isInteger";

/**
 * ajv's type tests for `object` and `integer`, written out at every use, → a call each:
 * `data0 && typeof data0 == "object" && !Array.isArray(data0)` → `isObject(data0)`,
 * `(typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0))` → `isInteger(data0)`.
 * Only where the test is a whole operand of `&&`/`||` or the whole of a parenthesised
 * condition (ajv's only uses: conditions), so the call is read with the same precedence.
 */
function typeTests({ masked, restore }: MaskedCode): string {
  // In masked code the type names are placeholders: read them back to check.
  const typeName = (placeholder: string) => JSON.parse(restore(placeholder)) as string;
  return masked
    .replace(OBJECT_TEST, (whole, data: string, type: string, offset: number, text: string) =>
      typeName(type) === "object" && startsOperand(text, offset) ? `${IS_OBJECT_BINDING}(${data})` : whole,
    )
    .replace(INTEGER_TEST, (whole, data: string, type: string, offset: number, text: string) =>
      typeName(type) === "number" && startsOperand(text, offset) ? `${IS_INTEGER_BINDING}(${data})` : whole,
    );
}

/**
 * The two tests, each followed by the end of an operand. That one also starts there (after `(`,
 * `&& ` or `|| `) is checked per match ({@link startsOperand}) rather than by a lookbehind, which
 * the regex engine would try at every position; no match can start inside a skipped one (neither
 * test holds its own first word again), so the same tests are found.
 */
const OBJECT_TEST = /(data\d*) && typeof \1 == ("\d+") && !Array\.isArray\(\1\)(?=\)| &&| \|\|)/g;
const INTEGER_TEST = /\(typeof (data\d*) == ("\d+")\) && \(!\(\1 % 1\) && !isNaN\(\1\)\)(?=\)| &&| \|\|)/g;

function startsOperand(code: string, index: number): boolean {
  if (code.charCodeAt(index - 1) === 40 /* ( */) return true;
  const before = code.slice(index - 3, index);
  return index >= 3 && (before === "&& " || before === "|| ");
}

/** After a call to another validator fails: its errors appended, the count updated. */
const CONCAT_SITE = /vErrors = vErrors === null \? ([\w$.]+)\.errors : vErrors\.concat\(\1\.errors\);errors = vErrors\.length;/g;

function compactConcatSites(code: string): string {
  return code.replace(CONCAT_SITE, (_site, fn: string) => `errors = (vErrors = ${CONCAT_ERRORS_BINDING}(vErrors, ${fn}.errors)).length;`);
}

const SIGNATURE = /function (validate\d+)\(data, \{instancePath="", parentData, parentDataProperty, rootData=data\}=\{\}\)\{/g;
/** The value a validator is called on: `data`, `data0[i0]`, `data.meta`, `data["x-y"]`. */
const ARGUMENT = String.raw`[\w$]+(?:\.[\w$]+|\[(?:${STRING}|[\w$]+)\])*`;
/** `validate12(...)`, or `wrapper0.validate(...)` where ajv breaks a recursive reference. */
const CALL = new RegExp(
  String.raw`\b(validate\d+|wrapper\d+\.validate)\((${ARGUMENT}), \{instancePath(?::(${PATH_EXPRESSION}))?,parentData(?::[\w$]+)?,parentDataProperty(?::(?:${STRING}|[\w$]+))?,rootData\}\)`,
  "g",
);

/**
 * ajv passes each validator an options object (`{instancePath, parentData, parentDataProperty,
 * rootData}`) that only the instance path is read from unless a schema needs the others
 * (dynamic references, `unevaluated*`). When none does, the path becomes a plain second
 * parameter: a destructuring signature per function and an object per call site less to parse,
 * and no object to allocate per call. All or nothing: if any other use is left, the code is
 * returned as it was.
 */
function positionalInstancePath(code: string): string {
  const functions = code.match(/function validate\d+\(/g)?.length ?? 0;
  let signatures = 0;
  const rewritten = code
    .replace(SIGNATURE, (_whole, name: string) => {
      signatures++;
      return `function ${name}(data, instancePath=""){`;
    })
    .replace(CALL, (_whole, name: string, argument: string, path: string | undefined) => `${name}(${argument}, ${path ?? "instancePath"})`);
  if (signatures !== functions || /\b(?:parentData|parentDataProperty|rootData)\b/.test(rewritten)) return code;
  return rewritten;
}

/**
 * ajv breaks a recursive reference with `const wrapper0 = {validate: validate6};` and calls
 * `wrapper0.validate(...)`: in the module every function is declared before anything runs, so
 * the call can name the function itself (and equal recursive validators then read alike, see
 * {@link mergeDuplicates}).
 */
function directRecursiveCalls(code: string): string {
  const targets = new Map<string, string>();
  const declarations = /const (wrapper\d+) = \{validate: (validate\d+)\};/g;
  // Most modules have no recursion to break: no need to blank them to find out. (A declaration
  // holds no quote, so one found in the blanked text is in the code as well.)
  if (!code.includes("{validate: validate")) return code;
  const blank = blankStrings(code);
  for (const match of blank.matchAll(declarations)) targets.set(match[1] as string, match[2] as string);
  if (targets.size === 0) return code;
  let out = "";
  let at = 0;
  for (const match of blank.matchAll(/(?<![\w$.])(wrapper\d+)\.validate(?![\w$])/g)) {
    const to = targets.get(match[1] as string);
    if (to === undefined) continue;
    out += code.slice(at, match.index) + to;
    at = (match.index ?? 0) + match[0].length;
  }
  out += code.slice(at);
  const blankOut = blankStrings(out);
  const uses = new Map<string, number>();
  for (const [name] of blankOut.matchAll(/(?<![\w$.])wrapper\d+(?![\w$])/g)) uses.set(name, (uses.get(name) ?? 0) + 1);
  // The declaration is one use itself: it goes where nothing else is left.
  let kept = "";
  at = 0;
  for (const match of blankOut.matchAll(declarations)) {
    if ((uses.get(match[1] as string) ?? 0) > 1) continue;
    kept += out.slice(at, match.index);
    at = (match.index ?? 0) + match[0].length;
  }
  return kept + out.slice(at);
}

/** The positional signature (see positionalInstancePath) with ajv's two error locals. */
const OWN_LIST_PROLOGUE = /function (validate\d+)\(data, instancePath="\d+"\)\{let vErrors = null;let errors = 0;/g;
const OWN_LIST_EPILOGUE = /\b(validate\d+)\.errors = vErrors;return errors === 0;\}/g;
/** A validator of the schema `true` or `false` (ajv returns at once, no locals). */
const TRUE_SCHEMA = /function (validate\d+)\(data, instancePath="\d+"\)\{\1\.errors = null;return true;\}/g;
const FALSE_SCHEMA = /function (validate\d+)\(data, instancePath="\d+"\)\{\1\.errors = \[(\{instancePath,keyword:"\d+",params:\{\}\})\];return false;\}/g;
/** A call (positional form) whose failure appends the callee's errors (compactConcatSites' form). */
const CALL_THEN_CONCAT = new RegExp(
  String.raw`if\(!\(((validate\d+|wrapper\d+\.validate)\(${ARGUMENT}, ${PATH_EXPRESSION})\)\)\)\{errors = \(vErrors = ${CONCAT_ERRORS_BINDING}\(vErrors, ([\w$.]+)\.errors\)\)\.length;\}(else )?`,
  "g",
);
/**
 * The list every validator of the module reports to (validator-runtime.ts `reported`), and the
 * helpers that push onto it, by the list-taking helper each replaces.
 */
export const REPORTED_BINDING = "__brrt_reported";
const REPORTING: Readonly<Record<string, string>> = {
  [ADD_ERROR_BINDING]: "__brrt_reportError",
  [ADD_TYPE_ERROR_BINDING]: "__brrt_reportTypeError",
  [ADD_REQUIRED_ERROR_BINDING]: "__brrt_reportRequiredError",
  [ADD_PARAM_ERROR_BINDING]: "__brrt_reportParamError",
};

/**
 * ajv gives every validator its own error list (`vErrors`, null until the first error) and
 * count (`errors`), and after a failed call copies the callee's list into the caller's. Here all
 * validators report to one list instead, the runtime's `reported` (the wrapper, `listValidator`,
 * takes off it what one validation added): the count is the list's length, a failed call needs
 * no copy, and each error site loses its assignment, its `errors++` and the list argument. A
 * validator is valid when the list is as long at its end as at its start.
 *
 * The count and the list length are the same number in ajv's code at every point (every
 * `errors++` follows a push, every reset truncates both, a copy sets the count to the length),
 * and a list only grows or is cut back to a length it had earlier in the same validator, so the
 * verdicts and the error list (order included) are what ajv's code gives. Validation is
 * synchronous, so one list serves every validation in turn.
 *
 * Applies to positional-form code only, and to all of it or none: if anything is left that reads
 * the old locals or a callee's `.errors`, the code is returned as it was (undefined).
 */
export function sharedErrorList(code: string): string | undefined {
  const masked = maskStrings(code);
  const rewritten = sharedErrorListMasked(masked.masked);
  return rewritten === undefined ? undefined : masked.restore(rewritten);
}

/** {@link sharedErrorList} on masked code (see maskStrings), giving masked code. */
function sharedErrorListMasked(masked: string): string | undefined {
  const functions = masked.match(/\bfunction validate\d+\(/g)?.length ?? 0;
  const list = REPORTED_BINDING;
  let converted = 0;
  let calls = 0;
  let callsConverted = 0;
  for (const _ of masked.matchAll(/(?<!function )\b(?:validate\d+|wrapper\d+\.validate)\(/g)) calls++;
  let consistent = true;
  const rewritten = masked
    .replace(OWN_LIST_PROLOGUE, (_whole, name: string) => {
      converted++;
      return `function ${name}(data, instancePath){const errorsBefore = ${list}.length;`;
    })
    .replace(OWN_LIST_EPILOGUE, `return ${list}.length === errorsBefore;}`)
    .replace(TRUE_SCHEMA, (_whole, name: string) => {
      converted++;
      return `function ${name}(data, instancePath){return true;}`;
    })
    .replace(FALSE_SCHEMA, (_whole, name: string, error: string) => {
      converted++;
      return `function ${name}(data, instancePath){${list}.push(${error});return false;}`;
    })
    .replace(CALL_THEN_CONCAT, (_whole, call: string, fn: string, concatenated: string, otherwise: string | undefined) => {
      if (fn !== concatenated) consistent = false;
      callsConverted++;
      return otherwise === undefined ? `${call});` : `if(!(${call}))){}else `;
    })
    .replace(/\bvErrors=(__brrt_\w+)\(vErrors,/g, (whole, helper: string) => (REPORTING[helper] === undefined ? whole : `${REPORTING[helper]}(`))
    .replace(/\(vErrors\|\|\(vErrors=\[\]\)\)\.push\(/g, `${list}.push(`)
    .replace(/(?<![\w$.])errors\+\+;/g, "")
    .replace(/\bconst (_errs\d+) = errors;/g, `const $1 = ${list}.length;`)
    .replace(/\berrors = (_errs\d+);if\(vErrors !== null\)\{if\(\1\)\{vErrors\.length = \1;\}else \{vErrors = null;\}\}/g, `${list}.length = $1;`)
    .replace(/\b(_errs\d+) === errors(?![\w$])/g, `$1 === ${list}.length`)
    .replace(/(?<![\w$.])errors === (_errs\d+)\b/g, `${list}.length === $1`);
  if (!consistent || converted !== functions || callsConverted !== calls) return undefined;
  if (/\bvErrors\b|(?<![\w$.])errors(?![\w$])|\b(?:validate\d+|wrapper\d+\.validate)\.errors\b/.test(rewritten)) return undefined;
  return rewritten;
}

/** Names the generated code calls for an optional property of a primitive type (see validator-runtime.ts `checkString`). */
const CHECK_TYPE_BINDINGS: Readonly<Record<string, string>> = { string: "__brrt_checkString", boolean: "__brrt_checkBoolean", integer: "__brrt_checkInteger" };
/** For a bound of a number, by the comparison ajv fails it with (see validator-runtime.ts `checkMaximum`). */
const CHECK_BOUND_BINDINGS: Readonly<Record<string, [keyword: string, binding: string]>> = {
  ">": ["maximum", "__brrt_checkMaximum"],
  "<": ["minimum", "__brrt_checkMinimum"],
  ">=": ["exclusiveMaximum", "__brrt_checkExclusiveMaximum"],
  "<=": ["exclusiveMinimum", "__brrt_checkExclusiveMinimum"],
};

/** A property read as ajv writes it: `data.name`, `data0.name`, `data["x-y"]`. */
const PROPERTY_READ = String.raw`data\d*(?:\.[\w$]+|\[${STRING}\])`;
const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`;

/**
 * Tidying that the shared error list (see {@link sharedErrorList}) makes possible, on its output:
 *
 * - an optional property that only has to be a string (a boolean, an integer), ajv's
 *   `if(data.x !== undefined){if(typeof data.x !== "string"){reportTypeError(path,"string");}}`,
 *   the commonest property check by far → `checkString(data.x,path);`
 * - a required property, `if(data.x === undefined){reportRequiredError(path,"x");}` → `checkRequired(data.x,path,"x");`
 * - the items of an array of strings, ajv's loop → `checkStringItems(data0,path);`
 * - an optional property that must be one of an enum's strings → `checkStringEnum(data.x,path,allowedValues3);`,
 *   and an optional integer property with a maximum and/or minimum → `checkIntegerRange(data.x,path,max,min);`
 * - a bound, `if(data0 > 5 || isNaN(data0)){reportParamError(path,"maximum",5);}` →
 *   `checkMaximum(data0,5,path);`
 * - `if(data.x !== undefined){let data3 = data.x;` → `let data3 = data.x;if(data3 !== undefined){`:
 *   the property is read once, and named once. ajv's local names are unique within a function, so
 *   the declaration can move out of the block; only where the `if` is a statement of its own.
 * - a validator that no caller asks for its result (the list says whether it failed) need not
 *   keep the list's length at its start to compare at its end. The wrapper reads the list, not the
 *   result.
 */
/** A path a check helper may take (see tidySharedList): the instance path and up to three literals or loop indices. */
const CHEAP_PATH = /^instancePath(?:\s?\+\s?(?:"\d+"|i\d+)){0,3}$/;
/** What ends the statement before a hoisted `if` (tidySharedList). */
const STATEMENT_END = ";{}";

function tidySharedList({ masked, restore }: MaskedCode): string {
  const typeCheck = new RegExp(
    String.raw`if\((${PROPERTY_READ}) !== undefined\)\{if\(typeof (${PROPERTY_READ}) !== ("\d+")\)\{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}\}`,
    "g",
  );
  // Only where the `if` is a statement of its own (after `;`, `{` or `}`): checked per match, not
  // by a lookbehind tried at every position (a match holds no second `if(` to start inside it).
  const hoist = new RegExp(String.raw`if\((${PROPERTY_READ}) !== undefined\)\{let (data\d+) = (${PROPERTY_READ});`, "g");
  const integerCheck = new RegExp(
    String.raw`let (data\d+) = (${PROPERTY_READ});if\(\1 !== undefined\)\{if\(!\(${IS_INTEGER_BINDING}\(\1\)\)\)\{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}\}`,
    "g",
  );
  const bound = new RegExp(
    String.raw`if\((${ARGUMENT}) (>|<|>=|<=) (${NUMBER}) \|\| isNaN\(\1\)\)\{__brrt_reportParamError\((${PATH_EXPRESSION}),("\d+"),(${NUMBER})\);\}`,
    "g",
  );
  const required = new RegExp(String.raw`if\((${PROPERTY_READ}) === undefined\)\{__brrt_reportRequiredError\((${PATH_EXPRESSION}),("\d+")\);\}`, "g");
  const stringItems = new RegExp(
    String.raw`const (len\d+) = (data\d*)\.length;for\(let (i\d+)=0; \3<\1; \3\+\+\)\{if\(typeof \2\[\3\] !== ("\d+")\)\{__brrt_reportTypeError\((${PATH_EXPRESSION})\+("\d+") \+ \3,("\d+")\);\}\}`,
    "g",
  );
  // An optional string property with an enum, an optional integer property with bounds: one call each.
  const stringEnum = new RegExp(
    String.raw`let (data\d+) = (${PROPERTY_READ});if\(\1 !== undefined\)\{if\(typeof \1 !== ("\d+")\)\{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}if\(!(${ALLOWED_VALUES}\d+)\.includes\(\1\)\)\{__brrt_reportParamError\((${PATH_EXPRESSION}),("\d+"),\6\);\}\}`,
    "g",
  );
  const integerRange = new RegExp(
    String.raw`let (data\d+) = (${PROPERTY_READ});if\(\1 !== undefined\)\{if\(!\(${IS_INTEGER_BINDING}\(\1\)\)\)\{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}if\(typeof \1 == ("\d+")\)\{(?:__brrt_checkMaximum\(\1,(${NUMBER}),(${PATH_EXPRESSION})\);)?(?:__brrt_checkMinimum\(\1,(${NUMBER}),(${PATH_EXPRESSION})\);)?\}\}`,
    "g",
  );
  const optionalProperty = (body: string) => new RegExp(String.raw`let (data\d+) = (${PROPERTY_READ});if\(\1 !== undefined\)\{${body}\}`, "g");
  const stringArray = optionalProperty(String.raw`if\(Array\.isArray\(\1\)\)\{__brrt_checkStringItems\(\1,(${PATH_EXPRESSION})\);\}else \{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}`);
  const stringFormat = optionalProperty(
    String.raw`if\(typeof \1 === ("\d+")\)\{if\(!\((formats\d+)\(\1\)\)\)\{__brrt_reportParamError\((${PATH_EXPRESSION}),("\d+"),("\d+")\);\}\}else \{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}`,
  );
  const integerFormat = optionalProperty(
    String.raw`if\(!\(${IS_INTEGER_BINDING}\(\1\)\)\)\{__brrt_reportTypeError\((${PATH_EXPRESSION}),("\d+")\);\}if\(typeof \1 == ("\d+")\)\{if\(!\((formats\d+)\.validate\(\1\)\)\)\{__brrt_reportParamError\((${PATH_EXPRESSION}),("\d+"),("\d+")\);\}\}`,
  );
  const words = (placeholder: string) => JSON.parse(restore(placeholder)) as string;
  const samePaths = (...paths: string[]) => paths.every((path) => restore(path) === restore(paths[0] as string));
  // A check helper evaluates its path argument on every call, valid or not, where ajv builds the
  // path only to report an error: only a path of at most four pieces (the instance path, string
  // literals, loop indices), which splitPaths turns into arguments the helper joins on error only
  // (see validator-runtime.ts). A property name in the path (`key0.replace(...)`) is not one.
  const cheap = (path: string) => CHEAP_PATH.test(path);
  let tidied = masked
    .replace(required, (whole, read: string, path: string, name: string) => (cheap(path) ? `__brrt_checkRequired(${read},${name},${path});` : whole))
    .replace(stringItems, (whole, _length: string, array: string, _index: string, tested: string, prefix: string, separator: string, reported: string) => {
      // The item's path is the array's and "/<index>": `instancePath+"/tags/" + i0` → the array at `instancePath+"/tags"`.
      const literal = restore(separator);
      const base = literal === '"/"' ? prefix : `${prefix}+${literal.slice(0, -2)}"`;
      if (words(tested) !== "string" || words(reported) !== "string" || !literal.endsWith('/"') || !cheap(maskStrings(restore(base)).masked)) return whole;
      return `__brrt_checkStringItems(${array},${base});`;
    })
    .replace(typeCheck, (whole, tested: string, read: string, typeofName: string, path: string, reported: string) => {
      const binding = CHECK_TYPE_BINDINGS[words(typeofName)];
      if (binding === undefined || !cheap(path) || restore(tested) !== restore(read) || words(reported) !== words(typeofName)) return whole;
      return `${binding}(${read},${path});`;
    })
    .replace(bound, (whole, value: string, failing: string, limit: string, path: string, keyword: string, reportedLimit: string) => {
      const [expected, binding] = CHECK_BOUND_BINDINGS[failing] as [string, string];
      return words(keyword) === expected && limit === reportedLimit && cheap(path) ? `${binding}(${value},${limit},${path});` : whole;
    })
    .replace(hoist, (whole, tested: string, local: string, read: string, offset: number, text: string) =>
      offset > 0 && STATEMENT_END.includes(text.charAt(offset - 1)) && restore(tested) === restore(read) ? `let ${local} = ${read};if(${local} !== undefined){` : whole,
    )
    .replace(integerCheck, (whole, _local: string, read: string, path: string, type: string) =>
      words(type) === "integer" && cheap(path) ? `${CHECK_TYPE_BINDINGS.integer}(${read},${path});` : whole,
    )
    .replace(stringEnum, (whole, _local: string, read: string, tested: string, path: string, reported: string, allowed: string, enumPath: string, keyword: string) =>
      words(tested) === "string" && words(reported) === "string" && words(keyword) === "enum" && samePaths(path, enumPath) && cheap(path)
        ? `__brrt_checkStringEnum(${read},${allowed},${path});`
        : whole,
    )
    .replace(integerRange, (whole, _local: string, read: string, path: string, reported: string, tested: string, maximum?: string, maxPath?: string, minimum?: string, minPath?: string) => {
      const paths = [maxPath, minPath].filter((p) => p !== undefined);
      if (words(reported) !== "integer" || words(tested) !== "number" || paths.length === 0 || !samePaths(path, ...paths) || !cheap(path)) return whole;
      return `__brrt_checkIntegerRange(${read},${maximum ?? "void 0"},${minimum ?? "void 0"},${path});`;
    })
    .replace(stringArray, (whole, _local: string, read: string, itemsPath: string, path: string, type: string) =>
      words(type) === "array" && samePaths(itemsPath, path) && cheap(path) ? `__brrt_checkStringArray(${read},${path});` : whole,
    )
    .replace(stringFormat, (whole, _local: string, read: string, tested: string, format: string, path: string, keyword: string, name: string, typePath: string, type: string) =>
      words(tested) === "string" && words(type) === "string" && words(keyword) === "format" && samePaths(path, typePath) && cheap(path)
        ? `__brrt_checkStringFormat(${read},${format},${name},${path});`
        : whole,
    )
    .replace(integerFormat, (whole, _local: string, read: string, typePath: string, type: string, tested: string, format: string, path: string, keyword: string, name: string) =>
      words(type) === "integer" && words(tested) === "number" && words(keyword) === "format" && samePaths(path, typePath) && cheap(path)
        ? `__brrt_checkIntegerFormat(${read},${format},${name},${path});`
        : whole,
    );
  // Validators whose result a caller reads: `if(!(validate3(...)))` (ajv's calls in a context that stops at the first error).
  const asked = new Set<string>();
  for (const call of tidied.matchAll(/if\(!\((validate\d+|wrapper\d+\.validate)\(/g)) asked.add(call[1] as string);
  if (![...asked].some((name) => name.startsWith("wrapper"))) {
    const ends = new RegExp(
      String.raw`function (validate\d+)\(data, instancePath\)\{const errorsBefore = ${REPORTED_BINDING}\.length;(.*?)return ${REPORTED_BINDING}\.length === errorsBefore;\}(?=function |const |$)`,
      "gs",
    );
    tidied = tidied.replace(ends, (whole, name: string, body: string) => (asked.has(name) || body.includes("errorsBefore") ? whole : `function ${name}(data, instancePath){${body}}`));
  }
  return restore(tidied);
}

const SCHEMA_CONST = /const (schema\d+) = (.*?);(?=function |const |export |$)/gs;
/** A use of a module-level schema constant, with the property path read from it. */
const SCHEMA_USE = /(?<![\w$."'])(schema\d+)((?:\.[A-Za-z_$][\w$]*|\[(?:"(?:[^"\\]|\\.)*"|\d+)\])*)(?![\w$])/g;

/**
 * ajv declares `const schemaN = <the whole schema of a function>` and reads one or two values
 * from it (`schemaN.enum` for error params). Keep only the values read; drop unread constants.
 * A use whose path cannot be read statically keeps the whole constant.
 */
function trimSchemaConstants(code: string): string {
  const paths = new Map<string, (string | number)[][] | "whole">();
  for (const match of code.matchAll(SCHEMA_USE)) {
    const name = match[1] as string;
    const after = code.slice((match.index ?? 0) + match[0].length, (match.index ?? 0) + match[0].length + 3);
    if (match[2] === "" && after === " = ") continue; // the declaration itself
    const known = paths.get(name);
    if (known === "whole") continue;
    const path = parsePath(match[2] as string);
    if (path === undefined || path.length === 0) paths.set(name, "whole");
    else paths.set(name, [...(known ?? []), path]);
  }
  return code.replace(SCHEMA_CONST, (whole, name: string, json: string) => {
    const used = paths.get(name);
    if (used === undefined) return "";
    if (used === "whole") return whole;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return whole;
    }
    return `const ${name} = ${JSON.stringify(pick(value, used))};`;
  });
}

function parsePath(text: string): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  for (const part of text.matchAll(/\.([A-Za-z_$][\w$]*)|\[("(?:[^"\\]|\\.)*"|\d+)\]/g)) {
    if (part[1] !== undefined) path.push(part[1]);
    else if ((part[2] as string).startsWith('"')) path.push(JSON.parse(part[2] as string) as string);
    else path.push(Number(part[2]));
  }
  return path;
}

/** A copy of `value` holding only what the given paths read. */
function pick(value: unknown, paths: readonly (readonly (string | number)[])[]): unknown {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    let from = value as Record<string, unknown>;
    let into = out;
    path.forEach((key, i) => {
      const next = from?.[key as string];
      if (i === path.length - 1) into[key as string] = next;
      else {
        into[key as string] ??= Array.isArray(next) ? [] : {};
        into = into[key as string] as Record<string, unknown>;
        from = next as Record<string, unknown>;
      }
    });
  }
  return out;
}

/** A reference to a validator or a schema constant (in blanked code: none inside a string). */
const NAME_REFERENCE = /(?<![\w$.])(?:validate|schema)\d+(?![\w$])/g;

/**
 * Rename whole-word references outside string literals (`renames`: old name → new name), given
 * the code's blanked text ({@link blankStrings}). The blanked text of the result is the blanked
 * text renamed alike (names hold no quote), so it comes back too, and needs no new scan.
 */
function renameOutsideStrings(code: string, blank: string, renames: ReadonlyMap<string, string>): { code: string; blank: string } {
  if (renames.size === 0) return { code, blank };
  const parts: string[] = [];
  const blankParts: string[] = [];
  let at = 0;
  for (const match of blank.matchAll(NAME_REFERENCE)) {
    const to = renames.get(match[0]);
    if (to === undefined) continue;
    const index = match.index ?? 0;
    parts.push(code.slice(at, index), to);
    blankParts.push(blank.slice(at, index), to);
    at = index + match[0].length;
  }
  parts.push(code.slice(at));
  blankParts.push(blank.slice(at));
  return { code: parts.join(""), blank: blankParts.join("") };
}

/** `text` with each reference to `name` outside strings (found in `blank`, its blanked text) written `validate`. */
function withNameBlanked(text: string, blank: string, name: string): string {
  let out = "";
  let at = 0;
  for (const match of blank.matchAll(NAME_REFERENCE)) {
    if (match[0] !== name) continue;
    const index = match.index ?? 0;
    out += text.slice(at, index) + "validate";
    at = index + match[0].length;
  }
  return at === 0 ? text : out + text.slice(at);
}

/**
 * Equal schemas reached by different paths compile to equal validators, and equal schema
 * constants: keep one of each, and point every reference to the others at it. Functions are
 * compared as text with their own name blanked (recursion), after the constants they read are
 * merged; repeated until nothing merges. `aliases`: removed function → the one kept.
 *
 * The blanked text is scanned once and then edited alongside the code (a function or constant
 * removed spans whole literals, a rename touches no string), and each function's blanked text is
 * a slice of it (a function starts and ends outside any literal).
 */
function mergeDuplicates(code: string): { code: string; aliases: Map<string, string> } {
  const aliases = new Map<string, string>();
  let blank = blankStrings(code);
  for (;;) {
    const renames = new Map<string, string>();
    // Schema constants with the same text (found in the blanked text, so no string's content can end one early).
    const constants = new Map<string, string>();
    const constantSpans: [name: string, start: number, end: number][] = [];
    for (const match of blank.matchAll(SCHEMA_CONST)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      const name = match[1] as string;
      const text = code.slice(start + `const ${name} = `.length, end);
      constantSpans.push([name, start, end]);
      const kept = constants.get(text);
      if (kept === undefined) constants.set(text, name);
      else renames.set(name, kept);
    }
    // Validators with the same text.
    const seen = new Map<string, string>();
    const removed: [start: number, end: number][] = [];
    for (const match of blank.matchAll(/function (validate\d+)\(/g)) {
      const name = match[1] as string;
      const start = match.index ?? 0;
      if (!startsStatement(blank, start)) continue;
      const open = blank.indexOf("){", start) + 1; // the body, after parameters that may destructure `{instancePath, ...}`
      const end = closingBrace(blank, open);
      if (end < 0) return { code, aliases }; // unbalanced: leave the code alone
      const key = withNameBlanked(code.slice(start, end + 1), blank.slice(start, end + 1), name);
      const kept = seen.get(key);
      if (kept === undefined) seen.set(key, name);
      else {
        renames.set(name, kept);
        removed.push([start, end + 1]);
      }
    }
    if (renames.size === 0) return { code, aliases };
    // Removed: the repeated validators, and the declarations of merged constants.
    for (const [name, start, end] of constantSpans) if (renames.has(name)) removed.push([start, end]);
    removed.sort((a, b) => a[0] - b[0]);
    const kept: string[] = [];
    const keptBlank: string[] = [];
    let at = 0;
    for (const [start, end] of removed) {
      kept.push(code.slice(at, start));
      keptBlank.push(blank.slice(at, start));
      at = end;
    }
    kept.push(code.slice(at));
    keptBlank.push(blank.slice(at));
    ({ code, blank } = renameOutsideStrings(kept.join(""), keptBlank.join(""), renames));
    for (const [from, to] of renames) if (from.startsWith("validate")) aliases.set(from, to);
    for (const [from, to] of aliases) aliases.set(from, renames.get(to) ?? to);
  }
}

/**
 * The index of the `}` that brings the brace depth counted from `open` back to 0 (`open` itself
 * at a `{`), or -1 if none does. Only for text without string contents (blanked or masked).
 */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/**
 * A validator no other validator calls is only ever called by the module's wrapper, at the root
 * of the instance (`instancePath` ""): there the path is a constant, so `instancePath+"/name"` is
 * `"/name"` and `instancePath` is `""`, and the parameter goes. Recursive validators call
 * themselves, so they are not among these.
 */
function foldEntryPaths({ masked, placeholder }: MaskedCode): string {
  const called = new Set<string>();
  for (const [name] of masked.matchAll(/(?<![\w$.]|function )validate\d+(?![\w$])/g)) called.add(name);
  // The empty string written where the path was: a placeholder like every literal in masked code.
  const empty = placeholder('""');
  let out = "";
  let at = 0;
  for (const match of masked.matchAll(ENTRY_SIGNATURE)) {
    const name = match[1] as string;
    if (called.has(name) || !startsStatement(masked, match.index ?? 0)) continue;
    const start = match.index ?? 0;
    const bodyStart = start + match[0].length;
    const close = closingBrace(masked, bodyStart - 1);
    const end = close < 0 ? masked.length : close + 1;
    const body = masked
      .slice(bodyStart, end)
      .replace(/(?<=\{)instancePath(?=,)/g, `instancePath:${empty}`) // `{instancePath,keyword:...}`: an error object's shorthand
      .replace(/(?<![\w$.])instancePath\s*\+\s*(?=")/g, "")
      .replace(/(?<![\w$.])instancePath(?![\w$:])/g, empty);
    out += masked.slice(at, start) + `function ${name}(data){` + body;
    at = end;
  }
  return out + masked.slice(at);
}

/**
 * A validator's signature in positional form. Only at the start of the code or after `;`/`}`
 * (see {@link startsStatement}): tested per match rather than by a lookbehind, which the regex
 * engine would try at every position.
 */
const ENTRY_SIGNATURE = /function (validate\d+)\(data, instancePath(?:="\d+")?\)\{/g;

function startsStatement(code: string, index: number): boolean {
  const before = code.charCodeAt(index - 1);
  return index === 0 || before === 59 /* ; */ || before === 125 /* } */;
}

/**
 * A path of two to four pieces as a call's last argument. Each match is the end of its statement
 * (the path holds no comma or `;`), so whether the call is a check helper's is read back to the
 * statement's start: `(?<=__brrt_check\w+\([^;]*)` as a lookbehind rescans that at every comma.
 */
const SPLIT_PATH = /,((?:instancePath|"\d+")(?:\s?\+\s?(?:"\d+"|i\d+)){1,3})\);/g;
const CHECK_CALL = /__brrt_check\w+\(/;

/**
 * The check helpers take the path last, and where it is `instancePath+"/name"` (or
 * `"/items/" + i0+"/name"`, up to four pieces) as separate arguments (`instancePath,"/name"`)
 * that they join only to report an error: no string is built per call on the valid path. (In
 * validators only the wrapper calls, foldEntryPaths has made `instancePath` a constant "".) On
 * masked code (see maskStrings).
 */
function splitPaths(masked: string): string {
  return masked.replace(SPLIT_PATH, (whole, path: string, offset: number) =>
    // A check helper's call: its name between the statement's start and the path argument.
    CHECK_CALL.test(masked.slice(masked.lastIndexOf(";", offset) + 1, offset)) ? `,${path.split(/\s?\+\s?/).join(",")});` : whole,
  );
}

export interface CompactedSource {
  readonly code: string;
  /** Validators merged into an equal one (see {@link mergeDuplicates}): name in the input → name in `code`. */
  readonly aliases: ReadonlyMap<string, string>;
  /**
   * The validators take the caller's error list as a third parameter and push onto it (see
   * {@link sharedErrorList}); wrap them with validator-runtime.ts `listValidator`. Otherwise they
   * keep ajv's convention (`fn.errors`), for `validator`.
   */
  readonly sharedErrorList: boolean;
}

/**
 * The rewrites in order. Runs of rewrites on masked code share one masking (the placeholders'
 * numbers differ from a fresh masking's, but no rewrite reads a number, only what it restores to,
 * and a literal a rewrite writes into masked code is written as a placeholder too).
 */
export function compactSource(code: string): CompactedSource {
  const positional = directRecursiveCalls(positionalInstancePath(compactConcatSites(trimSchemaConstants(sharedEnums(compactErrorSites(compactErrorPush(dropSchemaPaths(code))))))));
  const masked = maskStrings(positional);
  const typed = typeTests(masked);
  const shared = sharedErrorListMasked(typed);
  const merged = mergeDuplicates(shared === undefined ? masked.restore(typed) : tidySharedList({ ...masked, masked: shared }));
  const entries = maskStrings(merged.code);
  return { code: entries.restore(splitPaths(foldEntryPaths(entries))), aliases: merged.aliases, sharedErrorList: shared !== undefined };
}
