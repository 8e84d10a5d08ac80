import { randomBytes } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse, ServerHttp2Stream } from "node:http2";
import type { Snapshot } from "../../config/snapshot.js";
import { ERRORS, type ErrorCode } from "../../errors.js";
import { decideHandshake, type HandshakeAccepted } from "../../plan/websocket.js";
import { connectionTokens, dropHopByHop, HOP_BY_HOP } from "../backends/hop-by-hop.js";
import { GATEWAY_SET, joinPath } from "../backends/http.js";
import type { HeaderBag } from "../backends/types.js";
import { newRequestId } from "../request-id.js";
import { hasDuplicateHost } from "../request-view.js";
import { errorBody } from "../respond.js";
import { switchProblem } from "./backend-switch.js";
import { awaitBackend } from "./backend-wait.js";
import { http2HandshakeProblem } from "./handshake-form.js";
import { handshakeHeaders } from "./handshake-headers.js";
import { type HandshakeObserver, HandshakeRecord } from "./handshake-record.js";
import type { OpenWebSockets } from "./open-websockets.js";
import { cancelStream, respondOnStream } from "./stream-response.js";
import { splice } from "./tunnel.js";
import type { SnapshotSource } from "./upgrade.js";
import { openUpstream, type UpstreamAnswer } from "./upstream.js";

/** An HTTP/2 handshake: its record, the request and response node:http2 made of the stream, and the stream. */
class StreamHandshake extends HandshakeRecord {
  readonly stream: ServerHttp2Stream;

  constructor(
    override readonly req: Http2ServerRequest,
    readonly res: Http2ServerResponse,
    requestId: string,
    snapshot: Snapshot,
  ) {
    super(req, requestId, snapshot);
    this.stream = res.stream;
  }
}

/**
 * Fields of the client's request that never reach the backend as they are: the gateway's own, and the
 * key and accept of RFC 6455, which RFC 8441 section 5 drops on HTTP/2 (the gateway makes its own key).
 */
const REPLACED: ReadonlySet<string> = new Set([...GATEWAY_SET, "sec-websocket-key", "sec-websocket-accept"]);

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";
const noop = () => {};

/**
 * The fields of the 200 that opens the tunnel (RFC 8441 section 5): the backend's end-to-end fields of
 * its 101 (Sec-WebSocket-Protocol, -Extensions, Set-Cookie, ...) without Sec-WebSocket-Accept, which
 * HTTP/2 does not use, and the gateway's request id. The listener's response class drops what HTTP/2
 * forbids and adds the group's HSTS.
 */
function acceptedHeaders(response: IncomingMessage, requestId: string): OutgoingHttpHeaders {
  const named = connectionTokens(response.headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in response.headers) {
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (name === "sec-websocket-accept" || name === "x-request-id") continue;
    out[name] = response.headers[name];
  }
  out["x-request-id"] = requestId;
  return out;
}

/**
 * WebSockets over HTTP/2 (RFC 8441): an extended CONNECT stream with `:protocol: websocket` is decided
 * exactly as an HTTP/1.1 handshake is (src/plan/websocket.ts: path, route as GET, `websocket: true`, the
 * Origin against the API's CORS policy, `auth: app`; `:path` as the target, `:authority` as Host),
 * and refused with the same JSON errors, as HTTP/2 responses, then the stream is closed. An accepted
 * one gets its own HTTP/1.1 handshake to the backend, with a key the gateway makes and whose
 * Sec-WebSocket-Accept it checks (with the subprotocol and extensions the backend chose); the client
 * is answered `:status 200` with the backend's WebSocket fields, and the stream and the backend
 * connection are spliced (tunnel.ts): WebSocket frames pass as they are, in DATA frames.
 *
 * Closing (RFC 8441 section 5): END_STREAM and FIN are passed on as each other; a stream the client
 * resets closes the backend connection (after what was already relayed), and a backend connection that
 * fails resets the stream (CANCEL).
 * The tunnel's access log line is written when it closes, with status 200.
 */
export class Http2WebSocketHandshakes {
  readonly #source: SnapshotSource;
  readonly #observer: HandshakeObserver;
  readonly #open: OpenWebSockets;

  constructor(source: SnapshotSource, observer: HandshakeObserver, open: OpenWebSockets) {
    this.#source = source;
    this.#observer = observer;
    this.#open = open;
  }

