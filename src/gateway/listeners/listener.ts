import type { Server } from "node:http";
import type { Http2SecureServer } from "node:http2";
import type { Snapshot } from "../../config/snapshot.js";

/** The node server under a listener: node:http's, or node:http2's secure server (HTTP/2 and HTTP/1.1). */
export type GatewayServer = Server | Http2SecureServer;

/** A gateway listener: how it follows configuration changes and how its connections are closed. */
export interface Listener {
  readonly server: GatewayServer;
  readonly scheme: "http" | "https";
  /** Follows a new snapshot (timeouts, HTTP/2 settings, HSTS, certificates); resolves once applied. */
  apply(snapshot: Snapshot): Promise<void>;
  /** During shutdown: closes idle HTTP/1.1 connections and asks HTTP/2 clients to go (GOAWAY). */
  closeIdle(): void;
  /** Cuts every connection still open. */
  closeAll(): void;
  /** Releases what the listener holds besides the server (file watches). */
  dispose(): void;
}

/** Timeouts of the HTTP/1.1 side, from the limits (read by node:http for every connection). */
export function applyHttp1Limits(
  server: {
    requestTimeout: number;
    headersTimeout: number;
    keepAliveTimeout: number;
  },
  snapshot: Snapshot,
): void {
  const l = snapshot.limits;
  server.requestTimeout = l.requestTimeoutMs;
  server.headersTimeout = l.headersTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
}
