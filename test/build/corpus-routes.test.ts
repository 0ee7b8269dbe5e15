/**
 * Every spec of the real-world corpus builds end to end (front end → matcher → validators →
 * emit), and for every operation a concrete request made from its template routes back to
 * that operation through the generated matcher, the same module the runtime imports.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildSpec } from "../../src/build/index.ts";
import type { Matcher } from "../../src/runtime/compiled-spec.ts";

const corpus = path.resolve(process.cwd(), "../shared/corpus");
const specs = [
  "digitalocean/specification/DigitalOcean-public.v2.yaml",
  "oai-examples/petstore.yaml",
  "oai-examples/petstore-expanded.yaml",
  "oai-examples/uspto.yaml",
  "oai-examples/callback-example.yaml",
  "oai-examples/link-example.yaml",
  "oai-examples/api-with-examples.yaml",
];

/** A request path for a template: each `{param}` becomes a distinct, plain sample value. */
function concretePath(template: string): string {
  let n = 0;
  return template.replace(/\{[^}]+\}/g, () => `v${++n}x`);
}

const temp = await mkdtemp(path.join(os.tmpdir(), "brrt-corpus-"));
afterAll(() => rm(temp, { recursive: true, force: true }));

describe.each(specs)("%s", (relative) => {
  it("builds and routes every operation to itself", async () => {
    const outDir = path.join(temp, relative.replace(/[^a-z0-9]+/gi, "-"));
    const result = await buildSpec({ spec: path.join(corpus, relative), outDir });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toEqual([]);
    if (!result.ok) throw new Error("build failed");
    const { match } = (await import(pathToFileURL(path.join(outDir, "matcher.js")).href)) as { match: Matcher };

    let routed = 0;
    const wrong: string[] = [];
    for (const op of result.operations) {
      const found = match(op.method, concretePath(op.path));
      if (found.status === 200 && found.operationId === op.operationId) routed++;
      else wrong.push(`${op.method} ${op.path} → ${JSON.stringify(found)}`);
    }
    expect(wrong).toEqual([]);
    expect(routed).toBe(result.operations.length);
    expect(routed).toBeGreaterThan(0);
    console.log(
      `${relative}: ${routed}/${result.operations.length} operations routed; built in ${Math.round(result.summary.milliseconds)} ms, ` +
        `${(result.summary.gzipBytes / 1024).toFixed(0)} KiB gzip`,
    );
  });
});
