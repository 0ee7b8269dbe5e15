/**
 * A Vite / Vitest plugin that loads the generated module's data files in Node the way wrangler and
 * workerd do: `.txt` as a Text module (default export: the string) and `.bin` as a Data module
 * (default export: an ArrayBuffer). Without it Vite treats both as static assets and a Node
 * test importing `spec.js` would get a URL where it expects the data. The Workers vitest pool
 * needs nothing: it loads these files with wrangler's default module rules. (Plain Node scripts:
 * `node --import brrtrouter-edge/node-data-modules`, see node-data-modules.ts.)
 *
 *   // vitest.config.ts
 *   import { dataModules } from "brrtrouter-edge/build";
 *   export default defineConfig({ plugins: [dataModules()], ... });
 *
 * Typed structurally (no dependency on vite's types): the object is a valid Vite `Plugin`.
 */
import { readFileSync } from "node:fs";
import { dataModuleSource, isDataModule } from "./data-module-source.ts";

export interface DataModulesPlugin {
  readonly name: string;
  readonly enforce: "pre";
  load(id: string): string | undefined;
}

export function dataModules(): DataModulesPlugin {
  return {
    name: "brrtrouter-edge-data-modules",
    enforce: "pre",
    load(id) {
      const file = id.split("?")[0]!;
      return isDataModule(file) ? dataModuleSource(file, readFileSync(file)) : undefined;
    },
  };
}
