/**
 * Hashing and constant-time comparison. API keys are compared as WebCrypto digests (so the
 * comparison time says nothing about the key); verified-token cache keys are a synchronous
 * SHA-256 of the token (the cache never holds a raw token), see below.
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

// --- Synchronous SHA-256 for the verified-token cache key -------------------------------------
//
// In workerd a WebCrypto digest costs ~2.9 µs of CPU for a ~200-byte token, plus TextEncoder,
// base64url and an await; a cache hit is on every authenticated request, so that added up to a
// measurable share of the whole pipeline. This is FIPS 180-4 SHA-256 specialised for short
// strings: one reused word buffer, no allocation but the key string, checked against WebCrypto
// in test/runtime/security-digest.test.ts.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Int32Array(64);
const H = new Int32Array(8);
/** The padded message as big-endian 32-bit words, reused; grown (never shrunk) for a longer input. */
let words = new Int32Array(128);

/** Padded length in words (a multiple of 16) of a message of `length` bytes (FIPS 180-4 §5.1.1). */
function paddedWords(length: number): number {
  return (((length + 8) >> 6) + 1) << 4;
}

function ensureCapacity(total: number): Int32Array {
  if (words.length < total) words = new Int32Array(total * 2);
  return words;
}

/** Appends the 0x80 marker after `tail` (the last 0-3 message bytes, left-aligned), zeros and the bit length. */
function finishPadding(buffer: Int32Array, w: number, tail: number, shift: number, length: number, total: number): void {
  buffer[w++] = tail | (0x80 << shift);
  while (w < total - 2) buffer[w++] = 0;
  // Bit length as a 64-bit big-endian integer.
  buffer[total - 2] = Math.floor(length / 0x20000000);
  buffer[total - 1] = (length << 3) | 0;
}

/**
 * `text`'s UTF-8 bytes, padded, packed into `words`; returns the word count. ASCII (every token
 * that reaches the cache) is packed straight from the string; anything else is UTF-8 encoded first.
 */
function pad(text: string): number {
  const length = text.length;
  const total = paddedWords(length);
  const buffer = ensureCapacity(total);
  const full = length >> 2;
  let seen = 0;
  let w = 0;
  for (let i = 0; w < full; w++, i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    seen |= a | b | c | d;
    buffer[w] = (a << 24) | (b << 16) | (c << 8) | d;
  }
  let tail = 0;
  let shift = 24;
  for (let i = full << 2; i < length; i++, shift -= 8) {
    const c = text.charCodeAt(i);
    seen |= c;
    tail |= c << shift;
  }
  if (seen > 0x7f) return padBytes(encoder.encode(text));
  finishPadding(buffer, w, tail, shift, length, total);
  return total;
}

function padBytes(bytes: Uint8Array): number {
  const length = bytes.length;
  const total = paddedWords(length);
  const buffer = ensureCapacity(total);
  const full = length >> 2;
  let w = 0;
  for (let i = 0; w < full; w++, i += 4) buffer[w] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
  let tail = 0;
  let shift = 24;
  for (let i = full << 2; i < length; i++, shift -= 8) tail |= bytes[i]! << shift;
  finishPadding(buffer, w, tail, shift, length, total);
  return total;
}

function compress(buffer: Int32Array, total: number): void {
  let h0 = 0x6a09e667 | 0, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372 | 0, h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab | 0, h7 = 0x5be0cd19 | 0;
  for (let offset = 0; offset < total; offset += 16) {
    for (let t = 0; t < 16; t++) W[t] = buffer[offset + t]!;
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
  H[5] = h5;
  H[6] = h6;
  H[7] = h7;
}

/** SHA-256 of `text` (UTF-8), synchronously: the 32 digest bytes. */
export function sha256Sync(text: string): Uint8Array {
  const total = pad(text); // first: it may replace `words`
  compress(words, total);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = H[i]!;
    out[i << 2] = word >>> 24;
    out[(i << 2) + 1] = (word >>> 16) & 0xff;
    out[(i << 2) + 2] = (word >>> 8) & 0xff;
    out[(i << 2) + 3] = word & 0xff;
  }
  return out;
}

/**
 * SHA-256 of `text` as a 16-character map key: each UTF-16 code unit holds 16 bits of the digest
 * (a bijection, so as collision-free as the digest). Not printable and never shown: a `Map` key only.
 */
export function sha256MapKey(text: string): string {
  const total = pad(text); // first: it may replace `words`
  compress(words, total);
  return String.fromCharCode(
    H[0]! >>> 16, H[0]! & 0xffff, H[1]! >>> 16, H[1]! & 0xffff, H[2]! >>> 16, H[2]! & 0xffff, H[3]! >>> 16, H[3]! & 0xffff,
    H[4]! >>> 16, H[4]! & 0xffff, H[5]! >>> 16, H[5]! & 0xffff, H[6]! >>> 16, H[6]! & 0xffff, H[7]! >>> 16, H[7]! & 0xffff,
  );
}
