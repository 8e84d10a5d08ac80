/**
 * HTTP method names. Fetch normalizes only six methods (byte-uppercasing DELETE, GET, HEAD,
 * OPTIONS, POST, PUT); every other method, PATCH included, compares case-sensitively.
 * https://fetch.spec.whatwg.org/#concept-method-normalize
 */
const NORMALIZED = new Map<string, string>(
  ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].map((m) => [m.toLowerCase(), m]),
);

/** Fetch's CORS-safelisted methods: a preflight never needs them listed in Allow-Methods. */
export const SAFELISTED_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST"]);

/** The six in their normalized form: a method already written so needs no lowercase copy. */
const CANONICAL: ReadonlySet<string> = new Set(NORMALIZED.values());

export function normalizeMethod(method: string): string {
  if (method.length > 7 || CANONICAL.has(method)) return method;
  return NORMALIZED.get(method.toLowerCase()) ?? method;
}

/**
 * RFC 9110 `token` as a pattern: the grammar of method and header names, for schemas (the
 * configuration's JSON Schema) as well as for `isToken`, whose table is made from it.
 */
export const TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

const TOKEN_CHAR = new Uint8Array(128);
const tokenChar = new RegExp(TOKEN_PATTERN);
for (let c = 0; c < 128; c++) TOKEN_CHAR[c] = tokenChar.test(String.fromCharCode(c)) ? 1 : 0;

/** RFC 9110 `token`: the grammar of method and header names. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || TOKEN_CHAR[c] !== 1) return false;
  }
  return true;
}
