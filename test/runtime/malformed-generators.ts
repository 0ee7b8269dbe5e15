/**
 * Malformed-request generators for the pet store fuzz test (malformed-input.test.ts).
 *
 * Each generator takes a seeded random source and the facts it needs (one well-formed sample per
 * operation, credentials) and returns plain case descriptions; the test turns them into Requests.
 * Fixed hostile values come from tables; the random source picks among them, mixes them into
 * valid requests and makes garbage of its own, so a seed names one exact list of requests.
 */

/** A uniform number in [0, 1), deterministic per seed. */
export type Rng = () => number;

export type Category = "path" | "query" | "header" | "body" | "method" | "random";

export interface FuzzCase {
  readonly category: Category;
  readonly operationId: string;
  /** Short description for failure reports (never the whole 100 KB value). */
  readonly label: string;
  readonly method: string;
  /** Path and query as sent, appended to the origin; may hold anything a URL parser accepts. */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: BodyInit | null;
  /**
   * The refusal (if any) must say where: a 4xx answer then needs `errors[]` with pointers. Set
   * where the request offends in exactly one located part and nothing earlier can refuse it.
   */
  readonly located?: boolean;
}

/** One well-formed request per operation, the base every mutation starts from. */
export interface OperationSample {
  readonly operationId: string;
  readonly method: string;
  /** Path template with its parameters filled in, as segments to mutate: `{ text, param? }`. */
  readonly segments: readonly { readonly text: string; readonly param?: string }[];
  readonly query?: string;
  /** Content type and body of a valid request, for operations that take one. */
  readonly contentType?: string;
  readonly body?: string;
  /** Credentials that satisfy the operation (empty for public ones). */
  readonly auth: readonly (readonly [string, string])[];
  /** Accepts a bearer token (so a bad one is refused with a located error). */
  readonly bearer: boolean;
}

