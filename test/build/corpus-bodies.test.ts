/**
 * Acceptance: for every operation of every corpus spec that has a JSON request body, a body built
 * from its schema passes, and the same body with one required property removed is refused with a
 * pointer to that property — through the real pipeline: `buildSpec` writes the generated module,
 * the test imports its `validators.js`/`operations.js` as the runtime does, and each body goes
 * through the runtime's parse + validate stage (`createRequestParser`) as a `Request`, so the
 * pointer asserted is the one a client reads in the problem (`errors[].pointer`, `in: "body"`).
 *
 * Second opinion: every verdict is also taken from @cfworker/json-schema on the bundled document
 * (the `/openapi.json` text the module carries), so a body both accept is not merely a body our
 * generator and our validator agree on.
 *
 * Where no valid body can be made, or the verdicts legitimately differ, the operation is listed in
 * test/fixtures/bodies/known-exceptions.ts; the test asserts that list exactly, so a fix shows up
 * as loudly as a regression.
 */
import { readdirSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { dereference, encodePointer, validate as cfValidate, type Schema as CfSchema } from "@cfworker/json-schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSpec } from "../../src/build/index.ts";
import { buildAjvDocument } from "../../src/build/validators/ajv-document.ts";
import { pointerSegments, resolvePointer } from "../../src/build/validators/keywords.ts";
import type { CompiledSpec, OperationMeta } from "../../src/runtime/compiled-spec.ts";
import { Problem } from "../../src/runtime/problem.ts";
import { createRequestParser, type RequestParser } from "../../src/runtime/request/index.ts";
import { KNOWN_EXCEPTIONS, exceptionKey, type ExceptionKind } from "../fixtures/bodies/known-exceptions.ts";
import { bodyFor, firstRequiredPointer, removeAt, type Json } from "../fixtures/bodies/generator.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");
const specs = [
  "digitalocean/specification/DigitalOcean-public.v2.yaml",
  ...readdirSync(path.join(corpus, "oai-examples"))
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => `oai-examples/${name}`),
];

/**
 * Inside the package (git-ignored `.tmp/`), not the OS temp dir: the generated validators import
 * `brrtrouter-edge/runtime/*`, which resolves only through the package's own `exports` — the
 * same self-reference a Worker bundle resolves.
 */
const outRoot = path.resolve(process.cwd(), ".tmp", `corpus-bodies-${process.pid}`);
afterAll(() => rm(outRoot, { recursive: true, force: true }));

const DOCUMENT_URI = "https://brrtrouter.invalid/openapi.json";
/** `oneOf`/`anyOf` options the generator tries (it cycles, so this covers every option up to this many). */
const CHOICES = 6;

type Verdict = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly pointers: readonly string[] };

interface Outcome {
  readonly operationId: string;
  /** How the valid body was made: `generated (choice n)`, `generated full (choice n)`, `spec example`. */
  readonly via?: string;
  /** The removed property's pointer; undefined when the body schema requires nothing. */
  readonly removed?: string;
  readonly refusedWithPointer: boolean;
  readonly exceptions: { readonly kind: ExceptionKind; readonly detail: string }[];
}

const isJsonMedia = (range: string): boolean => {
  const essence = range.split(";")[0]!.trim().toLowerCase();
  return essence === "application/json" || (essence.startsWith("application/") && essence.endsWith("+json"));
};

/** A request path for a template (path parameters are not under test here). */
const concretePath = (template: string): string => template.replace(/\{[^}]+\}/g, "p1");

