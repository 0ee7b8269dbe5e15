/**
 * Informational floor for a hash-keyed token cache: the bare worker plus the one thing such a
 * cache must do on every request, the SHA-256 of the bearer token (the same synchronous
 * `sha256MapKey` our verified-token cache uses), and nothing else: no lookup, no routing, no
 * parsing. Any contender that keys verified tokens by their hash pays at least this on GET.
 */
import { sha256MapKey } from "../../../src/runtime/security/digest.ts";

const BODY = JSON.stringify({ id: 42, limit: 10, tags: ["red", "blue"], owner: "bench-user" });
// Written at module level so the hash is never optimised away.
let sink = "";

export default {
  fetch(request: Request): Response {
    sink = sha256MapKey(request.headers.get("authorization") ?? "");
    return new Response(BODY, { headers: { "content-type": "application/json" } });
  },
} satisfies ExportedHandler;
