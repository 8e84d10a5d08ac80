import type { IncomingMessage, ServerResponse } from "node:http";
import {
  constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from "node:http2";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { Snapshot } from "../../config/snapshot.js";
import type { CertificateSource } from "../../config/tls/sources.js";
import type { ErrorCode } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import type { Gateway } from "../gateway.js";
import { TlsCertificates } from "../tls/certificates.js";
import { answerConnect, answerHttp2Connect } from "./connect.js";
import { plannedFor, serveOptionsDirectly } from "./direct-h2.js";
import { HstsTable } from "./hsts.js";
import { applyHttp1Limits, type Listener } from "./listener.js";
import {
  GATEWAY_RESET,
  type GatewayHttp2Request,
  type ListenerState,
  tlsMessageClasses,
} from "./messages.js";

const { NGHTTP2_NO_ERROR, NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM } = constants;

/**
 * Rapid-reset protection (CVE-2023-44487): a client that resets more than this many streams of
 * one connection within RESET_WINDOW_MS gets GOAWAY (ENHANCE_YOUR_CALM) and loses the connection.
 * Each reset stream may have started a backend call, so this bounds the work one connection can
 * cause and abandon. nghttp2's own limit (a burst of 1000, then 33 per second) comes later.
 * Browsers reset streams they no longer need (a navigation, an aborted fetch), never hundreds.
 */
export const RAPID_RESET_LIMIT = 200;
export const RESET_WINDOW_MS = 10_000;
/** How long a connection told to go away for abuse may still flush before it is cut. */
const GOAWAY_GRACE_MS = 1_000;

/** What a listener counts per HTTP/2 connection, kept on the session and its streams under SESSION. */
interface SessionState {
  readonly session: ServerHttp2Session;
  /** Streams open now (an idle connection has none). */
  open: number;
  /** Streams the client reset since windowStart. */
  resets: number;
  windowStart: number;
}
const SESSION = Symbol("crossgate.session");

/** HTTP/2 error codes by number (RFC 9113 section 7), for metric labels. */
const CODE_NAMES = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED",
];

function codeName(code: number): string {
  return CODE_NAMES[code] ?? "UNKNOWN";
}

export interface HttpsListenerOptions {
  readonly source: CertificateSource;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics | undefined;
  /** TLS session ticket keys (48 bytes), shared by the workers of one gateway so sessions resume on any. */
  readonly ticketKeys?: Buffer | undefined;
  /**
   * false: every HTTP/2 request goes through node:http2's compatibility layer, OPTIONS requests too
   * (./direct-h2.ts); the oracle of the direct path's differential test. Default true.
   */
  readonly directOptions?: boolean | undefined;
  /**
   * Where HTTP/2 extended CONNECT streams go (RFC 8441, a `:protocol`: WebSocket handshakes), with what
   * the listener refused them for, if anything. Given, the listener advertises
   * SETTINGS_ENABLE_CONNECT_PROTOCOL; without it, extended CONNECT is refused like plain CONNECT.
   */
  readonly extendedConnect?:
    | ((req: Http2ServerRequest, res: Http2ServerResponse, refusal?: ErrorCode) => void)
    | undefined;
}

export interface HttpsListener extends Listener {
  readonly server: Http2SecureServer;
  readonly certificates: TlsCertificates;
  /** HTTP/2 streams answered without node:http2's compatibility layer (./direct-h2.ts), for tests and diagnosis. */
  readonly directAnswers: number;
}

/** The HTTP/1.1 settings node:http reads from the server object, which node:http2 also serves from. */
interface Http1Side {
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  maxHeaderSize: number;
  connectionsCheckingInterval: number;
}

/**
 * An https listener: TLS with certificates chosen by SNI (rotated without a restart), HTTP/2 by
 * ALPN and HTTP/1.1 on the same port (node:http2's secure server with allowHTTP1), TLS 1.2 at
 * least. HTTP/2 is held to the gateway's limits: concurrent streams per connection, the header
 * list size (431), the request body time (the stream is reset), an idle timeout, and rapid
 * resets. Rejects (with every reason) when a certificate cannot be served.
 */