describe.each(specs)("%s", (relative) => {
  let operations: readonly OperationMeta[];
  let validators: CompiledSpec["validators"];
  let document: Record<string, unknown>;
  let buildMs = 0;

  beforeAll(async () => {
    const outDir = path.join(outRoot, relative.replace(/[^a-z0-9]+/gi, "-"));
    const started = performance.now();
    const result = await buildSpec({ spec: path.join(corpus, relative), outDir });
    buildMs = performance.now() - started;
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(outDir, file)).href)) as T;
    operations = (await load<{ operations: readonly OperationMeta[] }>("operations.js")).operations;
    validators = (await load<{ validators: CompiledSpec["validators"] }>("validators.js")).validators;
    document = JSON.parse(gunzipSync(await readFile(path.join(outDir, "document.bin"))).toString("utf8")) as Record<string, unknown>;
  });

  it("accepts a body made from each JSON request body schema and refuses it without a required property, pointing at it", async () => {
    const started = performance.now();
    const withBody = operations.flatMap((op) => {
      const media = Object.keys(op.requestBody?.content ?? {}).find(isJsonMedia);
      return media === undefined ? [] : [{ op, media }];
    });

    // The body schemas as the spec writes them (for cfworker), and linked (for the generator):
    // every `$ref` a plain pointer, read-only properties marked and dropped from `required` as
    // the request validators see them.
    const bundledSchemas = withBody.map(({ op, media }) => bodySchemaOf(document, op, media));
    const linked = buildAjvDocument(
      JSON.parse(JSON.stringify(document)),
      bundledSchemas.map(({ schema }) => ({ schema, flavour: "request" as const })),
      { documentUri: DOCUMENT_URI, readOnlyInRequests: "refuse", writeOnlyInResponses: "refuse" },
    );
    // cfworker indexes the whole document once; each check then starts at the body schema's node.
    const cfLookup = dereference(cfworkerView(document) as CfSchema, Object.create(null) as Record<string, CfSchema>, new URL(DOCUMENT_URI));
    /** cfworker's verdict, or why it could not give one (it compiles `pattern` with the `u` flag, which refuses escapes such as `\:`). */
    const cfAccepts = (uri: string, body: unknown): boolean | string => {
      const schema = cfLookup[uri];
      if (schema === undefined) throw new Error(`cfworker does not know ${uri}`);
      try {
        return cfValidate(body, schema, "2020-12", cfLookup, false).valid;
      } catch (error) {
        return `cfworker throws ${String(error)}`;
      }
    };

    const parse = createRequestParser(validators);
    const outcomes: Outcome[] = [];
    for (const [i, { op, media }] of withBody.entries()) {
      const entry = linked.entries[i];
      // Parameters dropped: the stage checks them before it reads the body, and made-up path,
      // query and header values are not what is under test here. The body plan is the op's own.
      const bodyOnly: OperationMeta = { ...op, parameters: [] };
      outcomes.push(
        await checkOperation({
          operationId: op.operationId,
          root: linked.root,
          schema: entry === undefined ? true : (resolvePointer(linked.root, entry) as Schema),
          example: op.requestBody?.content[media]?.example as Json | undefined,
          send: (body) => sendBody(parse, bodyOnly, media, body),
          secondOpinion: (body) => cfAccepts(bundledSchemas[i]!.cfUri, body),
        }),
      );
    }

    const found = outcomes.flatMap((o) => o.exceptions.map((e) => ({ key: exceptionKey(relative, o.operationId, e.kind), detail: e.detail })));
    const known = KNOWN_EXCEPTIONS.filter((e) => e.spec === relative).map((e) => exceptionKey(e.spec, e.operationId, e.kind));
    const passed = outcomes.filter((o) => o.via !== undefined).length;
    const noRequired = outcomes.filter((o) => o.via !== undefined && o.removed === undefined);
    const refused = outcomes.filter((o) => o.refusedWithPointer);
    const nested = refused.filter((o) => (o.removed ?? "").lastIndexOf("/") > 0).length;
    console.log(
      `${relative}: ${withBody.length} operations with JSON bodies; ${passed} valid bodies accepted ` +
        `(${outcomes.filter((o) => o.via === "spec example").length} via the spec example); ${refused.length} refused with the right pointer (${refused.length - nested} top level, ${nested} nested); ` +
        `${noRequired.length} with no required property${noRequired.length > 0 ? ` (${noRequired.map((o) => o.operationId).join(", ")})` : ""}; ` +
        `${found.length} exceptions (${known.length} known); built in ${Math.round(buildMs)} ms, checked in ${Math.round(performance.now() - started)} ms`,
    );
    for (const f of found) if (!known.includes(f.key)) console.log(`  unexpected: ${f.key}: ${f.detail}`);

    expect(found.map((f) => f.key).sort()).toEqual([...known].sort());
    // Every operation is accounted for: listed, or accepted and then refused at the pointer (or requiring nothing).
    const unaccounted = outcomes.filter((o) => o.exceptions.length === 0 && !o.refusedWithPointer && !(o.via !== undefined && o.removed === undefined));
    expect(unaccounted).toEqual([]);
  });
});

