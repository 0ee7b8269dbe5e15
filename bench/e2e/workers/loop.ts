/**
 * In-isolate loop for the end-to-end profile (bench/e2e/loop-run.ts): one HTTP request runs a
 * target `n` times on fresh `Request` objects inside workerd, and the client times the whole
 * answer. Timing two loop lengths and taking the difference leaves the cost of one iteration,
 * with no HTTP, no wrk and no second process competing for the cores: precise enough to split
 * the pipeline into its stages (workerd's own clocks stand still while JavaScript runs, so the
 * measuring has to happen outside).
 *
 *   GET /loop?target=<name>&endpoint=GET|POST&n=<count>  →  204 once done
 */
import type { CompiledSpec } from "../../../src/runtime/compiled-spec.ts";
import { isProblem } from "../../../src/runtime/problem.ts";
import { createRequestParser, RequestUrl } from "../../../src/runtime/request/index.ts";
import { requestIdFor } from "../../../src/runtime/request-id.ts";
import { resultToResponse } from "../../../src/runtime/respond.ts";
import { createAuthoriser, type SecurityConfig } from "../../../src/runtime/security/index.ts";
import { sha256Key, sha256MapKey } from "../../../src/runtime/security/digest.ts";
import { createHash } from "node:crypto";
import bare from "./bare.ts";
import { brrtWorker } from "./brrt.ts";
import chanfana from "./chanfana.ts";
import honoZod from "./hono-zod.ts";
import itty from "./itty.ts";
import { ISSUER, itemView, type BenchEnv } from "./item.ts";

type Target = (request: Request, env: BenchEnv) => Promise<unknown> | unknown;

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const textEncoder = new TextEncoder();
const RESPONSE_TEXT = JSON.stringify({ id: 42, limit: 10, tags: ["red", "blue"], owner: "bench-user" });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/**
 * workerd streams a served response body natively; reading it in JavaScript here would add a cost
 * no served request has. So only the status is checked (a refusal would time the wrong path).
 */
