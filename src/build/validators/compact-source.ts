/**
 * Exact, local rewrites of ajv's standalone output that make it smaller without changing what
 * it does. Each one matches text ajv generates in one fixed form; anything else is left alone.
 * For a large spec (DigitalOcean) together they take about a third off the module.
 */

/** `schemaPath` is not part of the contract's ValidationError, and it is a long string per error site. */
function dropSchemaPaths(code: string): string {
  return code.replace(/schemaPath:"(?:[^"\\]|\\.)*",/g, "");
}

/** `if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}` → one expression. */
function compactErrorPush(code: string): string {
  return code.replace(/if\(vErrors === null\)\{vErrors = \[(err\d+)\];\}else \{vErrors\.push\(\1\);\}/g, "(vErrors||(vErrors=[])).push($1);");
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
/** `instancePath`, or it plus string literals and loop indices. */
const PATH_EXPRESSION = String.raw`instancePath(?:\s*\+\s*(?:${STRING}|[\w$]+))*`;
/** `{type: "string"}`, `{limit: 1}`, `{allowedValues: schema3.enum}`: values without braces, commas or bare quotes. */
const PARAMS = String.raw`\{(?:[\w$]+: (?:${STRING}|[^,{}"]+)(?:, [\w$]+: (?:${STRING}|[^,{}"]+))*)?\}`;
const ERROR_SITE = new RegExp(
  String.raw`const (err\d+) = \{(?:instancePath|instancePath:(${PATH_EXPRESSION})),keyword:(${STRING}),params:(${PARAMS})\};\(vErrors\|\|\(vErrors=\[\]\)\)\.push\(\1\);`,
  "g",
);
/** Name the generated code calls to append an error (see validator-runtime.ts `addError`). */
export const ADD_ERROR_BINDING = "__brrt_addError";
/** The same for the two commonest errors, whose keyword and params shape are fixed. */
export const ADD_TYPE_ERROR_BINDING = "__brrt_addTypeError";
export const ADD_REQUIRED_ERROR_BINDING = "__brrt_addRequiredError";
/** Appends a called validator's errors (see validator-runtime.ts `concatErrors`). */
export const CONCAT_ERRORS_BINDING = "__brrt_concatErrors";

const ONLY_STRING_PARAM = new RegExp(String.raw`^\{(type|missingProperty): (${STRING})\}$`);

/**
 * The error object literal and its push, at each of the thousands of places ajv reports an
 * error, → one call: `vErrors=addError(vErrors,path,"keyword",{params});`, or for `type` and
 * `required` (7 of 10 sites in a large spec) `vErrors=addTypeError(vErrors,path,"string");`.
 * A site in any other form (a params value the pattern does not read) is left as it is.
 */
function compactErrorSites(code: string): string {
  return code.replace(ERROR_SITE, (_site, _name: string, path: string | undefined, keyword: string, params: string) => {
    const at = path ?? "instancePath";
    const only = ONLY_STRING_PARAM.exec(params);
    if (only !== null && keyword === '"type"' && only[1] === "type") return `vErrors=${ADD_TYPE_ERROR_BINDING}(vErrors,${at},${only[2]});`;
    if (only !== null && keyword === '"required"' && only[1] === "missingProperty") return `vErrors=${ADD_REQUIRED_ERROR_BINDING}(vErrors,${at},${only[2]});`;
    return `vErrors=${ADD_ERROR_BINDING}(vErrors,${at},${keyword},${params});`;
  });
}

/** After a call to another validator fails: its errors appended, the count updated. */
const CONCAT_SITE = /vErrors = vErrors === null \? ([\w$.]+)\.errors : vErrors\.concat\(\1\.errors\);errors = vErrors\.length;/g;

function compactConcatSites(code: string): string {
  return code.replace(CONCAT_SITE, (_site, fn: string) => `errors = (vErrors = ${CONCAT_ERRORS_BINDING}(vErrors, ${fn}.errors)).length;`);
}

const SIGNATURE = /function (validate\d+)\(data, \{instancePath="", parentData, parentDataProperty, rootData=data\}=\{\}\)\{/g;
/** The value a validator is called on: `data`, `data0[i0]`, `data.meta`, `data["x-y"]`. */
const ARGUMENT = String.raw`[\w$]+(?:\.[\w$]+|\[(?:${STRING}|[\w$]+)\])*`;
/** A property name made a JSON-pointer token, as ajv writes it for additional/pattern properties. */
const ESCAPED_KEY = String.raw`[\w$]+\.replace\(/~/g, "~0"\)\.replace\(/\\//g, "~1"\)`;
const CALL_PATH = String.raw`instancePath(?:\s*\+\s*(?:${STRING}|${ESCAPED_KEY}|[\w$]+))*`;
/** `validate12(...)`, or `wrapper0.validate(...)` where ajv breaks a recursive reference. */
const CALL = new RegExp(
  String.raw`\b(validate\d+|wrapper\d+\.validate)\((${ARGUMENT}), \{instancePath(?::(${CALL_PATH}))?,parentData(?::[\w$]+)?,parentDataProperty(?::(?:${STRING}|[\w$]+))?,rootData\}\)`,
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

export function compactSource(code: string): string {
  return positionalInstancePath(compactConcatSites(trimSchemaConstants(compactErrorSites(compactErrorPush(dropSchemaPaths(code))))));
}
