/**
 * Request ids: a well-formed incoming `x-request-id` is kept (so ids follow a request across
 * services); anything else is replaced, so a client cannot inject log lines or huge values.
 */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(request: Request): string {
  const incoming = request.headers.get("x-request-id");
  if (incoming !== null && SAFE_ID.test(incoming)) return incoming;
  return crypto.randomUUID();
}
