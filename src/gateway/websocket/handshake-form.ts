import type { IncomingHttpHeaders } from "node:http";
import type { IncomingHttpHeaders as Http2IncomingHttpHeaders } from "node:http2";
import type { ErrorCode } from "../../errors.js";

/** What is wrong with a handshake's form: the error to answer with, its message and extra headers. */
export interface HandshakeProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The only version RFC 6455 defines (section 4.1); browsers have sent nothing else since 2011. */
export const WEBSOCKET_VERSION = "13";

/**
 * Base64 of 16 bytes (RFC 6455 section 4.1, step 7): 22 characters and `==`. As lenient about the last
 * character's unused bits as the `ws` library, so that no client a backend accepts is refused here.
 */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Whether an `Upgrade` field offers the WebSocket protocol: one of its comma-separated protocols is
 * `websocket`, any case, without a version (RFC 9110 section 7.8; RFC 6455 section 4.1, step 5).
 *
 * ```ts
 * offersWebSocket("websocket")        // true
 * offersWebSocket("h2c, WebSocket")   // true
 * offersWebSocket("h2c")              // false
 * ```
 */
export function offersWebSocket(upgrade: string | readonly string[] | undefined): boolean {
  if (upgrade === undefined) return false;
  for (const line of typeof upgrade === "string" ? [upgrade] : upgrade) {
    for (const item of line.split(",")) {
      if (item.trim().toLowerCase() === "websocket") return true;
    }
  }
  return false;
}

function invalid(detail: string): HandshakeProblem {
  return {
    code: "WEBSOCKET_HANDSHAKE_INVALID",
    message: `The WebSocket handshake is malformed: ${detail} (RFC 6455 section 4.1)`,
  };
}

/**
 * What makes an HTTP/1.1 WebSocket opening handshake malformed (RFC 6455 section 4.2.1), or undefined.
 * Only the form is checked here; whether the API takes WebSockets, and from which origins, is
 * `decideHandshake`'s (the same for every transport). An HTTP/2 handshake (RFC 8441: CONNECT with
 * `:protocol`, no key) has a form of its own.
 *
 * ```ts
 * handshakeProblem("GET", "1.1", { "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" })
 * // undefined
 * ```
 */
export function handshakeProblem(
  method: string | undefined,
  httpVersion: string,
  headers: IncomingHttpHeaders,
): HandshakeProblem | undefined {
  if (method !== "GET") {
    return invalid(`the handshake must be a GET request, not ${String(method).slice(0, 32)}`);
  }
  if (httpVersion !== "1.1") {
    return invalid(`the handshake needs HTTP/1.1, not HTTP/${httpVersion.slice(0, 8)}`);
  }
  const version = versionProblem(headers, { upgrade: "websocket" });
  if (version !== undefined) return version;
  const key = headers["sec-websocket-key"];
  if (key === undefined) return invalid("Sec-WebSocket-Key is missing");
  if (!KEY.test(key)) return invalid("Sec-WebSocket-Key must be 16 random bytes in base64 (24 characters)");
  return undefined;
}

/**
 * Sec-WebSocket-Version must be 13, on either transport (RFC 6455 section 4.1; RFC 8441 section 5 keeps
 * the field). Node joins repeated fields with ", ", so two lines fail too. RFC 6455 section 4.2.2: the
 * refusal names the versions this server understands, with 426.
 */
function versionProblem(
  headers: IncomingHttpHeaders,
  extra: Readonly<Record<string, string>>,
): HandshakeProblem | undefined {
  const version = headers["sec-websocket-version"];
  if (version === WEBSOCKET_VERSION) return undefined;
  return {
    code: "WEBSOCKET_VERSION_NOT_SUPPORTED",
    message:
      version === undefined
        ? "The WebSocket handshake has no Sec-WebSocket-Version: send Sec-WebSocket-Version: 13"
        : "Only WebSocket version 13 is supported: send Sec-WebSocket-Version: 13",
    headers: { "sec-websocket-version": WEBSOCKET_VERSION, ...extra },
  };
}

/**
 * What makes an HTTP/2 WebSocket handshake (RFC 8441 section 4: `CONNECT` with `:protocol`) unfit, or
 * undefined. nghttp2 has already required `:scheme`, `:path` and `:authority` and refused the
 * connection-specific fields (Upgrade, Connection); what is left: the protocol must be `websocket`
 * (any case, as the Upgrade field compares it) and the version 13. There is no key: RFC 8441 section 5
 * drops Sec-WebSocket-Key and -Accept, so any the client sends is ignored.
 *
 * ```ts
 * http2HandshakeProblem({ ":protocol": "websocket", "sec-websocket-version": "13" }) // undefined
 * http2HandshakeProblem({ ":protocol": "webtransport" })                             // 405 CONNECT_NOT_ALLOWED
 * ```
 */
export function http2HandshakeProblem(headers: Http2IncomingHttpHeaders): HandshakeProblem | undefined {
  const protocol = headers[":protocol"];
  if (protocol === undefined || protocol.toLowerCase() !== "websocket") {
    return {
      code: "CONNECT_NOT_ALLOWED",
      message: `Extended CONNECT is served for the websocket protocol only, not ${JSON.stringify(String(protocol).slice(0, 32))} (RFC 8441)`,
    };
  }
  return versionProblem(headers, {});
}
