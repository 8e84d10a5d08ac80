import type { IncomingMessage } from "node:http";
import { endToEndRequestHeaders } from "../backends/hop-by-hop.js";
import { forwardedFor, GATEWAY_SET } from "../backends/http.js";

/** What this module reads of a handshake request: node:http's and node:http2's requests both have it. */
export type HandshakeSource = Pick<IncomingMessage, "rawHeaders" | "headers" | "socket">;

/**
 * The fields of the HTTP/1.1 handshake sent to the backend, as the flat list `openUpstream` takes: the
 * client's end-to-end fields (Origin, Cookie, Sec-WebSocket-Version, -Protocol, -Extensions, ...)
 * without its hop-by-hop ones and without the names in `replace`, then the backend's Host, the
 * Upgrade and Connection of RFC 6455 section 4.1, the request id and the X-Forwarded-* fields.
 * `rawHeaders` of an HTTP/2 request (the listener's Http2ServerRequest) has no pseudo-header fields
 * and a Host made from `:authority`.
 *
 * ```ts
 * handshakeHeaders(req, "4f1c…", new URL("http://10.0.0.5:9000"), true)
 * // [ "Origin", "https://app.test", ..., "Host", "10.0.0.5:9000", "Connection", "Upgrade", ... ]
 * ```
 */
export function handshakeHeaders(
  req: HandshakeSource,
  requestId: string,
  backend: URL,
  secure: boolean,
  replace: ReadonlySet<string> = GATEWAY_SET,
): string[] {
  const headers = endToEndRequestHeaders(req.rawHeaders, replace);
  headers.push(
    "Host",
    backend.host,
    "Connection",
    "Upgrade",
    "Upgrade",
    "websocket",
    "x-request-id",
    requestId,
    "x-forwarded-for",
    forwardedFor(req),
    "x-forwarded-proto",
    secure ? "https" : "http",
  );
  const host = req.headers.host;
  if (host !== undefined) headers.push("x-forwarded-host", host);
  return headers;
}
