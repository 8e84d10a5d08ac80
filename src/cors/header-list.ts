import { isToken } from "./methods.js";

/** `Access-Control-Request-Headers` longer than this is refused without parsing it. */
export const MAX_REQUEST_HEADERS_LENGTH = 8192;
/** At most this many names are accepted in one `Access-Control-Request-Headers`. */
export const MAX_REQUEST_HEADER_NAMES = 128;

export type HeaderListResult =
  | { readonly ok: true; readonly names: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: "TOO_LONG" | "TOO_MANY" | "INVALID_NAME";
      readonly detail: string;
    };

const EMPTY: HeaderListResult = { ok: true, names: [] };

/**
 * Parses `Access-Control-Request-Headers` tolerantly, in one pass: items are split on commas,
 * optional whitespace (SP, HTAB) is trimmed, empty items are skipped and names are lowercased.
 * Several header lines arrive joined with ", " by Node.js, which this handles the same way.
 * `parseRequestHeaderList(" X-Foo ,,content-type")` gives `["x-foo", "content-type"]`.
 */
export function parseRequestHeaderList(value: string | undefined): HeaderListResult {
  if (value === undefined || value.length === 0) return EMPTY;
  if (value.length > MAX_REQUEST_HEADERS_LENGTH) {
    return { ok: false, reason: "TOO_LONG", detail: `longer than ${MAX_REQUEST_HEADERS_LENGTH} characters` };
  }
  const names: string[] = [];
  let start = 0;
  const n = value.length;
  while (start <= n) {
    let end = value.indexOf(",", start);
    if (end < 0) end = n;
    let a = start;
    let b = end;
    while (a < b && (value.charCodeAt(a) === 0x20 || value.charCodeAt(a) === 0x09)) a++;
    while (b > a && (value.charCodeAt(b - 1) === 0x20 || value.charCodeAt(b - 1) === 0x09)) b--;
    if (b > a) {
      const name = value.slice(a, b);
      if (!isToken(name)) {
        return { ok: false, reason: "INVALID_NAME", detail: `${JSON.stringify(name)} is not a header name` };
      }
      if (names.length === MAX_REQUEST_HEADER_NAMES) {
        return { ok: false, reason: "TOO_MANY", detail: `more than ${MAX_REQUEST_HEADER_NAMES} names` };
      }
      names.push(name.toLowerCase());
    }
    start = end + 1;
  }
  return { ok: true, names };
}
