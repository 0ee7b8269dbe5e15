/**
 * What a deployment of a generated module weighs: the worker bundle that `wrangler deploy` would
 * upload for an app made of the generated spec and the runtime (no handlers), minified, with its
 * gzip size measured the way wrangler reports it (zlib's default level). The Workers limits
 * apply to the gzip size: 3 MiB on the free plan, 10 MiB on paid plans.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { bundleWorker, type BundleResult } from "./bundle-worker.ts";
import { packageRoot } from "./package-root.ts";

export const WORKERS_GZIP_LIMIT_FREE = 3 * 1024 * 1024;
export const WORKERS_GZIP_LIMIT_PAID = 10 * 1024 * 1024;

export interface WorkerBundleSize {
  /** The minified bundle itself with its Text/Data modules (what the caller may write out and serve). */
  readonly bundle: BundleResult;
  /** The code and its data modules together, as `wrangler deploy` uploads them. */
  readonly rawBytes: number;
  /** Sum of each module's gzip size. */
  readonly gzipBytes: number;
}

/** The entry `wrangler` would bundle: every operation served by the runtime, no handlers. */
export function workerEntrySource(outDir: string): string {
  const spec = path.resolve(outDir, "spec.js");
  const runtime = path.join(packageRoot(), "src", "runtime", "index.ts");
  return `import * as spec from ${JSON.stringify(spec)};
import { createApp } from ${JSON.stringify(runtime)};
export default createApp({ spec });
`;
}

/** Bundles (minified) the app for the generated module in `outDir` and measures it. */
export async function measureWorkerBundle(outDir: string): Promise<WorkerBundleSize> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "brrt-measure-"));
  try {
    const entry = path.join(dir, "entry.js");
    await writeFile(entry, workerEntrySource(outDir));
    const bundle = await bundleWorker(entry, { minify: true, dataModules: "separate" });
    const parts = [Buffer.from(bundle.code), ...bundle.modules.map((m) => m.contents)];
    return {
      bundle,
      rawBytes: parts.reduce((sum, part) => sum + part.byteLength, 0),
      gzipBytes: parts.reduce((sum, part) => sum + gzipSync(part).byteLength, 0),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
