import type { ApiRuntime } from "../config/snapshot.js";
import { type CorsReason, type CorsRequest, decide, type TraceStep } from "../cors/index.js";
import type { CorsOutcome } from "../observability/metrics.js";

/**
 * Why a handshake's Origin was admitted or refused: the engine's reasons, and three of the gateway's own.
 * - `WEBSOCKET_ORIGINS_ANY`: the API sets `websocketOrigins: any` (and has no CORS policy).
 * - `NO_CORS_POLICY`: the API has no CORS rules at all, and no `websocketOrigins: any`.
 * - `TOGGLE_ONLY`: the API has only `cors: true`, the permissive profile for fetch, which admits
 *   every origin and so guards nothing.
 */
export type WebSocketOriginReason = CorsReason | "WEBSOCKET_ORIGINS_ANY" | "NO_CORS_POLICY" | "TOGGLE_ONLY";

export interface WebSocketOriginVerdict {
  /** allowed, refused, or report-only (a policy in report mode that would have refused: proxied). */
  readonly outcome: CorsOutcome;
  /** The reason; for report-only, the refusal that enforce mode would have made. */
  readonly reason: WebSocketOriginReason;
  /** One sentence for the error message and explain. */
  readonly detail: string;
}

const REFUSAL_DETAIL: Readonly<Partial<Record<WebSocketOriginReason, string>>> = {
  ORIGIN_NOT_ALLOWED: "the Origin is not one the API's CORS policy allows",
  ORIGIN_MALFORMED: "the Origin is malformed",
  NULL_ORIGIN_NOT_ALLOWED: "the Origin is null, which the API's CORS policy does not allow",
  NO_CORS_POLICY:
    "the API has no CORS policy to check the Origin against (it needs a corsPolicy, or websocketOrigins: any)",
  TOGGLE_ONLY:
    "the API has only the permissive CORS toggle (cors: true), which admits no WebSocket handshake (it needs a corsPolicy, or websocketOrigins: any)",
};

/** The sentence for a refusal reason, for the 403's message. */
export function refusalDetail(reason: WebSocketOriginReason): string {
  return REFUSAL_DETAIL[reason] ?? "the Origin is not allowed";
}

/**
 * Decides whether a WebSocket handshake's Origin may reach the backend. Browsers apply no CORS to
 * WebSockets: a page on any site may open one to the API, with the user's cookies, and read what comes
 * back (Cross-Site WebSocket Hijacking). So the API's CORS policy origins, its applications' JavaScript
 * origins included, are enforced here on the handshake, by the same engine that answers preflights:
 * - a policy: its origin check decides, as for an actual request. A disallowed origin is refused even
 *   under `onDisallowedOrigin: omit` (omitting headers stops nothing here); report mode proxies it and
 *   records the refusal it would have made; a handshake without Origin is no browser's (browsers always
 *   send one, RFC 6455 section 4.1) and passes, as it does for HTTP;
 * - `cors: true` alone or no CORS rules: refused, unless the API sets `websocketOrigins: any`.
 *
 * `request` is the engine's view of the handshake; only its Origin and own origin are read.
 *
 * ```ts
 * checkWebSocketOrigin(api, new HeaderView("GET", "/", { origin: "https://evil.test" }))
 * // { outcome: "refused", reason: "ORIGIN_NOT_ALLOWED", detail: "the Origin is not one ..." }
 * ```
 */
export function checkWebSocketOrigin(
  api: Pick<ApiRuntime, "cors" | "config">,
  request: CorsRequest,
  trace?: TraceStep[],
): WebSocketOriginVerdict {
  const rules = api.cors;
  if (rules === null || rules.kind === "toggle") {
    if (api.config.websocketOrigins === "any") {
      trace?.push({ check: "websocket-origin", verdict: "pass", detail: "websocketOrigins: any" });
      return {
        outcome: "allowed",
        reason: "WEBSOCKET_ORIGINS_ANY",
        detail: "websocketOrigins: any admits every origin",
      };
    }
    const reason = rules === null ? "NO_CORS_POLICY" : "TOGGLE_ONLY";
    const detail = refusalDetail(reason);
    trace?.push({ check: "websocket-origin", verdict: "fail", detail });
    return { outcome: "refused", reason, detail };
  }
  // A handshake is decided as an actual GET request, never as a preflight, whatever its transport says.
  const view: CorsRequest = {
    method: "GET",
    origin: request.origin,
    accessControlRequestMethod: undefined,
    accessControlRequestHeaders: undefined,
    accessControlRequestPrivateNetwork: false,
    selfOrigin: request.selfOrigin,
  };
  const decision = decide(rules, view, trace);
  if (decision.wouldReject !== undefined) {
    return {
      outcome: "report-only",
      reason: decision.wouldReject,
      detail: `report mode: would refuse (${decision.wouldReject}), proxied`,
    };
  }
  if (!decision.allowed) {
    return { outcome: "refused", reason: decision.reason, detail: refusalDetail(decision.reason) };
  }
  return {
    outcome: "allowed",
    reason: decision.reason,
    detail:
      decision.reason === "NOT_CORS"
        ? "no Origin: not a browser, no cross-site page to guard against"
        : "the Origin is allowed by the API's CORS policy",
  };
}
