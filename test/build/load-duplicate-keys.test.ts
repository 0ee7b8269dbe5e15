// A key written twice in one mapping is an error at the second key's position (the `yaml`
// package's own check, `uniqueKeys`), in block and flow mappings; merge keys may repeat.
import { describe, expect, it } from "vitest";
import { parseSpecText } from "../../src/build/load.ts";
import { SourceIndex } from "../../src/build/positions.ts";

const TEXT = `a: 1
b:
  c: 2
  c: 3
f: { x: 1, x: 2 }
1: one
"1": two
<<: { m: 1 }
<<: { n: 1 }
a: 4
`;

describe("duplicate mapping keys", () => {
  it("are reported with file:line:col of the repeated key, and the last value is kept", () => {
    const loaded = parseSpecText(TEXT, "/specs/dup.yaml", "specs/dup.yaml", new SourceIndex());
    expect(loaded.diagnostics).toEqual([
      { file: "specs/dup.yaml", line: 4, column: 3, message: "YAML: Map keys must be unique", severity: "error" },
      { file: "specs/dup.yaml", line: 5, column: 12, message: "YAML: Map keys must be unique", severity: "error" },
      { file: "specs/dup.yaml", line: 10, column: 1, message: "YAML: Map keys must be unique", severity: "error" },
    ]);
    // Keys are compared as YAML values (1 and "1" differ there), merge keys may repeat.
    expect(loaded.value).toEqual({ a: 4, b: { c: 3 }, f: { x: 2 }, 1: "two", m: 1, n: 1 });
  });
});
