import type { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Duplex } from "node:stream";
import type { Snapshot } from "../../config/snapshot.js";
import { ERRORS, type ErrorCode } from "../../errors.js";
import { type Logger, silentLogger } from "../../logger.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import { decideHandshake, type HandshakeAccepted } from "../../plan/websocket.js";
import { connectionTokens, dropHopByHop, HOP_BY_HOP } from "../backends/hop-by-hop.js";
import { joinPath } from "../backends/http.js";
import type { HeaderBag } from "../backends/types.js";
import type { GatewayOptions } from "../gateway.js";
import { newRequestId } from "../request-id.js";
import { protocolRefusal } from "../request-view.js";
import { errorBody } from "../respond.js";
import { switchProblem } from "./backend-switch.js";
import { awaitBackend } from "./backend-wait.js";
import { Http2WebSocketHandshakes } from "./h2-upgrade.js";
import { handshakeProblem, offersWebSocket } from "./handshake-form.js";
import { handshakeHeaders } from "./handshake-headers.js";
import { HandshakeObserver, HandshakeRecord } from "./handshake-record.js";
import { OpenWebSockets } from "./open-websockets.js";
import { respondOnSocket } from "./socket-response.js";
import { splice } from "./tunnel.js";
import { openUpstream, type UpstreamAnswer } from "./upstream.js";

/** Where the current configuration is read from: the Gateway (it swaps snapshots on reload). */
export interface SnapshotSource {
  readonly snapshot: Snapshot;
}

/** An HTTP/1.1 handshake: its record, and the connection node:http handed over. */
class Handshake extends HandshakeRecord {
  constructor(
    override readonly req: IncomingMessage,
    readonly socket: Duplex,
    requestId: string,
    snapshot: Snapshot,
  ) {
    super(req, requestId, snapshot);
  }
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
 * The WebSockets of a listener. Over HTTP/1.1 (node:http's `upgrade` event), here: each handshake is
 * checked for its form (handshake-form.ts), decided like any request and against the API's CORS policy
 * origins (src/plan/websocket.ts), then sent to the API's http backend on a connection of its own; the
 * backend's 101 is relayed and the two connections spliced (tunnel.ts), or its refusal relayed as it
 * is. Refusals are JSON errors with X-Request-Id, written on the connection, which is then closed.
 * Over HTTP/2 (RFC 8441's extended CONNECT, which the https listener hands to `http2`), the same
 * decision and backend handshake, answered on the stream (h2-upgrade.ts). Every handshake gets one
 * access log line (a tunnel's when it closes: its status, its duration, the bytes relayed) and is
 * counted like a request; the Origin check is counted as a CORS decision of kind "websocket".
 *
 * A request offering another protocol (`Upgrade: h2c`) is served as the plain request it also is
 * (RFC 9110 section 7.8 lets a server ignore Upgrade): node:http has consumed its head by then, so the
 * head is put back without Upgrade and the connection handed to the server again, as a new one.
 */
export class WebSocketUpgrades {
  readonly #source: SnapshotSource;
  readonly #logger: Logger;
  readonly #metrics: GatewayMetrics | undefined;
  readonly #observer: HandshakeObserver;
  readonly #open = new OpenWebSockets();
  readonly #http2: Http2WebSocketHandshakes;

  constructor(source: SnapshotSource, options: GatewayOptions = {}) {
    this.#source = source;
    this.#logger = options.logger ?? silentLogger;
    this.#metrics = options.metrics;
    this.#observer = new HandshakeObserver(this.#logger, options.accessLog, options.metrics);
    this.#http2 = new Http2WebSocketHandshakes(source, this.#observer, this.#open);
  }

  /** WebSocket connections open through the gateway, over either transport. */
  get open(): number {
    return this.#open.size;
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
    const hs = new Handshake(req, socket, newRequestId(), this.#source.snapshot);
    try {
      this.#decide(hs, head);
    } catch (error) {
      this.#logger.error({ err: error, requestId: hs.requestId }, "internal error");
      if (hs.answered) socket.destroy();
      else this.#refuse(hs, "INTERNAL_ERROR");
    }
  }

  /**
   * Handles one HTTP/2 extended CONNECT (RFC 8441; a request with `:protocol`), which the https listener
   * hands over; `refusal` is what the listener already refused it for (a header list over the limit, a
   * Host that contradicts `:authority`).
   */
  readonly http2 = (req: Http2ServerRequest, res: Http2ServerResponse, refusal?: ErrorCode): void => {
    this.#http2.handle(req, res, refusal);
  };

  /** Cuts every tunnel and handshake in progress (shutdown); returns how many tunnels were open. */
  closeAll(): number {
    return this.#open.closeAll();
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
    const decision = decideHandshake(hs.snapshot, {
      target: req.url ?? "/",
      headers: req.headers,
      secure: isEncrypted(hs.socket),
    });
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
    // The client's Sec-WebSocket-Key goes through: the client checks the backend's Accept itself.
    const headers = handshakeHeaders(req, requestId, url, isEncrypted(socket));
    const handshake = openUpstream(
      backend,
      joinPath(url.pathname, decision.remainder) + decision.query,
      headers,
    );
    awaitBackend(
      hs,
      socket,
      handshake,
      url.origin,
      { open: this.#open, observer: this.#observer },
      {
        answered: (answer) => this.#answered(hs, answer, clientHead, url.origin),
        refuse: (code) => this.#refuse(hs, code),
        cut: () => socket.destroy(),
      },
    );
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
        this.#observer.observe(hs, socket.destroyed && !response.complete ? 499 : status),
      );
      return;
    }
    const backendSide = answer.socket;
    if (socket.destroyed) {
      backendSide.destroy();
      hs.errorCode = "CLIENT_CLOSED_REQUEST";
      this.#observer.observe(hs, 499);
      return;
    }
    // The tunnel opens only on a real 101 to websocket (node:http's client emits `upgrade` for 101 only):
    // bytes the client sends after its handshake must never reach a backend still reading HTTP, or
    // they would be requests that skipped routing, the Origin check and auth (WebSocket smuggling).
    const problem = switchProblem(response);
    if (problem !== undefined) {
      backendSide.destroy();
      this.#observer.reportBackend(hs, upstream, "failed", problem);
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
      this.#open.closed(tunnel);
      this.#metrics?.websocketConnections.dec();
      hs.tunnel = end;
      this.#observer.observe(hs, 101);
    });
    this.#open.opened(tunnel);
  }

  #refuse(hs: Handshake, code: ErrorCode, message?: string, extra?: Readonly<Record<string, string>>): void {
    hs.errorCode = code;
    hs.answered = true;
    const headers: HeaderBag = { "content-type": JSON_CONTENT_TYPE, ...extra, "x-request-id": hs.requestId };
    const status = ERRORS[code].status;
    const body = errorBody(code, message ?? ERRORS[code].message, hs.requestId);
    void respondOnSocket(hs.req, hs.socket, status, headers, body).then(() =>
      this.#observer.observe(hs, status),
    );
  }
}

/** Whether the client's connection is TLS (the https listener's HTTP/1.1 side). */
function isEncrypted(socket: Duplex): boolean {
  return (socket as { encrypted?: boolean }).encrypted === true;
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
