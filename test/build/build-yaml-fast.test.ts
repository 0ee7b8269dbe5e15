/**
 * The fast YAML path must give exactly what the general loader gives (values, key order,
 * positions of every object and array, `$ref` holders in order) or decline. Checked on every
 * file of the corpus and on hand-written edge cases, each of which must be taken or declined as
 * listed (so a change that silently declines the common cases shows up too).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareFastWithGeneral } from "./build-yaml-fast-compare.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe("fast YAML path on the corpus", () => {
  for (const folder of ["digitalocean", "oai-examples", "json-schema-test-suite"]) {
    it(`${folder}: same values and positions as the yaml package, or declined`, () => {
      const files = filesUnder(path.join(corpus, folder));
      expect(files.length).toBeGreaterThan(0);
      let taken = 0;
      const different: string[] = [];
      for (const file of files) {
        const result = compareFastWithGeneral(readFileSync(file, "utf8"), path.relative(corpus, file));
        if (result.kind === "same") taken++;
        else if (result.kind === "different") different.push(`${file}: ${result.where}: ${result.detail.slice(0, 300)}`);
      }
      expect(different).toEqual([]);
      // The point of the fast path: nearly every file takes it.
      expect(taken / files.length).toBeGreaterThan(0.95);
    });
  }
});

/** [yaml text, whether the fast path takes it]. Every entry must also agree when taken. */
const EDGE_CASES: readonly (readonly [string, boolean])[] = [
  ["a: 1\nb: two\nc: 3.0\nd: true\ne: ~\nf: null\ng: 0x1F\nh: 0o17\ni: .inf\nj: -.Inf\nk: .nan\nl: 1e3\nm: +12\nn: 007\no: 1_000\np: 12:30\n", true],
  ["a: x # c\nb: 'it''s' # c\nc: \"q\\\"x\\u00e9\\n\"\nd: \"\"\ne: ''\n", true],
  ["a:\n  b:\n    c: 1\n  d:\n  - 1\n  - x: 2\n    y: [1, 2, {z: 3}]\n  e: {}\n  f: []\n", true],
  ["a: |\n  line1\n\n  line3\n   more\nb: >\n  folded\n  text\n\n  para\n    indented\n  back\nc: |-\n    x\n  \nd: >-\n  a\n\n\ne: 1\n", true],
  ["a: |2\n    x\n   y\n", true],
  ["a: >2-\n   x\n  y\n", true],
  ["- |\n  x\n- >-\n  y\n  z\n", true],
  ["a:\n  - |2\n     x\n", true],
  ["- a\n- b:\n    c\n- - x\n  - y\n-\n  z: 1\n- 'q'\n- \"multi\n  line\"\n- plain\n  continued\n\n  para\n", true],
  ["'a': 1\n\"b c\": 2\n200: x\n1.0: y\ntrue: z\n~: w\n", true],
  ["a:\n- 1\n- 2\nb:\n  - 3\n", true],
  ["{\"a\": 1, \"b\": [true, false, null, -1.5e3, \"x\\ty\"], \"c\": {\"d\": {}}}\n", true],
  ["[1, [2, [3]]]", true],
  ["a: \"x\n  y\"\nb: 'p\n\n  q'\n", true],
  ["k: 'a''b\n  c'\n", true],
  ["k: \"a\\\n  b\"\n", true],
  ["a: x\n# comment\nb: y\n  # indented comment\nc: z\n", true],
  ["__proto__: 1\nconstructor: 2\n", true],
  ["a: \"x\" # c\n", true],
  ["a: x:y\nb: http://example.com/a#b\nc: a #b\nd: a#b\n", true],
  ["a:    \nb:  # c\nc:\n  # comment\nd: 1\n", true],
  ["- a: 1\n  b: 2\n- c: 3\n", true],
  ["-   a: 1\n    b: 2\n", true],
  ["a:\n  - b: 1\n    c:\n    - d\n  - e\n", true],
  ["x\n", true],
  ["\"just a string\"\n", true],
  ["a: 1 \nb: 2  \n", true],
  ["\n\n# c\na: 1\n", true],
  ["a: x\n  - y\n", true],
  ["a: {\"k\":\"v\"}\n", true],
  ["a: [ ]\nb: { }\n", true],
  ["k: 1.\nl: .5\nm: 1.5e+3\nn: 0.0\no: -0\np: 12345678901234567890\n", true],
  ["k: True\nl: FALSE\nm: yes\nn: on\no: Null\np: NULL\nq: nULL\n", true],
  ["q: -\n", false],
  ["key: value\n  continued # comment\nnext: 1\n", false],
  ["key: value # comment\n  continued\n", false],
  ["a: b: c\n", false],
  ["a: 1\na: 2\n", false],
  ["é: ü\n\"\\u00e9\": x\n", false],
  ["? a\n: b\n", false],
  ["a: &x 1\nb: *x\n", false],
  ["<<: {a: 1}\n", false],
  ["a: [a: 1]\n", false],
  ["a: [1, 2,]\n", false],
  ["a: {b, c}\n", false],
  ["a: 1\n  b: 2\n", false],
  ["a:\n  b: 1\n c: 2\n", false],
  ["a: |\n  x\n b: 1\n", false],
  ["a: |\n    \n  x\n", false],
  ["a: |\n  x\n    \nb: 1\n", false],
  ["a: |+\n  x\n\nb: 1\n", false],
  ["a: \"x\ny\"\n", false],
  ["a: @x\n", false],
  ["a: !!str 1\n", false],
  ["a: 'x' y\n", false],
  ["a: [1] x\n", false],
  ["a:\n  very long\n  plain: no\n", false],
  ["a: {k: }\n", false],
  ["a: 1\n...\n", false],
  ["---\na: 1\n", false],
  ["a:\tb\n", false],
  ["a: 1\r\n", false],
  ["", false],
];

describe("fast YAML path on edge cases", () => {
  it.each(EDGE_CASES.map(([text, taken]) => ({ text, taken })))("$text", ({ text, taken }) => {
    const result = compareFastWithGeneral(text, "edge.yaml");
    expect(result).toEqual({ kind: taken ? "same" : "declined" });
  });
});
