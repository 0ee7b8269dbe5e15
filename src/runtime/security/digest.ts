/**
 * Hashing and constant-time comparison. API keys are compared as SHA-256 digests in constant time
 * (so the comparison time says nothing about the key), and verified-token cache keys are a
 * SHA-256 of the token (the cache never holds a raw token); both hash synchronously with
 * @noble/hashes, see below. The WebCrypto `sha256` stays for callers that may await.
 */

import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** SHA-256 as unpadded base64url: a compact, collision-free map key. */
export async function sha256Key(text: string): Promise<string> {
  const bytes = await sha256(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

type SubtleWithTimingSafeEqual = SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };

/**
 * Equal-length constant-time comparison: workerd's `crypto.subtle.timingSafeEqual` where it
 * exists, otherwise an XOR loop that always visits every byte (Node, for benchmarks).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const subtle = crypto.subtle as SubtleWithTimingSafeEqual;
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

// --- Synchronous SHA-256 for API keys and the verified-token cache key --------------------------
//
// A cache hit (or an API key check) is on every authenticated request. Under load in workerd,
// awaiting WebCrypto's digest promise was the largest single item of a cache hit (12 % of profile
// samples, far above the digest's ~3 µs in isolation), so the key is hashed synchronously, by
// @noble/hashes (audited, dependency-free): SHA-256 is not something to hand-write. Measured
// against a hand-specialised version in workerd it costs ~2.5 µs more per request; worth it for a
// reviewed implementation of a security primitive. (Hashing the presented key in time that varies
// with that key would tell its sender nothing about the configured keys; what must not vary is
// the comparison, which is timingSafeEqual over digests.)

/** SHA-256 of `text` (UTF-8), synchronously: the 32 digest bytes. */
export function sha256Sync(text: string): Uint8Array {
  return nobleSha256(encoder.encode(text));
}

/**
 * SHA-256 of `text` as a 16-character map key: each UTF-16 code unit holds 16 bits of the digest
 * (a bijection, so as collision-free as the digest). Not printable and never shown: a `Map` key only.
 */
export function sha256MapKey(text: string): string {
  const d = sha256Sync(text);
  return String.fromCharCode(
    (d[0]! << 8) | d[1]!, (d[2]! << 8) | d[3]!, (d[4]! << 8) | d[5]!, (d[6]! << 8) | d[7]!,
    (d[8]! << 8) | d[9]!, (d[10]! << 8) | d[11]!, (d[12]! << 8) | d[13]!, (d[14]! << 8) | d[15]!,
    (d[16]! << 8) | d[17]!, (d[18]! << 8) | d[19]!, (d[20]! << 8) | d[21]!, (d[22]! << 8) | d[23]!,
    (d[24]! << 8) | d[25]!, (d[26]! << 8) | d[27]!, (d[28]! << 8) | d[29]!, (d[30]! << 8) | d[31]!,
  );
}
