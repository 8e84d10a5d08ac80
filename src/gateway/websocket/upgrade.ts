import type { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { Snapshot } from "../../config/snapshot.js";
import { ERRORS, type ErrorCode } from "../../errors.js";
import { type Logger, silentLogger } from "../../logger.js";
import type { AccessLog } from "../../observability/access-log.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import { decideHandshake, type HandshakeAccepted } from "../../plan/websocket.js";
import type { WebSocketOriginVerdict } from "../../plan/websocket-origin.js";
import {
  connectionTokens,
  dropHopByHop,
  endToEndRequestHeaders,
  HOP_BY_HOP,
} from "../backends/hop-by-hop.js";
import { forwardedFor, GATEWAY_SET, joinPath } from "../backends/http.js";
import type { HeaderBag } from "../backends/types.js";
import type { GatewayOptions } from "../gateway.js";
import { logValue, MAX_LOGGED_VALUE } from "../log-value.js";
import { newRequestId } from "../request-id.js";
import { protocolRefusal } from "../request-view.js";
import { errorBody } from "../respond.js";
import { handshakeProblem, offersWebSocket } from "./handshake-form.js";
import { respondOnSocket } from "./socket-response.js";
import { splice, type Tunnel, type TunnelEnd } from "./tunnel.js";
import { openUpstream, type UpstreamAnswer, UpstreamFailure, type UpstreamHandshake } from "./upstream.js";

/** Where the current configuration is read from: the Gateway (it swaps snapshots on reload). */
export interface SnapshotSource {
  readonly snapshot: Snapshot;
}

/** The state of one handshake, for the access log line and the metrics. */
class Handshake {
  api = "";
  origin: WebSocketOriginVerdict | undefined = undefined;
  errorCode: ErrorCode | undefined = undefined;
  upstreamMs: number | undefined = undefined;
  tunnel: TunnelEnd | undefined = undefined;
  /** Something was written to the client: a late failure can only cut the connection. */
  answered = false;

  constructor(
    readonly req: IncomingMessage,
    readonly socket: Duplex,
    readonly requestId: string,
    readonly start: number,
    readonly snapshot: Snapshot,
  ) {}
}

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";
const noop = () => {};

/**
 * The head of the 101 relayed to the client: the backend's fields (Sec-WebSocket-Accept, -Protocol,
 * -Extensions, Set-Cookie, ...) without its hop-by-hop ones, Upgrade and Connection set again, and
 * the gateway's request id. Values are written as node:http read them (latin1, byte for byte).
 */
function switchingProtocolsHead(response: IncomingMessage, requestId: string): string {
  const named = connectionTokens(response.headers.connection);
  let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  const raw = response.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || lower === "x-request-id") continue;
    head += `${name}: ${raw[i + 1] as string}\r\n`;
  }
  return `${head}x-request-id: ${requestId}\r\n\r\n`;
}

/**
 * WebSocket upgrades on an HTTP/1.1 listener (node:http's `upgrade` event): each handshake is checked
 * for its form (handshake-form.ts), decided like any request and against the API's CORS policy origins
 * (decide-handshake.ts), then sent to the API's http backend on a connection of its own; the backend's
 * 101 is relayed and the two connections spliced (tunnel.ts), or its refusal relayed as it is. Refusals
 * are JSON errors with X-Request-Id, written on the connection, which is then closed. Every handshake
 * gets one access log line (a tunnel's when it closes: status 101, its duration, the bytes relayed)
 * and is counted like a request; the Origin check is counted as a CORS decision of kind "websocket".
 *
 * A request offering another protocol (`Upgrade: h2c`) is served as the plain request it also is
 * (RFC 9110 section 7.8 lets a server ignore Upgrade): node:http has consumed its head by then, so the
 * head is put back without Upgrade and the connection handed to the server again, as a new one.
 */
export class WebSocketUpgrades {
  readonly #source: SnapshotSource;
  readonly #logger: Logger;
  readonly #accessLog: AccessLog | undefined;
  readonly #metrics: GatewayMetrics | undefined;
  readonly #tunnels = new Set<Tunnel>();
  /** Handshakes waiting for their backend, by client connection (destroyed at shutdown). */
  readonly #pending = new Map<Duplex, UpstreamHandshake>();

  constructor(source: SnapshotSource, options: GatewayOptions = {}) {
    this.#source = source;
    this.#logger = options.logger ?? silentLogger;
    this.#accessLog = options.accessLog;
    this.#metrics = options.metrics;
  }

