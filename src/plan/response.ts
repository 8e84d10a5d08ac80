import { type CorsDecision, type HeaderPair, PREFLIGHT_VARY } from "../cors/index.js";
import { applyCors } from "./cors-headers.js";
import type { ErrorPlan, ForwardPlan, HeaderBag } from "./types.js";

/**
 * The response side of the request plan: which headers each kind of answer carries. The gateway writes
 * them; explain prints them. Only the gateway's clock-dependent values differ (the request id and the
 * Server-Timing durations, which explain shows as placeholders).
 */

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * The headers of a gateway error, before the gateway's own (X-Request-Id, Server-Timing). Errors carry
 * the CORS headers a successful response would, so that the page can read them (SPEC section 3); a CORS
 * refusal carries its decision's Vary; a preflight's error carries no CORS headers, only the Vary of every
 * preflight answer (SPEC section 4).
 */
export function errorHeaders(
  plan: Pick<ErrorPlan, "preflight" | "decision"> & { readonly allow?: string | undefined },
): HeaderBag {
  const headers: HeaderBag = { "content-type": JSON_CONTENT_TYPE };
  if (plan.allow !== undefined) headers.allow = plan.allow;
  const d = plan.decision;
  if (d !== undefined && d.status >= 400) {
    if (d.vary !== "") headers.vary = d.vary;
  } else if (plan.preflight) {
    headers.vary = PREFLIGHT_VARY;
  } else if (d !== undefined) {
    applyCors(headers, d, false);
  }
  return headers;
}

/**
 * The headers of the gateway's own answer to an allowed preflight (200, no body), pushed as flat
 * `name, value` pairs onto `flat`: the decision's CORS headers and its Vary. Hot path: the gateway builds
 * the list node:http's writeHead takes straight from this, with no header bag.
 */
export function pushPreflightHeaders(decision: CorsDecision, flat: string[]): void {
  const pairs = decision.headers;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] as HeaderPair;
    flat.push(pair[0], pair[1]);
  }
  if (decision.vary !== "") flat.push("vary", decision.vary);
}

/** The CORS headers of a backend's response, in place: the decision's, or the backend's own when they win. */
export function applyForwardCors(plan: ForwardPlan, headers: HeaderBag): void {
  if (plan.decision !== undefined) applyCors(headers, plan.decision, plan.backendWins);
}

/**
 * The Server-Timing value (SPEC section 3, step 6): `gateway;dur=<ms>`, with `upstream;dur=<ms>` when a
 * backend was called; a backend's own metrics (`theirs`) are kept after the gateway's.
 */
export function serverTimingValue(
  gatewayMs: string,
  upstreamMs: string | undefined,
  theirs: string | string[] | undefined,
): string {
  const own =
    upstreamMs === undefined
      ? `gateway;dur=${gatewayMs}`
      : `gateway;dur=${gatewayMs}, upstream;dur=${upstreamMs}`;
  return theirs === undefined ? own : `${own}, ${Array.isArray(theirs) ? theirs.join(", ") : theirs}`;
}
