/**
 * The synchronous SHA-256 behind the verified-token cache key (@noble/hashes over our UTF-8
 * encoding), checked against WebCrypto inside workerd: every length across the padding
 * boundaries (55/56/63/64 bytes and multiples), tokens of real JWT size, non-ASCII text (UTF-8,
 * surrogate pairs, a lone surrogate), and long inputs followed by short ones.
 */
import { describe, expect, it } from "vitest";
import { sha256, sha256MapKey, sha256Sync } from "../../src/runtime/security/digest.ts";

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Deterministic text of `length` code units drawn from `alphabet`. */
function text(length: number, alphabet: string, seed: number): string {
  let out = "";
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
const MIXED = "aé€😀zß\u00ff\u4e2d";

describe("sha256Sync", () => {
  it("matches the FIPS 180-4 examples", () => {
    expect(hex(sha256Sync(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(sha256Sync("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex(sha256Sync("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("matches WebCrypto for every ASCII length from 0 to 300", async () => {
    for (let length = 0; length <= 300; length++) {
      const input = text(length, BASE64URL, length + 1);
      expect(hex(sha256Sync(input)), `length ${length}`).toBe(hex(await sha256(input)));
    }
  });

  it("matches WebCrypto for non-ASCII text (UTF-8 encoded), including a lone surrogate", async () => {
    for (let length = 0; length <= 120; length += 7) {
      const input = text(length, MIXED, length + 3);
      expect(hex(sha256Sync(input)), `length ${length}`).toBe(hex(await sha256(input)));
    }
    const lone = "token\ud800end";
    expect(hex(sha256Sync(lone))).toBe(hex(await sha256(lone)));
  });

  it("hashes long inputs, and short ones afterwards", async () => {
    const long = text(20_000, BASE64URL, 7);
    expect(hex(sha256Sync(long))).toBe(hex(await sha256(long)));
    const longMixed = text(3_000, MIXED, 9);
    expect(hex(sha256Sync(longMixed))).toBe(hex(await sha256(longMixed)));
    expect(hex(sha256Sync("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("sha256MapKey", () => {
  it("is the digest packed 16 bits per code unit", async () => {
    for (const input of ["", "abc", text(230, BASE64URL, 5), text(50, MIXED, 11)]) {
      const digest = await sha256(input);
      const key = sha256MapKey(input);
      expect(key).toHaveLength(16);
      const unpacked = new Uint8Array(32);
      for (let i = 0; i < 16; i++) {
        unpacked[2 * i] = key.charCodeAt(i) >>> 8;
        unpacked[2 * i + 1] = key.charCodeAt(i) & 0xff;
      }
      expect(hex(unpacked)).toBe(hex(digest));
    }
  });

  it("never contains the token", () => {
    const token = text(200, BASE64URL, 13);
    const key = sha256MapKey(token);
    expect(key).not.toContain(token.slice(0, 8));
    expect(sha256MapKey(token)).toBe(key);
    expect(sha256MapKey(token + "x")).not.toBe(key);
  });
});
