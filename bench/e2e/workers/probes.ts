/**
 * Probes for the end-to-end profile: the bare worker plus exactly one piece of work that our
 * pipeline does per request, so its cost inside workerd can be read off workerd's CPU time per
 * request (bench/e2e/probe-run.ts). Timing inside the isolate is not possible (workerd's clocks
 * do not advance during execution), hence one probe per worker and an outside measurement.
 */
import { jwtVerify } from "jose";
import { sha256Key, sha256MapKey } from "../../../src/runtime/security/digest.ts";
import { ISSUER, type BenchEnv } from "./item.ts";

export type ProbeName =
  | "none"
  | "url"
  | "request-id"
  | "headers-iterate"
  | "sha256-key"
  | "token-map-key"
  | "async-only"
  | "body-arraybuffer"
  | "jwt-verify"
  | "body-text"
  | "body-reader"
  | "json-response";

const BODY = JSON.stringify({ id: 42, limit: 10, tags: ["red", "blue"], owner: "bench-user" });
const fixed = (): Response => new Response(BODY, { headers: { "content-type": "application/json" } });
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
let sink: unknown;

/** What createApp's request parser does to read a body: a reader loop counting bytes against the limit. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const probes: Record<ProbeName, (request: Request, env: BenchEnv) => Response | Promise<Response>> = {
  none: fixed,
  url(request) {
    const url = new URL(request.url);
    sink = url.pathname.length + (url.searchParams.get("limit") ?? "").length;
    return fixed();
  },
  "request-id"(request) {
    const incoming = request.headers.get("x-request-id");
    const id = incoming ?? crypto.randomUUID();
    const response = fixed();
    response.headers.set("x-request-id", id);
    return response;
  },
  "headers-iterate"(request) {
    let total = 0;
    for (const [name, value] of request.headers) total += name.length + value.length + 4;
    sink = total;
    return fixed();
  },
  async "sha256-key"(request) {
    sink = await sha256Key(request.headers.get("authorization") ?? "");
    return fixed();
  },
  // The verified-token cache's key as the pipeline computes it (synchronous SHA-256, @noble/hashes).
  "token-map-key"(request) {
    sink = sha256MapKey(request.headers.get("authorization") ?? "");
    return fixed();
  },
  // The fetch handler answers through a promise and awaits nothing: what being async costs by itself.
  async "async-only"() {
    return fixed();
  },
  // The body's bytes and nothing else: no decoding, no JSON.parse.
  async "body-arraybuffer"(request) {
    sink = request.body === null ? undefined : await request.arrayBuffer();
    return fixed();
  },
  async "jwt-verify"(request, env) {
    const token = (request.headers.get("authorization") ?? "").slice(7);
    sink = await jwtVerify(token, encoder.encode(env.JWT_SECRET), { algorithms: ["HS256"], issuer: ISSUER });
    return fixed();
  },
  async "body-text"(request) {
    sink = request.body === null ? undefined : JSON.parse(await request.text());
    return fixed();
  },
  async "body-reader"(request) {
    sink = request.body === null ? undefined : JSON.parse(decoder.decode(await readAll(request.body)));
    return fixed();
  },
  "json-response"() {
    const headers = new Headers(undefined);
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ id: 42, limit: 10, tags: ["red", "blue"], owner: "bench-user" }), { status: 200, headers });
  },
};

export const PROBES = Object.keys(probes) as ProbeName[];

export function probeWorker(name: ProbeName): ExportedHandler<BenchEnv> {
  const probe = probes[name];
  return { fetch: (request, env) => probe(request as unknown as Request, env) };
}
