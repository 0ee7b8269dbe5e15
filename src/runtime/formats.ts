/**
 * The `format` checks generated validators call at run time (imported by the generated module,
 * never evaluated from strings). The build step hands the same map to ajv, so a format is known
 * to the code generator exactly when it exists here; any other format is ignored, as JSON Schema
 * 2020-12 allows.
 *
 * Plain functions rather than RegExp entries: ajv would copy a RegExp's source into the generated
 * module once per module, a function is shared by every module through this import.
 */

/** A string format check, or a numeric one (OpenAPI int32/int64/float/double). */
export type FormatCheck = ((value: string) => boolean) | { readonly type: "number"; readonly validate: (value: number) => boolean };

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 full-time; the offset is mandatory, `T`/`Z` are case-insensitive (RFC 3339 §5.6 note).
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([zZ])|([+-])(\d{2}):(\d{2}))$/;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function date(value: string): boolean {
  const m = DATE.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month] as number));
}

export function time(value: string): boolean {
  const m = TIME.exec(value);
  if (m === null) return false;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = Number(m[3]);
  const offsetHour = m[6] === undefined ? 0 : Number(m[6]);
  const offsetMinute = m[7] === undefined ? 0 : Number(m[7]);
  if (hour > 23 || minute > 59 || offsetHour > 23 || offsetMinute > 59) return false;
  if (second < 60) return second <= 59;
  if (second > 60) return false;
  // A leap second is only ever inserted at 23:59:60 UTC.
  const sign = m[5] === "-" ? -1 : 1;
  const utcMinutes = (((hour * 60 + minute - sign * (offsetHour * 60 + offsetMinute)) % 1440) + 1440) % 1440;
  return utcMinutes === 23 * 60 + 59;
}

export function dateTime(value: string): boolean {
  const t = value.length > 10 ? value.charCodeAt(10) : 0;
  if (t !== 0x54 /* T */ && t !== 0x74 /* t */) return false;
  return date(value.slice(0, 10)) && time(value.slice(11));
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export function uuid(value: string): boolean {
  return UUID.test(value);
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
export function ipv4(value: string): boolean {
  return IPV4.test(value);
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** RFC 4291 §2.2 text forms: eight groups, `::` once, optional dotted IPv4 tail; no zone id. */
export function ipv6(value: string): boolean {
  let groups = value;
  let tailGroups = 0;
  const lastColon = value.lastIndexOf(":");
  if (lastColon >= 0 && value.indexOf(".", lastColon) > 0) {
    if (!ipv4(value.slice(lastColon + 1))) return false;
    groups = value.slice(0, lastColon + 1) + "0";
    tailGroups = 1; // the IPv4 tail counts as two groups: "0" stands for one, add one more
  }
  const halves = groups.split("::");
  if (halves.length > 2) return false;
  const parts = (half: string): string[] | null => {
    if (half === "") return [];
    const list = half.split(":");
    return list.every((g) => HEX_GROUP.test(g)) ? list : null;
  };
  const head = parts(halves[0] as string);
  if (head === null) return false;
  if (halves.length === 1) return head.length + tailGroups === 8;
  const tail = parts(halves[1] as string);
  if (tail === null) return false;
  return head.length + tail.length + tailGroups <= 7;
}

const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
/** RFC 1123 host name (ASCII labels; A-labels are not checked against IDNA tables). */
export function hostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  return value.split(".").every((label) => HOST_LABEL.test(label) && !(label[2] === "-" && label[3] === "-" && !/^xn--/i.test(label)));
}

const DOT_ATOM = /^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const QUOTED_LOCAL = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;
/** RFC 5321 mailbox: dot-atom or quoted local part; host name or an address literal. */
export function email(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !(DOT_ATOM.test(local) || QUOTED_LOCAL.test(local))) return false;
  if (domain.startsWith("[") && domain.endsWith("]")) {
    const literal = domain.slice(1, -1);
    return /^ipv6:/i.test(literal) ? ipv6(literal.slice(5)) : ipv4(literal);
  }
  return hostname(domain);
}

// RFC 3986 URI (scheme required), after ajv-formats (MIT), which takes it from jmrware.com.
const URI =
  /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;
export function uri(value: string): boolean {
  return URI.test(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** OpenAPI `byte`: base64-encoded characters. */
export function byte(value: string): boolean {
  return BASE64.test(value);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
// 2^63 - 1 is not representable as a double; the nearest double is 2^63, which is out of range.
const INT64_LIMIT = 2 ** 63;
const FLOAT_MAX = 3.4028234663852886e38;

export const int32 = { type: "number", validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX } as const;
export const int64 = { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -INT64_LIMIT && n < INT64_LIMIT } as const;
export const float = { type: "number", validate: (n: number) => Number.isFinite(n) && Math.abs(n) <= FLOAT_MAX } as const;
export const double = { type: "number", validate: (n: number) => Number.isFinite(n) } as const;

/** Every format the generated validators check, by the name used in schemas. */
export const formats: Readonly<Record<string, FormatCheck>> = {
  date,
  time,
  "date-time": dateTime,
  uuid,
  ipv4,
  ipv6,
  hostname,
  email,
  uri,
  byte,
  int32,
  int64,
  float,
  double,
};