export async function createHttpsListener(
  gateway: Gateway,
  snapshot: Snapshot,
  options: HttpsListenerOptions,
): Promise<HttpsListener> {
  const { logger, metrics } = options;
  let limits = snapshot.limits;
  const state: ListenerState = { hsts: new HstsTable(snapshot.config.groups ?? []) };
  let server: Http2SecureServer | undefined;
  let defaultPem: { readonly cert: string; readonly key: string } | undefined;
  const certificates: TlsCertificates = new TlsCertificates({
    source: options.source,
    logger,
    ticketKeys: options.ticketKeys,
    onChange: (served) => {
      if (metrics !== undefined) {
        metrics.certificateExpiry.reset();
        for (const s of served)
          metrics.certificateExpiry.set({ certificate: s.name }, Date.parse(s.info.notAfter) / 1000);
      }
      // Clients that send no server name get the listener's own context: the default's.
      const pem = certificates.defaultPem;
      if (server !== undefined && pem !== defaultPem) {
        defaultPem = pem;
        server.setSecureContext(contextOptions(pem));
      }
    },
  });
  const contextOptions = (pem: { cert: string; key: string } | undefined) => ({
    ...(pem === undefined ? {} : { cert: pem.cert, key: pem.key }),
    minVersion: certificates.minVersion,
    ticketKeys: certificates.ticketKeys,
  });

  const report = await certificates.load(snapshot.config.tls);
  if (report.failures.length > 0 || certificates.served().length === 0) {
    certificates.close();
    const reasons = report.failures.map((f) => `${f.where}.${f.field}: ${f.reason}`);
    throw new Error(
      `the https listener has no certificate to serve${reasons.length > 0 ? `: ${reasons.join("; ")}` : ": add tls.certificates"}`,
    );
  }
  defaultPem = certificates.defaultPem;

  /** What an HTTP/2 request is refused for before the gateway plans it, if anything. */
  const http2Refusal = (h2: GatewayHttp2Request): ErrorCode | undefined => {
    // nghttp2 enforces the announced maxHeaderListSize only once the client has acknowledged the
    // SETTINGS: a request sent with the connection preface (a browser's first) is checked here.
    if (h2.headerListSize > limits.maxHeaderBytes) return "HEADERS_TOO_LARGE";
    if (h2.authorityConflict) return "AUTHORITY_MISMATCH";
    return undefined;
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!overHttp2(req)) {
      gateway.handle(req, res);
      return;
    }
    const h2 = req as unknown as GatewayHttp2Request;
    const refusal = http2Refusal(h2);
    if (refusal !== undefined) {
      gateway.refuse(req, res, refusal);
      return;
    }
    if (!h2.stream.endAfterHeaders) limitUpload(h2, h2.stream, limits.requestTimeoutMs);
    gateway.handle(req, res, plannedFor(h2.stream));
  };
  /**
   * CONNECT: node:http hands an HTTP/1.1 one over with its socket, node:http2's compatibility layer an
   * HTTP/2 one with a response (never to `request`). An extended CONNECT (RFC 8441) is a WebSocket
   * handshake; any other is answered 405.
   */
  const onConnect = (req: IncomingMessage, out: Duplex | Http2ServerResponse): void => {
    if (!overHttp2(req)) {
      answerConnect(gateway, req, out as Duplex);
      return;
    }
    const h2 = req as unknown as GatewayHttp2Request;
    const res = out as Http2ServerResponse;
    const refusal = http2Refusal(h2);
    if (h2.headers[":protocol"] !== undefined && options.extendedConnect !== undefined) {
      options.extendedConnect(h2, res, refusal);
      return;
    }
    answerHttp2Connect(gateway, h2, res, refusal);
  };

  server = createSecureServer(
    {
      allowHTTP1: true,
      ...contextOptions(defaultPem),
      SNICallback: (serverName, callback) => {
        const context = certificates.contextFor(serverName);
        if (context !== undefined) {
          callback(null, context);
          return;
        }
        callback(
          Object.assign(new Error(`no certificate answers the server name ${JSON.stringify(serverName)}`), {
            code: "unknown_server_name",
          }),
          undefined,
        );
      },
      handshakeTimeout: limits.headersTimeoutMs,
      maxHeaderListPairs: 256,
      settings: {
        maxConcurrentStreams: limits.maxConcurrentStreams,
        maxHeaderListSize: limits.maxHeaderBytes,
        enablePush: false,
        enableConnectProtocol: options.extendedConnect !== undefined,
      },
      ...tlsMessageClasses(state),
    },
    onRequest as unknown as Parameters<typeof createSecureServer>[1],
  );
  const direct =
    options.directOptions === false
      ? undefined
      : serveOptionsDirectly(server, {
          gateway,
          state,
          maxHeaderBytes: () => limits.maxHeaderBytes,
        });
  const http1 = server as unknown as Http1Side;
  http1.maxHeaderSize = limits.maxHeaderBytes;
  http1.connectionsCheckingInterval = 1000;
  applyHttp1Limits(http1, snapshot);

  server.on("connect", onConnect);
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<TLSSocket>();
  server.on("secureConnection", (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    if (socket.alpnProtocol !== "h2") metrics?.tlsConnections.inc({ protocol: "http/1.1" });
  });
  server.on("tlsClientError", (error: Error & { code?: string }) => {
    metrics?.tlsHandshakeFailures.inc({ reason: error.code ?? "other" });
  });
  server.on("sessionError", (error: Error) => {
    logger.debug?.({ err: error }, "HTTP/2 session error");
  });
  /**
   * One listener function for every stream of every session (`this` is the stream), its session's
   * counters on the session: no closure per stream, as the gateway itself does per response.
   */
  function onStreamClose(this: ServerHttp2Stream & { [SESSION]?: SessionState }): void {
    // The stream's own `session` is gone once it is destroyed: the state was left on it.
    const state = this[SESSION];
    if (state === undefined) return;
    const session = state.session;
    state.open--;
    const code = this.rstCode;
    if (code === undefined || code === NGHTTP2_NO_ERROR) return;
    const byGateway = (this as unknown as Record<symbol, boolean>)[GATEWAY_RESET] === true;
    metrics?.http2StreamResets.inc({ by: byGateway ? "gateway" : "client", code: codeName(code) });
    if (byGateway) return;
    const now = Date.now();
    if (now - state.windowStart > RESET_WINDOW_MS) {
      state.windowStart = now;
      state.resets = 0;
    }
    state.resets++;
    if (state.resets === RAPID_RESET_LIMIT + 1 && !session.destroyed) {
      metrics?.http2SessionsTerminated.inc({ reason: "rapid_reset" });
      logger.warn(
        { remoteAddress: session.socket?.remoteAddress, resets: state.resets, windowMs: RESET_WINDOW_MS },
        "HTTP/2 connection closed (GOAWAY ENHANCE_YOUR_CALM): the client reset too many streams",
      );
      // GOAWAY first (destroy alone could cut the socket before the frame is out), then the
      // connection goes after a grace period whatever the client does.
      session.goaway(NGHTTP2_ENHANCE_YOUR_CALM);
      setTimeout(() => session.destroy(), GOAWAY_GRACE_MS).unref();
    }
  }
  function onStream(
    this: ServerHttp2Session & { [SESSION]?: SessionState },
    stream: ServerHttp2Stream & { [SESSION]?: SessionState },
  ): void {
    const state = this[SESSION] as SessionState;
    state.open++;
    stream[SESSION] = state;
    stream.on("close", onStreamClose);
  }

  server.on("session", (session: ServerHttp2Session & { [SESSION]?: SessionState }) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    metrics?.tlsConnections.inc({ protocol: "h2" });
    const state: SessionState = { session, open: 0, resets: 0, windowStart: Date.now() };
    session[SESSION] = state;
    // Idle connections close after keepAliveTimeoutMs, gracefully; a connection waiting on a slow backend is not idle.
    session.setTimeout(limits.keepAliveTimeoutMs, () => {
      if (state.open === 0 && !session.closed) session.close();
    });
    session.on("stream", onStream);
  });

  const running = server;
  return {
    server: running,
    scheme: "https",
    certificates,
    get directAnswers() {
      return direct?.answered ?? 0;
    },
    async apply(next) {
      limits = next.limits;
      applyHttp1Limits(http1, next);
      running.updateSettings({
        maxConcurrentStreams: limits.maxConcurrentStreams,
        maxHeaderListSize: limits.maxHeaderBytes,
      });
      state.hsts = new HstsTable(next.config.groups ?? []);
      await certificates.load(next.config.tls);
    },
    closeIdle() {
      // Http2SecureServer closes its idle HTTP/1.1 connections (allowHTTP1); @types/node omits the method.
      (running as unknown as { closeIdleConnections(): void }).closeIdleConnections();
      for (const session of sessions) if (!session.closed) session.close();
    },
    closeAll() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
    dispose() {
      certificates.close();
    },
  };
}

/**
 * Whether a request came over HTTP/2: node:http2's compatibility objects carry their stream. Not
 * `httpVersionMajor`: node:http also parses an HTTP/1 request line that names `HTTP/2.0`, and such a
 * request has no stream (it is refused 505, or 405 for CONNECT, by the gateway).
 */
function overHttp2(req: IncomingMessage): boolean {
  return (req as { stream?: unknown }).stream !== undefined;
}

/**
 * An HTTP/2 request body must arrive within requestTimeoutMs, as node:http holds HTTP/1.1 requests
 * to it; a stream still uploading then is reset (CANCEL), which the gateway sees as a client that
 * went away (its backend call is aborted).
 */
function limitUpload(req: GatewayHttp2Request, stream: ServerHttp2Stream, ms: number): void {
  const timer = setTimeout(() => {
    if (req.complete || stream.destroyed) return;
    (stream as unknown as Record<symbol, boolean>)[GATEWAY_RESET] = true;
    stream.close(NGHTTP2_CANCEL);
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  req.once("end", clear);
  stream.once("close", clear);
}
