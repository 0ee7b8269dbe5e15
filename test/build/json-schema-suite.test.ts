/**
 * Conformance of the generated validators with the official JSON Schema Test Suite, draft
 * 2020-12: every test file goes through the production pipeline (compileSchemaModule → module
 * source → written to disk → imported → called), with remotes/ registered for remote refs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTable, runSuite, suiteFiles, type FileResult } from "./json-schema-suite.ts";
import { KNOWN_FAILURES } from "./json-schema-suite.known-failures.ts";
import { removeRuntimeImports } from "./validators-harness.ts";

afterAll(removeRuntimeImports);

describe("JSON Schema Test Suite, draft 2020-12", () => {
  let required: FileResult[] = [];
  let optional: FileResult[] = [];

  beforeAll(async () => {
    const files = suiteFiles();
    required = await runSuite(
      files.filter((f) => !f.startsWith("optional/")),
      "annotate",
    );
    optional = await runSuite(
      files.filter((f) => f.startsWith("optional/")),
      "assert",
    );
    console.log(`required tests (format as annotation, the 2020-12 default)\n${formatTable(required)}`);
    console.log(`optional tests, reported only (format asserted, as in production)\n${formatTable(optional)}`);
  }, 300_000);

  it("passes at least 99 % of the required tests", () => {
    const passed = required.reduce((n, r) => n + r.passed, 0);
    const total = passed + required.reduce((n, r) => n + r.failed, 0);
    expect(total).toBeGreaterThan(1200);
    expect(passed / total).toBeGreaterThanOrEqual(0.99);
  });

  it("fails exactly the known failures", () => {
    const failing = Object.fromEntries(required.flatMap((r) => [...r.failures]));
    expect(Object.keys(failing).sort()).toEqual(Object.keys(KNOWN_FAILURES).sort());
  });

  it("passes every optional test of the formats it implements", () => {
    const implemented = ["date-time", "date", "time", "email", "uuid", "ipv4", "ipv6"].map((f) => `optional/format/${f}.json`);
    for (const result of optional.filter((r) => implemented.includes(r.file))) expect([result.file, result.failed]).toEqual([result.file, 0]);
  });
});
