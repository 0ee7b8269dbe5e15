/**
 * Path, query, header and cookie parameters: find the raw value, deserialise it per style/explode,
 * coerce it per shape, apply `default`/`required`/`allowEmptyValue`, validate it — collecting every
 * violation from every location into one list before the caller answers.
 *
 * Raw path values: the matcher hands over percent-decoded strings, which is exact for primitives
 * (including label `.x` and matrix `;name=x`, whose prefixes are literal). For arrays and objects a
 * decoded `%2C` would be indistinguishable from the `,` delimiter, so the still-encoded segment is
 * re-read from `url.pathname` (the `{name}` segment counted from the end, which also works under a
 * mount prefix), split, and each piece decoded. It is used only when decoding it gives exactly the
 * matcher's value; otherwise (a parameter sharing its segment, `/{a}.{b}`) the decoded value is split.
 */

import type { ParameterLocation } from "../compiled-spec.ts";
import type { Limits } from "../limits.ts";
import { pointerToken, type Problem } from "../problem.ts";
import { coerce } from "./coerce.ts";
import {
  decodeCookieComponent,
  decodeFormComponent,
  decodeHeaderItem,
  decodeUriComponent,
  splitCookiePairs,
  splitQueryPairs,
  TOO_MANY,
  type Decode,
  type RawPairs,
} from "./decode.ts";
import { runValidator, type ErrorList } from "./errors.ts";
import { jsonDeeperThan } from "./json-depth.ts";
import type { OperationPlan, ParameterPlan } from "./plan.ts";
import { tooManyParameters } from "./refusals.ts";
import type { UrlParts } from "./target.ts";
import { ABSENT, deepObjectProperty, deserialiseFromPairs, deserialiseSingle, Malformed, type RawValue } from "./styles.ts";

export interface ParsedParameters {
  readonly params: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly cookies: Record<string, unknown>;
}

/** Shared by every request whose operation has no parameters in a location: no allocation. */
export const NO_VALUES: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

const identity: Decode = (text) => text;

export function parseParameters(
  plan: OperationPlan,
  request: Request,
  url: UrlParts,
  rawPathParams: Readonly<Record<string, string>>,
  limits: Readonly<Limits>,
  strictQuery: boolean,
  errors: ErrorList,
): ParsedParameters | Problem {
  let params = NO_VALUES;
  let query = NO_VALUES;
  let headers = NO_VALUES;
  let cookies = NO_VALUES;

  if (plan.path.length > 0) {
    params = {};
    for (const p of plan.path) {
      if (errors.full) break;
      const decoded = Object.hasOwn(rawPathParams, p.name) ? rawPathParams[p.name] : undefined;
      finish(p, decoded === undefined ? ABSENT : pathValue(p, plan, url.pathname, decoded, limits), params, errors);
    }
  }

  if (plan.query.length > 0 || strictQuery) {
    const search = url.search;
    const pairs = splitQueryPairs(search.length > 1 ? search.slice(1) : "", limits.maxParameters);
    if (pairs === TOO_MANY) return tooManyParameters("query", limits.maxParameters);
    if (plan.query.length > 0) {
      query = {};
      for (const p of plan.query) {
        if (errors.full) break;
        finish(p, queryValue(p, plan, pairs, limits), query, errors);
      }
    }
    if (strictQuery && !plan.freeFormQuery) {
      for (const name of pairs.keys()) {
        if (errors.full) break;
        if (!isClaimedQueryName(plan, name)) errors.add("query", name, "/" + pointerToken(name), "is not a known query parameter");
      }
    }
  }

  if (plan.header.length > 0) {
    headers = {};
    for (const p of plan.header) {
      if (errors.full) break;
      const text = request.headers.get(p.headerName);
      finish(p, text === null ? ABSENT : p.json ? parseJsonValue(text, limits) : deserialiseSingle(p.meta, p.kind, text, decodeHeaderItem), headers, errors);
    }
  }

  if (plan.cookie.length > 0) {
    const header = request.headers.get("cookie");
    const pairs = header === null ? EMPTY_PAIRS : splitCookiePairs(header, limits.maxParameters);
    if (pairs === TOO_MANY) return tooManyParameters("cookie", limits.maxParameters);
    cookies = {};
    for (const p of plan.cookie) {
      if (errors.full) break;
      finish(p, pairsValue(p, pairs, decodeCookieComponent, plan.freeFormCookie ? () => unclaimedCookieNames(plan, pairs) : undefined, limits), cookies, errors);
    }
  }

  return { params, query, headers, cookies };
}

const EMPTY_PAIRS: RawPairs = new Map();

function pathValue(p: ParameterPlan, plan: OperationPlan, pathname: string, decoded: string, limits: Readonly<Limits>): RawValue | Malformed | JsonValueBox {
  if (p.json) return parseJsonValue(decoded, limits);
  if (p.kind === "primitive" || p.segmentFromEnd < 0) return deserialiseSingle(p.meta, p.kind, decoded, identity);
  const raw = segmentFromEnd(pathname, p.segmentFromEnd + (pathname.length > 1 && pathname.endsWith("/") && !plan.templateEndsWithSlash ? 1 : 0));
  if (raw !== undefined && raw !== decoded && decodeUriComponent(raw) !== decoded) return deserialiseSingle(p.meta, p.kind, decoded, identity);
  return deserialiseSingle(p.meta, p.kind, raw ?? decoded, raw === undefined ? identity : decodeUriComponent);
}

