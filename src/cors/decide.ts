import type { CompiledPolicy } from "./compiled-policy.js";
import { parseRequestHeaderList } from "./header-list.js";
import { normalizeMethod, SAFELISTED_METHODS } from "./methods.js";
import { isParseError, type OriginParseResult, parseOrigin } from "./origin.js";
import type { CorsDecision, CorsReason, CorsRequest, HeaderPair, TraceStep } from "./types.js";

/**
 * True for a CORS preflight: OPTIONS with Origin and a non-empty Access-Control-Request-Method (Fetch,
 * CORS-preflight request: the header holds the method, and an empty value names none). Any other
 * OPTIONS is an ordinary request.
 */
export function isPreflight(req: CorsRequest): boolean {
  return (
    req.method === "OPTIONS" &&
    req.origin !== undefined &&
    req.accessControlRequestMethod !== undefined &&
    req.accessControlRequestMethod !== ""
  );
}

const NO_HEADERS: readonly HeaderPair[] = [];

/** The last `selfOrigin` parsed: the gateway's own origin is nearly always the same string. */
let lastSelf = "";
let lastSelfParsed: OriginParseResult = parseOrigin("http://localhost");

function parseSelf(self: string): OriginParseResult {
  if (self !== lastSelf) {
    lastSelfParsed = parseOrigin(self);
    lastSelf = self;
  }
  return lastSelfParsed;
}

/** Whether `origin` (parsed: `parsed`) is the gateway's own origin `self`. */
function isSameOrigin(origin: string, parsed: OriginParseResult, self: string): boolean {
  if (origin === self) return true;
  if (isParseError(parsed)) return false;
  const b = parseSelf(self);
  return !isParseError(b) && parsed.normalized === b.normalized;
}

const REFUSAL_STATUS: Readonly<Record<string, number>> = {
  ORIGIN_NOT_ALLOWED: 403,
  ORIGIN_MALFORMED: 403,
  NULL_ORIGIN_NOT_ALLOWED: 403,
  METHOD_NOT_ALLOWED: 405,
  HEADER_NOT_ALLOWED: 403,
  PRIVATE_NETWORK_NOT_ALLOWED: 403,
};

function refuse(
  preflight: boolean,
  reason: CorsReason,
  vary: string,
  detail: string,
  trace: TraceStep[] | undefined,
): CorsDecision {
  trace?.push({
    check: "verdict",
    verdict: "fail",
    detail: `refused with ${REFUSAL_STATUS[reason]} (${reason})`,
  });
  return {
    preflight,
    allowed: false,
    reason,
    status: REFUSAL_STATUS[reason] ?? 403,
    headers: NO_HEADERS,
    vary,
    detail,
  };
}

/**
 * Decides a request under a compiled policy. Pure: no I/O, no clock. Pass a `trace` array to
 * collect one step per check (explain does); leave it out on the hot path.
 *
 * ```ts
 * decide(policy, { method: "OPTIONS", origin: "https://app.example.com",
 *   accessControlRequestMethod: "PUT", accessControlRequestHeaders: "x-sdk-date",
 *   accessControlRequestPrivateNetwork: false });
 * ```
 */
