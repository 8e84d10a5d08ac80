import { normalizeMethod, SAFELISTED_METHODS } from "./methods.js";

/**
 * A model of what Chromium does with CORS responses (Fetch standard: CORS check, CORS-preflight
 * fetch), used by explain and check to say what the page will see, with Chromium's own wording.
 */
export interface BrowserRequest {
  readonly url: string;
  readonly origin: string;
  readonly method: string;
  /** Request headers the page sets: names, optionally with values (`Content-Type: application/json`). */
  readonly headers: readonly { readonly name: string; readonly value?: string | undefined }[];
  /** Fetch's credentials mode is "include" (cookies, `withCredentials`). */
  readonly credentials: boolean;
  /** The target is on a private network and the page is public (Private Network Access). */
  readonly privateNetwork?: boolean;
}

/** Response headers as a lookup by lowercase name; several lines of one header are separate values. */
export type ResponseHeaders = ReadonlyMap<string, readonly string[]>;

export type BrowserVerdict =
  | { readonly ok: true; readonly detail: string; readonly cacheSeconds?: number }
  | { readonly ok: false; readonly message: string };

const SAFELISTED_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);

/** Fetch's CORS-unsafe request-header names, lowercased and sorted as Chromium sends them. */
export function unsafeHeaderNames(req: BrowserRequest): string[] {
  const names = new Set<string>();
  for (const h of req.headers) {
    const name = h.name.toLowerCase();
    if (name === "accept" || name === "accept-language" || name === "content-language") {
      if (h.value === undefined || h.value.length <= 128) continue;
    } else if (name === "content-type" && h.value !== undefined) {
      const essence = (h.value.split(";")[0] ?? "").trim().toLowerCase();
      if (SAFELISTED_CONTENT_TYPES.has(essence)) continue;
    }
    names.add(name);
  }
  return [...names].sort();
}

/** Whether the browser sends a preflight before this request. */
export function needsPreflight(req: BrowserRequest): boolean {
  return (
    !SAFELISTED_METHODS.has(normalizeMethod(req.method)) ||
    unsafeHeaderNames(req).length > 0 ||
    req.privateNetwork === true
  );
}

function prefix(req: BrowserRequest): string {
  return `Access to fetch at '${req.url}' from origin '${req.origin}' has been blocked by CORS policy: `;
}

const PREFLIGHT = "Response to preflight request doesn't pass access control check: ";

/** Fetch's CORS check on ACAO and ACAC; null when it passes, else Chromium's message. */
function corsCheck(req: BrowserRequest, headers: ResponseHeaders): string | null {
  const acao = headers.get("access-control-allow-origin");
  if (acao === undefined || acao.length === 0) {
    return "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
  }
  const value = acao.join(", ");
  if (acao.length > 1 || value.includes(",")) {
    return `The 'Access-Control-Allow-Origin' header contains multiple values '${value}', but only one is allowed.`;
  }
  if (value === "*") {
    if (!req.credentials) return null;
    return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.";
  }
  if (value !== req.origin) {
    return `The 'Access-Control-Allow-Origin' header has a value '${value}' that is not equal to the supplied origin.`;
  }
  if (!req.credentials) return null;
  const acac = (headers.get("access-control-allow-credentials") ?? []).join(", ");
  if (acac !== "true") {
    return `The value of the 'Access-Control-Allow-Credentials' header in the response is '${acac}' which must be 'true' when the request's credentials mode is 'include'.`;
  }
  return null;
}

function splitList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    for (const item of v.split(",")) {
      const t = item.trim();
      if (t !== "") out.push(t);
    }
  }
  return out;
}

/** What Chromium does with a preflight answer (Fetch, CORS-preflight fetch, steps 6-7). */
export function checkPreflight(
  req: BrowserRequest,
  status: number,
  headers: ResponseHeaders,
): BrowserVerdict {
  const cors = corsCheck(req, headers);
  if (cors !== null) return { ok: false, message: `${prefix(req)}${PREFLIGHT}${cors}` };
  if (status < 200 || status > 299) {
    return { ok: false, message: `${prefix(req)}${PREFLIGHT}It does not have HTTP ok status.` };
  }
  if (
    req.privateNetwork === true &&
    (headers.get("access-control-allow-private-network") ?? []).join("") !== "true"
  ) {
    return {
      ok: false,
      message: `${prefix(req)}${PREFLIGHT}No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request targeting the \`private\` address space.`,
    };
  }
  const methods = splitList(headers.get("access-control-allow-methods"));
  const method = normalizeMethod(req.method);
  const anyMethod = methods.includes("*") && !req.credentials;
  if (!SAFELISTED_METHODS.has(method) && !methods.includes(method) && !anyMethod) {
    return {
      ok: false,
      message: `${prefix(req)}Method ${method} is not allowed by Access-Control-Allow-Methods in preflight response.`,
    };
  }
  const allowed = new Set(splitList(headers.get("access-control-allow-headers")).map((h) => h.toLowerCase()));
  const anyHeader = allowed.has("*") && !req.credentials;
  for (const name of unsafeHeaderNames(req)) {
    // `*` never covers Authorization, the one CORS non-wildcard request-header name.
    if (allowed.has(name) || (anyHeader && name !== "authorization")) continue;
    return {
      ok: false,
      message: `${prefix(req)}Request header field ${name} is not allowed by Access-Control-Allow-Headers in preflight response.`,
    };
  }
  const maxAgeValue = (headers.get("access-control-max-age") ?? [])[0];
  const maxAge = maxAgeValue !== undefined && /^[0-9]+$/.test(maxAgeValue) ? Number(maxAgeValue) : 5;
  // Chromium caches a preflight for 5 s without Max-Age and never longer than 2 hours.
  const cacheSeconds = Math.min(maxAge, 7200);
  return {
    ok: true,
    cacheSeconds,
    detail: `preflight passes; Chromium caches it for ${cacheSeconds} s${maxAgeValue === undefined ? " (its default without Access-Control-Max-Age)" : ""}`,
  };
}

/** What Chromium does with the actual response: may the page read it, and which headers. */
export function checkResponse(req: BrowserRequest, headers: ResponseHeaders): BrowserVerdict {
  const cors = corsCheck(req, headers);
  if (cors !== null) {
    const hint = cors.startsWith("No ")
      ? " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled."
      : "";
    return { ok: false, message: `${prefix(req)}${cors}${hint}` };
  }
  const exposed = splitList(headers.get("access-control-expose-headers"));
  const list =
    exposed.includes("*") && !req.credentials
      ? "every response header"
      : exposed.length > 0
        ? `the CORS-safelisted response headers and ${exposed.join(", ")}`
        : "only the CORS-safelisted response headers";
  return { ok: true, detail: `the page can read the response: status, body and ${list}` };
}
