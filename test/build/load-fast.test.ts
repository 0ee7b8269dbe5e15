/**
 * The fast reader (load-fast.ts, js-yaml) against the exact one (load.ts, the `yaml` package):
 * wherever the fast reader answers, it answers with the same values (key order included), the
 * same `$ref` holders in the same order and the same position for every object, key, value and
 * item; where it cannot vouch for that, it declines and the exact reader is used.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSpecTextFast } from "../../src/build/load-fast.ts";
import { parseSpecText, parseSpecTextExact, type LoadedFile } from "../../src/build/load.ts";
import { SourceIndex } from "../../src/build/positions.ts";
import { positionsListing } from "./positions-listing.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");

function specFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...specFiles(full));
    else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** JSON text that keeps key order and tells NaN and the infinities apart. */
function exactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `<${v}>` : v)) ?? "<undefined>";
}

/** Where each `$ref` holder sits in the value, in the reader's order. */
function refPaths(file: LoadedFile): string[] {
  const where = new Map<object, string>();
  const walk = (v: unknown, at: string): void => {
    if (typeof v !== "object" || v === null || where.has(v)) return;
    where.set(v, at);
    for (const [k, c] of Object.entries(v)) walk(c, `${at}/${k}`);
  };
  walk(file.value, "#");
  return file.refs.map((r) => `${where.get(r.holder)} ${r.file}`);
}

interface Compared {
  readonly fast: boolean;
}

/** Reads `text` both ways; when the fast reader answers, everything must match. */
function compare(text: string, file = "/specs/x.yaml", display = "specs/x.yaml"): Compared {
  const fastIndex = new SourceIndex();
  const fast = parseSpecTextFast(text, file, display, fastIndex);
  if (fast === undefined) return { fast: false };
  const exactIndex = new SourceIndex();
  const exact = parseSpecTextExact(text, file, display, exactIndex);
  expect(exact.diagnostics).toEqual([]);
  expect(exactJson(fast.value)).toBe(exactJson(exact.value));
  expect(refPaths(fast)).toEqual(refPaths(exact));
  expect(positionsListing(fast.value, fastIndex)).toEqual(positionsListing(exact.value, exactIndex));
  expect(fast.diagnostics).toEqual([]);
  return { fast: true };
}

describe("fast spec reader on real specs", () => {
  it("matches the exact reader on every DigitalOcean, OAI-example and pet-store file it reads, and reads nearly all", () => {
    const files = [...specFiles(path.join(corpus, "digitalocean")), ...specFiles(path.join(corpus, "oai-examples")), ...specFiles(path.resolve("spec"))];
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      if (compare(text, file, path.relative(process.cwd(), file)).fast) fast++;
    }
    expect(files.length).toBeGreaterThan(2_900);
    // Files with Go code samples (`&godo.…` looks like an anchor) and flow mappings with keys
    // only take the exact reader; everything else is read fast.
    expect(fast / files.length).toBeGreaterThan(0.95);
  });

  it("matches the exact reader on the JSON Schema test suite's JSON files", () => {
    const files = specFiles(path.join(corpus, "json-schema-test-suite", "tests", "draft2020-12"));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) compare(readFileSync(file, "utf8"), file, path.basename(file));
  });
});

