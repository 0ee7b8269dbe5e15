/**
 * Hashing (@noble/hashes) and constant-time comparison (WebCrypto where it has one). Used for API keys (compare digests, so the
 * comparison time says nothing about the key) and for verified-token cache keys (the cache never
 * holds a raw token).
 */

import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();

/**
 * SHA-256, synchronously, with @noble/hashes. On the request path a token is hashed once per
 * request (the verified-token cache key); WebCrypto's digest is asynchronous and measured here at
 * ~29 µs of workerd CPU per call, most of it promise and thread hand-off, where the same hash in
 * JIT-compiled JavaScript costs a few µs for a token-sized input.
 */
export function sha256(text: string): Uint8Array {
  return nobleSha256(encoder.encode(text));
}

/** SHA-256 as unpadded base64url: a compact, collision-free map key. */
export function sha256Key(text: string): string {
  const bytes = sha256(text);
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
