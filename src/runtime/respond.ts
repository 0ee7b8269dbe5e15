/**
 * Turning what a handler returned into a Response: JSON unless told otherwise, with the request's
 * `x-request-id`.
 *
 * In workerd every Headers/Response accessor is a call into C++, so the common result (no headers
 * of its own) gets all its headers in the Response init at once, rather than a `Headers` object
 * built, read, set and then copied, and a `set` on the finished response for the id.
 */
import type { HandlerResult } from "./handler.ts";

const JSON_TYPE = "application/json";
export const REQUEST_ID_HEADER = "x-request-id";

/** The `x-request-id` header as a Response init's headers (for problems and empty answers). */
export function requestIdHeaders(requestId: string): Record<string, string> {
  return { [REQUEST_ID_HEADER]: requestId };
}

function isJsonType(contentType: string): boolean {
  const semi = contentType.indexOf(";");
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === JSON_TYPE || type.endsWith("+json");
}

/**
 * Sets `x-request-id` on a response built elsewhere (a handler's own Response, a composed route,
 * a realtime upgrade). Responses from fetch() or Response.redirect() have immutable headers: copy only then.
 */
export function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}

/**
 * The Response for a handler's answer. With `requestId`, the response carries it as
 * `x-request-id` (replacing any the handler set), exactly as {@link withRequestId} would.
 */
export function resultToResponse(result: Response | HandlerResult | null | undefined, requestId?: string): Response {
  if (result instanceof Response) return requestId === undefined ? result : withRequestId(result, requestId);
  if (result === null || result === undefined) {
    return new Response(null, { status: 204, headers: requestId === undefined ? undefined : requestIdHeaders(requestId) });
  }
  const status = result.status ?? 200;
  const body = result.body;
  const empty = body === undefined || body === null || status === 204 || status === 304;
  if (result.headers === undefined) {
    // The common case: every header in the init, one pass into C++.
    if (empty) return new Response(null, { status, headers: requestId === undefined ? undefined : requestIdHeaders(requestId) });
    const headers: Record<string, string> =
      requestId === undefined ? { "content-type": JSON_TYPE } : { "content-type": JSON_TYPE, [REQUEST_ID_HEADER]: requestId };
    return new Response(JSON.stringify(body), { status, headers });
  }
  // Handler-chosen headers: a Headers object keeps their case-insensitive merging exact.
  const headers = new Headers(result.headers);
  if (requestId !== undefined) headers.set(REQUEST_ID_HEADER, requestId);
  if (empty) return new Response(null, { status, headers });
  const declared = headers.get("content-type");
  if (declared !== null && !isJsonType(declared)) {
    // The handler chose a non-JSON type: pass strings, bytes and streams through untouched.
    return new Response(body as BodyInit, { status, headers });
  }
  if (declared === null) headers.set("content-type", JSON_TYPE);
  return new Response(JSON.stringify(body), { status, headers });
}