const drain = async (response: Response): Promise<void> => {
  if (response.status >= 300) throw new Error(`target answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
};

/** A fetch handler to time as a whole-pipeline target (our pipeline bundled from another checkout, say). */
export type PipelineApp = { fetch(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> | Response };

function targets(spec: CompiledSpec, extra: Readonly<Record<string, PipelineApp>>): Record<string, Target> {
  const security = (cache: boolean): SecurityConfig => ({
    tokenCache: cache ? {} : false,
    schemes: { bearerAuth: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" }, issuer: ISSUER, requiredClaims: ["sub", "exp"] } } },
  });
  const authoriseCached = createAuthoriser(spec.securitySchemes, security(true));
  const authoriseUncached = createAuthoriser(spec.securitySchemes, security(false));
  const parse = createRequestParser(spec.validators);
  const opFor = (request: Request, url: URL) => {
    const found = spec.match(request.method, url.pathname);
    if (found.status !== 200) throw new Error(`no match for ${url.pathname}`);
    return { op: spec.operations[found.op]!, params: found.params };
  };
  const apps = {
    full: brrtWorker(spec, "full"),
    nocache: brrtWorker(spec, "no-token-cache"),
    noauth: brrtWorker(spec, "no-auth"),
  };
  const variants: Record<string, Target> = {};
  for (const [name, app] of Object.entries(extra)) variants[name] = async (request, env) => drain(await app.fetch(request, env, ctx));
  return {
    // Baseline: the loop and the Request construction every target pays.
    "request-only": () => undefined,
    ...variants,
    bare: async (request) => drain(bare.fetch()),
    "brrtrouter-edge": async (request, env) => drain(await apps.full.fetch(request, env, ctx)),
    "brrtrouter-edge-nocache": async (request, env) => drain(await apps.nocache.fetch(request, env, ctx)),
    "brrtrouter-edge-noauth": async (request, env) => drain(await apps.noauth.fetch(request, env, ctx)),
    "hono-zod-openapi": async (request, env) => drain(await honoZod.fetch(request, env, ctx)),
    chanfana: async (request, env) => drain(await chanfana.fetch(request, env, ctx)),
    "itty-router": async (request, env) => drain(await itty.fetch(request as never, env, ctx)),
    // Stages of createApp, each alone (the same calls app.ts makes).
    "stage:url": (request) => new URL(request.url),
    "stage:url+match": (request) => opFor(request, new URL(request.url)),
    "stage:request-id": (request) => requestIdFor(request),
    "stage:sha256-key": (request) => sha256Key(request.headers.get("authorization") ?? ""),
    "stage:token-map-key": (request) => sha256MapKey(request.headers.get("authorization") ?? ""),
    "stage:request-url+match": (request) => {
      const url = new RequestUrl(request.url);
      return spec.match(request.method, url.pathname);
    },
    "stage:authorise-cached": (request, env) => {
      const url = new URL(request.url);
      return authoriseCached(request, url, opFor(request, url).op, env);
    },
    "stage:authorise-uncached": (request, env) => {
      const url = new URL(request.url);
      return authoriseUncached(request, url, opFor(request, url).op, env);
    },
    "stage:parse": (request) => {
      const url = new URL(request.url);
      const { op, params } = opFor(request, url);
      return parse(request, url, op, params);
    },
    "stage:respond": async () => drain(resultToResponse({ body: itemView(42, 10, ["red", "blue"], "bench-user") })),
    "stage:respond-201": async () => drain(resultToResponse({ status: 201, body: { id: 1, name: "Cordless drill", sku: "TLS-0042", price: 89.9 } })),
    // Micro: 50 calls per iteration, so the Request construction is amortised (divide by 50).
    "micro:sha256-key×50": async (request) => {
      const token = request.headers.get("authorization") ?? "";
      let last = "";
      for (let i = 0; i < 50; i++) last = await sha256Key(token);
      return last;
    },
    "micro:webcrypto-digest×50": async (request) => {
      const bytes = new TextEncoder().encode(request.headers.get("authorization") ?? "");
      let last: ArrayBuffer | undefined;
      for (let i = 0; i < 50; i++) last = await crypto.subtle.digest("SHA-256", bytes);
      return last;
    },
    "micro:js-sha256-mapkey×50": (request) => {
      const token = request.headers.get("authorization") ?? "";
      let last = "";
      for (let i = 0; i < 50; i++) last = sha256MapKey(token);
      return last;
    },
    "micro:node-createhash-u16key×50": (request) => {
      const token = request.headers.get("authorization") ?? "";
      let last = "";
      for (let i = 0; i < 50; i++) {
        const digest = createHash("sha256").update(token).digest();
        last = String.fromCharCode.apply(null, new Uint16Array(digest.buffer, digest.byteOffset, 16) as unknown as number[]);
      }
      return last;
    },
    "micro:webcrypto-u16key×50": async (request) => {
      const token = request.headers.get("authorization") ?? "";
      let last = "";
      for (let i = 0; i < 50; i++) {
        const digest = await crypto.subtle.digest("SHA-256", textEncoder.encode(token));
        last = String.fromCharCode.apply(null, new Uint16Array(digest) as unknown as number[]);
      }
      return last;
    },
    "micro:new-url×50": (request) => {
      let last: URL | undefined;
      for (let i = 0; i < 50; i++) last = new URL(request.url);
      return last;
    },
    "micro:request-url×50": (request) => {
      let last = "";
      for (let i = 0; i < 50; i++) last = request.url;
      return last;
    },
    "micro:headers-get×50": (request) => {
      let last: string | null = null;
      for (let i = 0; i < 50; i++) last = request.headers.get("authorization");
      return last;
    },
    "micro:request-headers-getter×50": (request) => {
      let last: Headers | undefined;
      for (let i = 0; i < 50; i++) last = request.headers;
      return last;
    },
    "micro:headers-get-cached×50": (request) => {
      const headers = request.headers;
      let last: string | null = null;
      for (let i = 0; i < 50; i++) last = headers.get("authorization");
      return last;
    },
    "micro:header-walk×50": (request) => {
      let total = 0;
      for (let i = 0; i < 50; i++) for (const [name, value] of request.headers) total += name.length + value.length + 4;
      return total;
    },
    "micro:random-uuid×50": () => {
      let last = "";
      for (let i = 0; i < 50; i++) last = crypto.randomUUID();
      return last;
    },
    "micro:response-headers-object×50": async () => {
      for (let i = 0; i < 50; i++) {
        const headers = new Headers(undefined);
        headers.get("content-type");
        headers.set("content-type", "application/json");
        const response = new Response(RESPONSE_TEXT, { status: 200, headers });
        response.headers.set("x-request-id", "0b9e7a3c-1c9f-4d7e-9a51-2f0c3d4e5f60");
      }
    },
    "micro:response-plain-init×50": async () => {
      for (let i = 0; i < 50; i++) {
        new Response(RESPONSE_TEXT, { status: 200, headers: { "content-type": "application/json", "x-request-id": "0b9e7a3c-1c9f-4d7e-9a51-2f0c3d4e5f60" } });
      }
    },
    "micro:json-stringify×50": async () => {
      let last = "";
      for (let i = 0; i < 50; i++) last = JSON.stringify(itemView(42, 10, ["red", "blue"], "bench-user"));
      return last;
    },
    "micro:await×50": async () => {
      for (let i = 0; i < 50; i++) await undefined;
    },
    "stage:body-text": async (request) => (request.body === null ? undefined : JSON.parse(await request.text())),
    "stage:body-arraybuffer": async (request) => (request.body === null ? undefined : JSON.parse(decoder.decode(await request.arrayBuffer()))),
    "stage:body-reader": async (request) => (request.body === null ? undefined : JSON.parse(decoder.decode(await readAll(request.body)))),
  };
}

export interface LoopRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * `requests` are the bench's two timed requests, handed in by loop-run.ts at bundle time; `extra`
 * are more pipelines to time side by side (`--patched` checkouts).
 */
export function loopWorker(
  spec: CompiledSpec,
  requests: Readonly<Record<"GET" | "POST", LoopRequest>>,
  extra: Readonly<Record<string, PipelineApp>> = {},
): ExportedHandler<BenchEnv> {
  let table: Record<string, Target> | undefined;
  return {
    async fetch(request, env) {
      table ??= targets(spec, extra);
      const url = new URL(request.url);
      if (url.pathname === "/targets") return Response.json(Object.keys(table));
      if (url.pathname !== "/loop") return new Response("not found", { status: 404 });
      const target = table[url.searchParams.get("target") ?? ""];
      const shape = requests[url.searchParams.get("endpoint") === "POST" ? "POST" : "GET"];
      const n = Number(url.searchParams.get("n") ?? "1");
      if (target === undefined) return new Response("unknown target", { status: 404 });
      for (let i = 0; i < n; i++) {
        const fresh = new Request(shape.url, { method: shape.method, headers: shape.headers, body: shape.body });
        const result = await target(fresh, env);
        // A stage that refuses the request would time the wrong path.
        if (i === 0 && isProblem(result)) return new Response(`target refused: ${JSON.stringify(result)}`, { status: 500 });
      }
      return new Response(null, { status: 204 });
    },
  };
}
