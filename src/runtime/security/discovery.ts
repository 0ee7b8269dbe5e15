/**
 * OpenID Connect Discovery 1.0 for JWT key sources: the provider's discovery document, fetched,
 * checked strictly and kept per isolate, so a scheme gets its `jwks_uri` (verified through jose's
 * remote JWKS, as `jwksUrl` is) and its `issuer` (the default accepted `iss`).
 *
 * Failure is the IdP's, never the client's: any fetch, status, size, JSON or field problem is a
 * KeySourceError 503 `key_source_unavailable`. A failure is remembered for `cooldownMs` (requests
 * in that window answer at once instead of hammering a broken IdP, and say how much of it is
 * left, the response's Retry-After), then the next request tries again. A document that was good
 * keeps being used while a refresh fails.
 *
 * One fetch at a time: concurrent requests share the in-flight one. In Workers, a request awaiting
 * a promise that another request started hangs if that other request is cancelled (jose dropped
 * its shared JWKS fetch on Workers for this reason), so every wait here is bounded by the waiter's
 * own timer, and the shared promise holds only plain data (no Response or stream crosses requests).
 */
import type { FetchImplementation } from "jose";
import { KeySourceError, secondsUntilRetry } from "./bindings.ts";

export const DEFAULT_DISCOVERY_TTL_SECONDS = 3600;
export const DEFAULT_DISCOVERY_COOLDOWN_MS = 30_000;
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 5_000;
/** Real discovery documents are a few KiB; a bigger answer is not one. */
export const MAX_DISCOVERY_DOCUMENT_BYTES = 100 * 1024;

const WELL_KNOWN_SUFFIX = "/.well-known/openid-configuration";

/** What a scheme takes from a discovery document. Frozen. */
export interface DiscoveredProvider {
  readonly issuer: string;
  readonly jwksUri: string;
}

export interface ProviderDiscoveryOptions {
  readonly schemeName: string;
  /** The discovery document's URL, already checked with {@link isAllowedRemoteUrl}. */
  readonly url: string;
  readonly fetch: FetchImplementation | undefined;
  readonly timeoutMs: number;
  readonly ttlMs: number;
  readonly cooldownMs: number;
  /** OpenID Connect Discovery §4.3: the issuer must be the one `url` belongs to (when it becomes the accepted `iss`). */
  readonly issuerMustMatchUrl: boolean;
  /** Milliseconds since the epoch (document age and cooldown). */
  readonly clock: () => number;
}

/** The current provider: synchronously while a fetched document is fresh (or a stale one stands in), else a promise. Throws / rejects with KeySourceError. */
export type ProviderDiscovery = () => DiscoveredProvider | Promise<DiscoveredProvider>;

type FetchResult = { readonly ok: true; readonly provider: DiscoveredProvider } | { readonly ok: false; readonly detail: string };

interface Flight {
  readonly sequence: number;
  /** Never rejects: a failure is a result, so a flight nobody waits for any more cannot become an unhandled rejection. */
  readonly promise: Promise<FetchResult>;
  settled: boolean;
}

