import { type IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import type { HeaderBag } from "../backends/types.js";
import { writeResponse } from "../respond.js";
import { CLOSE_GRACE_MS } from "./tunnel.js";

/**
 * Answers a handshake with an ordinary HTTP response on the connection node:http handed over after
 * `upgrade` (it has no response object of its own): node:http's serializer writes it, with
 * `Connection: close`, then the connection is ended. Returns when the response is written or the
 * connection is gone.
 */
export function respondOnSocket(
  req: IncomingMessage,
  socket: Duplex,
  status: number,
  headers: HeaderBag,
  body: Buffer | string | Readable | null,
): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.destroyed) {
      if (body !== null && typeof body === "object" && !Buffer.isBuffer(body)) body.destroy();
      resolve();
      return;
    }
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    const done = () => {
      res.detachSocket(socket as Socket);
      // The client may still be sending (frames it wrote early): stop reading, end, then destroy.
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      socket.once("close", () => clearTimeout(timer));
      socket.end(() => socket.destroy());
      resolve();
    };
    res.once("finish", done);
    res.once("close", () => {
      if (!res.writableFinished) {
        socket.destroy();
        resolve();
      }
    });
    writeResponse(res, status, headers, body)?.catch(() => socket.destroy());
  });
}
