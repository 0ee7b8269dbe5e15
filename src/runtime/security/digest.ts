/**
 * Hashing and constant-time comparison over WebCrypto. Used for API keys (compare digests, so the
 * comparison time says nothing about the key) and for verified-token cache keys (the cache never
 * holds a raw token).
 */

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
