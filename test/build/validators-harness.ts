/**
 * Test helper: import generated validator modules in Node exactly as emitted. Node 20 cannot
 * import TypeScript, so the runtime modules the generated code imports are bundled (esbuild,
 * the same compiler the Worker bundlers use) into a temp folder and the imports point there.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildSync } from "esbuild";
import type { RuntimeImports } from "../../src/build/validators/index.ts";
import type { Validator } from "../../src/runtime/compiled-spec.ts";

const RUNTIME_MODULES = ["formats", "validator-runtime"];
let prepared: { dir: string; imports: RuntimeImports } | undefined;
let counter = 0;

/** A temp folder holding the runtime modules as .mjs, and the import specifiers to reach them. */
export function runtimeImports(): { dir: string; imports: RuntimeImports } {
  if (prepared !== undefined) return prepared;
  const dir = path.join(os.tmpdir(), `brrt-validators-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const urls: Record<string, string> = {};
  for (const name of RUNTIME_MODULES) {
    // Bundled one by one: whatever the runtime module imports comes along.
    const file = path.join(dir, `${name}.mjs`);
    buildSync({ entryPoints: [path.resolve(process.cwd(), `src/runtime/${name}.ts`)], outfile: file, bundle: true, format: "esm", platform: "neutral", logLevel: "silent" });
    urls[name] = pathToFileURL(file).href;
  }
  return (prepared = { dir, imports: { formats: urls.formats as string, helpers: urls["validator-runtime"] as string } });
}

/** Remove the temp folder (call from `afterAll`; imported modules stay loaded). */
export function removeRuntimeImports(): void {
  if (prepared === undefined) return;
  rmSync(prepared.dir, { recursive: true, force: true });
  prepared = undefined;
}

/** Write a generated module beside the runtime modules and import it. */
export async function importValidators(source: string): Promise<Record<string, Validator>> {
  const { dir } = runtimeImports();
  const file = path.join(dir, `generated-${counter++}.mjs`);
  writeFileSync(file, source);
  return ((await import(pathToFileURL(file).href)) as { validators: Record<string, Validator> }).validators;
}
