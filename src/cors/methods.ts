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

const TOKEN_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN_CHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_CHAR[c] = 1;

/** RFC 9110 `token`: the grammar of method and header names. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || TOKEN_CHAR[c] !== 1) return false;
  }
  return true;
}