/** https, or http to a loopback host (tests, local development). */
export function isAllowedRemoteUrl(url: URL): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  const host = url.hostname;
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function createProviderDiscovery(options: ProviderDiscoveryOptions): ProviderDiscovery {
  const { schemeName, url, timeoutMs, ttlMs, cooldownMs, clock } = options;
  const fetchImpl: FetchImplementation = options.fetch ?? ((resource, init) => fetch(resource, init));
  const where = `security scheme "${schemeName}": OpenID Connect discovery (${url})`;

  let provider: DiscoveredProvider | undefined;
  let fetchedAt = 0;
  let failedAt: number | undefined;
  let lastFailure = "";
  let inflight: Flight | undefined;
  let sequence = 0;
  let appliedSequence = 0;

  /**
   * Carries when the cooldown ends: until then no request fetches, so an earlier retry only earns
   * another 503. A failure whose record a late success already replaced counts as failing now.
   */
  const unavailable = (detail: string, now: number): KeySourceError =>
    new KeySourceError(503, "key_source_unavailable", `${where}: ${detail}`, secondsUntilRetry(failedAt ?? now, cooldownMs, now));

  /** Records a flight's result once (its own end, or the first waiter whose deadline passed); a late success still applies. */
  const settle = (flight: Flight, result: FetchResult): void => {
    if (inflight === flight) inflight = undefined;
    if (result.ok) {
      if (flight.sequence > appliedSequence) {
        provider = result.provider;
        fetchedAt = clock();
        appliedSequence = flight.sequence;
        failedAt = undefined;
      }
    } else if (!flight.settled) {
      failedAt = clock();
      lastFailure = result.detail;
    }
    flight.settled = true;
  };

  const start = (): Flight => {
    const flight: Flight = {
      sequence: ++sequence,
      promise: fetchProvider(fetchImpl, url, timeoutMs, options.issuerMustMatchUrl).then((result) => {
        settle(flight, result);
        return result;
      }),
      settled: false,
    };
    inflight = flight;
    return flight;
  };

  const waitFor = async (flight: Flight, stale: DiscoveredProvider | undefined): Promise<DiscoveredProvider> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<FetchResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const result = await Promise.race([flight.promise, deadline]);
    clearTimeout(timer);
    if (result.ok) return result.provider;
    settle(flight, result);
    if (stale !== undefined) return stale;
    throw unavailable(result.detail, clock());
  };

  return () => {
    const known = provider;
    const now = clock();
    if (known !== undefined && now < fetchedAt + ttlMs) return known;
    const flight = inflight;
    if (flight !== undefined) {
      // Another request is refreshing: a document we still hold serves meanwhile.
      return known !== undefined ? known : waitFor(flight, undefined);
    }
    if (failedAt !== undefined && now < failedAt + cooldownMs) {
      if (known !== undefined) return known;
      throw unavailable(`${lastFailure}; not retried before the cooldown ends`, now);
    }
    return waitFor(start(), known);
  };
}

async function fetchProvider(fetchImpl: FetchImplementation, url: string, timeoutMs: number, issuerMustMatchUrl: boolean): Promise<FetchResult> {
  let text: string;
  try {
    const response = await fetchImpl(url, {
      method: "GET",
      // As jose fetches a JWKS: a redirect is not followed (it is a non-200 answer).
      redirect: "manual",
      headers: new Headers({ accept: "application/json" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, detail: `expected 200 OK, got HTTP ${response.status}` };
    }
    const body = await readBounded(response, MAX_DISCOVERY_DOCUMENT_BYTES);
    if (body === undefined) return { ok: false, detail: `the document is larger than ${MAX_DISCOVERY_DOCUMENT_BYTES} bytes` };
    text = body;
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    return { ok: false, detail: name === "TimeoutError" || name === "AbortError" ? `no answer within ${timeoutMs} ms` : "the document could not be fetched or read" };
  }
  return parseDocument(text, url, issuerMustMatchUrl);
}

/** The body as UTF-8 text, or undefined when it exceeds `limit` bytes (declared or actual). */
async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
}

/** Only the two members this router needs are read, and both strictly. */
export function parseDocument(text: string, url: string, issuerMustMatchUrl: boolean): FetchResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, detail: "the document is not JSON" };
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) return { ok: false, detail: "the document is not a JSON object" };
  const { issuer, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (typeof issuer !== "string" || issuer === "") return { ok: false, detail: "issuer is missing or not a string" };
  if (issuerMustMatchUrl && !issuerMatchesUrl(issuer, url)) {
    return { ok: false, detail: "issuer does not match the discovery URL (OpenID Connect Discovery 1.0 §4.3); set jwt.issuer to accept it" };
  }
  if (typeof jwksUri !== "string" || jwksUri === "") return { ok: false, detail: "jwks_uri is missing or not a string" };
  let parsed: URL;
  try {
    parsed = new URL(jwksUri);
  } catch {
    return { ok: false, detail: "jwks_uri is not a URL" };
  }
  if (!isAllowedRemoteUrl(parsed)) return { ok: false, detail: "jwks_uri is not an https URL (http only to a loopback host)" };
  return { ok: true, provider: Object.freeze({ issuer, jwksUri: parsed.href }) };
}

/** The discovery URL is `issuer` (without a trailing slash) + `/.well-known/openid-configuration`. */
function issuerMatchesUrl(issuer: string, url: string): boolean {
  try {
    return new URL(issuer.replace(/\/$/, "") + WELL_KNOWN_SUFFIX).href === new URL(url).href;
  } catch {
    return false;
  }
}
