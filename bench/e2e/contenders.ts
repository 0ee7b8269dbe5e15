/**
 * The contenders of the end-to-end bench and how each becomes one bundled worker module: every
 * one goes through the same `bundleWorker` (esbuild, workerd conditions) and is served by its own
 * `workerd serve` process.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildSpec, formatDiagnostic } from "../../src/build/index.ts";
import { bundleWorker } from "../../src/build/bundle-worker.ts";
import type { BrrtVariant } from "./workers/brrt.ts";

export interface Contender {
  readonly name: string;
  readonly description: string;
  /** The bare worker: every other row's ratio is against it. */
  readonly floor?: true;
  /** Only the floor skips the correctness checks (it answers 200 to anything). */
  readonly checked: boolean;
  /** Writes whatever the entry needs into `dir` and returns the entry file to bundle. */
  entry(dir: string): Promise<string>;
}

const workers = path.resolve(import.meta.dirname, "workers");
const specFile = path.resolve(import.meta.dirname, "spec.yaml");

/** The compiled bench spec, built once per run into `<dir>/generated`. */
const builtSpecs = new Map<string, Promise<string>>();
function generatedSpec(dir: string): Promise<string> {
  let built = builtSpecs.get(dir);
  if (built === undefined) {
    built = (async () => {
      const outDir = path.join(dir, "generated");
      const result = await buildSpec({ spec: specFile, outDir });
      if (!result.ok) throw new Error(`bench spec does not build:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`);
      return path.join(outDir, "spec.js");
    })();
    builtSpecs.set(dir, built);
  }
  return built;
}

/**
 * Our pipeline in one variant. `root` is the checkout whose src/runtime and
 * bench/e2e/workers/brrt.ts are bundled: this repository, or a patched copy (`--patched=<dir>`)
 * to measure a proposed runtime change against the current one in the same run.
 */
export function brrt(variant: BrrtVariant, name: string, description: string, root = path.resolve(import.meta.dirname, "../..")): Contender {
  return {
    name,
    description,
    checked: variant !== "no-auth",
    async entry(dir) {
      const spec = await generatedSpec(dir);
      const entry = path.join(dir, `entry-${name}.ts`);
      writeFileSync(
        entry,
        [
          `import * as spec from ${JSON.stringify(spec)};`,
          `import { brrtWorker } from ${JSON.stringify(path.join(root, "bench/e2e/workers/brrt.ts"))};`,
          `export default brrtWorker(spec, ${JSON.stringify(variant)});`,
          "",
        ].join("\n"),
      );
      return entry;
    },
  };
}

const fixed = (name: string, file: string, description: string, extra: Partial<Contender> = {}): Contender => ({
  name,
  description,
  checked: true,
  entry: async () => path.join(workers, file),
  ...extra,
});

export const contenders: readonly Contender[] = [
  fixed("bare", "bare.ts", "fixed JSON response, reads nothing (the floor)", { floor: true, checked: false }),
  fixed("bare-json", "bare-json.ts", "bare worker + await request.json() (what reading the POST body alone costs)", { checked: false }),
  fixed("bare-token-key", "bare-token-key.ts", "bare worker + SHA-256 of the bearer token (what a hash-keyed token cache alone costs)", { checked: false }),
  brrt("full", "brrtrouter-edge", "createApp + compiled spec: match, JWT (verified-token cache), parse, generated validators"),
  fixed("hono-zod-openapi", "hono-zod.ts", "hono 4 + @hono/zod-openapi (zod 4) + hono/jwt middleware"),
  fixed("chanfana", "chanfana.ts", "chanfana 3 on hono (zod 4) + hono/jwt middleware"),
  fixed("itty-router", "itty.ts", "itty-router 5 + jose jwtVerify + hand-written validation"),
  brrt("no-token-cache", "brrtrouter-edge-nocache", "as brrtrouter-edge, tokenCache: false: HMAC verified on every request"),
  brrt("no-auth", "brrtrouter-edge-noauth", "as brrtrouter-edge, insecure: true: authorise stage skipped (profiling variant)"),
];

/**
 * `--patched=<name>=<dir>,...`: the full pipeline bundled from other checkouts (proposed
 * src/runtime changes), as extra rows of the same run.
 */
export function patchedContenders(list: string): Contender[] {
  return list.split(",").map((item) => {
    const eq = item.indexOf("=");
    const name = eq === -1 ? "patched" : item.slice(0, eq);
    const root = path.resolve(eq === -1 ? item : item.slice(eq + 1));
    return brrt("full", name, `brrtrouter-edge from ${root}`, root);
  });
}

export async function bundleContender(contender: Contender, dir: string): Promise<{ file: string; bytes: number }> {
  const entry = await contender.entry(dir);
  const { code, bytes } = await bundleWorker(entry);
  const file = path.join(dir, `${contender.name.replace(/[^\w.-]+/g, "_")}.js`);
  writeFileSync(file, code);
  return { file, bytes };
}
