/**
 * The string-literal scan under compact-source.ts (string-literals.ts): it must find exactly what
 * the global regex `"(?:[^"\\]|\\.)*"` finds, the edge cases included, since every structural
 * rewrite relies on it to keep out of property names and patterns.
 */
import { describe, expect, it } from "vitest";
import { blankStrings, maskStrings, stringLiteralSpans } from "../../src/build/validators/string-literals.ts";

const STRING = /"(?:[^"\\]|\\.)*"/g;

function regexSpans(code: string): number[] {
  return [...code.matchAll(STRING)].flatMap((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length]);
}

const CASES = [
  "",
  "no strings here",
  'a("x","y")',
  'data["a\\"b"] === "c\\\\"',
  '"\\\\\\"" + "tail"',
  'open " never closed',
  'a "b\\\nc" d "e"', // a backslash before a line terminator escapes nothing: that quote opens no literal
  'a "b\\\u2028c" "d"',
  'x "\\',
  '"unclosed \\" then "closed"',
  '""""',
  '"a"b"c"',
  'const schema3 = {"enum":["a;b","}{"]};function validate0(data){return data === "\\u2028";}',
];

describe("stringLiteralSpans", () => {
  it.each(CASES)("finds what the regex finds in %j", (code) => {
    expect(stringLiteralSpans(code)).toEqual(regexSpans(code));
  });

  it("agrees with the regex on random text of quotes, backslashes and line terminators", () => {
    const alphabet = ['"', "\\", "\n", "\r", "\u2028", "a", ";", "{", "}", "1"];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let n = 0; n < 2000; n++) {
      const code = Array.from({ length: Math.floor(random() * 24) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      expect(stringLiteralSpans(code), JSON.stringify(code)).toEqual(regexSpans(code));
    }
  });
});

describe("maskStrings and blankStrings", () => {
  it.each(CASES)("mask and blank %j as the regex replacements do, and restore it", (code) => {
    const strings: string[] = [];
    const masked = code.replace(STRING, (literal) => `"${strings.push(literal) - 1}"`);
    const result = maskStrings(code);
    expect(result.masked).toBe(masked);
    expect(result.restore(result.masked)).toBe(code);
    expect(blankStrings(code)).toBe(code.replace(STRING, (literal) => `"${" ".repeat(literal.length - 2)}"`));
  });

  it("restores only whole placeholders, as /\"(\\d+)\"/g does", () => {
    const { masked, restore } = maskStrings('f("a","b")');
    expect(masked).toBe('f("0","1")');
    for (const text of ['"1" + "0"', '""0"', '"0""1"', '"x"0"', '"', '"12345"', 'a"1', '"01"']) {
      expect(restore(text)).toBe(text.replace(/"(\d+)"/g, (_whole, index: string) => ['"a"', '"b"'][Number(index)] as string));
    }
  });
});
