import type { UrlParts } from "../request/target.ts";

/**
 * Finding a scheme's credential in the request. Synchronous and allocation-light: an alternative
 * whose credentials are not all present is dismissed before any hashing or crypto.
 */

/**
 * The credential after `<scheme> ` in `Authorization`, or undefined when the header is absent or
 * uses another scheme. Auth-scheme names are case-insensitive (RFC 9110 §11.1). An empty string
 * means "this scheme, but no credential": a malformed request the verifier refuses.
 */
export function authorizationCredential(request: Request, scheme: "bearer" | "basic"): string | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const space = header.indexOf(" ");
  const name = space === -1 ? header : header.slice(0, space);
  if (name.toLowerCase() !== scheme) return undefined;
  return space === -1 ? "" : header.slice(space + 1).trim();
}

/** One cookie's value by name; surrounding quotes (RFC 6265 cookie-value) removed. */
export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (header === null) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

export function apiKeyCredential(request: Request, url: UrlParts, location: "header" | "query" | "cookie", name: string): string | undefined {
  let value: string | null | undefined;
  if (location === "header") value = request.headers.get(name);
  // The same parse as `URL.searchParams` (application/x-www-form-urlencoded over the query).
  else if (location === "query") value = url.search === "" ? null : new URLSearchParams(url.search).get(name);
  else value = cookieValue(request, name);
  return value === null || value === undefined || value === "" ? undefined : value;
}

/** RFC 7235 token68: what a bearer token may consist of. */
export const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
