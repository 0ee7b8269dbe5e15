/**
 * Turning what a handler returned into a Response: JSON unless told otherwise.
 */
import type { HandlerResult } from "./handler.ts";

const JSON_TYPE = "application/json";

function isJsonType(contentType: string): boolean {
  const semi = contentType.indexOf(";");
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === JSON_TYPE || type.endsWith("+json");
}

export function resultToResponse(result: Response | HandlerResult | null | undefined): Response {
  if (result instanceof Response) return result;
  if (result === null || result === undefined) return new Response(null, { status: 204 });
  const status = result.status ?? 200;
  const headers = new Headers(result.headers);
  const body = result.body;
  if (body === undefined || body === null || status === 204 || status === 304) {
    return new Response(null, { status, headers });
  }
  const declared = headers.get("content-type");
  if (declared !== null && !isJsonType(declared)) {
    // The handler chose a non-JSON type: pass strings, bytes and streams through untouched.
    return new Response(body as BodyInit, { status, headers });
  }
  if (declared === null) headers.set("content-type", JSON_TYPE);
  return new Response(JSON.stringify(body), { status, headers });
}
