/**
 * The ES module source that stands for a generated data file when something other than wrangler
 * or workerd loads it (Node, Vite): `.txt` → a Text module (default export: the string), `.bin`
 * → a Data module (default export: an ArrayBuffer), as workerd gives them. Used by the Vite plugin
 * (vite-data-modules.ts) and the Node module hooks (node-data-modules-hooks.ts).
 */

/** True for a file name (or file URL, query stripped by the caller) workerd would load as Text or Data. */
export function isDataModule(file: string): boolean {
  return file.endsWith(".txt") || file.endsWith(".bin");
}

/** ES module source for a `.txt` / `.bin` file's contents. */
export function dataModuleSource(file: string, contents: Uint8Array): string {
  if (file.endsWith(".txt")) return `export default ${JSON.stringify(new TextDecoder().decode(contents))};\n`;
  const base64 = Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength).toString("base64");
  return `const bytes = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));\nexport default bytes.buffer;\n`;
}
