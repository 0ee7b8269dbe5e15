/**
 * Bundles a worker entry for workerd with esbuild, the way wrangler does (ESM, browser-ish
 * platform with the `workerd`/`worker` export conditions, node: built-ins left external for
 * nodejs_compat).
 */
import { build, type Plugin } from "esbuild";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { DATA_MODULE_FILTER, dataModuleType } from "./data-module-source.ts";
import { packageRoot } from "./package-root.ts";
import type { WorkerdModule } from "./workerd-config.ts";

/** A Text (`.txt`) or Data (`.bin`) module the bundle imports by name, beside `worker.js`. */
export interface DataModule {
  readonly name: string;
  readonly type: "text" | "data";
  readonly contents: Uint8Array;
}

export interface BundleResult {
  readonly code: string;
  readonly bytes: number;
  /** The Text/Data modules `code` imports (only with `dataModules: "separate"`; else empty). */
  readonly modules: readonly DataModule[];
}

export interface BundleOptions {
  readonly minify?: boolean;
  /** Extra folders to resolve bare imports from (generated code living outside a project). */
  readonly nodePaths?: readonly string[];
  /**
   * What becomes of imported `.txt` / `.bin` files (the generated module's data):
   * - "inline" (default): a string / Uint8Array inside the code — one file, importable anywhere;
   * - "separate": Text / Data modules of their own, as `wrangler deploy` uploads them. V8 never
   *   scans them as JavaScript, so the worker starts faster; serve them with {@link workerdModules}.
   */
  readonly dataModules?: "inline" | "separate";
}

/**
 * Keeps `.txt` / `.bin` imports as modules of their own: each is renamed to a unique name
 * beside the bundle (generated folders of two specs may both hold `operations.txt`) and
 * collected with its contents.
 */
function separateDataModules(collected: DataModule[]): Plugin {
  return {
    name: "brrtrouter-edge-data-modules",
    setup(build) {
      const names = new Map<string, string>();
      build.onResolve({ filter: DATA_MODULE_FILTER }, (args) => {
        const file = path.resolve(args.resolveDir, args.path);
        let name = names.get(file);
        if (name === undefined) {
          const base = path.basename(file);
          name = collected.some((m) => m.name === base) ? `${names.size}-${base}` : base;
          names.set(file, name);
          collected.push({ name, type: dataModuleType(file)!, contents: readFileSync(file) });
        }
        return { path: `./${name}`, external: true };
      });
    },
  };
}

/** The workerd module list for a bundle written as `worker.js` with its data modules beside it. */
export function workerdModules(bundle: BundleResult, entryName = "worker.js"): WorkerdModule[] {
  return [{ name: entryName, path: entryName }, ...bundle.modules.map((m) => ({ name: m.name, path: m.name, type: m.type }))];
}

/** Writes the bundle (as `worker.js`) and its data modules into `dir`; answers {@link workerdModules}. */
export async function writeWorkerBundle(dir: string, bundle: BundleResult, entryName = "worker.js"): Promise<WorkerdModule[]> {
  await writeFile(path.join(dir, entryName), bundle.code);
  for (const module of bundle.modules) await writeFile(path.join(dir, module.name), module.contents);
  return workerdModules(bundle, entryName);
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
  const modules: DataModule[] = [];
  const separate = options.dataModules === "separate";
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
    plugins: separate ? [selfReference(), separateDataModules(modules)] : [selfReference()],
    loader: { ".txt": "text", ".bin": "binary" },
    legalComments: "none",
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return { code: file.text, bytes: file.contents.byteLength, modules };
}
