/**
 * Everything `brrt serve` needs before it starts workerd: build the spec, write a worker entry
 * that serves it with no handlers (501s, or examples in mock mode), bundle it, and write a
 * workerd config next to it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { bundleWorker, writeWorkerBundle } from "./bundle-worker.ts";
import { buildSpec, type BuildResult } from "./index.ts";
import { packageRoot } from "./package-root.ts";
import { renderWorkerdConfig } from "./workerd-config.ts";

export interface SpecWorkerOptions {
  readonly spec: string;
  /** Folder to write into (generated module, worker bundle, config). */
  readonly dir: string;
  readonly mock?: boolean;
  readonly insecure?: boolean;
  /** Response validation mode baked into the worker (default "warn" for local serving). */
  readonly responseValidation?: "off" | "warn" | "strict";
}

export type SpecWorkerResult =
  | { readonly ok: true; readonly build: Extract<BuildResult, { ok: true }>; readonly configFile: string; readonly bundleBytes: number }
  | { readonly ok: false; readonly build: Extract<BuildResult, { ok: false }> };

/** The runtime entry, as source (inside the repo or the installed package). */
function runtimeEntry(): string {
  return path.join(packageRoot(), "src", "runtime", "index.ts");
}

export async function prepareSpecWorker(options: SpecWorkerOptions): Promise<SpecWorkerResult> {
  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const build = await buildSpec({ spec: options.spec, outDir: path.join(dir, "generated") });
  if (!build.ok) return { ok: false, build };

  const entry = path.join(dir, "entry.ts");
  const appOptions = JSON.stringify({
    mock: options.mock === true,
    insecure: options.insecure === true,
    responseValidation: options.responseValidation ?? "warn",
  });
  await writeFile(
    entry,
    `import * as spec from "./generated/spec.js";
import { createApp } from ${JSON.stringify(runtimeEntry())};
export default createApp({ spec, ...${appOptions} });
`,
  );
  const bundle = await bundleWorker(entry, { dataModules: "separate" });
  const modules = await writeWorkerBundle(dir, bundle);
  const configFile = path.join(dir, "config.capnp");
  await writeFile(
    configFile,
    renderWorkerdConfig({
      modules,
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["nodejs_compat"],
      address: "127.0.0.1:8787",
      workerName: "brrt-serve",
    }),
  );
  const dataBytes = bundle.modules.reduce((sum, m) => sum + m.contents.byteLength, 0);
  return { ok: true, build, configFile, bundleBytes: bundle.bytes + dataBytes };
}
