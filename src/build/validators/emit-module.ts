/**
 * ajv standalone code generation for one {@link AjvDocument}: one ES module, no eval at run time.
 *
 * The generated code's `require("ajv/dist/runtime/...")` helpers are swapped for imports from our
 * own ESM runtime module (`src/runtime/validator-runtime.ts`): ajv's helpers are CommonJS, whose
 * default-import interop differs between Node, esbuild and the workers test pool.
 */
import { Ajv2020, Name, type KeywordCxt, type Options } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { formats } from "../../runtime/formats.ts";
import * as runtimeHelpers from "../../runtime/validator-runtime.ts";
import { pattern } from "../../runtime/validator-runtime.ts";
import type { AjvDocument } from "./ajv-document.ts";
import { compactSource } from "./compact-source.ts";
import { inPlaceCycleChecker } from "./in-place-cycles.ts";
import { lazyComponents } from "./lazy-components.ts";

export interface RuntimeImports {
  /** Module specifier of `src/runtime/formats.ts` as the generated module should import it. */
  readonly formats: string;
  /** Module specifier of `src/runtime/validator-runtime.ts`. */
  readonly helpers: string;
}

export interface EmitOptions {
  readonly imports: RuntimeImports;
  /**
   * ajv `inlineRefs`: a referenced schema with at most this many keywords is inlined at each use
   * instead of being called. Small values keep shared schemas shared.
   */
  readonly inlineRefs?: number | boolean;
  /**
   * "assert" (default): `format` is checked, as OpenAPI request validation wants. "annotate": it is
   * not, the JSON Schema 2020-12 default (the conformance suite's required tests expect that).
   */
  readonly formats?: "assert" | "annotate";
  /** false: every validator made at start-up (the form lazy-components.ts starts from); default true. */
  readonly lazy?: boolean;
}

export interface EmittedModule {
  /** ES module text exporting `validators`: validator name → wrapped validate function. */
  readonly source: string;
  /** Names that made it into `validators` (the others failed to compile). */
  readonly names: ReadonlySet<string>;
  /** Entry pointer → why it could not be compiled (unresolvable `$ref`, invalid schema, ...). */
  readonly failures: ReadonlyMap<string, string>;
}

/** The URI ajv knows the linked document by (it has no `$id`s left, so this is only a key). */
const DOCUMENT_URI = "https://brrtrouter.invalid/validators.json";
const FORMATS_BINDING = "__brrtFormats";
const HELPERS: Readonly<Record<string, string>> = {
  'require("ajv/dist/runtime/equal").default': "equal",
  'require("ajv/dist/runtime/ucs2length").default': "ucs2length",
  'require("brrtrouter-edge:pattern").default': "pattern",
};

interface AjvFlags {
  readonly dynamic: boolean;
  readonly ownProperties: boolean;
  readonly assertFormats: boolean;
}

/**
 * ajv tests `data.name !== undefined`, which an inherited `toString` or `constructor` passes.
 * Checking own properties costs a call per property, so it is switched on only when a schema
 * names a property that Object.prototype has.
 */
const PROTOTYPE_NAMES = new RegExp(`"(?:${Object.getOwnPropertyNames(Object.prototype).join("|")})"`);

/** `$dynamicRef` is resolved by the linker; only `unevaluated*` still needs ajv's evaluated-property tracking. */
const DYNAMIC_KEYWORDS = /"(?:unevaluatedProperties|unevaluatedItems)"/;

/**
 * `dynamic`: support `unevaluated*` (and `$dynamicRef`, which the linker has already resolved).
 * Ajv2020 always does, which costs every generated function a dynamic-anchor parameter and an
 * evaluated-properties record; both options are only read while generating code, so they can be
 * switched off when no schema needs them.
 */
export function createAjv(options: Pick<EmitOptions, "inlineRefs">, flags: AjvFlags): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    ownProperties: flags.ownProperties,
    validateFormats: flags.assertFormats,
    strict: false, // OpenAPI keywords (discriminator, nullable leftovers, x-*) and unknown formats are not errors
    validateSchema: false, // a bad schema fails its own compile below, with a message, instead of the whole document
    addUsedSchema: false,
    inlineRefs: options.inlineRefs ?? 4,
    formats: formats as Options["formats"],
    logger: false,
    messages: false, // added at run time by the wrapper, for the few errors reported (see validator-runtime.ts)
    code: {
      source: true,
      esm: true,
      lines: false,
      optimize: true,
      formats: new Name(FORMATS_BINDING),
      // Real specs write ECMA 262 patterns that the `u` flag rejects (`\:`, `\-` outside classes).
      regExp: Object.assign((source: string, flags: string) => pattern(source, flags), { code: 'require("brrtrouter-edge:pattern").default' }),
    },
  });
  if (!flags.dynamic) Object.assign(ajv.opts, { dynamicRef: false, unevaluated: false });
  // readOnly/writeOnly are annotations to ajv; the flavoured copies keep them only where a value
  // must be refused, so the keyword fails wherever it is left.
  for (const [keyword, side] of [
    ["readOnly", "a request"],
    ["writeOnly", "a response"],
  ] as const) {
    ajv.removeKeyword(keyword);
    ajv.addKeyword({
      keyword,
      schemaType: "boolean",
      code(cxt: KeywordCxt) {
        if (cxt.schema === true) cxt.fail();
      },
      error: { message: `must not be present in ${side} (${keyword})` },
    });
  }
  return ajv;
}