export interface Credentials {
  readonly apiKey: string;
  /** A valid HS256 JWT carrying every scope the pet store asks for. */
  readonly bearer: string;
  readonly basic: string;
  /** Bad tokens by description (expired, wrong issuer, alg none, huge header, ...). */
  readonly badTokens: Readonly<Record<string, string>>;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Random printable-ish garbage, biased towards characters parsers care about. */
export function garbage(rng: Rng, length: number): string {
  const alphabet = ["%", "%z", "%0", "&", "=", ";", ",", "|", "[", "]", ".", "/", "\\", "+", " ", '"', "'", "<", "{", "}", "~", "é", "😀", "\u200b", "a", "Z", "9", "-", "_", "\t"];
  let out = "";
  while (out.length < length) out += pick(rng, alphabet);
  return out;
}

export function pathOf(sample: OperationSample, replace?: { readonly index: number; readonly text: string }): string {
  return "/" + sample.segments.map((s, i) => (replace !== undefined && i === replace.index ? replace.text : s.text)).join("/");
}

function targetOf(sample: OperationSample, path = pathOf(sample)): string {
  return sample.query === undefined ? path : `${path}?${sample.query}`;
}

function validBody(sample: OperationSample): { headers: [string, string][]; body: string | undefined } {
  return sample.contentType === undefined ? { headers: [], body: undefined } : { headers: [["content-type", sample.contentType]], body: sample.body };
}

function base(category: Category, sample: OperationSample, label: string): Omit<FuzzCase, "target"> & { target: string } {
  const { headers, body } = validBody(sample);
  return { category, operationId: sample.operationId, label, method: sample.method, target: targetOf(sample), headers: [...sample.auth, ...headers], body };
}

// ---------------------------------------------------------------------------------------------
// paths

const BAD_ESCAPES = ["%", "%zz", "%C0%80", "%ED%A0%80", "%E0%A4%A", "%FF", "%%", "%1", "%u0041"];
const CONTROL = ["%00", "\u0000", "%0A", "%0D%0A", "%7F", "\t", "%09", "\u0001"];
const UNICODE = ["é", "😀", "%F0%9F%98%80", "\u202e", "\u200b", "１２", "İ", "\uFEFF", "\uD800", "ﬀ"];
const DOT_FORMS = ["..", ".", "%2e%2e", "%2E", ".%2e", ""];
const INTEGER_JUNK = ["-1", "0", "1.5", "1e400", "0x10", "99999999999999999999999", "NaN", "Infinity", "+1", " 1", "1 ", "-0", "1;x", "1,2", "true", "null", "[1]"];

export function pathCases(rng: Rng, samples: readonly OperationSample[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const sample of samples) {
    const paramIndexes = sample.segments.map((s, i) => (s.param !== undefined ? i : -1)).filter((i) => i >= 0);
    // Every segment that holds a parameter (or the last one of a static path) gets the hostile tables.
    const indexes = paramIndexes.length > 0 ? paramIndexes : [sample.segments.length - 1];
    for (const index of indexes) {
      const original = sample.segments[index]!.text;
      const param = sample.segments[index]!.param;
      const located = param !== undefined;
      const variants: [string, string][] = [];
      for (const e of BAD_ESCAPES) variants.push([`bad escape ${e}`, original + e]);
      for (const c of CONTROL) variants.push([`control ${JSON.stringify(c)}`, original + c]);
      for (let k = 0; k < 3; k++) {
        const u = pick(rng, UNICODE);
        variants.push([`unicode ${JSON.stringify(u)}`, u + original]);
      }
      variants.push(["100 KB segment", "a".repeat(100 * 1024)]);
      variants.push(["100 KB of escapes", "%41".repeat(34 * 1024)]);
      variants.push(["random garbage", garbage(rng, int(rng, 1, 40))]);
      variants.push(["random garbage", garbage(rng, int(rng, 1, 40))]);
      if (param === "petId") {
        for (const j of INTEGER_JUNK) variants.push([`petId ${JSON.stringify(j)}`, encodeURI(j)]);
        variants.push(["petId with encoded slash", "1%2F2"], ["petId as encoded digits", "%31%32"]);
      }
      if (param === "colors") variants.push(["label encoded comma", ".red%2Cgreen"], ["label encoded dot", ".red%2Egreen"], ["label empty items", "...."]);
      if (param === "period") variants.push(["matrix encoded =", ";period%3Dweek"], ["matrix twice", ";period=week;period=day"], ["matrix no value", ";period"]);
      if (param === "name/ext") variants.push(["no name", ".jpg"], ["two dots", "a.b.jpg"], ["no ext", "rex."], ["upper case", "REX.JPG"], ["encoded dot", "rex%2Ejpg"]);
      if (param === "roomId") variants.push(["65 characters", "r".repeat(65)], ["upper case", "ROOM"], ["encoded dash", "room%2D1"]);
      for (const [label, text] of variants) {
        // A bad escape inside a parameter is refused with that parameter named.
        const escapeOnly = label.startsWith("bad escape") && text.includes("%") && located;
        cases.push({ ...base("path", sample, `segment ${index}: ${label}`), target: targetOf(sample, pathOf(sample, { index, text })), located: escapeOnly });
      }
    }
    // Structure: dot segments, doubled and trailing slashes, at a random place.
    const path = pathOf(sample);
    const structural: [string, string][] = [
      ["trailing slash", path + "/"],
      ["two trailing slashes", path + "//"],
      ["leading double slash", "/" + path],
      ["doubled inner slash", path.replace("/", "//").replace(/^\/\//, "/").replace("/", "//")],
      ["backslash", path.replace(/\//g, "\\")],
      ["/.. appended", path + "/.."],
      ["/. appended", path + "/."],
      ["../ escape", "/../../.." + path],
      ["encoded dot-dot", path + "/%2e%2e"],
      ["encoded slash", path.lastIndexOf("/") > 0 ? path.replace(/\/([^/]*)$/, "%2F$1") : path + "%2Fx"],
      ["extra segment", path + "/" + pick(rng, DOT_FORMS) + "x"],
    ];
    for (const [label, p] of structural) cases.push({ ...base("path", sample, label), target: targetOf(sample, p) });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// query

/** Wrong-typed values for each declared query parameter, by operation. */
const QUERY_JUNK: Readonly<Record<string, readonly string[]>> = {
  listPets: [
    "limit=abc", "limit=NaN", "limit=1e400", "limit=-0", "limit=", "limit", "limit=0", "limit=101", "limit=1.5", "limit=0x10",
    "limit=%EF%BC%91", "limit=1&limit=2", "limit[]=1", "limit=1,2", "limit=%zz", "limit=Infinity", "limit=9007199254740993",
    "species=cat,dog", "species=", "species=lion", "species[0]=cat", "species=%ED%A0%80", "species=cat&species=cat&species=x",
    "tags=" + "x".repeat(33), "tags=,,,", "tags=a&tags=b", "tags=%", "tags[a]=b", "tags=" + "a,".repeat(5000),
  ],
  searchPets: [
    "filter[species]=lion", "filter[minAge]=abc", "filter[minAge]=-1", "filter[minAge]=1e400", "filter[extra]=1",
    "filter[a][b][c]=", "filter[]=1", "filter=cat", "filter[species]=cat&filter[species]=dog", "filter[__proto__]=x",
    "filter[constructor][prototype]=1", "filter[%zz]=1", "filter[species]=%zz", "filter[name]=" + "n".repeat(10000),
    "a[b][c]=", "filter[=1", "filter]=1", "filter[[species]]=cat",
    "names=|||", "names=a%7Cb|c", "names=%zz", "names=", "names=a&names=b",
    "ids=1%202%20x", "ids=1+2+3", "ids=", "ids=1e400", "ids=1,2", "ids=%20%20", "ids=-0", "ids=NaN",
    "where={", "where=%7B", "where=" + "%5B".repeat(100) + "%5D".repeat(100), "where=" + "[".repeat(20000) + "]".repeat(20000),
    "where=null", "where=1", "where=%22x%22", "where=%7B%22tag%22%3A1%7D", "where=%7B%22__proto__%22%3A%7B%22x%22%3A1%7D%7D",
    "where=a&where=b", "where=%EF%BB%BF%7B%7D", "where=1e400", "where=%7B%22tag%22%3A%22a%22%2C%22tag%22%3A%22b%22%7D",
  ],
};

export function queryCases(rng: Rng, samples: readonly OperationSample[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const sample of samples) {
    const path = pathOf(sample);
    const send = (label: string, query: string, located = false) =>
      cases.push({ ...base("query", sample, label), target: `${path}?${query}`, located });
    // Generic junk for every operation (ignored by those declaring no query parameters, but parsed by none that should crash).
    send("missing =", "a&b&&c");
    send("only separators", "&&&=&=");
    send("nested brackets", "a[b][c]=&a[b]=1&a=2");
    send("bad escape in name", "%zz=1&%=2");
    send("random garbage", garbage(rng, int(rng, 5, 200)));
    send("101 parameters", Array.from({ length: 101 }, (_, i) => `p${i}=${i}`).join("&"));
    send("10k parameters", Array.from({ length: 10_000 }, (_, i) => `q${i}`).join("&"));
    send("100 KB value", "x=" + "v".repeat(100 * 1024));
    send("100 KB name", "n".repeat(100 * 1024) + "=1");
    const junk = QUERY_JUNK[sample.operationId];
    if (junk === undefined) continue;
    for (const query of junk) send(query.length > 60 ? query.slice(0, 60) + "…" : query, query);
    // Random pairs of junk combined, and junk appended to a valid query.
    for (let k = 0; k < 6; k++) send("combined", `${pick(rng, junk)}&${pick(rng, junk)}`);
    for (let k = 0; k < 4; k++) send("garbage value", `${pick(rng, junk).split("=")[0]}=${encodeURIComponent(garbage(rng, int(rng, 1, 30)))}`);
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// headers

const BAD_CONTENT_TYPES = [
  "application/json; charset=klingon", "application/json; charset=utf-16", "application/json;;;", 'application/json; charset="utf-8"',
  "APPLICATION/JSON", "application/json+x", "*/*", "application/*", "application/json, text/plain", ";", "/", "application/",
  "a/b/c", "text/plain; charset=iso-8859-1", "multipart/form-data", "multipart/form-data; boundary=", "application/x-www-form-urlencoded; charset=latin1",
  "application/json; boundary=x; charset=utf-8; q=0.1", "application/json; charset=", "application/json\u00a0", " application/json ",
  "application/json; charset=" + "x".repeat(4000),
];

const BAD_AUTHORIZATION = [
  "Bearer", "Bearer ", "Bearer  x", "bearer x", "Bearer a.b", "Bearer a.b.c", "Bearer !!!.@@@.###", "Bearer a..c",
  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln", "Bearer x, Bearer y",
  "Bearer =====", "Bearer " + "A".repeat(20_000), "Basic", "Basic !!!", `Basic ${btoa("nocolon")}`, "Basic \u00ff\u00fe",
  "Digest username=x", "Negotiate", "Bearer\tx",
];

const BAD_COOKIES = [
  "sort=", "sort=x", 'sort="name"', "sort=name; sort=newest", "sort=%zz", "sort", ";;;;", "=;=;", "sort=na%6De",
  Array.from({ length: 200 }, (_, i) => `c${i}=1`).join("; "), "sort=" + "s".repeat(8000), "sort=\u00e9",
];

const BAD_TRACE_LEVEL = ["abc", "4", "-1", "1,2", "", " 1 ", "1e400", "NaN", "0x1", "3.0", "\u00e9"];

const BAD_REQUEST_IDS = ["x".repeat(200), "has space", "<script>", "\u00e9t\u00e9", "", "a\u0000b", "id;drop", "../../etc"];

export function headerCases(rng: Rng, samples: readonly OperationSample[], credentials: Credentials): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const sample of samples) {
    const withHeaders = (label: string, headers: [string, string][], located = false, replaceAuth = false): void => {
      const valid = base("header", sample, label);
      const kept = replaceAuth ? valid.headers.filter(([n]) => !isAuthHeader(n)) : valid.headers;
      const names = new Set(headers.map(([n]) => n.toLowerCase()));
      cases.push({ ...valid, headers: [...kept.filter(([n]) => !names.has(n.toLowerCase())), ...headers], located });
    };
    if (sample.contentType !== undefined) {
      for (const type of BAD_CONTENT_TYPES) withHeaders(`content-type ${JSON.stringify(type.slice(0, 50))}`, [["content-type", type]]);
      const valid = base("header", sample, "no content-type");
      cases.push({ ...valid, headers: valid.headers.filter(([n]) => n !== "content-type") });
      const length = new TextEncoder().encode(sample.body ?? "").byteLength;
      for (const lie of [length + 10, Math.max(0, length - 3), 0, 2_000_000, -1]) withHeaders(`content-length ${lie} (body ${length})`, [["content-length", String(lie)]]);
      withHeaders("content-length abc", [["content-length", "abc"]]);
    }
    // Near and over the 16 KiB header limit; many small headers.
    withHeaders("15,000-byte header", [["x-filler", "f".repeat(15_000)]]);
    withHeaders("16,384-byte header", [["x-filler", "f".repeat(16_384)]]);
    withHeaders("64 KiB header", [["x-filler", "f".repeat(64 * 1024)]]);
    withHeaders("300 headers", Array.from({ length: 300 }, (_, i) => [`x-h${i}`, "v".repeat(int(rng, 1, 80))] as [string, string]));
    // Authorization, for operations that take credentials.
    if (sample.auth.length > 0) {
      for (const value of BAD_AUTHORIZATION) {
        // RFC 9110 §11.4: the scheme is separated by a space; "Bearer\tx" is no bearer credential at all.
        const bearerShaped = /^bearer /i.test(value) && sample.bearer;
        withHeaders(`authorization ${JSON.stringify(value.slice(0, 40))}`, [["authorization", value]], bearerShaped, true);
      }
      for (const [what, token] of Object.entries(credentials.badTokens)) {
        withHeaders(`token ${what}`, [["authorization", `Bearer ${token}`]], sample.bearer, true);
      }
      for (const key of ["", "wrong-key", "k".repeat(100 * 1024), "demo-key-1 ", "DEMO-KEY-1", "demo-key-1,demo-key-2", "\u00e9"]) {
        withHeaders(`x-api-key ${JSON.stringify(key.slice(0, 20))}`, [["x-api-key", key]], false, true);
      }
    }
    if (sample.operationId === "searchPets") {
      for (const cookie of BAD_COOKIES) withHeaders(`cookie ${JSON.stringify(cookie.slice(0, 40))}`, [["cookie", cookie]]);
      for (let k = 0; k < 4; k++) withHeaders("cookie garbage", [["cookie", garbage(rng, int(rng, 1, 60)).replace(/[^\x20-\x7e]/g, "")]]);
    }
    if (sample.operationId === "getPet") {
      for (const level of BAD_TRACE_LEVEL) withHeaders(`x-trace-level ${JSON.stringify(level)}`, [["x-trace-level", level]], level.trim() !== "" && level !== "3.0");
    }
    for (const id of BAD_REQUEST_IDS) withHeaders(`x-request-id ${JSON.stringify(id.slice(0, 20))}`, [["x-request-id", id]]);
    // The same header twice (Headers joins them with ", ").
    withHeaders("two content-types", [["content-type", "application/json"], ["content-type", "text/plain"]]);
    withHeaders("two cookies headers", [["cookie", "sort=name"], ["cookie", "sort=x"]]);
    withHeaders("two x-trace-levels", [["x-trace-level", "1"], ["x-trace-level", "2"]]);
    withHeaders("two x-request-ids", [["x-request-id", "a"], ["x-request-id", "b"]]);
    withHeaders("odd accept", [["accept", pick(rng, ["", "*/*;q=abc", "application/xml", "a/b;q=0, */*;q=0", ",,,;;;"])]]);
  }
  return cases;
}

function isAuthHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "authorization" || lower === "x-api-key";
}

// ---------------------------------------------------------------------------------------------
// bodies

const UTF8 = new TextEncoder();

function jsonBodies(rng: Rng, valid: string): [string, BodyInit, boolean][] {
  const cut = int(rng, 1, valid.length - 1);
  const deepArrays = "[".repeat(100_000) + "]".repeat(100_000);
  const deepObjects = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
  return [
    ["invalid JSON {", "{", true],
    ['invalid JSON {"name":}', '{"name":}', true],
    ["invalid JSON nul", "nul", true],
    ["trailing comma", '{"name":"a","species":"cat",}', true],
    ["single quotes", "{'name':'a'}", true],
    ["NaN literal", '{"name":NaN}', true],
    [`truncated at ${cut}`, valid.slice(0, cut), true],
    ["BOM + valid JSON", "\uFEFF" + valid, false],
    ["double BOM", "\uFEFF\uFEFF" + valid, true],
    ["100k nested arrays", deepArrays, true],
    ["100k nested objects", deepObjects, true],
    ["65 nested arrays", "[".repeat(65) + "]".repeat(65), true],
    ["huge number", '{"name":"a","species":"cat","tags":[],"id":1e400}', true],
    ["huge integer", '{"name":"a","species":"cat","id":123456789012345678901234567890}', true],
    ["-0 id", '{"name":"a","species":"cat","id":-0}', true],
    ["duplicate keys", '{"name":"a","name":"b","species":"cat"}', false],
    ["__proto__ key", '{"__proto__":{"polluted":1},"name":"x","species":"cat"}', true],
    ["constructor key", '{"constructor":{"prototype":{"polluted":1}},"name":"x","species":"cat"}', true],
    ["non-UTF-8 bytes", new Uint8Array([0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x7d]), true],
    ["overlong NUL", new Uint8Array([0x22, 0xc0, 0x80, 0x22]), true],
    ["encoded lone surrogate", new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), true],
    ["escaped lone surrogate", '{"name":"\\ud800","species":"cat"}', false],
    ["NUL in string", '{"name":"a\\u0000b","species":"cat"}', false],
    ["wrong types", '{"name":1,"species":true,"tags":"x","owner":5}', true],
    ["array", "[]", true],
    ["null", "null", true],
    ["string", '"str"', true],
    ["enum and lengths", `{"name":"","species":"lion","tags":${JSON.stringify(Array.from({ length: 11 }, (_, i) => "t" + i))}}`, true],
    ["bad formats", '{"name":"a","species":"cat","birthDate":"2020-13-45","owner":{"email":"not-an-email"}}', true],
    ["duplicate tags", '{"name":"a","species":"cat","tags":["x","x"]}', true],
    ["10k extra properties", "{" + Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(",") + "}", true],
    ["whitespace only", " \n\t ", true],
    ["random garbage", garbage(rng, int(rng, 1, 300)), true],
  ];
}

function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[2 * i] = text.charCodeAt(i) & 0xff;
    bytes[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return bytes;
}

function multipart(boundary: string, parts: readonly string[]): string {
  return parts.map((p) => `--${boundary}\r\n${p}\r\n`).join("") + `--${boundary}--\r\n`;
}

export function bodyCases(rng: Rng, samples: readonly OperationSample[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const sample of samples) {
    const valid = base("body", sample, "");
    const send = (label: string, contentType: string | undefined, body: BodyInit | null, located: boolean): void => {
      const headers = valid.headers.filter(([n]) => n !== "content-type");
      cases.push({ ...valid, label, headers: contentType === undefined ? headers : [...headers, ["content-type", contentType]], body, located });
    };
    const type = sample.contentType;
    if (type === undefined) {
      // A body where none is declared (fetch refuses one on GET; the test counts that as unsendable).
      send("unexpected JSON body", "application/json", "{", false);
      continue;
    }
    send("no body at all", type, null, true);
    send("empty body", type, "", true);
    const over = new Uint8Array(1024 * 1024 + 1).fill(0x20);
    send("1 MiB + 1 with length", type, over, false);
    send("1 MiB + 1 streamed without length", type, streamOf(over.byteLength, 64 * 1024), false);
    send("16 MiB streamed", type, streamOf(16 * 1024 * 1024, 256 * 1024), false);
    if (type === "application/json") {
      for (const [label, body, located] of jsonBodies(rng, sample.body!)) send(label, type, body, located);
      send("utf-16le JSON", "application/json; charset=utf-16le", utf16le(sample.body!), false);
      send("utf-16le JSON read as UTF-8", type, utf16le(sample.body!), true);
      send("replacement charset", "application/json; charset=hz-gb-2312", sample.body!, false);
      if (sample.operationId === "createPet") {
        // The form-urlencoded alternative.
        const form = "application/x-www-form-urlencoded";
        for (const [label, body] of [
          ["form bad escape", "name=%zz&species=cat"],
          ["form names only", "name&name&name"],
          ["form separators", "=&&&="],
          ["form 200 fields", Array.from({ length: 200 }, (_, i) => `f${i}=1`).join("&")],
          ["form repeated scalar", "name=a&name=b&species=cat"],
          ["form duplicate tags", "name=a&species=cat&tags=x&tags=x"],
          ["form __proto__", "__proto__[x]=1&name=a&species=cat&constructor=1"],
          ["form nested owner", "name=a&species=cat&owner=x&owner[email]=y"],
          ["form non-UTF-8", new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff])],
          ["form random", garbage(rng, int(rng, 1, 200))],
        ] as [string, BodyInit][]) {
          send(label, form, body, true);
        }
      }
    } else if (type.startsWith("text/plain")) {
      send("1001 characters", type, "x".repeat(1001), true);
      send("non-UTF-8", type, new Uint8Array([0x68, 0xff, 0xfe, 0x69]), true);
      send("utf-16le odd bytes", "text/plain; charset=utf-16le", new Uint8Array([0x41, 0x00, 0x42]), true);
      send("latin1 high bytes", "text/plain; charset=latin1", new Uint8Array([0xe9, 0xe8]), false);
      send("unknown charset", "text/plain; charset=klingon", "hi", false);
      send("replacement charset", "text/plain; charset=iso-2022-kr", "hi", false);
      send("utf-16be text", "text/plain; charset=utf-16be", new Uint8Array([0x00, 0x68, 0xd8, 0x00]), false);
      send("octet-stream garbage", "application/octet-stream", new Uint8Array(Array.from({ length: 512 }, () => int(rng, 0, 255))), false);
      send("JSON to a text operation", "application/json", '{"a":1}', false);
      send("random text", type, garbage(rng, int(rng, 1, 500)), false);
    } else if (type.startsWith("multipart/form-data")) {
      const b = "fuzzboundary";
      const file = 'Content-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG';
      for (const [label, contentType, body] of [
        ["no boundary parameter", "multipart/form-data", multipart(b, [file])],
        ["wrong boundary", "multipart/form-data; boundary=other", multipart(b, [file])],
        ["empty boundary", "multipart/form-data; boundary=", multipart(b, [file])],
        ["truncated", `multipart/form-data; boundary=${b}`, multipart(b, [file]).slice(0, 60)],
        ["no parts", `multipart/form-data; boundary=${b}`, `--${b}--\r\n`],
        ["file as text field", `multipart/form-data; boundary=${b}`, multipart(b, ['Content-Disposition: form-data; name="file"\r\n\r\nnot a file'])],
        ["missing file", `multipart/form-data; boundary=${b}`, multipart(b, ['Content-Disposition: form-data; name="caption"\r\n\r\nhi'])],
        ["caption too long", `multipart/form-data; boundary=${b}`, multipart(b, [file, `Content-Disposition: form-data; name="caption"\r\n\r\n${"c".repeat(201)}`])],
        ["two files", `multipart/form-data; boundary=${b}`, multipart(b, [file, file])],
        ["200 parts", `multipart/form-data; boundary=${b}`, multipart(b, Array.from({ length: 200 }, (_, i) => `Content-Disposition: form-data; name="p${i}"\r\n\r\n${i}`))],
        ["no disposition", `multipart/form-data; boundary=${b}`, multipart(b, ["Content-Type: text/plain\r\n\r\nx"])],
        ["__proto__ part", `multipart/form-data; boundary=${b}`, multipart(b, [file, 'Content-Disposition: form-data; name="__proto__"\r\n\r\nx'])],
        ["random", `multipart/form-data; boundary=${b}`, `--${b}\r\n` + garbage(rng, int(rng, 1, 300))],
      ] as [string, string, string][]) {
        send(label, contentType, body, true);
      }
    }
  }
  return cases;
}

/** `total` spaces in chunks of `chunk`, made as they are pulled (a body of unknown length). */
function streamOf(total: number, chunk: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const size = Math.min(chunk, total - sent);
      controller.enqueue(new Uint8Array(size).fill(0x20));
      sent += size;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// methods

const ODD_METHODS = ["FOO", "PROPFIND", "get", "post", "put", "delete", "patch", "options", "head", "PATCH", "TRACE", "M-SEARCH", "G3T", "X".repeat(200)];

export function methodCases(rng: Rng, samples: readonly OperationSample[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const seen = new Set<string>();
  for (const sample of samples) {
    const path = pathOf(sample);
    if (seen.has(path)) continue;
    seen.add(path);
    const valid = base("method", sample, "");
    const as = (label: string, method: string, headers: readonly (readonly [string, string])[] = valid.headers): void => {
      cases.push({ ...valid, label, method, headers, body: undefined });
    };
    for (const method of ODD_METHODS) as(`method ${method.slice(0, 20)}`, method);
    as("HEAD", "HEAD");
    as("OPTIONS", "OPTIONS");
    const origins = ["null", "http://evil.test", "o".repeat(10_000), "", "http://[::1", "file://", pick(rng, ["https://pets.test", "HTTP://PETS.TEST:99999"])];
    const requestMethods = ["FOO", "", "get", "DELETE, PUT", "X".repeat(1000), pick(rng, ["POST", "\u00e9"])];
    const requestHeaders = ["x-api-key, authorization", "", ",,,", "h".repeat(5000), "content-type;evil", pick(rng, ["*", "\u00e9"])];
    for (let k = 0; k < 6; k++) {
      as("CORS preflight", "OPTIONS", [
        ["origin", pick(rng, origins)],
        ["access-control-request-method", pick(rng, requestMethods)],
        ["access-control-request-headers", pick(rng, requestHeaders)],
      ]);
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// random mutations

/** Insert, delete, duplicate or replace a random stretch of `text`, `edits` times. */
export function mutate(rng: Rng, text: string, edits: number): string {
  let out = text;
  for (let k = 0; k < edits; k++) {
    const at = int(rng, 0, out.length);
    const span = int(rng, 0, Math.min(8, out.length - at));
    switch (int(rng, 0, 3)) {
      case 0:
        out = out.slice(0, at) + garbage(rng, int(rng, 1, 12)) + out.slice(at);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at + span);
        break;
      case 2:
        out = out.slice(0, at + span) + out.slice(at, at + span).repeat(int(rng, 2, 50)) + out.slice(at + span);
        break;
      default:
        out = out.slice(0, at) + garbage(rng, span) + out.slice(at + span);
    }
  }
  return out;
}

/**
 * `perOperation` requests per operation, each its valid request with the target, the body or a
 * header value mutated at random (headers kept to visible ASCII, which is all HTTP carries).
 */
export function randomCases(rng: Rng, samples: readonly OperationSample[], perOperation: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const sample of samples) {
    for (let k = 0; k < perOperation; k++) {
      const valid = base("path", sample, "");
      const edits = int(rng, 1, 4);
      const part = sample.body !== undefined ? int(rng, 0, 2) : int(rng, 0, 1) === 0 ? 0 : 2;
      if (part === 0) {
        // The target must stay a path for the URL to parse against the origin.
        const target = "/" + mutate(rng, valid.target.slice(1), edits).replace(/^[/\\]+/, "");
        cases.push({ ...valid, category: "random", label: `target mutated ×${edits}`, target });
      } else if (part === 1) {
        cases.push({ ...valid, category: "random", label: `body mutated ×${edits}`, body: mutate(rng, sample.body!, edits) });
      } else {
        const headers = valid.headers.length > 0 ? valid.headers : [["x-trace-level", "1"] as const];
        const index = int(rng, 0, headers.length - 1);
        const [name, value] = headers[index]!;
        const mutated = mutate(rng, value, edits).replace(/[^\x20-\x7e]/g, "");
        const replaced = headers.map((h, i) => (i === index ? ([name, mutated] as const) : h));
        cases.push({ ...valid, category: "random", label: `${name} mutated ×${edits}`, headers: valid.headers.length > 0 ? replaced : [...replaced] });
      }
    }
  }
  return cases;
}
