import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { offersWebSocket } from "./handshake-form.js";

/** RFC 6455 section 1.3: the GUID every Sec-WebSocket-Accept is computed with. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The Sec-WebSocket-Accept a server must answer to `key` (RFC 6455 section 4.2.2, step 5.4).
 *
 * ```ts
 * acceptFor("dGhlIHNhbXBsZSBub25jZQ==") // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 */
export function acceptFor(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/** The items of a comma-separated field (Sec-WebSocket-Protocol), trimmed, empty ones left out. */
export function listItems(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const line of typeof value === "string" ? [value] : value) {
    for (const item of line.split(",")) {
      const trimmed = item.trim();
      if (trimmed !== "") out.push(trimmed);
    }
  }
  return out;
}

/** The extension names of a Sec-WebSocket-Extensions field (each item's token before its parameters), lowercase. */
function extensionNames(value: string | readonly string[] | undefined): string[] {
  return listItems(value).map((item) => (item.split(";")[0] as string).trim().toLowerCase());
}

function quoted(value: unknown): string {
  return JSON.stringify(String(value).slice(0, 64));
}

/** What the gateway offered the backend when it made the handshake itself (an HTTP/2 client's, RFC 8441). */
export interface OwnHandshake {
  /** The Sec-WebSocket-Key the gateway sent. */
  readonly key: string;
  /** The client's Sec-WebSocket-Protocol, as forwarded. */
  readonly protocols: string | readonly string[] | undefined;
  /** The client's Sec-WebSocket-Extensions, as forwarded. */
  readonly extensions: string | readonly string[] | undefined;
}

/**
 * Why a backend's answer to a WebSocket handshake opens no WebSocket, or undefined when it does: it must
 * be a 101 switching to websocket. With `own` (a handshake the gateway made itself for an HTTP/2
 * client, which never sees the backend's 101), the gateway is the RFC 6455 client and checks what
 * section 4.1 makes a client check: the Sec-WebSocket-Accept for its key, a subprotocol the client
 * offered, and only extensions the client offered. On HTTP/1.1 the client checks those itself.
 *
 * ```ts
 * switchProblem({ statusCode: 101, headers: { upgrade: "websocket", "sec-websocket-accept": acceptFor(key) } }, { key, protocols: undefined, extensions: undefined })
 * // undefined
 * ```
 */
export function switchProblem(
  response: { readonly statusCode?: number | undefined; readonly headers: IncomingHttpHeaders },
  own?: OwnHandshake,
): string | undefined {
  const { headers } = response;
  if (response.statusCode !== 101 || !offersWebSocket(headers.upgrade)) {
    return `answered ${response.statusCode} with Upgrade: ${String(headers.upgrade)}, not a switch to websocket`;
  }
  if (own === undefined) return undefined;
  const accept = headers["sec-websocket-accept"];
  if (accept !== acceptFor(own.key)) {
    return `answered Sec-WebSocket-Accept ${quoted(accept)}, not the one for the gateway's key (RFC 6455 section 4.1)`;
  }
  const protocol = headers["sec-websocket-protocol"];
  if (protocol !== undefined && !listItems(own.protocols).includes(protocol)) {
    return `chose the subprotocol ${quoted(protocol)}, which the client did not offer (RFC 6455 section 4.1)`;
  }
  const offered = extensionNames(own.extensions);
  for (const name of extensionNames(headers["sec-websocket-extensions"])) {
    if (!offered.includes(name)) {
      return `chose the extension ${quoted(name)}, which the client did not offer (RFC 6455 section 4.1)`;
    }
  }
  return undefined;
}
