/**
 * Bundles a worker entry for workerd with esbuild, the way wrangler does (ESM, browser-ish
 * platform with the `workerd`/`worker` export conditions, node: built-ins left external for
 * nodejs_compat).
 */
import { build } from "esbuild";

export interface BundleResult {
  readonly code: string;
  readonly bytes: number;
}

export async function bundleWorker(
  entry: string,
  options: { minify?: boolean; nodePaths?: readonly string[] } = {},
): Promise<BundleResult> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["node:*", "cloudflare:*"],
    minify: options.minify ?? false,
    nodePaths: [...(options.nodePaths ?? [])],
    legalComments: "none",
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: file.text, bytes: file.contents.byteLength };
}
