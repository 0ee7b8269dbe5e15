/**
 * A Vite / Vitest plugin that loads the generated module's data files in Node the way wrangler and
 * workerd do: `.txt` as a Text module (default export: the string) and `.bin` as a Data module
 * (default export: an ArrayBuffer). Without it Vite treats both as static assets and a Node
 * test importing `spec.js` would get a URL where it expects the data. The Workers vitest pool
 * needs nothing: it loads these files with wrangler's default module rules.
 *
 *   // vitest.config.ts
 *   import { dataModules } from "brrtrouter-edge/build";
 *   export default defineConfig({ plugins: [dataModules()], ... });
 *
 * Typed structurally (no dependency on vite's types): the object is a valid Vite `Plugin`.
 */
import { readFileSync } from "node:fs";

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
      if (file.endsWith(".txt")) return `export default ${JSON.stringify(readFileSync(file, "utf8"))};`;
      if (file.endsWith(".bin")) {
        const base64 = readFileSync(file).toString("base64");
        return `const bytes = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));\nexport default bytes.buffer;`;
      }
      return undefined;
    },
  };
}
