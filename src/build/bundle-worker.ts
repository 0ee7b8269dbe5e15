/**
 * Bundles a worker entry for workerd with esbuild, the way wrangler does (ESM, browser-ish
 * platform with the `workerd`/`worker` export conditions, node: built-ins left external for
 * nodejs_compat).
 */
import { build, type Plugin } from "esbuild";
import { createRequire } from "node:module";
import path from "node:path";
import { packageRoot } from "./package-root.ts";

export interface BundleResult {
  readonly code: string;
  readonly bytes: number;
}

export interface BundleOptions {
  readonly minify?: boolean;
  /** Extra folders to resolve bare imports from (generated code living outside a project). */
  readonly nodePaths?: readonly string[];
}

/**
 * Generated modules import `brrtrouter-edge/runtime/...`. Inside a project that resolves
 * through node_modules; a generated folder in a temp dir (`brrt serve`) has none, so the
 * package's own imports are pointed at its source here.
 */
function selfReference(): Plugin {
  const root = packageRoot();
  return {
    name: "brrtrouter-edge-self",
    setup(build) {
      build.onResolve({ filter: /^brrtrouter-edge(\/(runtime|durable)\/[\w-]+)?$/ }, (args) => {
        const sub = args.path.slice("brrtrouter-edge".length);
        return { path: sub === "" ? path.join(root, "src/runtime/index.ts") : path.join(root, "src", `${sub}.ts`) };
      });
    },
  };
}

/**
 * node_modules holding the runtime's own dependencies, so generated code in a folder outside any
 * project (a temp dir) still resolves them.
 */
function dependencyRoots(): string[] {
  const require = createRequire(import.meta.url);
  return [path.dirname(path.dirname(require.resolve("ajv/package.json")))];
}

export async function bundleWorker(entry: string, options: BundleOptions = {}): Promise<BundleResult> {
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
    nodePaths: [...(options.nodePaths ?? []), ...dependencyRoots()],
    plugins: [selfReference()],
    legalComments: "none",
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: file.text, bytes: file.contents.byteLength };
}
