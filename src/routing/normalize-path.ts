/**
 * Request-path normalization (SPEC section 3, step 0): the path is a security boundary, because
 * `auth: app` and CORS policies are bound to paths. A path is normalized once, before routing, and the
 * normalized form is both routed and forwarded, so that a backend never resolves a path the gateway did
 * not route (`/pub/../secret`, `/pub/%2e%2e/admin`, `/a%2Fb`, `/a;x=1`, `/a\b`).
 *
 * The normalization is RFC 3986's (sections 6.2.2 and 5.2.4), then duplicate slashes are merged:
 * - `%XX` escapes get uppercase hex digits; escapes of unreserved characters are decoded (`%61` is `a`);
 * - characters a path cannot hold raw (space, `"`, `<`, `|`, non-ASCII, ...) are percent-encoded;
 * - `.` segments are removed and `..` removes the segment before it (an empty one too, as RFC 3986 and
 *   WHATWG URL parsers do: `/a//..` is `/a/`); a `..` with nothing before it climbs above `/` and is
 *   refused; then empty segments (`//`) are merged;
 * - a trailing slash is kept (`/a/b/` stays `/a/b/`; `/a/b/.` and `/a/b/c/..` end in `/` too).
 * Refused by default, each allowed by a gateway setting for backends that need it:
 * an encoded slash or backslash (`%2F`, `%5C`: `paths.encodedSlashes: keep`) and `;` path parameters
 * (`paths.semicolons: keep`). Always refused: a raw backslash, a NUL, a malformed escape, a fragment.
 */

export interface PathOptions {
  /** `keep`: a raw `;` is an ordinary path character (Tomcat-style `;jsessionid=` parameters reach the backend). */
  readonly semicolons: "refuse" | "keep";
  /** `keep`: `%2F` and `%5C` stay encoded inside a segment instead of being refused. */
  readonly encodedSlashes: "refuse" | "keep";
}

export const DEFAULT_PATH_OPTIONS: PathOptions = { semicolons: "refuse", encodedSlashes: "refuse" };

/** Why a path was refused; each is an error code of src/errors.ts (400). */
export type PathRefusal =
  | "PATH_MALFORMED"
  | "PATH_ABOVE_ROOT"
  | "PATH_ENCODED_SLASH"
  | "PATH_BACKSLASH"
  | "PATH_NUL"
  | "PATH_SEMICOLON";

export type NormalizedPath =
  | {
      readonly ok: true;
      /** The normalized path: what is routed and what the backend receives. Starts with `/`. */
      readonly path: string;
      /** Some `%XX` escape remains in `path` (parameter values must then be decoded). */
      readonly encoded: boolean;
    }
  | { readonly ok: false; readonly refusal: PathRefusal; readonly detail: string };

// Character classes by code (ASCII): 1 = may appear raw in a normalized path, 2 = unreserved.
const RAW_OK = new Uint8Array(128);
for (const c of "!$&'()*+,;=:@-._~") RAW_OK[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) RAW_OK[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) RAW_OK[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) RAW_OK[c] = 1;
const UNRESERVED = new Uint8Array(128);
for (const c of "-._~") UNRESERVED[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) UNRESERVED[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) UNRESERVED[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) UNRESERVED[c] = 1;

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;
const HEX = "0123456789ABCDEF";

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function refuse(refusal: PathRefusal, detail: string): NormalizedPath {
  return { ok: false, refusal, detail };
}

/**
 * True when `path` is already in normal form under `options`: only raw-allowed characters, no escapes,
 * no empty, `.` or `..` segments. Hot path: one pass over the characters, nothing allocated.
 */
function isNormal(path: string, options: PathOptions): boolean {
  if (path.charCodeAt(0) !== SLASH) return false;
  let segmentStart = 1;
  const n = path.length;
  for (let i = 1; i <= n; i++) {
    const c = i === n ? SLASH : path.charCodeAt(i);
    if (c === SLASH) {
      const len = i - segmentStart;
      // An empty segment is fine only as the trailing slash; `.` and `..` segments need removing.
      if (len === 0 && i < n) return false;
      if (len === 1 && path.charCodeAt(segmentStart) === DOT) return false;
      if (len === 2 && path.charCodeAt(segmentStart) === DOT && path.charCodeAt(segmentStart + 1) === DOT)
        return false;
      segmentStart = i + 1;
      continue;
    }
    if (c >= 128 || RAW_OK[c] !== 1) return false;
    if (c === SEMICOLON && options.semicolons !== "keep") return false;
  }
  return true;
}

