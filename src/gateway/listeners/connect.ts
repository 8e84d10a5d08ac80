import { type IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
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