  /** Handles one extended CONNECT; `refusal` is what the listener already refused it for. */
  handle(req: Http2ServerRequest, res: Http2ServerResponse, refusal?: ErrorCode): void {
    // Failures of the stream are seen through its `close`; without a listener they would throw.
    res.stream.on("error", noop);
    const hs = new StreamHandshake(req, res, newRequestId(), this.#source.snapshot);
    try {
      this.#decide(hs, refusal);
    } catch (error) {
      this.#observer.logger.error({ err: error, requestId: hs.requestId }, "internal error");
      if (hs.answered) cancelStream(hs.stream);
      else this.#refuse(hs, "INTERNAL_ERROR");
    }
  }

  #decide(hs: StreamHandshake, refusal: ErrorCode | undefined): void {
    const { req } = hs;
    if (refusal !== undefined) {
      this.#refuse(hs, refusal);
      return;
    }
    // Step 0 (SPEC section 3) as HTTP/1.1 has it: CONNECT is this transport's handshake, not a refusal.
    if (hasDuplicateHost(req.rawHeaders)) {
      this.#refuse(hs, "DUPLICATE_HOST");
      return;
    }
    const form = http2HandshakeProblem(req.headers);
    if (form !== undefined) {
      this.#refuse(hs, form.code, form.message, form.headers);
      return;
    }
    const decision = decideHandshake(hs.snapshot, { target: req.url, headers: req.headers, secure: true });
    if (decision.api !== undefined) hs.api = decision.api.name;
    if (decision.origin !== undefined) {
      hs.origin = decision.origin;
      this.#observer.metrics?.countWebSocketDecision(decision.origin.outcome, decision.origin.reason);
    }
    if (!decision.ok) {
      this.#refuse(hs, decision.code, decision.message, decision.headers);
      return;
    }
    this.#proxy(hs, decision);
  }

  #proxy(hs: StreamHandshake, decision: HandshakeAccepted): void {
    const { req, stream, requestId } = hs;
    const backend = decision.api.backend;
    if (backend.type !== "http") {
      // Configuration validation refuses websocket: true on other backends (validate-websocket.ts).
      throw new Error(`API ${decision.api.name}: a ${backend.type} backend cannot take a WebSocket`);
    }
    const url = new URL(backend.url);
    const key = randomBytes(16).toString("base64");
    const headers = handshakeHeaders(req, requestId, url, true, REPLACED);
    headers.push("Sec-WebSocket-Key", key);
    const handshake = openUpstream(
      backend,
      joinPath(url.pathname, decision.remainder) + decision.query,
      headers,
    );
    awaitBackend(
      hs,
      stream,
      handshake,
      url.origin,
      { open: this.#open, observer: this.#observer },
      {
        answered: (answer) => this.#answered(hs, answer, key, url.origin),
        refuse: (code) => this.#refuse(hs, code),
        cut: () => cancelStream(stream),
      },
    );
  }

  #answered(hs: StreamHandshake, answer: UpstreamAnswer, key: string, upstream: string): void {
    const { req, res, stream, requestId } = hs;
    const { response } = answer;
    if (answer.kind === "answered") {
      const status = response.statusCode ?? 502;
      if (status >= 200 && status < 300) {
        // A backend that served the handshake as a plain request: on HTTP/2 a 2xx is what opens a
        // WebSocket (RFC 8441 section 5), so relaying it would tell the client a tunnel is open.
        response.destroy();
        this.#observer.reportBackend(hs, upstream, "failed", `answered ${status}, not a switch to websocket`);
        this.#refuse(hs, "BACKEND_ERROR");
        return;
      }
      // The backend refused the handshake: its refusal is relayed as it is.
      const headers = dropHopByHop({ ...response.headers } as HeaderBag);
      headers["x-request-id"] = requestId;
      hs.answered = true;
      void respondOnStream(res, status, headers, response).then((whole) =>
        this.#observer.observe(hs, whole ? status : 499),
      );
      return;
    }
    const backendSide = answer.socket;
    if (stream.closed || stream.destroyed) {
      backendSide.destroy();
      hs.errorCode = "CLIENT_CLOSED_REQUEST";
      this.#observer.observe(hs, 499);
      return;
    }
    // The gateway made this handshake, so it checks the answer as RFC 6455 section 4.1 has a client do;
    // and, as on HTTP/1.1, nothing reaches a backend that did not switch (WebSocket smuggling).
    const problem = switchProblem(response, {
      key,
      protocols: req.headers["sec-websocket-protocol"],
      extensions: req.headers["sec-websocket-extensions"],
    });
    if (problem !== undefined) {
      backendSide.destroy();
      this.#observer.reportBackend(hs, upstream, "failed", problem);
      this.#refuse(hs, "BACKEND_ERROR");
      return;
    }
    backendSide.on("error", noop);
    hs.answered = true;
    res.writeHead(200, acceptedHeaders(response, requestId));
    if (answer.head.length > 0) stream.write(answer.head);
    // Registered before the tunnel's own listener (which destroys the stream): a failed backend
    // connection resets the stream with CANCEL, as RFC 8441 section 5 maps a TCP reset.
    backendSide.once("error", () => cancelStream(stream));
    const metrics = this.#observer.metrics;
    metrics?.websocketConnections.inc();
    const tunnel = splice(stream, backendSide, (end) => {
      this.#open.closed(tunnel);
      metrics?.websocketConnections.dec();
      hs.tunnel = end;
      this.#observer.observe(hs, 200);
    });
    this.#open.opened(tunnel);
  }

  #refuse(
    hs: StreamHandshake,
    code: ErrorCode,
    message?: string,
    extra?: Readonly<Record<string, string>>,
  ): void {
    hs.errorCode = code;
    hs.answered = true;
    const headers: HeaderBag = { "content-type": JSON_CONTENT_TYPE, ...extra, "x-request-id": hs.requestId };
    const status = ERRORS[code].status;
    const body = errorBody(code, message ?? ERRORS[code].message, hs.requestId);
    void respondOnStream(hs.res, status, headers, body).then((whole) =>
      this.#observer.observe(hs, whole ? status : 499),
    );
  }
}
