/**
 * Test/bench helper: the DigitalOcean corpus as the validator compiler receives it. Uses the
 * real front end (`readSpec`) when it is there; otherwise a crude stand-in (ref-parser
 * `bundle()` plus a 3.0 → 3.1 `nullable` rewrite) so this work does not wait on it.
 */
import path from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import $RefParser from "@apidevtools/json-schema-ref-parser";
import type { HttpMethod, JsonSchema, ParameterLocation, ParameterStyle } from "../../src/runtime/compiled-spec.ts";
import type { MediaTypeDraft, OperationDraft, ParameterDraft } from "../../src/build/operation-draft.ts";

export const CORPUS = path.resolve(process.cwd(), "../shared/corpus");
export const DIGITALOCEAN_ENTRY = path.join(CORPUS, "digitalocean/specification/DigitalOcean-public.v2.yaml");

export interface LoadedSpec {
  readonly document: Record<string, unknown>;
  readonly operations: readonly OperationDraft[];
  readonly via: "readSpec" | "crude";
}

type Json = Record<string, unknown>;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const here = { file: "", line: 1, column: 1 };

/** `via: "crude"` forces the stand-in (quick experiments); by default the real front end is used when present. */
export async function loadSpec(entry: string, via?: "crude"): Promise<LoadedSpec> {
  const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/build/frontend.ts");
  if (via === undefined && existsSync(frontend)) {
    const { readSpec } = (await import(frontend)) as {
      readSpec(file: string): Promise<{ document: Json; operations: OperationDraft[]; diagnostics: readonly { severity: string }[] }>;
    };
    const front = await readSpec(entry);
    if (front.operations.length > 0) return { document: front.document, operations: front.operations, via: "readSpec" };
  }
  const document = normaliseNullable((await $RefParser.bundle(entry)) as Json) as Json;
  return { document, operations: crudeOperations(document), via: "crude" };
}

/** `nullable: true` → `type: [t, "null"]`, boolean exclusive bounds → numbers; everywhere, crudely. */
function normaliseNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseNullable);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = normaliseNullable(value);
  if (out.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  delete out.nullable;
  for (const [flag, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof out[flag] === "boolean") {
      if (out[flag] === true && typeof out[bound] === "number") {
        out[flag] = out[bound];
        delete out[bound];
      } else delete out[flag];
    }
  }
  return out;
}

function deref(document: Json, node: unknown): Json {
  let value = node as Json;
  for (let i = 0; i < 16 && typeof value?.$ref === "string"; i++) {
    value = (value.$ref as string)
      .slice(2)
      .split("/")
      .map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((n, k) => (n as Json)?.[k], document) as Json;
  }
  return value ?? {};
}

function media(document: Json, content: unknown): Record<string, MediaTypeDraft> {
  const out: Record<string, MediaTypeDraft> = {};
  for (const [range, m] of Object.entries((content ?? {}) as Json)) {
    const mt = deref(document, m);
    out[range] = { ...(mt.schema === undefined ? {} : { schema: mt.schema as JsonSchema }), source: here };
  }
  return out;
}

function crudeOperations(document: Json): OperationDraft[] {
  const operations: OperationDraft[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Json)) {
    const pathItem = deref(document, item);
    for (const method of METHODS) {
      const op = pathItem[method] as Json | undefined;
      if (op === undefined) continue;
      const parameters: ParameterDraft[] = [...((pathItem.parameters ?? []) as unknown[]), ...((op.parameters ?? []) as unknown[])].map((raw) => {
        const p = deref(document, raw);
        const where = p.in as ParameterLocation;
        const style = (p.style ?? (where === "query" || where === "cookie" ? "form" : "simple")) as ParameterStyle;
        return {
          name: p.name as string,
          in: where,
          required: p.required === true,
          style,
          explode: (p.explode as boolean | undefined) ?? style === "form",
          allowEmptyValue: p.allowEmptyValue === true,
          allowReserved: p.allowReserved === true,
          ...(p.schema === undefined ? {} : { schema: p.schema as JsonSchema }),
          source: here,
        };
      });
      const body = op.requestBody === undefined ? undefined : deref(document, op.requestBody);
      const responses: Record<string, OperationDraft["responses"][string]> = {};
      for (const [status, r] of Object.entries((op.responses ?? {}) as Json)) {
        const response = deref(document, r);
        const headers: Record<string, { required: boolean; schema?: JsonSchema }> = {};
        for (const [name, h] of Object.entries((response.headers ?? {}) as Json)) {
          const header = deref(document, h);
          headers[name] = { required: header.required === true, ...(header.schema === undefined ? {} : { schema: header.schema as JsonSchema }) };
        }
        responses[status] = { headers, content: media(document, response.content) };
      }
      operations.push({
        operationId: (op.operationId as string | undefined) ?? `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase() as HttpMethod,
        path: template,
        tags: (op.tags ?? []) as string[],
        deprecated: op.deprecated === true,
        parameters,
        ...(body === undefined ? {} : { requestBody: { required: body.required === true, content: media(document, body.content) } }),
        responses,
        security: [],
        extensions: {},
        source: here,
        pathSource: here,
      });
    }
  }
  return operations;
}
