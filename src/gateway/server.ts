import { createServer, type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Snapshot } from "../config/snapshot.js";
import { Gateway, type GatewayOptions } from "./gateway.js";
import { WebSocketUpgrades } from "./websocket/upgrade.js";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Splits `127.0.0.1:8080` or `[::1]:8080` into host and port. */
export function parseListen(value: string): ListenAddress {
  const colon = value.lastIndexOf(":");
  if (colon < 0) throw new Error(`listen address ${JSON.stringify(value)} is not host:port`);
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`listen address ${value}: bad port`);
  return { host, port };
}

export interface RunningGateway {
  readonly gateway: Gateway;
  /** The listener's WebSocket upgrades (open tunnels). */
  readonly websockets: WebSocketUpgrades;
  readonly server: Server;
  readonly address: AddressInfo;
  /** `http://host:port` of the listener. */
  readonly url: string;
  /** Swaps in a new snapshot; timeouts follow it, maxHeaderBytes keeps its start value. */
  swap(snapshot: Snapshot): void;
  /**
   * Stops accepting, lets requests in flight finish for at most `drainMs` (default: the
   * snapshot's shutdownTimeoutMs), then cuts the remaining connections.
   */
  close(drainMs?: number): Promise<{ readonly unfinished: number }>;
}

function applyTimeouts(server: Server, snapshot: Snapshot): void {
  const l = snapshot.limits;
  server.requestTimeout = l.requestTimeoutMs;
  server.headersTimeout = l.headersTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
}

/**
 * node:http hands CONNECT to the `connect` event with the bare socket, and closes it without a word when
 * nothing listens. Here it gets a response object and goes through the gateway like any request, which
 * answers 405 CONNECT_NOT_ALLOWED (JSON, request id, logged and counted), then the socket is closed.
 */
function answerConnect(gateway: Gateway, req: IncomingMessage, socket: Duplex): void {
  socket.on("error", () => socket.destroy());
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Parameters<ServerResponse["assignSocket"]>[0]);
  res.on("finish", () => socket.end());
  gateway.handle(req, res);
}

/** Starts a gateway on a node:http server; port 0 picks a free port. */
export async function startGateway(
  snapshot: Snapshot,
  listen: ListenAddress,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const gateway = new Gateway(snapshot, options);
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
  const websockets = new WebSocketUpgrades(gateway, options);
  server.on("upgrade", websockets.listener(server));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<{ unfinished: number }> | undefined;
  return {
    gateway,
    websockets,
    server,
    address,
    url: `http://${host}:${address.port}`,
    swap(next) {
      gateway.swap(next);
      applyTimeouts(server, next);
    },
    close(drainMs = gateway.snapshot.limits.shutdownTimeoutMs) {
      closing ??= (async () => {
        gateway.drain();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const deadline = Date.now() + drainMs;
        while (gateway.inFlight > 0 && Date.now() < deadline) {
          server.closeIdleConnections();
          await sleep(20);
        }
        const unfinished = gateway.inFlight;
        server.closeAllConnections();
        // Upgraded connections are no longer node:http's: WebSockets are cut here, not drained.
        websockets.closeAll();
        await closed;
        await gateway.close();
        return { unfinished };
      })();
      return closing;
    },
  };
}
