import type { IncomingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import type { Snapshot } from "../../config/snapshot.js";
import type { ErrorCode } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { AccessLog } from "../../observability/access-log.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import type { WebSocketOriginVerdict } from "../../plan/websocket-origin.js";
import { logValue, MAX_LOGGED_VALUE } from "../log-value.js";
import type { TunnelEnd } from "./tunnel.js";

/**
 * What the access log reads of a handshake's request: node:http's IncomingMessage (HTTP/1.1, `GET`)
 * and node:http2's Http2ServerRequest (RFC 8441, `CONNECT`, version `2.0`, `url` from `:path`, Host
 * from `:authority`) both have it.
 */
export interface HandshakeRequestLine {
  readonly method?: string | undefined;
  readonly httpVersion: string;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/** The state of one handshake, whatever its transport, for its access log line and its metrics. */
export class HandshakeRecord {
  api = "";
  origin: WebSocketOriginVerdict | undefined = undefined;
  errorCode: ErrorCode | undefined = undefined;
  upstreamMs: number | undefined = undefined;
  tunnel: TunnelEnd | undefined = undefined;
  /** Something was written to the client: a late failure can only cut the connection (or stream). */
  answered = false;
  readonly start = performance.now();

  constructor(
    readonly req: HandshakeRequestLine,
    readonly requestId: string,
    readonly snapshot: Snapshot,
  ) {}
}

/** Where handshakes are logged and counted: the listener's logger, access log and metrics. */
export class HandshakeObserver {
  constructor(
    readonly logger: Logger,
    readonly accessLog: AccessLog | undefined,
    readonly metrics: GatewayMetrics | undefined,
  ) {}

  /** An error log line for a backend that did not complete the handshake. */
  reportBackend(hs: HandshakeRecord, upstream: string, outcome: string, detail: string): void {
    this.logger.error(
      { requestId: hs.requestId, backend: "http", upstream, outcome, detail, websocket: true },
      `request ${hs.requestId}: http backend ${upstream}: WebSocket handshake ${outcome} (${detail})`,
    );
  }

  /**
   * Metrics and the access log line, once the exchange is over (for a tunnel: when it closed).
   * `status` is what the client was answered: 101 (HTTP/1.1) or 200 (HTTP/2) for a tunnel.
   */
  observe(hs: HandshakeRecord, status: number): void {
    const m = this.metrics;
    if (m !== undefined) {
      m.countRequest(hs.api, status);
      if (hs.errorCode !== undefined) m.countGatewayError(hs.errorCode);
    }
    const log = this.accessLog;
    if (log === undefined) return;
    const { req, origin, tunnel } = hs;
    log.write({
      requestId: hs.requestId,
      method: req.method,
      protocol: req.httpVersion,
      host: logValue(req.headers.host),
      path: logValue(req.url, 4 * MAX_LOGGED_VALUE),
      origin: logValue(req.headers.origin),
      api: hs.api,
      status,
      cors:
        origin === undefined
          ? undefined
          : { verdict: origin.outcome, reason: origin.reason, preflight: false },
      websocket:
        tunnel === undefined
          ? { tunnel: false }
          : {
              tunnel: true,
              closedBy: tunnel.closedBy,
              bytesFromClient: tunnel.bytesFromClient,
              bytesFromBackend: tunnel.bytesFromBackend,
            },
      durationMs: performance.now() - hs.start,
      upstreamMs: hs.upstreamMs,
    });
  }
}
