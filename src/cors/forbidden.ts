/**
 * Names the Fetch standard never lets a page use, so listing them in a policy can never work:
 * https://fetch.spec.whatwg.org/#forbidden-method, #forbidden-request-header, #forbidden-response-header-name.
 */

/** Forbidden methods (compared case-insensitively): a page's fetch() throws before sending them. */
const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["connect", "trace", "track"]);

/** Forbidden request-header names, lowercase: the browser sets them itself or drops them. */
const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  "accept-charset",
  "accept-encoding",
  "access-control-request-headers",
  "access-control-request-method",
  "connection",
  "content-length",
  "cookie",
  "cookie2",
  "date",
  "dnt",
  "expect",
  "host",
  "keep-alive",
  "origin",
  "referer",
  "set-cookie",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "via",
]);

/** Forbidden response-header names: a page never reads them, exposed or not. */
const FORBIDDEN_RESPONSE_HEADERS: ReadonlySet<string> = new Set(["set-cookie", "set-cookie2"]);

export function isForbiddenMethod(method: string): boolean {
  return FORBIDDEN_METHODS.has(method.toLowerCase());
}

/** Why a page can never send this request header, or null when it can. */
export function forbiddenRequestHeaderReason(name: string): string | null {
  const lower = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.has(lower)) {
    return `${name} is a forbidden request-header name (Fetch standard): the browser sets or drops it, a page never sends it`;
  }
  if (lower.startsWith("sec-") || lower.startsWith("proxy-")) {
    return `${name} starts with ${lower.startsWith("sec-") ? "Sec-" : "Proxy-"}, which the Fetch standard forbids pages to send`;
  }
  return null;
}

export function isForbiddenResponseHeader(name: string): boolean {
  return FORBIDDEN_RESPONSE_HEADERS.has(name.toLowerCase());
}
