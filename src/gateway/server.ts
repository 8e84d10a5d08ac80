import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Snapshot } from "../config/snapshot.js";
import { certificateSource, type StoredCertificates } from "../config/tls/sources.js";
import { silentLogger } from "../logger.js";
import { Gateway, type GatewayOptions } from "./gateway.js";
import { createHttpListener } from "./listeners/http.js";
import { createHttpsListener } from "./listeners/https.js";
import type { GatewayServer, Listener } from "./listeners/listener.js";
import { createRedirectServer } from "./listeners/redirect.js";
import type { TlsCertificates } from "./tls/certificates.js";
import { WebSocketUpgrades } from "./websocket/upgrade.js";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** `https://HOST:PORT`: TLS, HTTP/2 and HTTP/1.1 on one port. */
  readonly secure?: boolean;
}

/**
 * Splits `127.0.0.1:8080`, `[::1]:8080` or `https://0.0.0.0:8443` into host, port and whether TLS
 * is asked for. `http://` is accepted and means plain HTTP.
 */
export function parseListen(value: string): ListenAddress {
  const scheme = /^([a-z]+):\/\//i.exec(value);
  if (scheme !== null && !["http", "https"].includes((scheme[1] as string).toLowerCase())) {
    throw new Error(`listen address ${JSON.stringify(value)}: the scheme is http:// or https://`);
  }
  const secure = scheme !== null && (scheme[1] as string).toLowerCase() === "https";
  const rest = scheme === null ? value : value.slice(scheme[0].length);
  const colon = rest.lastIndexOf(":");
  if (colon < 0) throw new Error(`listen address ${JSON.stringify(value)} is not host:port`);
  const host = rest.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(rest.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535 || rest.slice(colon + 1) === "")
    throw new Error(`listen address ${value}: bad port`);
  return secure ? { host, port, secure } : { host, port };
}

export interface StartGatewayOptions extends GatewayOptions {
  /** Store mode: where `stored` certificates are read from. Files are read relative to `baseDir`. */
  readonly storedCertificates?: StoredCertificates;
  /** TLS session ticket keys (48 bytes), the same in every worker so sessions resume on any. */
  readonly ticketKeys?: Buffer;
  /** `listen.redirect`: a plain-HTTP listener answering 308 to the https listener. */
  readonly redirect?: ListenAddress;
}

export interface RunningGateway {
  readonly gateway: Gateway;
  /** node:http's server, or node:http2's secure server for an https listener. */
  readonly server: GatewayServer;
  /** The listener's WebSocket upgrades (open tunnels). */
  readonly websockets: WebSocketUpgrades;
  readonly address: AddressInfo;
  /** `http://host:port` or `https://host:port` of the listener. */
  readonly url: string;
  /** The certificates of an https listener. */
  readonly certificates?: TlsCertificates;
  /** The listen.redirect listener, when there is one: `http://host:port`. */
  readonly redirectUrl?: string;
  /**
   * Swaps in a new snapshot; timeouts, HTTP/2 settings, HSTS and certificates follow it (the
   * certificates asynchronously), maxHeaderBytes keeps its start value.
   */
  swap(snapshot: Snapshot): void;
  /**
   * Stops accepting, lets requests in flight finish for at most `drainMs` (default: the
   * snapshot's shutdownTimeoutMs), then cuts the remaining connections.
   */
  close(drainMs?: number): Promise<{ readonly unfinished: number }>;
}

function listen(server: GatewayServer | Server, address: ListenAddress): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(scheme: string, address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

/**
 * Starts a gateway: node:http for `host:port`, or, for `https://host:port` (`listen.secure`), TLS
 * with the snapshot's certificates, HTTP/2 and HTTP/1.1. Port 0 picks a free port.
 */
export async function startGateway(
  snapshot: Snapshot,
  address: ListenAddress,
  options: StartGatewayOptions = {},
): Promise<RunningGateway> {
  const gateway = new Gateway(snapshot, options);
  const websockets = new WebSocketUpgrades(gateway, options);
  let listener: Listener;
  try {
    listener = address.secure
      ? await createHttpsListener(gateway, snapshot, {
          source: certificateSource(options.baseDir ?? process.cwd(), options.storedCertificates),
          logger: options.logger ?? silentLogger,
          metrics: options.metrics,
          ticketKeys: options.ticketKeys,
          // WebSocket handshakes over HTTP/2 (RFC 8441's extended CONNECT).
          extendedConnect: websockets.http2,
        })
      : createHttpListener(gateway, snapshot);
  } catch (error) {
    await gateway.close();
    throw error;
  }
  const server = listener.server;
  // WebSocket handshakes over HTTP/1.1: node:http hands them to `upgrade`; the TLS server attaches
  // HTTP/1.1 on `secureConnection`, which is how a non-WebSocket upgrade is served as a plain request.
  server.on(
    "upgrade",
    websockets.listener(server, listener.scheme === "https" ? "secureConnection" : "connection"),
  );
  let bound: AddressInfo;
  try {
    bound = await listen(server, address);
  } catch (error) {
    listener.dispose();
    await gateway.close();
    throw error;
  }
  let redirect: Server | undefined;
  let redirectUrl: string | undefined;
  if (options.redirect !== undefined) {
    redirect = createRedirectServer(() => bound.port);
    try {
      redirectUrl = urlOf("http", await listen(redirect, options.redirect));
    } catch (error) {
      listener.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      throw error;
    }
  }
  let closing: Promise<{ unfinished: number }> | undefined;
  const https = listener.scheme === "https" ? (listener as { certificates?: TlsCertificates }) : undefined;
  return {
    gateway,
    websockets,
    server,
    address: bound,
    url: urlOf(listener.scheme, bound),
    ...(https?.certificates !== undefined ? { certificates: https.certificates } : {}),
    ...(redirectUrl !== undefined ? { redirectUrl } : {}),
    swap(next) {
      gateway.swap(next);
      listener.apply(next).catch((error: unknown) => {
        options.logger?.error({ err: error }, "the listener could not follow the new configuration");
      });
    },
    close(drainMs = gateway.snapshot.limits.shutdownTimeoutMs) {
      closing ??= (async () => {
        gateway.drain();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const redirectClosed =
          redirect === undefined
            ? Promise.resolve()
            : new Promise<void>((resolve) => (redirect as Server).close(() => resolve()));
        redirect?.closeAllConnections();
        const deadline = Date.now() + drainMs;
        while (gateway.inFlight > 0 && Date.now() < deadline) {
          listener.closeIdle();
          await sleep(20);
        }
        const unfinished = gateway.inFlight;
        listener.closeAll();
        // Upgraded connections are no longer node:http's: WebSockets are cut here, not drained.
        websockets.closeAll();
        listener.dispose();
        await closed;
        await redirectClosed;
        await gateway.close();
        return { unfinished };
      })();
      return closing;
    },
  };
}
