/**
 * GET /openapi.json from each form the document's gzip bytes can take: an ArrayBuffer (workerd's
 * Data module, what `document.bin` gives), a Uint8Array (a bundler that inlined the file), base64
 * text (modules built before the Data module).
 */
import { describe, expect, it } from "vitest";
import { createDocumentHandler } from "../../src/runtime/document.ts";

const DOCUMENT = { openapi: "3.1.0", info: { title: "t", version: "1" }, paths: {} };

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Response(text).body!.pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("createDocumentHandler", () => {
  it("serves the same document from an ArrayBuffer, a Uint8Array view and base64 text", async () => {
    const bytes = await gzip(JSON.stringify(DOCUMENT));
    // A view into a larger buffer, as an inlined file can be: only its own bytes count.
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    const forms = [bytes.slice().buffer, padded.subarray(4, 4 + bytes.length), btoa(String.fromCharCode(...bytes))];
    for (const form of forms) {
      const handler = createDocumentHandler(form);
      const zipped = handler(new Request("https://x/openapi.json", { headers: { "accept-encoding": "gzip" } }));
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      expect(new Uint8Array(await zipped.arrayBuffer())).toEqual(bytes);
      const plain = handler(new Request("https://x/openapi.json", { headers: { "accept-encoding": "identity" } }));
      expect(await plain.json()).toEqual(DOCUMENT);
    }
  });
});
