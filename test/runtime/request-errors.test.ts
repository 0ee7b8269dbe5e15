import { describe, expect, it } from "vitest";
import type { ValidationError } from "../../src/runtime/compiled-spec.ts";
import { DEFAULT_LIMITS, resolveLimits } from "../../src/runtime/limits.ts";
import { describeValidationError, ErrorList, runValidator } from "../../src/runtime/request/errors.ts";
import { jsonDeeperThan } from "../../src/runtime/request/json-depth.ts";

const e = (keyword: string, params: Record<string, unknown>, instancePath = "/a"): ValidationError => ({ keyword, params, instancePath });

describe("ajv keywords as sentences", () => {
  const cases: [ValidationError, string, string][] = [
    [e("type", { type: "integer" }), "/a", "must be integer"],
    [e("type", { type: "string,null" }), "/a", "must be string or null"],
    [e("required", { missingProperty: "b/c" }), "/a/b~1c", "is required"],
    [e("dependentRequired", { property: "card", missingProperty: "cvv", deps: "cvv", depsCount: 1 }), "/a/cvv", 'is required when "card" is present'],
    [e("enum", { allowedValues: ["a", "b", 3] }), "/a", "must be one of: a, b, 3"],
    [e("const", { allowedValue: "x" }), "/a", 'must be equal to "x"'],
    [e("minimum", { comparison: ">=", limit: 1 }), "/a", "must be >= 1"],
    [e("exclusiveMaximum", { comparison: "<", limit: 9 }), "/a", "must be < 9"],
    [e("multipleOf", { multipleOf: 5 }), "/a", "must be a multiple of 5"],
    [e("minLength", { limit: 1 }), "/a", "must be at least 1 character long"],
    [e("maxLength", { limit: 10 }), "/a", "must be at most 10 characters long"],
    [e("minItems", { limit: 2 }), "/a", "must have at least 2 items"],
    [e("maxProperties", { limit: 3 }), "/a", "must have at most 3 properties"],
    [e("uniqueItems", { i: 3, j: 1 }), "/a", "must not contain duplicate items (items 1 and 3 are identical)"],
    [e("pattern", { pattern: "^x" }), "/a", 'must match pattern "^x"'],
    [e("format", { format: "date-time" }), "/a", "must be a valid date-time"],
    [e("additionalProperties", { additionalProperty: "extra" }), "/a/extra", "is not an allowed property"],
    [e("unevaluatedProperties", { unevaluatedProperty: "more" }), "/a/more", "is not an allowed property"],
    [e("oneOf", { passingSchemas: null }), "/a", "must match exactly one of the allowed schemas"],
    [e("oneOf", { passingSchemas: [0, 1] }), "/a", "must match exactly one of the allowed schemas, but matches several"],
    [e("anyOf", {}), "/a", "must match at least one of the allowed schemas"],
    [e("not", {}), "/a", "must not match the excluded schema"],
    [e("if", { failingKeyword: "then" }), "/a", 'must match the "then" schema'],
    [e("false schema", {}), "/a", "is not allowed"],
    [e("contains", { minContains: 2 }), "/a", "must contain at least 2 matching items"],
    [e("discriminator", { error: "mapping", tag: "kind", tagValue: "fish" }), "/a/kind", 'must be one of the discriminator\'s mapped values (got "fish")'],
    [{ keyword: "x-custom", params: {}, instancePath: "/a", message: "must be custom" }, "/a", "must be custom"],
  ];
  for (const [error, pointer, message] of cases) {
    it(`${error.keyword} → ${message}`, () => {
      expect(describeValidationError(error)).toEqual({ pointer, message });
    });
  }

  it("lists at most 10 enum values", () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    expect(describeValidationError(e("enum", { allowedValues: values })).message).toBe("must be one of: v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, … (12 in all)");
  });
});

describe("runValidator", () => {
  it("a validator that throws (stack overflow) is a client error, not a crash", () => {
    const errors = new ErrorList(20);
    const throwing = Object.assign(() => {
      throw new RangeError("Maximum call stack size exceeded");
    }, { errors: null });
    expect(runValidator(throwing, {}, "body", undefined, "", errors)).toBe(false);
    expect(errors.items).toEqual([{ in: "body", pointer: "", message: "is nested too deeply to validate" }]);
  });

  it("stops adding once full", () => {
    const errors = new ErrorList(2);
    const many = Object.assign((_: unknown) => false, { errors: [e("type", { type: "x" }), e("type", { type: "y" }), e("type", { type: "z" })] });
    runValidator(many, 1, "query", "q", "/q", errors);
    expect(errors.items).toHaveLength(2);
    expect(errors.full).toBe(true);
  });
});

describe("JSON depth scan", () => {
  it("counts nesting outside strings only, handling escapes", () => {
    expect(jsonDeeperThan("[]", 1)).toBe(false);
    expect(jsonDeeperThan("[[]]", 1)).toBe(true);
    expect(jsonDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(jsonDeeperThan('{"a":[{"b":1}]}', 2)).toBe(true);
    expect(jsonDeeperThan('["[[[[", "\\"[[[[", "\\\\"]', 1)).toBe(false);
    expect(jsonDeeperThan('["\\\\", [[]]]', 2)).toBe(true);
    expect(jsonDeeperThan('"unterminated [[[[', 1)).toBe(false);
  });

  it("100,000 levels: stops at the limit, one linear pass", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(jsonDeeperThan(deep, 64)).toBe(true);
    expect(jsonDeeperThan(deep, 100_000)).toBe(false);
  });
});

describe("limits", () => {
  it("documented defaults, overridable, never more errors than a Problem lists", () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBodyBytes: 1_048_576, maxJsonDepth: 64, maxParameters: 100, maxHeaderBytes: 16_384, maxErrors: 20 });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
    expect(resolveLimits({ maxBodyBytes: 10, maxErrors: 500 })).toEqual({ ...DEFAULT_LIMITS, maxBodyBytes: 10, maxErrors: 20 });
    expect(resolveLimits(undefined)).toBe(DEFAULT_LIMITS);
    expect(() => resolveLimits({ maxJsonDepth: -1 })).toThrow(TypeError);
  });
});
