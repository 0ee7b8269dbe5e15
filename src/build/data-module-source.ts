/**
 * The ES module source that stands for a generated data file when something other than wrangler
 * or workerd loads it (Node, Vite): `.txt` → a Text module (default export: the string), `.bin`
 * → a Data module (default export: an ArrayBuffer), as workerd gives them. Used by the Vite plugin
 * (vite-data-modules.ts) and the Node module hooks (node-data-modules-hooks.ts).
 */

/** The files the generated module writes as data, by the module type workerd loads them as (wrangler's default rules). */
const DATA_MODULE_TYPES: Readonly<Record<string, "text" | "data">> = { ".txt": "text", ".bin": "data" };

/** The same file names, for an esbuild `onResolve` filter. */
export const DATA_MODULE_FILTER = /\.(txt|bin)$/;

/** "text" / "data" for a file name (or file URL, query stripped by the caller) workerd loads as a Text / Data module, else undefined. */
export function dataModuleType(file: string): "text" | "data" | undefined {
  const dot = file.lastIndexOf(".");
  return dot < 0 ? undefined : DATA_MODULE_TYPES[file.slice(dot)];
}

/** True for a file name workerd would load as a Text or Data module. */
export function isDataModule(file: string): boolean {
  return dataModuleType(file) !== undefined;
}

/** ES module source for a `.txt` / `.bin` file's contents. */
export function dataModuleSource(file: string, contents: Uint8Array): string {
  if (dataModuleType(file) === "text") return `export default ${JSON.stringify(new TextDecoder().decode(contents))};\n`;
  const base64 = Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength).toString("base64");
  return `const bytes = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));\nexport default bytes.buffer;\n`;
}
