import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2SecureServer, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { Gateway, PlannedRequest } from "../gateway.js";
import {
  adoptAuthority,
  GATEWAY_RESET,
  headerListSize,
  http2FieldsWithHsts,
  type ListenerState,
} from "./messages.js";

/**
 * HTTP/2 OPTIONS requests (preflights, and refusals of them) answered on the stream itself, without
 * node:http2's compatibility layer. That layer builds a Readable request and a response object per
 * stream, with a dozen listeners on the stream, so that a server written for node:http serves HTTP/2;
 * for an answer the gateway makes itself, with no body either way, none of it is needed. A scratch
 * server answering a preflight's header set spent 39-52 CPU µs per request through `stream.respond`
 * against 56-72 through the layer (docs/benchmarks.md).
 *
 * The gateway still executes the request: it gets a request and a response object here that carry what
 * its preflight and error answers read and write (method, target, headers; one `close` listener, the
 * status, the one-frame answers), so the steps, the access log, the metrics and the decision window
 * are the ones every request gets. An OPTIONS request the gateway forwards (an OPTIONS API) goes
 * through the layer as before, with the plan made here; so does anything the listener refuses first.
 */

/** The plan made for a stream that then went through the compatibility layer. */
const PLANNED = Symbol("crossgate.planned");
/** The direct response of a stream, for the one `close` listener all of them share. */
const RESPONSE = Symbol("crossgate.directResponse");

type PlannedStream = ServerHttp2Stream & { [PLANNED]?: PlannedRequest; [RESPONSE]?: DirectResponse };

/** node:http2's compatibility listener of the server's `stream` event (it is bound to the server). */
type StreamListener = (
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  rawHeaders: string[],
) => void;

/** The plan `serveOptionsDirectly` made for a request it left to the compatibility layer, if any. */
export function plannedFor(stream: ServerHttp2Stream): PlannedRequest | undefined {
  return (stream as PlannedStream)[PLANNED];
}

/**
 * What the gateway reads of an HTTP/2 request it answers itself: the fields of node:http2's
 * Http2ServerRequest that planning and the access log use, from the stream's header object (the same
 * object that request would have held, with Host from `:authority`).
 */
class DirectRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion = "2.0";
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
    /** As node:http2 gives them, pseudo-header fields included (only a second Host is looked for in them). */
    readonly rawHeaders: readonly string[],
  ) {
    this.method = headers[":method"] as string;
    this.url = headers[":path"] ?? "/";
  }

  /** The connection's socket (a TLS socket: the gateway's own origin is `https://`). */
  get socket(): unknown {
    return this.stream.session?.socket;
  }
}

/**
 * The response side of a stream the gateway answers itself: the complete answers of
 * ./messages.ts's H2Response (one HEADERS frame for an empty answer; HEADERS and DATA for a body, the
 * last frame ending the stream), the same fields (http2FieldsWithHsts), and the same close semantics
 * (finished unless the client reset the stream first).
 */
class DirectResponse {
  statusCode = 200;
  #onClose: ((this: DirectResponse) => void) | undefined = undefined;

  constructor(
    readonly stream: PlannedStream,
    readonly req: DirectRequest,
    readonly state: ListenerState,
  ) {
    stream[RESPONSE] = this;
    stream.on("close", onDirectStreamClose);
    // As the compatibility layer does: a stream's error (a reset, a session torn down) is its close.
    stream.on("error", ignoreStreamError);
  }

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get writableFinished(): boolean {
    return this.stream.writableFinished && !this.stream.aborted;
  }

  /** The gateway's one listener: called once, when the stream closes. */
  on(_event: "close", listener: (this: DirectResponse) => void): this {
    this.#onClose = listener;
    return this;
  }

  closed(): void {
    this.#onClose?.call(this);
  }

  answerEmpty(status: number, headers: OutgoingHttpHeader[]): void {
    this.statusCode = status;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond(this.#fields(status, headers), { endStream: true });
  }

  answerComplete(status: number, headers: OutgoingHttpHeader[], body: Buffer | string): void {
    this.statusCode = status;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond(this.#fields(status, headers));
    stream.end(body);
  }

  /** The gateway cuts the stream (RST_STREAM), counted as the gateway's. */
  destroy(error?: Error): this {
    (this.stream as unknown as Record<symbol, boolean>)[GATEWAY_RESET] = true;
    this.stream.destroy(error);
    return this;
  }

  #fields(status: number, headers: OutgoingHttpHeader[]): OutgoingHttpHeaders {
    const out = http2FieldsWithHsts(this.state, this.req.headers.host, headers);
    out[":status"] = status;
    return out as OutgoingHttpHeaders;
  }
}

function onDirectStreamClose(this: PlannedStream): void {
  this[RESPONSE]?.closed();
}

function ignoreStreamError(): void {}

export interface DirectOptions {
  readonly gateway: Gateway;
  readonly state: ListenerState;
  /** The largest header list (HTTP/2's count) a request may have: larger ones are refused by the listener. */
  maxHeaderBytes(): number;
}

/**
 * Puts the direct path in front of node:http2's compatibility layer on `server`: an OPTIONS request
 * without a body, an `Expect` field or anything the listener refuses is planned here; unless the plan
 * forwards it, the gateway answers it on the stream. Every other stream goes to the layer as before
 * (which calls the server's `request` listener). Returns a count of the streams answered directly,
 * or undefined when the server does not have the one compatibility listener this expects (then it
 * is left as it is).
 */
export function serveOptionsDirectly(
  server: Http2SecureServer,
  options: DirectOptions,
): { answered: number } | undefined {
  const compat = server.listeners("stream") as StreamListener[];
  if (compat.length !== 1) return undefined;
  const toCompat = compat[0] as StreamListener;
  const { gateway, state } = options;
  const counter = { answered: 0 };
  server.removeAllListeners("stream");
  server.on(
    "stream",
    (stream: PlannedStream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
      if (headers[":method"] !== "OPTIONS" || !stream.endAfterHeaders || headers.expect !== undefined) {
        toCompat.call(server, stream, headers, flags, rawHeaders);
        return;
      }
      if (headerListSize(rawHeaders) > options.maxHeaderBytes() || adoptAuthority(headers)) {
        // Refused by the listener (./https.ts), through the layer.
        toCompat.call(server, stream, headers, flags, rawHeaders);
        return;
      }
      const req = new DirectRequest(stream, headers, rawHeaders);
      let planned: PlannedRequest;
      try {
        planned = gateway.plan(req as unknown as IncomingMessage);
      } catch {
        // The gateway's own failure: handled (answered 500 and logged) where every request's is.
        toCompat.call(server, stream, headers, flags, rawHeaders);
        return;
      }
      if (planned.plan.kind === "forward") {
        stream[PLANNED] = planned;
        toCompat.call(server, stream, headers, flags, rawHeaders);
        return;
      }
      counter.answered++;
      const res = new DirectResponse(stream, req, state);
      gateway.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse, planned);
    },
  );
  return counter;
}
