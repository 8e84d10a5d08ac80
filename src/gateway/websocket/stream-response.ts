import type { ServerResponse } from "node:http";
import { constants, type Http2ServerResponse, type ServerHttp2Stream } from "node:http2";
import type { Readable } from "node:stream";
import type { HeaderBag } from "../backends/types.js";
import { closeAfterResponse } from "../listeners/connect.js";
import { GATEWAY_RESET } from "../listeners/messages.js";
import { writeResponse } from "../respond.js";

const { NGHTTP2_CANCEL } = constants;

/**
 * Resets a stream for the gateway (RST_STREAM CANCEL, counted as the gateway's reset): RFC 8441
 * section 5 maps a TCP reset of the tunnel's other side to CANCEL.
 */
export function cancelStream(stream: ServerHttp2Stream): void {
  if (stream.closed || stream.destroyed) return;
  (stream as unknown as Record<symbol, boolean>)[GATEWAY_RESET] = true;
  stream.close(NGHTTP2_CANCEL);
}

/**
 * Answers an HTTP/2 WebSocket handshake (an extended CONNECT stream) with an ordinary response, through
 * the listener's response class (lowercase names, no connection-specific fields, HSTS), then closes the
 * stream. Resolves with true once the response is written whole, false when the stream went first.
 */
export function respondOnStream(
  res: Http2ServerResponse,
  status: number,
  headers: HeaderBag,
  body: Buffer | string | Readable | null,
): Promise<boolean> {
  const stream = res.stream;
  return new Promise<boolean>((resolve) => {
    const dropBody = () => {
      if (body !== null && typeof body === "object" && !Buffer.isBuffer(body)) body.destroy();
    };
    if (stream.closed || stream.destroyed) {
      dropBody();
      resolve(false);
      return;
    }
    const onFinish = () => {
      stream.off("close", onClose);
      closeAfterResponse(stream);
      resolve(true);
    };
    const onClose = () => {
      stream.off("finish", onFinish);
      dropBody();
      resolve(false);
    };
    stream.once("finish", onFinish);
    stream.once("close", onClose);
    // A body that fails midway destroys the response (the listener's class counts that reset as the gateway's).
    writeResponse(res as unknown as ServerResponse, status, headers, body)?.catch(() => {});
  });
}