type Schema = boolean | Record<string, unknown>;

interface OperationCheck {
  readonly operationId: string;
  /** The linked document and the body schema in it (what the generator reads). */
  readonly root: unknown;
  readonly schema: Schema;
  readonly example: Json | undefined;
  /** Through the runtime's parse + validate stage. */
  readonly send: (body: Json) => Promise<Verdict>;
  /** @cfworker/json-schema on the bundled document: its verdict, or why it has none. */
  readonly secondOpinion: (body: Json) => boolean | string;
}

/**
 * 1. Candidate bodies: generated (required properties only, then every property) with each
 *    `oneOf`/`anyOf` option in turn, then the spec's own example; the first one accepted is the
 *    operation's valid body, and every accepted one is put to cfworker too.
 * 2. Removal, from the first accepted body on: its first required property (top level, else the
 *    shallowest nested one). A property required only by one `anyOf` option may legitimately
 *    leave a body another option accepts; when cfworker agrees, the next accepted body is tried.
 *    A refusal without the pointer, or a verdict cfworker disputes, ends the search: it is
 *    reported, never retried away.
 */
async function checkOperation(check: OperationCheck): Promise<Outcome> {
  const exceptions = new Map<ExceptionKind, string>();
  const note = (kind: ExceptionKind, detail: string): void => void (exceptions.has(kind) || exceptions.set(kind, detail));
  const outcome = (fields: Partial<Outcome>): Outcome => ({
    operationId: check.operationId,
    refusedWithPointer: false,
    ...fields,
    exceptions: [...exceptions].map(([kind, detail]) => ({ kind, detail })),
  });

  const candidates: { body: Json; choice: number; via: string }[] = [];
  const seen = new Set<string>();
  const add = (body: Json | undefined, choice: number, via: string): void => {
    const text = JSON.stringify(body);
    if (body === undefined || seen.has(text)) return;
    seen.add(text);
    candidates.push({ body, choice, via });
  };
  for (const full of [false, true]) {
    for (let choice = 0; choice < CHOICES; choice++) add(bodyFor(check.root, check.schema, { full, arrayItems: 1, choice }), choice, `generated${full ? " full" : ""} (choice ${choice})`);
  }
  if (check.example !== undefined) add(check.example, 0, "spec example");

  const accepted: typeof candidates = [];
  for (const candidate of candidates) {
    const verdict = await check.send(candidate.body);
    const cf = check.secondOpinion(candidate.body);
    if (!verdict.ok) {
      if (cf === true) note("second-opinion-refused", `ours refuses (${JSON.stringify(verdict.pointers)}), cfworker accepts ${brief(candidate.body)}`);
      continue;
    }
    accepted.push(candidate);
    if (cf !== true) note("second-opinion-valid", `${cf === false ? "cfworker refuses" : cf}: ${brief(candidate.body)}`);
  }
  const first = accepted[0];
  if (first === undefined) {
    const sample = candidates[0];
    note(
      "no-valid-body",
      sample === undefined
        ? "the generator made nothing"
        : `${JSON.stringify(await check.send(sample.body))}; cfworker: ${String(check.secondOpinion(sample.body))}; ${brief(sample.body)}`,
    );
    return outcome({});
  }

  let conditional: string | undefined;
  for (const candidate of accepted) {
    const removed = firstRequiredPointer(check.root, check.schema, candidate.body, candidate.choice);
    if (removed === undefined) continue;
    const without = removeAt(candidate.body, removed);
    const verdict = await check.send(without);
    const cfValid = check.secondOpinion(without);
    if (cfValid !== verdict.ok) {
      note("second-opinion-removed", `${removed} removed from ${brief(candidate.body)}: ours ${verdict.ok ? "accepts" : `refuses (${JSON.stringify(verdict.pointers)})`}, cfworker: ${String(cfValid)}`);
      return outcome({ via: first.via, removed });
    }
    if (verdict.ok) {
      conditional ??= `${removed} removed from ${brief(candidate.body)}: both accept`;
      continue;
    }
    const refusedWithPointer = verdict.status === 400 && verdict.pointers.includes(removed);
    if (!refusedWithPointer) note("wrong-pointer", `${removed} removed from ${brief(candidate.body)} → ${verdict.status} ${JSON.stringify(verdict.pointers)}`);
    return outcome({ via: first.via, removed, refusedWithPointer });
  }
  if (conditional !== undefined) note("removal-accepted", conditional);
  return outcome({ via: first.via, removed: conditional === undefined ? undefined : "(conditional)" });
}

