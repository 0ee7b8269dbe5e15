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

/**
 * The error object literal and its push, at each of the thousands of places ajv reports an
 * error, → one call: `vErrors=addError(vErrors,path,"keyword",{params});`. A site in any other
 * form (a params value the pattern does not read) is left as it is.
 */
function compactErrorSites(code: string): string {
  return code.replace(ERROR_SITE, (_site, _name: string, path: string | undefined, keyword: string, params: string) => `vErrors=${ADD_ERROR_BINDING}(vErrors,${path ?? "instancePath"},${keyword},${params});`);
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
  return trimSchemaConstants(compactErrorSites(compactErrorPush(dropSchemaPaths(code))));
}