  /** WebSocket connections open through the gateway. */
  get open(): number {
    return this.#tunnels.size;
  }

  /**
   * The `upgrade` listener for `server`. `plainEvent` is the event by which that server attaches
   * HTTP/1.1 to a connection, used to serve non-WebSocket upgrades as plain requests: `connection`
   * for node:http, `secureConnection` for a TLS server (https, or http2 with allowHTTP1).
   */
  listener(
    server: EventEmitter,
    plainEvent = "connection",
  ): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
    return (req, socket, head) =>
      this.handle(req, socket, head, (rest) => {
        socket.unshift(rest);
        server.emit(plainEvent, socket);
      });
  }

  /**
   * Handles one upgrade request. `servePlain` gets the request's bytes back (its head without
   * Upgrade, then `head`) when the request offers no WebSocket.
   */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, servePlain: (bytes: Buffer) => void): void {
    if (!offersWebSocket(req.headers.upgrade)) {
      servePlain(Buffer.concat([plainRequestHead(req), head]));
      return;
    }
    // Failures of the client connection are seen through its `close`; without a listener they would throw.
    socket.on("error", noop);
    const hs = new Handshake(req, socket, newRequestId(), performance.now(), this.#source.snapshot);
    try {
      this.#decide(hs, head);
    } catch (error) {
      this.#logger.error({ err: error, requestId: hs.requestId }, "internal error");
      if (hs.answered) socket.destroy();
      else this.#refuse(hs, "INTERNAL_ERROR");
    }
  }

  /** Cuts every tunnel and handshake in progress (shutdown); returns how many tunnels were open. */
  closeAll(): number {
    const open = this.#tunnels.size;
    for (const tunnel of this.#tunnels) tunnel.cut();
    for (const client of this.#pending.keys()) client.destroy();
    return open;
  }

  #decide(hs: Handshake, head: Buffer): void {
    const { req } = hs;
    // Step 0 (SPEC section 3), then the handshake's own form (RFC 6455 section 4.2.1).
    const protocol = protocolRefusal(req);
    if (protocol !== undefined) {
      this.#refuse(hs, protocol);
      return;
    }
    const form = handshakeProblem(req.method, req.httpVersion, req.headers);
    if (form !== undefined) {
      this.#refuse(hs, form.code, form.message, form.headers);
      return;
    }
    const decision = decideHandshake(hs.snapshot, { target: req.url ?? "/", headers: req.headers });
    if (decision.api !== undefined) hs.api = decision.api.name;
    if (decision.origin !== undefined) {
      hs.origin = decision.origin;
      this.#metrics?.countWebSocketDecision(decision.origin.outcome, decision.origin.reason);
    }
    if (!decision.ok) {
      this.#refuse(hs, decision.code, decision.message, decision.headers);
      return;
    }
    this.#proxy(hs, decision, head);
  }

  #proxy(hs: Handshake, decision: HandshakeAccepted, clientHead: Buffer): void {
    const { req, socket, requestId } = hs;
    const backend = decision.api.backend;
    if (backend.type !== "http") {
      // Configuration validation refuses websocket: true on other backends (validate-websocket.ts).
      throw new Error(`API ${decision.api.name}: a ${backend.type} backend cannot take a WebSocket`);
    }
    const url = new URL(backend.url);
    const headers = endToEndRequestHeaders(req.rawHeaders, GATEWAY_SET);
    headers.push(
      "Host",
      url.host,
      "Connection",
      "Upgrade",
      "Upgrade",
      "websocket",
      "x-request-id",
      requestId,
      "x-forwarded-for",
      forwardedFor(req),
      "x-forwarded-proto",
      (socket as { encrypted?: boolean }).encrypted === true ? "https" : "http",
    );
    if (req.headers.host !== undefined) headers.push("x-forwarded-host", req.headers.host);
    const upstreamStart = performance.now();
    const handshake = openUpstream(
      backend,
      joinPath(url.pathname, decision.remainder) + decision.query,
      headers,
    );
    this.#pending.set(socket, handshake);
    const onClientClose = () => handshake.abort();
    socket.once("close", onClientClose);
    const settled = () => {
      this.#pending.delete(socket);
      socket.off("close", onClientClose);
      hs.upstreamMs = performance.now() - upstreamStart;
      if (this.#metrics !== undefined) this.#metrics.observeBackend(hs.api, hs.upstreamMs / 1000);
    };
    handshake.answer
      .then(
        (answer) => {
          settled();
          this.#answered(hs, answer, clientHead, url.origin);
        },
        (error: unknown) => {
          settled();
          if (!(error instanceof UpstreamFailure)) throw error;
          const code = error.gatewayError.code;
          if (code === "CLIENT_CLOSED_REQUEST") {
            hs.errorCode = code;
            this.#observe(hs, ERRORS[code].status);
            return;
          }
          this.#reportBackend(hs, url.origin, error.outcome, error.detail);
          this.#refuse(hs, code);
        },
      )
      .catch((error: unknown) => {
        this.#logger.error({ err: error, requestId }, "internal error");
        if (hs.answered) socket.destroy();
        else this.#refuse(hs, "INTERNAL_ERROR");
      });
  }

  #answered(hs: Handshake, answer: UpstreamAnswer, clientHead: Buffer, upstream: string): void {
    const { req, socket, requestId } = hs;
    const { response } = answer;
    if (answer.kind === "answered") {
      // The backend refused the handshake (or answered it as a plain request): relayed as it is.
      const headers = dropHopByHop({ ...response.headers } as HeaderBag);
      headers["x-request-id"] = requestId;
      const status = response.statusCode ?? 502;
      hs.answered = true;
      void respondOnSocket(req, socket, status, headers, response).then(() =>
        this.#observe(hs, socket.destroyed && !response.complete ? 499 : status),
      );
      return;
    }
    const backendSide = answer.socket;
    if (socket.destroyed) {
      backendSide.destroy();
      hs.errorCode = "CLIENT_CLOSED_REQUEST";
      this.#observe(hs, 499);
      return;
    }
    // The tunnel opens only on a real 101 to websocket (node:http's client emits `upgrade` for 101 only):
    // bytes the client sends after its handshake must never reach a backend still reading HTTP, or
    // they would be requests that skipped routing, the Origin check and auth (WebSocket smuggling).
    if (response.statusCode !== 101 || !offersWebSocket(response.headers.upgrade)) {
      backendSide.destroy();
      this.#reportBackend(
        hs,
        upstream,
        "failed",
        `answered ${response.statusCode} with Upgrade: ${String(response.headers.upgrade)}, not a switch to websocket`,
      );
      this.#refuse(hs, "BACKEND_ERROR");
      return;
    }
    backendSide.on("error", noop);
    hs.answered = true;
    socket.write(switchingProtocolsHead(response, requestId), "latin1");
    if (answer.head.length > 0) socket.write(answer.head);
    if (clientHead.length > 0) backendSide.write(clientHead);
    this.#metrics?.websocketConnections.inc();
    const tunnel = splice(socket, backendSide, (end) => {
      this.#tunnels.delete(tunnel);
      this.#metrics?.websocketConnections.dec();
      hs.tunnel = end;
      this.#observe(hs, 101);
    });
    this.#tunnels.add(tunnel);
  }

  #refuse(hs: Handshake, code: ErrorCode, message?: string, extra?: Readonly<Record<string, string>>): void {
    hs.errorCode = code;
    hs.answered = true;
    const headers: HeaderBag = { "content-type": JSON_CONTENT_TYPE, ...extra, "x-request-id": hs.requestId };
    const status = ERRORS[code].status;
    const body = errorBody(code, message ?? ERRORS[code].message, hs.requestId);
    void respondOnSocket(hs.req, hs.socket, status, headers, body).then(() => this.#observe(hs, status));
  }

  #reportBackend(hs: Handshake, upstream: string, outcome: string, detail: string): void {
    this.#logger.error(
      { requestId: hs.requestId, backend: "http", upstream, outcome, detail, websocket: true },
      `request ${hs.requestId}: http backend ${upstream}: WebSocket handshake ${outcome} (${detail})`,
    );
  }

  /** Metrics and the access log line, once the exchange is over (for a tunnel: when it closed). */
  #observe(hs: Handshake, status: number): void {
    const m = this.#metrics;
    if (m !== undefined) {
      m.countRequest(hs.api, status);
      if (hs.errorCode !== undefined) m.countGatewayError(hs.errorCode);
    }
    const log = this.#accessLog;
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

/**
 * The request head as it was sent, without the Upgrade field and Connection's `upgrade` token, so that
 * the server reads it as a plain request. Names and values are node:http's own reading of them.
 */
function plainRequestHead(req: IncomingMessage): Buffer {
  let head = `${req.method ?? "GET"} ${req.url ?? "/"} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (lower === "upgrade") continue;
    let value = raw[i + 1] as string;
    if (lower === "connection") {
      value = value
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token !== "" && token.toLowerCase() !== "upgrade")
        .join(", ");
      if (value === "") continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, "latin1");
}
