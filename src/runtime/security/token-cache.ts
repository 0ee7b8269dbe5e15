/**
 * Verified-token cache, per isolate. Keys are `scheme + SHA-256(token)`, never the token itself;
 * an entry lives until the earlier of the token's `exp` (plus clock tolerance) and a TTL cap, so a
 * revoked signing key stops being trusted within the cap even for tokens without `exp`.
 *
 * LRU through `Map` insertion order: a hit re-inserts the entry at the end, eviction takes the
 * first key. O(1) per operation, no timers.
 */
import type { SchemeResult } from "./types.ts";

interface CacheEntry {
  readonly result: SchemeResult;
  /** Milliseconds since the epoch; the entry is unusable from this instant on. */
  readonly expiresAt: number;
}

export interface TokenCacheStats {
  hits: number;
  misses: number;
  expired: number;
  evictions: number;
}

export class TokenCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #maxEntries: number;
  readonly stats: TokenCacheStats = { hits: 0, misses: 0, expired: 0, evictions: 0 };

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now: number): SchemeResult | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.stats.misses++;
      return undefined;
    }
    this.#entries.delete(key);
    if (now >= entry.expiresAt) {
      this.stats.expired++;
      this.stats.misses++;
      return undefined;
    }
    this.#entries.set(key, entry);
    this.stats.hits++;
    return entry.result;
  }

  set(key: string, result: SchemeResult, expiresAt: number, now: number): void {
    if (expiresAt <= now || this.#maxEntries <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { result, expiresAt });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
      this.stats.evictions++;
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
