/**
 * Loading generated matcher source in Node, for tests and benchmarks only. (In production the
 * source is pasted into the generated spec module and loaded by workerd as a plain ES module.)
 */
import type { Matcher } from "../../runtime/compiled-spec.ts";

const EXPORT_TRAILER = "export { match };";

/** Makes each loaded source text unique (see {@link loadMatcher}). */
let loaded = 0;

/**
 * Synchronous: evaluates the module body as a function (the generated source has exactly one
 * export statement, its trailer). Same code, same optimisation as the module form.
 *
 * Each load gets a unique trailing comment: V8 caches `new Function` by source text, feedback
 * and optimised code included, so two matchers loaded from identical source (bench/route's
 * "brrt compiled" and "brrt (table form)" rows on a large spec) would share one set of type
 * feedback and time each other's warm-up, 2-3x apart on the same code.
 */
export function loadMatcher(source: string): Matcher {
  const at = source.lastIndexOf(EXPORT_TRAILER);
  if (at < 0) throw new Error("not a generated matcher module");
  const body = source.slice(0, at) + source.slice(at + EXPORT_TRAILER.length);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- build-time only, our own generated code
  return new Function(`"use strict";${body}\nreturn match;\n// load ${++loaded}`)() as Matcher;
}

/** Imports the source as a real ES module (data: URL), proving it is one. */
export async function importMatcher(source: string): Promise<Matcher> {
  const module = (await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`)) as { match: Matcher };
  return module.match;
}
