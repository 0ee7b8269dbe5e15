/**
 * `GET /openapi.json`: the bundled document, stored gzip-compressed in the generated module.
 * Clients that accept gzip (nearly all) get the stored bytes as they are; others get them
 * decompressed on the fly. The bytes come as a Data module (an ArrayBuffer), or as a Uint8Array
 * where a bundler inlined them; base64 text is still taken from modules built before that.
 */

import type { DocumentGzip } from "./compiled-spec.ts";

const JSON_TYPE = "application/json; charset=utf-8";

function acceptsGzip(request: Request): boolean {
  const accept = request.headers.get("accept-encoding");
  if (accept === null) return false;
  for (const part of accept.split(",")) {
    const [coding = "", ...params] = part.split(";");
    const name = coding.trim().toLowerCase();
    if (name !== "gzip" && name !== "*") continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

function gzipBytes(documentGzip: DocumentGzip): Uint8Array {
  if (documentGzip instanceof ArrayBuffer) return new Uint8Array(documentGzip);
  if (ArrayBuffer.isView(documentGzip)) return new Uint8Array(documentGzip.buffer, documentGzip.byteOffset, documentGzip.byteLength);
  const binary = atob(documentGzip);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function createDocumentHandler(documentGzip: DocumentGzip): (request: Request) => Response {
  let bytes: Uint8Array | undefined;
  return (request) => {
    bytes ??= gzipBytes(documentGzip);
    if (acceptsGzip(request)) {
      // encodeBody "manual": the body is already gzip; Workers must send it as it is.
      return new Response(bytes, {
        headers: { "content-type": JSON_TYPE, "content-encoding": "gzip", vary: "accept-encoding" },
        encodeBody: "manual",
      });
    }
    const plain = new Response(bytes).body!.pipeThrough(new DecompressionStream("gzip"));
    return new Response(plain, { headers: { "content-type": JSON_TYPE, vary: "accept-encoding" } });
  };
}
