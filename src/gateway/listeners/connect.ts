import { type IncomingMessage, ServerResponse } from "node:http";
import {
  constants,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Stream,
} from "node:http2";
import type { Duplex } from "node:stream";
import type { ErrorCode } from "../../errors.js";
import type { Gateway } from "../gateway.js";

/**
 * node:http hands CONNECT to the `connect` event with the bare socket, and closes it without a word when
 * nothing listens. Here it gets a response object and goes through the gateway like any request, which
 * answers 405 CONNECT_NOT_ALLOWED (JSON, request id, logged and counted), then the socket is closed.
 */
export function answerConnect(gateway: Gateway, req: IncomingMessage, socket: Duplex): void {
  socket.on("error", () => socket.destroy());
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Parameters<ServerResponse["assignSocket"]>[0]);
  res.on("finish", () => socket.end());
  gateway.handle(req, res);
}

/**
 * Closes a CONNECT stream whose response is complete (RFC 9113 section 8.1: RST_STREAM with NO_ERROR
 * after a complete response asks the client to stop sending). A CONNECT stream's request has no end of
 * its own: without this a refused stream would stay half-open, and its exchange unlogged, until the
 * client closed it.
 */
export function closeAfterResponse(stream: ServerHttp2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
}

/**
 * An HTTP/2 CONNECT that is no WebSocket handshake (node:http2's compatibility layer hands it to
 * `connect` with a response object): answered by the gateway like any request, 405 CONNECT_NOT_ALLOWED
 * (or `refusal`, what the listener refused it for), then the stream is closed.
 */
export function answerHttp2Connect(
  gateway: Gateway,
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  refusal: ErrorCode | undefined,
): void {
  const stream = res.stream;
  stream.once("finish", () => closeAfterResponse(stream));
  const request = req as unknown as IncomingMessage;
  const response = res as unknown as ServerResponse;
  if (refusal !== undefined) gateway.refuse(request, response, refusal);
  else gateway.handle(request, response);
}
