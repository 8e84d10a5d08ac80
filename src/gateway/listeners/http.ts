import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Snapshot } from "../../config/snapshot.js";
import type { Gateway } from "../gateway.js";
import { answerConnect } from "./connect.js";
import { applyHttp1Limits, type Listener } from "./listener.js";

/** A plain HTTP/1.1 listener (node:http). */
export function createHttpListener(gateway: Gateway, snapshot: Snapshot): Listener {
  const l = snapshot.limits;
  const server = createServer(
    {
      maxHeaderSize: l.maxHeaderBytes,
      requestTimeout: l.requestTimeoutMs,
      headersTimeout: l.headersTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      // Slow clients are bounded by headersTimeout and requestTimeout; check them every second.
      connectionsCheckingInterval: 1000,
    },
    gateway.handle,
  );
  server.on("connect", (req: IncomingMessage, socket: Duplex) => answerConnect(gateway, req, socket));
  return {
    server,
    scheme: "http",
    async apply(next) {
      applyHttp1Limits(server, next);
    },
    closeIdle: () => server.closeIdleConnections(),
    closeAll: () => server.closeAllConnections(),
    dispose: () => {},
  };
}
