import type { ApiRuntime, Snapshot } from "../config/snapshot.js";
import type { TraceStep } from "../cors/index.js";
import { ERRORS, type ErrorCode } from "../errors.js";
import { hostName } from "../routing/hosts.js";
import type { SanitizedPath } from "../routing/path-tree.js";
import { type HeaderFields, HeaderView } from "./header-view.js";
import { authenticate, locate } from "./plan.js";
import { checkWebSocketOrigin, type WebSocketOriginVerdict } from "./websocket-origin.js";

/**
 * A WebSocket handshake as every transport can describe it: HTTP/1.1 (`GET` with `Upgrade: websocket`)
 * and HTTP/2 (RFC 8441: `CONNECT` with `:protocol: websocket`) alike. Its form (method, version, key)
 * is checked before, by the transport.
 */
export interface HandshakeRequest {
  /** The request target as received: the path and the query (`/chat?room=1`). */
  readonly target: string;
  /** The header fields, lowercase names, as node:http gives them; `host` is Host (or `:authority`). */
  readonly headers: HeaderFields;
  /**
   * The handshake came over TLS (wss://): the gateway's own origin is then `https://` and the Host, so
   * that a page on that origin is same-origin, as its fetch requests are. Default false.
   */
  readonly secure?: boolean;
}

/** The handshake goes to the API's backend. */
export interface HandshakeAccepted {
  readonly ok: true;
  readonly api: ApiRuntime;
  /** The normalized path: what was routed. */
  readonly path: SanitizedPath;
  /** The normalized path after the API's prefix, for the backend URL (as for HTTP requests). */
  readonly remainder: string;
  /** The query with its "?", or "". */
  readonly query: string;
  readonly origin: WebSocketOriginVerdict;
  /** The authenticated application (`auth: app`). */
  readonly app: string | undefined;
}

/** The handshake is refused with a JSON error. */
export interface HandshakeRefused {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The API, when routing found one. */
  readonly api?: ApiRuntime;
  /** The Origin check, when it ran. */
  readonly origin?: WebSocketOriginVerdict;
}

export type HandshakeDecision = HandshakeAccepted | HandshakeRefused;

function refused(
  code: ErrorCode,
  message: string = ERRORS[code].message,
  more: Omit<HandshakeRefused, "ok" | "code" | "message"> = {},
): HandshakeRefused {
  return { ok: false, code, message, ...more };
}

/**
 * Decides a WebSocket handshake, in the order the request plan handles every request (./plan.ts):
 * the path normalized (refusals 400), Host and path to an API (routed as `GET`; 404/405), the API must
 * set `websocket: true` (400 WEBSOCKET_NOT_ALLOWED), the Origin check (403 WEBSOCKET_ORIGIN_NOT_ALLOWED,
 * see origin-check.ts), then `auth: app` (401/403). Pure: nothing is written, nothing is connected.
 * Pass `trace` to collect a step per check.
 *
 * ```ts
 * const d = decideHandshake(snapshot, { target: "/chat", headers: { host: "api.test", origin: "https://app.test" } });
 * if (d.ok) connect(d.api.backend, d.remainder + d.query); else refuse(d.code, d.message);
 * ```
 */
export function decideHandshake(
  snapshot: Snapshot,
  request: HandshakeRequest,
  trace?: TraceStep[],
): HandshakeDecision {
  const view = new HeaderView("GET", request.target, request.headers, request.secure === true);
  const at = locate(snapshot, view, trace);
  if (at.refusal !== undefined) return refused(at.refusal, at.message);
  const { path, query, host } = at;

  const match = snapshot.router.match(host, "GET", path);
  if (match === null) {
    const missed = snapshot.router.miss(hostName(view.host), path);
    trace?.push({ check: "route", verdict: "fail", detail: `no API serves GET ${path.raw}` });
    return missed.status === 404
      ? refused("ROUTE_NOT_FOUND")
      : refused("METHOD_NOT_ALLOWED", undefined, { headers: { allow: missed.allow.join(", ") } });
  }
  const { api, remainder } = match;
  trace?.push({ check: "route", verdict: "pass", detail: `API ${api.name}` });
  if (api.config.websocket !== true) {
    trace?.push({
      check: "websocket",
      verdict: "fail",
      detail: `API ${api.name} does not set websocket: true`,
    });
    return refused("WEBSOCKET_NOT_ALLOWED", undefined, { api });
  }

  const origin = checkWebSocketOrigin(api, view, trace);
  if (origin.outcome === "refused") {
    return refused(
      "WEBSOCKET_ORIGIN_NOT_ALLOWED",
      `WebSocket handshake refused (${origin.reason}): ${origin.detail}`,
      { api, origin },
    );
  }

  // The same authentication as every request (src/plan/plan.ts).
  const auth = authenticate(snapshot, api, view, trace);
  if (auth.refusal !== undefined) return refused(auth.refusal, ERRORS[auth.refusal].message, { api, origin });
  const app = auth.app;
  return { ok: true, api, path, remainder, query, origin, app };
}