/** The `n`-th `/`-separated segment from the end of `pathname` (0 = last), still percent-encoded. */
function segmentFromEnd(pathname: string, n: number): string | undefined {
  let end = pathname.length;
  for (let k = 0; end > 0; k++) {
    const slash = pathname.lastIndexOf("/", end - 1);
    if (slash === -1) return undefined;
    if (k === n) return pathname.slice(slash + 1, end);
    end = slash;
  }
  return undefined;
}

function queryValue(p: ParameterPlan, plan: OperationPlan, pairs: RawPairs, limits: Readonly<Limits>): Found {
  const decode = p.meta.allowReserved ? decodeUriComponent : decodeFormComponent;
  const readsOwnName = p.meta.style !== "deepObject" && p.propertyNames.length === 0 && !p.freeForm;
  const values = readsOwnName ? pairs.get(p.name) : undefined;
  // An empty `?name=` (or bare `?name`) is only a value when the parameter allows it.
  if (values !== undefined && values.length === 1 && values[0] === "" && p.meta.style !== "deepObject") {
    return p.meta.allowEmptyValue ? EMPTY_VALUE : new Malformed("must not be empty");
  }
  return pairsValue(p, pairs, decode, p.freeForm ? () => unclaimedQueryNames(plan, pairs) : undefined, limits);
}

/** An allowed empty value: delivered as `""`, not coerced or validated (that is what `allowEmptyValue` permits). */
const EMPTY_VALUE = Symbol("empty value");

/** What a location found for one parameter. */
type Found = RawValue | Malformed | JsonValueBox | typeof ABSENT | typeof EMPTY_VALUE;

function pairsValue(
  p: ParameterPlan,
  pairs: RawPairs,
  decode: Decode,
  freeFormKeys: (() => Iterable<string>) | undefined,
  limits: Readonly<Limits>,
): Found {
  if (p.json) {
    const values = pairs.get(p.name);
    if (values === undefined) return ABSENT;
    if (values.length > 1) return new Malformed("must be given only once");
    const text = decode(values[0]!);
    return text === undefined ? new Malformed("is not correctly percent-encoded") : parseJsonValue(text, limits);
  }
  return deserialiseFromPairs(p.meta, p.kind, pairs, decode, p.propertyNames, freeFormKeys);
}

function* unclaimedQueryNames(plan: OperationPlan, pairs: RawPairs): Iterable<string> {
  for (const name of pairs.keys()) if (!plan.claimedQueryNames.has(name) && !hasClaimedPrefix(plan, name)) yield name;
}

function* unclaimedCookieNames(plan: OperationPlan, pairs: RawPairs): Iterable<string> {
  for (const name of pairs.keys()) if (!plan.cookie.some((c) => c.name === name)) yield name;
}

function isClaimedQueryName(plan: OperationPlan, name: string): boolean {
  return plan.claimedQueryNames.has(name) || hasClaimedPrefix(plan, name);
}

function hasClaimedPrefix(plan: OperationPlan, name: string): boolean {
  if (!name.endsWith("]")) return false;
  for (const prefix of plan.claimedQueryPrefixes) if (deepObjectProperty(name, prefix) !== undefined) return true;
  return false;
}

/**
 * A value that is already typed (JSON) travels through coercion untouched: coercion only converts
 * strings, lists and prototype-less records, and JSON.parse makes ordinary objects.
 */
class JsonValueBox {
  constructor(readonly value: unknown) {}
}

function parseJsonValue(text: string, limits: Readonly<Limits>): JsonValueBox | Malformed {
  if (jsonDeeperThan(text, limits.maxJsonDepth)) return new Malformed(`must not nest deeper than ${limits.maxJsonDepth} levels`);
  try {
    return new JsonValueBox(JSON.parse(text));
  } catch {
    return new Malformed("must be valid JSON");
  }
}

function finish(
  p: ParameterPlan,
  found: Found,
  target: Record<string, unknown>,
  errors: ErrorList,
): void {
  const location: ParameterLocation = p.meta.in;
  const base = p.pointer;
  if (found === ABSENT) {
    if (p.meta.required) errors.add(location, p.name, base, "is required");
    else if (p.meta.default !== undefined) setValue(target, p.name, p.meta.default);
    return;
  }
  if (found === EMPTY_VALUE) {
    setValue(target, p.name, "");
    return;
  }
  if (found instanceof Malformed) {
    errors.add(location, p.name, base, found.message);
    return;
  }
  const value = found instanceof JsonValueBox ? found.value : coerce(found, p.meta.shape);
  if (p.validator !== undefined && !runValidator(p.validator, value, location, p.name, base, errors)) return;
  setValue(target, p.name, value);
}

function setValue(target: Record<string, unknown>, name: string, value: unknown): void {
  // Names come from the spec, but a parameter literally named `__proto__` must still be data.
  if (name === "__proto__") Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}
