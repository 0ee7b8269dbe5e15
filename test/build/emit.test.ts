/**
 * The generated operations module: what it exports equals the metadata it was written from
 * (including strings that look like the format's own references), every object is frozen,
 * repeated subtrees are one shared object, and per-operation details are parsed on first use.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitSharedJson } from "../../src/build/emit-shared.ts";
import { renderModule } from "../../src/build/emit.ts";
import type { OperationMeta, ResponseMeta } from "../../src/runtime/compiled-spec.ts";

const rateLimited: ResponseMeta = {
  headers: { "ratelimit-limit": { required: false, validator: "v1" }, "ratelimit-remaining": { required: false, validator: "v1" } },
  content: { "application/json": { validator: "v3", example: { id: "unauthorized", message: "Unable to authenticate you." } } },
};

/** Strings a naive encoding would get wrong: the reference marker, quotes, backslashes, line terminators. */
const awkward = ["\u0000", "\u00000", "\u0000\u00001", "it's", 'say "hi"', "back\\slash", "line\nbreak", "sep\u2028arator", "\u00e9\u{1f600}"];

function operation(index: number, extra: Partial<OperationMeta> = {}): OperationMeta {
  return {
    index,
    operationId: `op${index}`,
    method: "GET",
    path: `/things/${index}`,
    tags: ["things"],
    deprecated: false,
    parameters: [
      {
        name: "limit",
        in: "query",
        required: false,
        style: "form",
        explode: true,
        allowEmptyValue: false,
        allowReserved: false,
        shape: { type: "integer" },
        default: 20,
        validator: "v0",
      },
    ],
    responses: { "401": rateLimited, "429": rateLimited, "200": { headers: {}, content: { "application/json": { example: awkward } } } },
    security: [{ bearer: ["read"] }],
    extensions: {},
    ...extra,
  };
}

const operations: OperationMeta[] = [
  operation(0),
  operation(1, {
    method: "POST",
    summary: "Make a thing: 'quoted' \"twice\"",
    requestBody: { required: true, content: { "application/json": { validator: "v2", example: { name: "\u0000x" } } } },
    extensions: { "x-weird": { "\u0000": "\u00007", list: awkward } },
  }),
  operation(2, { security: [], tags: [] }),
];

let dir: string;
let loaded: readonly OperationMeta[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "brrt-emit-"));
  const files = renderModule({
    info: { title: "t", version: "1" },
    operations,
    securitySchemes: {},
    documentGzip: new Uint8Array(),
    matcherSource: "",
    validatorsSource: "",
  });
  await writeFile(path.join(dir, "operations.js"), files["operations.js"]!);
  await writeFile(path.join(dir, "operations.txt"), files["operations.txt"]!);
  ({ operations: loaded } = (await import(pathToFileURL(path.join(dir, "operations.js")).href)) as { operations: readonly OperationMeta[] });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

describe("generated operations module", () => {
  it("exports exactly the metadata it was written from", () => {
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(JSON.parse(JSON.stringify(operations)));
    expect(loaded[1]!.extensions).toEqual({ "x-weird": { "\u0000": "\u00007", list: awkward } });
    expect(loaded[1]!.requestBody!.content["application/json"]!.example).toEqual({ name: "\u0000x" });
  });

  it("has the same own enumerable fields as the input (requestBody only where declared)", () => {
    expect(Object.keys(loaded[0]!).sort()).toEqual(Object.keys(operations[0]!).sort());
    expect("requestBody" in loaded[0]!).toBe(false);
    expect(Object.keys(loaded[1]!).sort()).toEqual(Object.keys(operations[1]!).sort());
    expect({ ...loaded[1]! }.requestBody).toEqual(operations[1]!.requestBody);
  });

  it("freezes every object, and answers the same object each time", () => {
    expect(Object.isFrozen(loaded)).toBe(true);
    for (const op of loaded) expect(deeplyFrozen(op)).toBe(true);
    expect(loaded[0]!.responses).toBe(loaded[0]!.responses);
    expect(loaded[0]!.parameters).toBe(loaded[0]!.parameters);
  });

  it("shares repeated subtrees", () => {
    expect(loaded[0]!.responses["401"]).toBe(loaded[1]!.responses["401"]);
    expect(loaded[0]!.responses["401"]).toBe(loaded[0]!.responses["429"]);
    expect(loaded[0]!.parameters).toBe(loaded[2]!.parameters);
    expect(loaded[0]!.security).toBe(loaded[1]!.security);
  });
});

describe("emitSharedJson", () => {
  it("writes a repeated subtree once and refers to it", () => {
    const common = { description: "a subtree long enough to share" };
    const { shared, roots } = emitSharedJson([{ a: common, b: { ...common } }, { c: common }]);
    expect(shared).toEqual([JSON.stringify(common)]);
    expect(roots).toEqual(['{"a":"\\u00000","b":"\\u00000"}', '{"c":"\\u00000"}']);
  });

  it("never shares a root, and leaves short subtrees inline", () => {
    const { shared, roots } = emitSharedJson([{ x: [1] }, { x: [1] }]);
    expect(shared).toEqual([]);
    expect(roots).toEqual(['{"x":[1]}', '{"x":[1]}']);
  });
});

