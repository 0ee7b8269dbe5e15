/**
 * Request size limits: the one place their defaults live.
 *
 * Every limit guards a cost an unauthenticated client could otherwise choose (memory, CPU,
 * stack depth, error-list size); each is checked before the expensive work it protects.
 */

import { MAX_PROBLEM_ERRORS } from "./problem.ts";

export interface Limits {
  /**
   * Largest request body accepted, in bytes. Default 1 MiB (1,048,576).
   * Checked against `Content-Length` first when present, then enforced while the body streams in
   * (the read is cancelled as soon as the count passes the limit). Over → 413.
   */
  readonly maxBodyBytes: number;
  /**
   * Deepest nesting of arrays/objects accepted in JSON (request bodies and `content: application/json`
   * parameters). Default 64. Checked by a linear scan before `JSON.parse`, so a 100,000-deep
   * `[[[[…` costs one pass over the text and never reaches a recursive validator. Over → 400.
   */
  readonly maxJsonDepth: number;
  /**
   * Most name/value pairs accepted in each of: the query string, the `Cookie` header, an
   * `application/x-www-form-urlencoded` body, a `multipart/form-data` body. Default 100. Over → 400.
   */
  readonly maxParameters: number;
  /**
   * Largest total size of the request's header section (names + values + `": "` and CRLF per
   * field), in bytes. Default 16 KiB (16,384). Over → 431.
   */
  readonly maxHeaderBytes: number;
  /**
   * Most violations listed in one problem response. Default 20 (and never more than
   * {@link MAX_PROBLEM_ERRORS}, which `Problem` enforces). Collection stops once reached, so a
   * body with a million bad items costs no more than one with twenty.
   */
  readonly maxErrors: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxJsonDepth: 64,
  maxParameters: 100,
  maxHeaderBytes: 16 * 1024,
  maxErrors: MAX_PROBLEM_ERRORS,
});

/** Defaults overlaid with the caller's choices; done once when a parser is created, never per request. */
export function resolveLimits(overrides: Partial<Limits> | undefined): Readonly<Limits> {
  if (overrides === undefined) return DEFAULT_LIMITS;
  const merged: { -readonly [K in keyof Limits]: Limits[K] } = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) throw new TypeError(`limits.${key} must be a non-negative number`);
    merged[key] = value;
  }
  merged.maxErrors = Math.min(merged.maxErrors, MAX_PROBLEM_ERRORS);
  return Object.freeze(merged);
}
