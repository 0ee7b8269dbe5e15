/**
 * `GET /openapi.json`: the bundled document, stored gzip-compressed in the generated module.
 * Clients that accept gzip (nearly all) get the stored bytes as they are; others get them
 * decompressed on the fly. The base64 is decoded once per isolate, on first request.
 */

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

export function createDocumentHandler(documentGzip: string): (request: Request) => Response {
  let bytes: Uint8Array | undefined;
  return (request) => {
    if (bytes === undefined) {
      const binary = atob(documentGzip);
      bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    }
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
