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

/** Per ASCII code: 0 not allowed in a token (RFC 9110), 1 a token character, 2 an uppercase letter. */
const TOKEN_CLASS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN_CLASS[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN_CLASS[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_CLASS[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CLASS[c] = 2;

/**
 * Parses `Access-Control-Request-Headers` tolerantly, in one pass: items are split on commas,
 * optional whitespace (SP, HTAB) is trimmed, empty items are skipped and names are lowercased.
 * Several header lines arrive joined with ", " by Node.js, which this handles the same way.
 * `parseRequestHeaderList(" X-Foo ,,content-type")` gives `["x-foo", "content-type"]`.
 *
 * Hot path (every preflight): one scan by character code checks the token grammar and notes
 * uppercase letters, so that a name is copied (sliced) only out of a longer list and lowercased
 * only if it has an uppercase letter; Chromium sends the list lowercase already.
 */
export function parseRequestHeaderList(value: string | undefined): HeaderListResult {
  if (value === undefined || value.length === 0) return EMPTY;
  if (value.length > MAX_REQUEST_HEADERS_LENGTH) {
    return { ok: false, reason: "TOO_LONG", detail: `longer than ${MAX_REQUEST_HEADERS_LENGTH} characters` };
  }
  if (value.length > MEMO_MAX_LENGTH) return parseList(value);
  let result = memo.get(value);
  if (result === undefined) {
    result = parseList(value);
    if (memo.size === MEMO_ENTRIES) memo.clear();
    memo.set(value, result);
  }
  return result;
}

/**
 * Recent lists and their parse. A page sends the same few lists over and over, and a lookup
 * costs less than the parse (its names, its array, its result). Results are immutable, so they
 * are shared; the memo is bounded (at most 256 lists of at most 256 characters, about 64 KB)
 * and simply emptied when full.
 */
const memo = new Map<string, HeaderListResult>();
const MEMO_ENTRIES = 256;
const MEMO_MAX_LENGTH = 256;

function parseList(value: string): HeaderListResult {
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
      let upper = false;
      for (let i = a; i < b; i++) {
        const c = value.charCodeAt(i);
        const kind = c < 128 ? (TOKEN_CLASS[c] as number) : 0;
        if (kind === 0) {
          const name = value.slice(a, b);
          return {
            ok: false,
            reason: "INVALID_NAME",
            detail: `${JSON.stringify(name)} is not a header name`,
          };
        }
        if (kind === 2) upper = true;
      }
      if (names.length === MAX_REQUEST_HEADER_NAMES) {
        return { ok: false, reason: "TOO_MANY", detail: `more than ${MAX_REQUEST_HEADER_NAMES} names` };
      }
      const name = a === 0 && b === n ? value : value.slice(a, b);
      names.push(upper ? name.toLowerCase() : name);
    }
    start = end + 1;
  }
  return { ok: true, names };
}
