/**
 * ref-bundle.ts ports ref-parser's bundle layout without its quadratic bookkeeping. This holds
 * the port to the library it came from: on every corpus spec and the multi-file fixtures, the
 * document bundled by ref-parser's own `bundle()` and by its `resolve()` + `bundleResolved` must
 * serialise to the same JSON, byte for byte (same definitions chosen, same `$ref` strings).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { $RefParser, type ParserOptions } from "@apidevtools/json-schema-ref-parser";
import { getNewOptions } from "@apidevtools/json-schema-ref-parser/dist/lib/options.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bundleResolved } from "../../src/build/ref-bundle.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");
const fixtures = path.resolve(process.cwd(), "test/fixtures/specs/good");

/** ref-parser reading files itself; YAML through the `yaml` package, as our loader does. */
function options(): ParserOptions {
  return {
    resolve: { http: false },
    parse: {
      yaml: {
        order: 1,
        allowEmpty: false,
        canParse: [".yaml", ".yml", ".json"],
        parse: (file: { data: Buffer | string }) => parse(file.data.toString(), { logLevel: "error" }) as object,
      },
      json: false,
    },
  } as unknown as ParserOptions;
}

async function viaRefParser(entry: string): Promise<string> {
  return JSON.stringify(await new $RefParser().bundle(entry, options()));
}

async function viaPort(entry: string): Promise<string> {
  const parser = new $RefParser();
  const normalised = getNewOptions(options()) as ParserOptions;
  await parser.resolve(entry, normalised);
  bundleResolved(parser, normalised);
  return JSON.stringify(parser.schema);
}

const specs: [string, string][] = [
  ["DigitalOcean", path.join(corpus, "digitalocean/specification/DigitalOcean-public.v2.yaml")],
  ["spec/openapi.yaml", path.resolve(process.cwd(), "spec/openapi.yaml")],
  ...readdirSync(path.join(corpus, "oai-examples"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f): [string, string] => [`oai-examples/${f}`, path.join(corpus, "oai-examples", f)]),
  ...readdirSync(fixtures)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f): [string, string] => [`fixtures/${f}`, path.join(fixtures, f)]),
  ["fixtures/split/main.yaml", path.join(fixtures, "split/main.yaml")],
];

describe("bundleResolved against ref-parser's bundle()", () => {
  it.each(specs)("%s: the same bundled document", async (_name, entry) => {
    const [expected, actual] = [await viaRefParser(entry), await viaPort(entry)];
    expect(actual.length).toBe(expected.length);
    expect(actual === expected).toBe(true);
  });
});