export function decide(policy: CompiledPolicy, req: CorsRequest, trace?: TraceStep[]): CorsDecision {
  const preflight = isPreflight(req);
  const vary = preflight ? policy.preflightVary : policy.actualVary;
  const origin = req.origin;
  if (origin === undefined) {
    trace?.push({ check: "origin", verdict: "skip", detail: "no Origin header: not a CORS request" });
    const headers = policy.anyOriginConstant ? policy.actualAnyHeaders : NO_HEADERS;
    return { preflight: false, allowed: true, reason: "NOT_CORS", status: 0, headers, vary };
  }

  // Origin check (webMethods: 403 "Specified Origin is not allowed").
  let wouldReject: CorsReason | undefined;
  let reason: CorsReason = "ORIGIN_ALLOWED";
  let echo = !policy.anyOriginConstant;
  const match = policy.origins.matchExactRaw(origin);
  // Parsed at most once, here, for both the same-origin check and the allow-list.
  const self = match === undefined ? req.selfOrigin : undefined;
  const parsedOrigin = self !== undefined && origin !== self ? parseOrigin(origin) : undefined;
  if (match !== undefined) {
    trace?.push({ check: "origin", verdict: "pass", detail: `${origin} is allowed by ${match}` });
  } else if (
    self !== undefined &&
    (origin === self || isSameOrigin(origin, parsedOrigin as OriginParseResult, self))
  ) {
    reason = "SAME_ORIGIN";
    trace?.push({
      check: "origin",
      verdict: "pass",
      detail: `${origin} is the gateway's own origin: same-origin`,
    });
    if (!preflight) {
      // Under a constant `*` every other origin gets `*` with no Vary, so this response must too:
      // a cache would otherwise serve it, without Access-Control-Allow-Origin, to cross-origin pages.
      const headers = policy.anyOriginConstant ? policy.actualAnyHeaders : NO_HEADERS;
      return { preflight, allowed: true, reason, status: 0, headers, vary };
    }
    // `echo` stays as the policy has it: under a constant `*` the preflight Vary has no Origin, so
    // echoing this one origin would let a cache hand its answer to other origins.
  } else {
    const m = policy.origins.match(origin, parsedOrigin);
    if (m.allowed) {
      if (policy.anyOriginConstant) reason = "ANY_ORIGIN";
      trace?.push({ check: "origin", verdict: "pass", detail: `${origin} is allowed by ${m.source}` });
    } else {
      const refusal: CorsReason = m.malformed
        ? "ORIGIN_MALFORMED"
        : origin === "null"
          ? "NULL_ORIGIN_NOT_ALLOWED"
          : "ORIGIN_NOT_ALLOWED";
      trace?.push({ check: "origin", verdict: "fail", detail: `${origin}: ${m.detail}` });
      if (policy.reportOnly) {
        wouldReject = refusal;
        echo = true;
        trace?.push({
          check: "mode",
          verdict: "info",
          detail: `report mode: would refuse (${refusal}), lets it through`,
        });
      } else if (!preflight && policy.onDisallowedOrigin === "omit") {
        trace?.push({
          check: "onDisallowedOrigin",
          verdict: "info",
          detail:
            "omit: the request proceeds without CORS headers; the browser will not let the page read it",
        });
        return {
          preflight,
          allowed: false,
          reason: refusal,
          status: 0,
          headers: NO_HEADERS,
          vary,
          detail: m.detail,
        };
      } else {
        return refuse(preflight, refusal, vary, m.detail, trace);
      }
    }
  }
  const allowOrigin = echo ? origin : "*";

  if (!preflight) {
    const headers: HeaderPair[] = [["access-control-allow-origin", allowOrigin]];
    const tail = policy.actualTail;
    for (let i = 0; i < tail.length; i++) headers.push(tail[i] as HeaderPair);
    if (policy.timingAllowAny) headers.push(["timing-allow-origin", "*"]);
    else if (policy.timingAllowOrigins.size > 0 && policy.timingAllowOrigins.has(origin)) {
      headers.push(["timing-allow-origin", origin]);
    }
    trace?.push({
      check: "verdict",
      verdict: "pass",
      detail: "actual request: CORS headers added to the backend's response",
    });
    return wouldReject
      ? { preflight, allowed: true, reason, status: 0, headers, vary, wouldReject }
      : { preflight, allowed: true, reason, status: 0, headers, vary };
  }

  // Method check (webMethods: 405). Safelisted methods never need listing (Fetch, CORS-preflight fetch step 7).
  const method = normalizeMethod(req.accessControlRequestMethod as string);
  let extraMethod: string | undefined;
  if (SAFELISTED_METHODS.has(method)) {
    trace?.push({ check: "method", verdict: "pass", detail: `${method} is CORS-safelisted` });
  } else if (policy.anyMethod || policy.methods.has(method)) {
    trace?.push({ check: "method", verdict: "pass", detail: `${method} is in allowMethods` });
  } else {
    const detail = `${method} is not in allowMethods (${policy.allowMethodsValue})`;
    trace?.push({ check: "method", verdict: "fail", detail });
    if (!policy.reportOnly) return refuse(true, "METHOD_NOT_ALLOWED", vary, detail, trace);
    wouldReject ??= "METHOD_NOT_ALLOWED";
    extraMethod = method;
  }

  // Header check (webMethods: 403 "Header Not Supported"). `*` never covers Authorization (Fetch).
  const parsed = parseRequestHeaderList(req.accessControlRequestHeaders);
  let extraHeaders: string[] | undefined;
  if (!parsed.ok) {
    const detail = `Access-Control-Request-Headers refused: ${parsed.detail}`;
    trace?.push({ check: "headers", verdict: "fail", detail });
    if (!policy.reportOnly) return refuse(true, "HEADER_NOT_ALLOWED", vary, detail, trace);
    wouldReject ??= "HEADER_NOT_ALLOWED";
  } else {
    for (const name of parsed.names) {
      if (policy.headers.has(name) || (policy.anyHeader && name !== "authorization")) continue;
      const detail =
        name === "authorization" && policy.anyHeader
          ? "authorization is not covered by '*' (Fetch standard): list Authorization explicitly"
          : `${name} is not in allowHeaders${policy.allowHeadersValue ? ` (${policy.allowHeadersValue})` : ""}`;
      trace?.push({ check: "headers", verdict: "fail", detail });
      if (!policy.reportOnly) return refuse(true, "HEADER_NOT_ALLOWED", vary, detail, trace);
      wouldReject ??= "HEADER_NOT_ALLOWED";
      extraHeaders ??= [];
      extraHeaders.push(name);
    }
    if (trace && (extraHeaders === undefined || extraHeaders.length === 0)) {
      trace.push({
        check: "headers",
        verdict: "pass",
        detail: parsed.names.length === 0 ? "no headers requested" : `${parsed.names.join(", ")} allowed`,
      });
    }
  }

  // Private network access (https://wicg.github.io/private-network-access/).
  let privateNetwork = false;
  if (req.accessControlRequestPrivateNetwork) {
    if (policy.privateNetwork) {
      privateNetwork = true;
      trace?.push({ check: "private-network", verdict: "pass", detail: "allowPrivateNetwork: true" });
    } else {
      const detail = "private network access requested but allowPrivateNetwork is false";
      trace?.push({ check: "private-network", verdict: "fail", detail });
      if (!policy.reportOnly) return refuse(true, "PRIVATE_NETWORK_NOT_ALLOWED", vary, detail, trace);
      wouldReject ??= "PRIVATE_NETWORK_NOT_ALLOWED";
      privateNetwork = true;
    }
  }

  const headers: HeaderPair[] = [["access-control-allow-origin", allowOrigin]];
  if (extraMethod === undefined && extraHeaders === undefined) {
    // A plain loop: `push(...tail)` goes through the generic spread-call path.
    const tail = policy.preflightTail;
    for (let i = 0; i < tail.length; i++) headers.push(tail[i] as HeaderPair);
  } else {
    // Report mode: widen the answer so that the browser is not blocked while the refusal is recorded.
    for (const pair of policy.preflightTail) {
      if (pair[0] === "access-control-allow-methods" && extraMethod !== undefined) {
        headers.push([pair[0], `${pair[1]},${extraMethod}`]);
      } else if (pair[0] === "access-control-allow-headers" && extraHeaders !== undefined) {
        headers.push([pair[0], `${pair[1]},${extraHeaders.join(",")}`]);
      } else {
        headers.push(pair);
      }
    }
    if (extraHeaders !== undefined && policy.allowHeadersValue === "") {
      headers.push(["access-control-allow-headers", extraHeaders.join(",")]);
    }
  }
  if (privateNetwork) headers.push(["access-control-allow-private-network", "true"]);
  trace?.push({ check: "verdict", verdict: "pass", detail: "preflight answered 200 by the gateway" });
  return wouldReject
    ? { preflight, allowed: true, reason, status: 200, headers, vary, wouldReject }
    : { preflight, allowed: true, reason, status: 200, headers, vary };
}