describe("fast spec reader on edge cases", () => {
  /** Inputs the fast reader must read exactly like `yaml`. */
  const alike: Record<string, string> = {
    "core-schema scalars": "a: [3e-05, 1.5, .inf, -.Inf, .NaN, 0o17, 0x1F, 017, 0b11, 1_000, +1, -0, 5., .5, 12e, 0x_1, 100000000000000000000]\n",
    "booleans and nulls": "a: [true, True, TRUE, tRue, yes, no, on, off, null, Null, NULL, nUll, ~, ]\nb:\nc: \n",
    "timestamps stay strings": "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
    "odd scalar keys": "1.0: x\ntrue: y\n.inf: w\nnull_: v\n",
    "integer-like keys": "b: 1\n200: ok\n\"404\": missing\na: 2\n",
    "__proto__ stays an own key": "__proto__: { polluted: true }\nok: 1\n",
    "block scalars": "a: |\n  x\n   y\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  kept\n\nd: 1\n",
    "quoted and multi-line scalars": "a: 'it''s'\nb: \"\\x41\\u00e9\\U0001F600\"\nc: \"x\n  y\"\nd: plain\n  continued\n",
    "flow collections": "a: [1, [2, 3], {b: 4, c: [5]}, ]\nd: {e: 1,\n  f: 2}\ng: {\"h\": null}\n",
    "comments everywhere": "# head\na: 1 # after\n# between\nb:\n  # inside\n  - 1 # item\n  - 2 # item\n  -\n    c: 2\n",
    "JSON": "{\"openapi\": \"3.1.0\", \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"$ref\": \"#/x\"}}}}}, \"n\": [1.5e3, -0, null]}",
    "CRLF line ends": "a: 1\r\nb:\r\n  c: [1, 2]\r\n",
    "document markers": "---\na: 1\n...\n",
    "refs in post-order": "a:\n  $ref: './x.yaml'\n  b:\n    $ref: '#/c'\nc: { $ref: other.yaml#/d }\n",
    "sequences of mappings": "- a: 1\n  b: 2\n- - 1\n  - 2\n-\n  c: 3\n",
    "empty values with trailing spaces": "a: \nb:   \n  \nc: 1\n",
  };
  for (const [name, text] of Object.entries(alike)) {
    it(`reads ${name} like yaml does`, () => {
      expect(compare(text).fast).toBe(true);
    });
  }

  /** Inputs the fast reader must leave to `yaml`: meaning, errors or warnings would differ. */
  const declined: Record<string, string> = {
    "a tag": "a: !!str 1\n",
    "a local tag": "a: !thing x\n",
    "an anchor and alias": "a: &x { b: 1 }\nc: *x\n",
    "an alias without anchor": "a: *x\n",
    "a merge key": "a: { b: 1 }\nc:\n  <<: { d: 1 }\n",
    "an explicit key": "? a\n: 1\n",
    "a collection as key": "[a, b]: 1\n",
    "an empty key": "{: 1}\n",
    "a null key": "~: 1\n",
    "an empty sequence item": "a:\n  - 1\n  -\n  - 2\n",
    "a directive": "%YAML 1.2\n---\na: 1\n",
    "a byte-order mark": "\uFEFFa: 1\n",
    "an implicit key over 1024 characters": `${"k".repeat(1100)}: 1\n`,
    "a duplicate key": "a: 1\na: 2\n",
    "tab indentation": "a:\n\tb: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "a control character": 'a: "\u0001"\n',
    "an empty document": "",
    "a comment-only document": "# nothing\n",
    "a flow mapping entry without value": "a: {b, c: 1}\n",
    "an unclosed quote": 'a: "x\n',
  };
  for (const [name, text] of Object.entries(declined)) {
    it(`leaves ${name} to yaml`, () => {
      expect(parseSpecTextFast(text, "/specs/x.yaml", "specs/x.yaml", new SourceIndex())).toBeUndefined();
      // parseSpecText then gives exactly the exact reader's answer, diagnostics included.
      const viaDefault = parseSpecText(text, "/specs/x.yaml", "specs/x.yaml", new SourceIndex());
      const exact = parseSpecTextExact(text, "/specs/x.yaml", "specs/x.yaml", new SourceIndex());
      expect(exactJson(viaDefault.value)).toBe(exactJson(exact.value));
      expect(viaDefault.diagnostics).toEqual(exact.diagnostics);
    });
  }

  it("accepts the two known leniencies with the values their authors meant", () => {
    // `yaml` reports both as errors; js-yaml reads them (see load-fast.ts).
    const index = new SourceIndex();
    expect(parseSpecTextFast('a: "x"#c\n', "/x.yaml", "x.yaml", index)?.value).toEqual({ a: "x" });
    expect(parseSpecTextFast("a:\n  b: [1,\n2]\n", "/x.yaml", "x.yaml", index)?.value).toEqual({ a: { b: [1, 2] } });
  });
});