function brief(body: Json): string {
  const text = JSON.stringify(body);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/**
 * The document as cfworker should see it. cfworker walks every member of every object as a
 * possible schema and reads `id` as draft-4 `$id`, so an `example` value with an `id` field
 * becomes a "Duplicate schema URI". Examples and `x-` extensions are annotations: dropped here
 * (never inside a map of names such as `properties`, where `example` is a property's name).
 */
function cfworkerView(node: unknown, isNameMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => cfworkerView(item));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isNameMap && (key === "example" || key === "examples" || key.startsWith("x-"))) continue;
    out[key] = cfworkerView(value, !isNameMap && NAME_MAPS.has(key));
  }
  return out;
}
const NAME_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas", "paths", "content", "responses", "requestBodies", "parameters", "headers"]);

/**
 * The request body's schema in the bundled document, and where it sits there (request bodies and
 * media types may be `$ref`s), as a pointer cfworker's lookup knows it by.
 */
function bodySchemaOf(document: Record<string, unknown>, op: OperationMeta, media: string): { schema: unknown; cfUri: string } {
  let at: string[] = [];
  const step = (node: unknown, ...segments: string[]): Record<string, unknown> => {
    at = [...at, ...segments];
    let value = node as Record<string, unknown> | undefined;
    for (let i = 0; i < 16 && typeof value?.$ref === "string"; i++) {
      at = pointerSegments(value.$ref);
      value = resolvePointer(document, value.$ref) as Record<string, unknown> | undefined;
    }
    return value ?? {};
  };
  const method = op.method.toLowerCase();
  const pathItem = step((document.paths as Record<string, unknown>)[op.path], "paths", op.path);
  const operation = step(pathItem[method], method);
  const requestBody = step(operation.requestBody, "requestBody");
  const mediaType = step((requestBody.content as Record<string, unknown>)[media], "content", media);
  const cfUri = `${DOCUMENT_URI}#${[...at, "schema"].map((s) => "/" + encodePointer(s)).join("")}`;
  return { schema: mediaType.schema ?? true, cfUri };
}

async function sendBody(parse: RequestParser, op: OperationMeta, media: string, body: unknown): Promise<Verdict> {
  const url = new URL(`https://api.example${concretePath(op.path)}`);
  const request = new Request(url, { method: op.method, headers: { "content-type": media }, body: JSON.stringify(body) });
  const parsed = await parse(request, url, op, {});
  if (!(parsed instanceof Problem)) return { ok: true };
  return { ok: false, status: parsed.status, pointers: (parsed.errors ?? []).filter((e) => e.in === "body").map((e) => e.pointer) };
}
