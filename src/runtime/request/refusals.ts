/**
 * The problems this stage answers with. Statuses: 400 for anything malformed or invalid, 413 for a
 * body over the limit, 415 for a body of an undeclared media type, 431 for oversized headers.
 * Every refusal about one part of the request (a parameter, a header, the body) lists it in
 * `errors[]` with a JSON pointer; only 431, about the header section as a whole, has none.
 */

import { Problem, type ProblemError, type ProblemLocation } from "../problem.ts";

/** One 400 listing every violation collected (`truncated`: the list stopped at the limit). */
export function invalidRequest(errors: readonly ProblemError[], truncated: boolean): Problem {
  const n = errors.length;
  const count = truncated ? `at least ${n} invalid values` : n === 1 ? "an invalid value" : `${n} invalid values`;
  return new Problem(400, "Bad Request", `The request has ${count} in ${describeLocations(errors)}.`, { errors });
}

export function malformedBody(pointer: string, message: string, detail: string): Problem {
  return new Problem(400, "Bad Request", detail, { errors: [{ in: "body", pointer, message }] });
}

export function bodyRequired(): Problem {
  return new Problem(400, "Bad Request", "This operation requires a request body.", {
    errors: [{ in: "body", pointer: "", message: "is required" }],
  });
}

export function tooManyParameters(location: ProblemLocation, max: number): Problem {
  const what = location === "body" ? "fields in the request body" : location === "cookie" ? "cookies" : "query parameters";
  return new Problem(400, "Bad Request", `The request has more than ${max} ${what}.`, {
    errors: [{ in: location, pointer: "", message: `must have at most ${max} entries` }],
  });
}

export function bodyTooLarge(maxBytes: number): Problem {
  return new Problem(413, "Content Too Large", `The request body is larger than the limit of ${maxBytes} bytes.`, {
    errors: [{ in: "body", pointer: "", message: `must be at most ${maxBytes} bytes` }],
  });
}

export function headersTooLarge(maxBytes: number): Problem {
  return new Problem(431, "Request Header Fields Too Large", `The request headers are larger than the limit of ${maxBytes} bytes.`);
}

/**
 * 415 with the accepted types in the detail, an `accept` member and the header RFC 9110 §15.5.16
 * suggests (`Accept-Patch` for PATCH, `Accept-Post` otherwise). The error names the
 * `Content-Type` header (pointer "": its whole value), as a 401 names `Authorization`.
 */
export function unsupportedMediaType(method: string, given: string | null, accepted: readonly string[]): Problem {
  const list = accepted.join(", ");
  const detail =
    given === null
      ? `The request body has no Content-Type; send one of: ${list}.`
      : `Content-Type "${given}" is not accepted by this operation; send one of: ${list}.`;
  return new Problem(415, "Unsupported Media Type", detail, {
    errors: [contentTypeError(given === null ? "is required" : `must be one of: ${list}`)],
    extensions: { accept: accepted },
    headers: { [method === "PATCH" ? "Accept-Patch" : "Accept-Post"]: list },
  });
}

/** 415 for a declared media type whose `charset` parameter names an encoding we cannot decode. */
export function unsupportedCharset(charset: string): Problem {
  return new Problem(415, "Unsupported Media Type", `The request body's charset "${charset}" is not supported; send UTF-8.`, {
    errors: [contentTypeError("must name a supported charset (UTF-8)")],
  });
}

function contentTypeError(message: string): ProblemError {
  return { in: "header", name: "Content-Type", pointer: "", message };
}

function describeLocations(errors: readonly ProblemError[]): string {
  const seen: ProblemLocation[] = [];
  for (const error of errors) if (!seen.includes(error.in)) seen.push(error.in);
  const names = seen.map((l) => (l === "body" ? "the body" : l === "query" ? "the query string" : `${l} parameters`));
  return names.length <= 1 ? (names[0] ?? "the request") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
