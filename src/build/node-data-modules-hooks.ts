/**
 * Node module customization hooks (module.register) that load generated `.txt` / `.bin` files as
 * workerd's Text / Data modules. Registered by node-data-modules.ts; runs on Node's loader thread.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dataModuleSource, isDataModule } from "./data-module-source.ts";

interface LoadResult {
  readonly format?: string | null;
  readonly source?: string | ArrayBuffer | Uint8Array;
  readonly shortCircuit?: boolean;
}
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  if (url.startsWith("file:") && isDataModule(url)) {
    const file = fileURLToPath(url);
    return { format: "module", source: dataModuleSource(file, await readFile(file)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
