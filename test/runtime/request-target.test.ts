/**
 * RequestUrl against WHATWG `new URL()` inside workerd: `pathname` and `search` must be the
 * parser's, whether they were cut out of the string (fast path) or parsed. Hand-picked forms
 * (dot segments, `%2e`, backslashes, fragments, non-ASCII, quotes, empty query, ports, userinfo)
 * and a few thousand generated URLs over an alphabet of the characters that matter; every
 * href goes through `new Request()` first, as served requests do, and also raw.
 */
import { describe, expect, it } from "vitest";
import { RequestUrl, splitsWithoutParser } from "../../src/runtime/request/target.ts";

function expectLikeUrl(href: string): void {
  const expected = new URL(href);
  const actual = new RequestUrl(href);
  expect({ pathname: actual.pathname, search: actual.search }, href).toEqual({ pathname: expected.pathname, search: expected.search });
  expect(actual.url.href, href).toBe(expected.href);
}

const HAND_PICKED = [
  "http://bench.local/items/42?limit=10&tags=red,blue",
  "https://example.com/",
  "http://example.com",
  "http://example.com?x=1",
  "http://example.com/a/b/",
  "http://example.com/a//b",
  "http://example.com/a/./b",
  "http://example.com/a/../b",
  "http://example.com/a/..",
  "http://example.com/a/.",
  "http://example.com/.well-known/x",
  "http://example.com/a/%2e%2E/b",
  "http://example.com/a/.%2e/b",
  "http://example.com/a/%2E/b",
  "http://example.com/a%2fb",
  "http://example.com/a%zz",
  "http://example.com/a\\b",
  "http://example.com/a b",
  "http://example.com/a\tb",
  "http://example.com/caf\u00e9",
  "http://example.com/%E2%82%AC",
  "http://example.com/a'b?c'd",
  "http://example.com/a\"b?c\"d",
  "http://example.com/a<b>?<c>",
  "http://example.com/a`b{c}^|",
  "http://example.com/a?",
  "http://example.com/a?#",
  "http://example.com/a#frag",
  "http://example.com/a?b=c#frag",
  "http://example.com/a?b=c?d=/e",
  "http://example.com/a?x=caf\u00e9",
  "http://example.com:8080/a?b",
  "http://example.com:80/a?b",
  "http://user:pw@example.com/a?b",
  "http://example.com/;a=b/c,d/e:f@g!$&()*+~",
  "HTTP://EXAMPLE.COM/A?B",
  "ws://example.com/a",
  "http://[::1]:8787/a/b?c=d",
];

describe("RequestUrl", () => {
  it("gives new URL()'s pathname and search for hand-picked forms", () => {
    for (const href of HAND_PICKED) {
      expectLikeUrl(href);
      let served: string;
      try {
        served = new Request(href).url;
      } catch {
        continue; // not a URL a Request accepts (ws: is accepted; anything else is the parser's call)
      }
      expectLikeUrl(served);
    }
  });

  it("takes the fast path for the ordinary forms and not for the unusual ones", () => {
    expect(splitsWithoutParser("http://bench.local/items/42?limit=10&tags=red,blue")).toBe(true);
    expect(splitsWithoutParser("https://api.example.com/v1/pets/%20x?q=a+b&r=%2C")).toBe(true);
    for (const href of ["http://e.com/a/../b", "http://e.com/a/%2e/b", "http://e.com/a#f", "http://e.com/a?b'c", "http://e.com/caf\u00e9", "http://e.com", "ftp://e.com/a"]) {
      expect(splitsWithoutParser(href), href).toBe(false);
    }
  });

  it("agrees with new URL() on thousands of generated URLs", () => {
    const alphabet = ["a", "Z", "0", "/", "/", "/", ".", ".", "..", "%", "%2e", "%2E", "%2f", "%41", "?", "&", "=", ",", "'", '"', "#", "\\", " ", "\t", "+", ";", ":", "@", "~", "-", "_", "é", "€", "|", "^", "`", "{", "}", "<", ">", "!", "$", "*", "(", ")", "[", "]"];
    let state = 12345;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let fast = 0;
    for (let i = 0; i < 4000; i++) {
      let path = "/";
      const length = next(14);
      for (let j = 0; j < length; j++) path += alphabet[next(alphabet.length)];
      const href = `${next(2) === 0 ? "http" : "https"}://host${next(3) === 0 ? ":8443" : ""}${path}`;
      if (splitsWithoutParser(href)) fast++;
      expectLikeUrl(href);
      expectLikeUrl(new Request(href).url);
    }
    // The generator must exercise both paths.
    expect(fast).toBeGreaterThan(300);
    expect(fast).toBeLessThan(3700);
  });
});