/** `names`: compiled entry pointer → the key it gets in the exported `validators` record. */
export function emitValidatorModule(document: AjvDocument, names: ReadonlyMap<string, string>, options: EmitOptions): EmittedModule {
  const json = JSON.stringify(document.root);
  const ajv = createAjv(options, {
    dynamic: DYNAMIC_KEYWORDS.test(json),
    ownProperties: PROTOTYPE_NAMES.test(json),
    assertFormats: options.formats !== "annotate",
  });
  ajv.addSchema(document.root, DOCUMENT_URI);

  const exportNames: Record<string, string> = {};
  const byExport = new Map<string, string>();
  const failures = new Map<string, string>();
  const neverEnds = inPlaceCycleChecker(document.root);
  for (const pointer of names.keys()) {
    try {
      // Before ajv compiles it: such a schema compiles to code that recurses until the stack overflows.
      const cycle = neverEnds(pointer);
      if (cycle !== undefined) throw new Error(cycle);
      const key = DOCUMENT_URI + pointer;
      if (ajv.getSchema(key) === undefined) throw new Error(`cannot resolve ${pointer}`);
      const name = `__brrtEntry${byExport.size}`;
      exportNames[name] = key;
      byExport.set(name, pointer);
    } catch (error) {
      failures.set(pointer, error instanceof Error ? error.message : String(error));
    }
  }

  let code = byExport.size === 0 ? "" : standaloneCode(ajv, exportNames);
  const usedHelpers = new Set<string>();
  code = code.replace(/require\("[^"]+"\)(?:\.[A-Za-z_$][\w$]*)?/g, (call) => {
    const helper = HELPERS[call];
    if (helper === undefined) throw new Error(`generated validator needs an unsupported runtime helper: ${call}`);
    usedHelpers.add(helper);
    return `__brrt_${helper}`;
  });
  // The entries become module-private bindings; callers get them, wrapped, through `validators`.
  // One pass over the text: it is megabytes for a large spec.
  const members: [name: string, fn: string][] = [];
  const compiled = new Set<string>();
  code = code.replace(/export const (__brrtEntry\d+) = (\w+);/g, (_whole, exportName: string, fn: string) => {
    const name = names.get(byExport.get(exportName) as string) as string;
    compiled.add(name);
    members.push([name, fn]);
    return "";
  });
  if (compiled.size !== byExport.size) throw new Error("ajv standalone output lacks some entries");
  const compacted = compactSource(code.replace(/^"use strict";\s*/, ""));
  code = compacted.code;
  // The wrapper that matches the generated functions' calling convention (see compact-source.ts).
  const wrapper = compacted.sharedErrorList ? "listValidator" : "validator";
  const entry = (fn: string) => compacted.aliases.get(fn) ?? fn;
  // Each validator's code is made on its first call (lazy-components.ts), or, where the code's
  // shape is not one that transform knows, at start-up as before.
  const lazy = options.lazy === false ? undefined : lazyComponents(code, members.map(([, fn]) => entry(fn)), wrapper);
  if (lazy !== undefined) {
    // Name → [component, index] as JSON text: parsed on the first lookup, not at start-up.
    const slots = Object.fromEntries(members.map(([name, fn]) => [name, lazy.slotOf.get(entry(fn))!]));
    code = `${lazy.code}\nexport const validators = __brrt_lazyValidators(__brrtMake, ${JSON.stringify(JSON.stringify(slots))});\n`;
    usedHelpers.add("lazyValidators");
  } else {
    code += `\nexport const validators = Object.freeze({${members.map(([name, fn]) => `${JSON.stringify(name)}: __brrt_${wrapper}(${entry(fn)})`).join(",")}});\n`;
  }
  usedHelpers.add(wrapper);
  // Whatever else the compacted code calls (`__brrt_<name>`): an export of validator-runtime.ts.
  for (const [, helper] of code.matchAll(/\b__brrt_([A-Za-z]\w*)\b/g)) {
    if (!Object.hasOwn(runtimeHelpers, helper as string)) throw new Error(`generated validator needs an unknown runtime helper: ${helper as string}`);
    usedHelpers.add(helper as string);
  }

  const imports: string[] = [];
  if (code.includes(FORMATS_BINDING)) imports.push(`import { formats as ${FORMATS_BINDING} } from ${JSON.stringify(options.imports.formats)};`);
  if (usedHelpers.size > 0) {
    const bindings = [...usedHelpers].sort().map((h) => `${h} as __brrt_${h}`);
    imports.push(`import { ${bindings.join(", ")} } from ${JSON.stringify(options.imports.helpers)};`);
  }
  return { source: imports.join("\n") + "\n" + code, names: compiled, failures };
}
