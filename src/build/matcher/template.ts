/**
 * OpenAPI path templates, parsed once at build time into segments of literal text and
 * parameters. Literal text is kept in the form `URL.pathname` gives it (percent-encoded), because
 * the matcher compares literals against the raw pathname and never decodes before choosing a route.
 */

/** A run of literal text, already in `URL.pathname` form (`café` → `caf%C3%A9`). */
export interface LiteralPart {
  readonly kind: "literal";
  readonly text: string;
}
export interface ParamPart {
  readonly kind: "param";
  readonly name: string;
}
export type TemplatePart = LiteralPart | ParamPart;

/**
 * One `/`-separated piece of a template.
 * - `static`: only literal text (possibly empty: the last segment of `/pets/`);
 * - `param`: exactly one parameter (`{id}`);
 * - `mixed`: literal text and parameters (`{name}.{ext}`, `v{major}`), never two parameters side by side.
 */
export interface TemplateSegment {
  readonly kind: "static" | "param" | "mixed";
  readonly parts: readonly TemplatePart[];
  /** The segment with parameter names erased (`{}.json`): equal shapes match exactly the same strings. */
  readonly shape: string;
  /** Total length of the literal parts; more literal text ranks first among `mixed` siblings. */
  readonly literalLength: number;
}

export interface ParsedTemplate {
  /** As written in the spec. */
  readonly path: string;
  /** `/` has none; `/pets/` has `pets` and an empty static segment. */
  readonly segments: readonly TemplateSegment[];
  /** Parameter names in the order they appear. */
  readonly params: readonly string[];
}

export class TemplateError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`path template ${JSON.stringify(path)}: ${reason}`);
    this.name = "TemplateError";
  }
}

const HEX = "0123456789ABCDEF";
const UTF8 = new TextEncoder();

/**
 * Percent-encodes what the WHATWG URL parser encodes in a path (C0 controls, space, `"`, `#`, `<`,
 * `>`, `?`, `` ` ``, `{`, `}`, DEL and non-ASCII), leaving existing `%XX` escapes alone, so that a
 * template literal compares equal to the pathname a client's request produces.
 * (`^` is left alone, as Node 20's URL does.)
 */
export function encodePathLiteral(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    const plain = c > 0x20 && c < 0x7f && ch !== '"' && ch !== "#" && ch !== "<" && ch !== ">" && ch !== "?" && ch !== "`" && ch !== "{" && ch !== "}";
    if (plain) {
      out += ch;
      continue;
    }
    for (const byte of UTF8.encode(ch)) out += "%" + HEX[byte >> 4] + HEX[byte & 15];
  }
  return out;
}

const PARAM_NAME = /^[^{}/]+$/;

function parseSegment(path: string, raw: string): TemplateSegment {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < raw.length) {
    const open = raw.indexOf("{", i);
    const close = raw.indexOf("}", i);
    if (close !== -1 && (open === -1 || close < open)) throw new TemplateError(path, `unbalanced "}" in segment ${JSON.stringify(raw)}`);
    if (open === -1) {
      parts.push({ kind: "literal", text: encodePathLiteral(raw.slice(i)) });
      break;
    }
    if (open > i) parts.push({ kind: "literal", text: encodePathLiteral(raw.slice(i, open)) });
    const end = raw.indexOf("}", open);
    if (end === -1) throw new TemplateError(path, `unclosed "{" in segment ${JSON.stringify(raw)}`);
    const name = raw.slice(open + 1, end);
    if (!PARAM_NAME.test(name)) throw new TemplateError(path, `invalid parameter name ${JSON.stringify(name)}`);
    if (parts.at(-1)?.kind === "param") throw new TemplateError(path, `parameters {${(parts.at(-1) as ParamPart).name}} and {${name}} are adjacent: nothing tells where one ends`);
    parts.push({ kind: "param", name });
    i = end + 1;
  }
  const params = parts.filter((p) => p.kind === "param").length;
  const kind = params === 0 ? "static" : parts.length === 1 ? "param" : "mixed";
  const shape = parts.map((p) => (p.kind === "param" ? "{}" : p.text)).join("");
  const literalLength = parts.reduce((n, p) => n + (p.kind === "literal" ? p.text.length : 0), 0);
  return { kind, parts, shape, literalLength };
}

/**
 * Parses an OpenAPI path template (`/files/{name}.{ext}`). Throws {@link TemplateError} for
 * templates the matcher cannot serve: not starting with `/`, a query or fragment part, empty
 * segments other than a final one (`/a//b`), unbalanced braces, adjacent parameters (`{a}{b}`),
 * or a parameter name used twice.
 */
export function parseTemplate(path: string): ParsedTemplate {
  if (!path.startsWith("/")) throw new TemplateError(path, 'must start with "/"');
  if (path.includes("?") || path.includes("#")) throw new TemplateError(path, "must not contain a query or fragment part");
  const raws = path === "/" ? [] : path.slice(1).split("/");
  const segments = raws.map((raw, index) => {
    if (raw === "" && index !== raws.length - 1) throw new TemplateError(path, "empty segment");
    return parseSegment(path, raw);
  });
  const params: string[] = [];
  for (const segment of segments) {
    for (const part of segment.parts) {
      if (part.kind !== "param") continue;
      if (params.includes(part.name)) throw new TemplateError(path, `parameter {${part.name}} appears twice`);
      params.push(part.name);
    }
  }
  return { path, segments, params };
}

/**
 * Makes a concrete pathname from a template: each parameter's value is percent-encoded with
 * `encodeURIComponent` (so `/` inside a value becomes `%2F` and stays in the parameter).
 */
export function formatTemplate(template: ParsedTemplate, valueOf: (name: string) => string): string {
  if (template.segments.length === 0) return "/";
  let out = "";
  for (const segment of template.segments) {
    out += "/";
    for (const part of segment.parts) out += part.kind === "literal" ? part.text : encodeURIComponent(valueOf(part.name));
  }
  return out;
}

/**
 * Orders sibling segments the way the matcher tries them: static first, then mixed segments with
 * more literal text first (ties by shape, so the order never depends on input order), then a bare
 * parameter. Two different static segments never match the same string, so their order is moot.
 */
export function compareSegments(a: TemplateSegment, b: TemplateSegment): number {
  const rank = (s: TemplateSegment): number => (s.kind === "static" ? 0 : s.kind === "mixed" ? 1 : 2);
  return rank(a) - rank(b) || b.literalLength - a.literalLength || (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0);
}
