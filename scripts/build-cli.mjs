// Bundles the `brrt` command (src/cli) and the build library (src/build) into dist/ with
// esbuild: Node 20 cannot run TypeScript itself. Dependencies stay external (installed).
// Written to a temporary name and renamed, so concurrent runs never see half a file.
//
// bin/brrt.js calls buildCli() on every run in a checkout. Rebuilding costs ~0.3 s (esbuild's
// service process start plus bundling), a noticeable share of a small build, so a rebuild only
// happens when an input esbuild read last time (listed in dist/.inputs.json from its metafile)
// is newer than that build's start, or missing. `node scripts/build-cli.mjs` (prepack) always rebuilds.
import { build } from "esbuild";
import { readFileSync, statSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const inputsFile = path.join(root, "dist", ".inputs.json");
const entries = {
  "cli/main": "src/cli/main.ts",
  "build/index": "src/build/index.ts",
  // Started by the front end in worker threads (src/build/load-parallel.ts), found next to the others.
  "build/load-worker": "src/build/load-worker.ts",
};

/** True when every output exists and no recorded input changed since it was built. */
function upToDate() {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsFile, "utf8"));
    const builtAt = recorded.startedAt;
    for (const out of Object.keys(entries)) statSync(path.join(root, "dist", `${out}.js`));
    if (JSON.stringify(recorded.entries) !== JSON.stringify(entries)) return false;
    for (const input of [...recorded.inputs, fileURLToPath(import.meta.url)]) {
      if (statSync(path.resolve(root, input)).mtimeMs > builtAt) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Rebuilds dist/ when an input changed; `force` rebuilds regardless. */
export async function buildCli({ force = false } = {}) {
  if (!force && upToDate()) return;
  // Inputs edited while this build runs must count as newer than it: compare with its start.
  const startedAt = Date.now();
  const inputs = new Set();
  for (const [out, entry] of Object.entries(entries)) {
    const target = path.join(root, "dist", `${out}.js`);
    const temp = `${target}.${process.pid}.tmp`;
    await mkdir(path.dirname(target), { recursive: true });
    const result = await build({
      entryPoints: [path.join(root, entry)],
      outfile: temp,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "esm",
      packages: "external",
      sourcemap: "inline",
      logLevel: "warning",
      metafile: true,
      absWorkingDir: root,
    });
    for (const input of Object.keys(result.metafile.inputs)) inputs.add(input);
    await rename(temp, target);
  }
  // Written last, so an interrupted build leaves the old list (or none) and rebuilds next time.
  const temp = `${inputsFile}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify({ entries, startedAt, inputs: [...inputs].sort() }));
  await rename(temp, inputsFile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli({ force: true });