/**
 * Normalizes the path of a request target (no query string: split it off first).
 *
 * ```ts
 * normalizePath("/v1/pub/%2e%2e/secret/x")  // { ok: true, path: "/v1/secret/x", encoded: false }
 * normalizePath("/a/../../etc")             // { ok: false, refusal: "PATH_ABOVE_ROOT", ... }
 * ```
 */
export function normalizePath(path: string, options: PathOptions = DEFAULT_PATH_OPTIONS): NormalizedPath {
  if (isNormal(path, options)) return { ok: true, path, encoded: false };
  if (path.charCodeAt(0) !== SLASH) {
    return refuse("PATH_MALFORMED", "the request target must be a path starting with '/' (origin-form)");
  }
  const segments: string[] = [];
  let segment = "";
  let encoded = false;
  let segmentEncoded = false;
  const n = path.length;
  let trailingSlash = false;
  for (let i = 1; i <= n; i++) {
    const c = i === n ? SLASH : path.charCodeAt(i);
    if (c === SLASH) {
      // `segment` is decoded as far as normalization goes, so `%2e%2E` is `..` here. As in RFC 3986's
      // remove_dot_segments, an empty segment counts (`/a//..` is `/a/`); empty ones are merged after.
      if (segment === "..") {
        if (segments.length === 0) return refuse("PATH_ABOVE_ROOT", "the path climbs above '/' with '..'");
        segments.pop();
        trailingSlash = true;
      } else if (segment === ".") {
        trailingSlash = true;
      } else {
        segments.push(segment);
        if (segmentEncoded) encoded = true;
        trailingSlash = segment === "";
      }
      segment = "";
      segmentEncoded = false;
      continue;
    }
    if (c === PERCENT) {
      // Past the end, charCodeAt is NaN, which is no hex digit.
      const hi = hexValue(path.charCodeAt(i + 1));
      const lo = hexValue(path.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) {
        return refuse("PATH_MALFORMED", `'${path.slice(i, i + 3)}' is not a percent-encoded byte (%XX)`);
      }
      const byte = hi * 16 + lo;
      i += 2;
      if (byte === 0) return refuse("PATH_NUL", "the path holds a NUL (%00)");
      if (byte < 128 && UNRESERVED[byte] === 1) {
        segment += String.fromCharCode(byte);
        continue;
      }
      if ((byte === SLASH || byte === BACKSLASH) && options.encodedSlashes !== "keep") {
        return refuse(
          "PATH_ENCODED_SLASH",
          `the path holds an encoded ${byte === SLASH ? "slash (%2F)" : "backslash (%5C)"}; set gateway.paths.encodedSlashes: keep if a backend needs it`,
        );
      }
      segment += `%${HEX[hi]}${HEX[lo]}`;
      segmentEncoded = true;
      continue;
    }
    if (c === BACKSLASH) return refuse("PATH_BACKSLASH", "the path holds a backslash ('\\')");
    if (c === 0) return refuse("PATH_NUL", "the path holds a NUL");
    if (c === SEMICOLON && options.semicolons !== "keep") {
      return refuse(
        "PATH_SEMICOLON",
        "the path holds ';' parameters, which some servers strip after routing; set gateway.paths.semicolons: keep if a backend needs them",
      );
    }
    if (c === 0x23) return refuse("PATH_MALFORMED", "the request target holds a fragment ('#')");
    if (c < 128 && RAW_OK[c] === 1) {
      segment += path[i];
      continue;
    }
    // Not allowed raw: percent-encoded. node:http hands the request line's bytes over as latin1, so a
    // code below 256 is one byte; longer codes (explain's input) are encoded as UTF-8.
    if (c < 256) segment += `%${HEX[c >> 4]}${HEX[c & 15]}`;
    else {
      const point = path.codePointAt(i) as number;
      if (point >= 0xd800 && point <= 0xdfff)
        return refuse("PATH_MALFORMED", "the path holds a lone surrogate");
      segment += encodeURIComponent(String.fromCodePoint(point));
      if (point > 0xffff) i++;
    }
    segmentEncoded = true;
  }
  let out = "";
  for (const kept of segments) if (kept !== "") out += `/${kept}`;
  if (out === "") return { ok: true, path: "/", encoded };
  return { ok: true, path: trailingSlash ? `${out}/` : out, encoded };
}

/**
 * Decodes a parameter value cut from a normalized path: every `%XX` left there is a reserved or
 * non-ASCII byte. Invalid UTF-8 stays as it was sent.
 */
export function decodePathValue(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
