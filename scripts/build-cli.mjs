// Bundles the `brrt` command (src/cli) and the build library (src/build) into dist/ with
// esbuild: Node 20 cannot run TypeScript itself. Dependencies stay external (installed).
// Written to a temporary name and renamed, so concurrent runs never see half a file.
import { build } from "esbuild";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function buildCli() {
  const entries = { "cli/main": "src/cli/main.ts", "build/index": "src/build/index.ts" };
  for (const [out, entry] of Object.entries(entries)) {
    const target = path.join(root, "dist", `${out}.js`);
    const temp = `${target}.${process.pid}.tmp`;
    await mkdir(path.dirname(target), { recursive: true });
    await build({
      entryPoints: [path.join(root, entry)],
      outfile: temp,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "esm",
      packages: "external",
      sourcemap: "inline",
      logLevel: "warning",
    });
    await rename(temp, target);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
