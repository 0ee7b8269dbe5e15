/**
 * Worker thread entry for parallel loading (see load-parallel.ts): parses the files it is sent,
 * in batches, and posts each batch back with positions packed (load-transfer.ts).
 *
 * Messages in: `{ batch: number, files: { path, displayPath }[] }`. Out: `{ batch, files: TransferredFile[] }`.
 */
import { parentPort } from "node:worker_threads";
import { loadSpecFileSync } from "./load.ts";
import { packLoadedFile, type TransferredFile } from "./load-transfer.ts";
import { SourceIndex } from "./positions.ts";

export interface LoadBatch {
  readonly batch: number;
  readonly files: readonly { readonly path: string; readonly displayPath: string }[];
}

export interface LoadedBatch {
  readonly batch: number;
  readonly files: readonly TransferredFile[];
}

parentPort?.on("message", (message: LoadBatch) => {
  const files = message.files.map(({ path, displayPath }) => {
    // One index per file: it only has to live until the file's positions are packed.
    const index = new SourceIndex();
    return packLoadedFile(loadSpecFileSync(path, displayPath, index), index);
  });
  const reply: LoadedBatch = { batch: message.batch, files };
  // The typed arrays' buffers move rather than copy (each was made for this file alone).
  parentPort!.postMessage(reply, files.flatMap((f) => [f.positions.buffer as ArrayBuffer, f.refs.buffer as ArrayBuffer]));
});
