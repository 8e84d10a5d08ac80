/**
 * A WebSocket client over HTTP/2 (RFC 8441) for tests: node:http2's client opens an extended CONNECT
 * stream (`:method CONNECT`, `:protocol websocket`) and, once answered 200, the stream carries
 * WebSocket frames both ways (the frame codec of ./websocket.ts).
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from "node:http2";
import { WsClient } from "./websocket.js";

/** Connects to an https gateway and resolves once the server's SETTINGS arrived (its settings are known then). */
export function openH2Session(url: string, ca: string, serverName = "api.test"): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url, { ca, servername: serverName });
    session.once("remoteSettings", () => {
      session.off("error", reject);
      // Resets and GOAWAYs of the server end streams; the session itself stays usable or closes.
      session.on("error", () => {});
      resolve(session);
    });
    session.once("error", reject);
  });
}

/** The answer to an HTTP/2 WebSocket handshake, as the client read it. */
export interface H2Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** For a refusal: the body, read until the stream closed. */
  readonly body: string;
  /** For a refusal: the stream's RST_STREAM code when it closed (0 for NO_ERROR). */
  readonly rstCode: number | undefined;
  /** For a 200: the open WebSocket. */
  readonly ws: WsClient | undefined;
  readonly stream: ClientHttp2Stream;
}

export interface H2HandshakeOptions {
  /** `:protocol`; null leaves it out (a plain CONNECT, then without `:path` and `:scheme`). */
  readonly protocol?: string | null;
  /** `:authority`; default api.test. */
  readonly authority?: string;
  /** Bytes written on the stream right after its headers, before any answer. */
  readonly early?: Buffer;
}

/**
 * Sends an extended CONNECT for `path` on `session` with `headers` (plus Sec-WebSocket-Version: 13
 * unless given; a null value leaves a field out). Resolves with the 200 and an open client, or with the
 * refusal read to the stream's close. The client never ends its side of the stream: a refusal resolves
 * only if the server closes the stream itself.
 */
export function h2Handshake(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string | string[] | null> = {},
  options: H2HandshakeOptions = {},
): Promise<H2Answer> {
  const { protocol = "websocket", authority = "api.test", early } = options;
  const fields: OutgoingHttpHeaders =
    protocol === null
      ? { ":method": "CONNECT", ":authority": authority }
      : {
          ":method": "CONNECT",
          ":protocol": protocol,
          ":scheme": "https",
          ":path": path,
          ":authority": authority,
        };
  const rest: Record<string, string | string[] | null> = { "sec-websocket-version": "13", ...headers };
  for (const [name, value] of Object.entries(rest)) if (value !== null) fields[name] = value;
  return new Promise((resolve, reject) => {
    const stream = session.request(fields, { endStream: false });
    if (early !== undefined) stream.write(early);
    let answered = false;
    let body = "";
    let status = 0;
    let got: IncomingHttpHeaders = {};
    stream.on("error", () => {});
    stream.once("response", (h) => {
      status = Number(h[":status"]);
      got = h;
      if (status === 200) {
        answered = true;
        resolve({
          status,
          headers: h,
          body: "",
          rstCode: undefined,
          ws: new WsClient(stream, Buffer.alloc(0)),
          stream,
        });
        return;
      }
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        body += chunk;
      });
    });
    stream.once("close", () => {
      if (answered) return;
      if (status === 0) {
        reject(new Error(`the stream closed before an answer (RST_STREAM ${stream.rstCode})`));
        return;
      }
      resolve({
        status,
        headers: got,
        body,
        rstCode: stream.rstCode,
        ws: undefined,
        stream,
      });
    });
  });
}
