import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { ERRORS, type ErrorCode } from "../../errors.js";
import type { HandshakeObserver, HandshakeRecord } from "./handshake-record.js";
import type { OpenWebSockets } from "./open-websockets.js";
import { type UpstreamAnswer, UpstreamFailure, type UpstreamHandshake } from "./upstream.js";

/** What a transport does with the backend's answer to a handshake; the rest is the same for both. */
export interface BackendWaitOutcomes {
  /** The backend answered (a switch or a refusal): the transport checks and relays it. */
  answered(answer: UpstreamAnswer): void;
  /** Nothing was written to the client yet: answer it with this error. */
  refuse(code: ErrorCode): void;
  /** Something was written to the client already: all a late failure can do is cut it. */
  cut(): void;
}

/**
 * Waits for the backend's answer to a handshake the gateway opened for `client` (an HTTP/1.1
 * connection or an HTTP/2 stream), the same way on both transports: the client going away aborts the
 * backend's side; the time to the answer is recorded; a backend failure is logged with its detail and
 * refused with its code; a client that left is logged as 499; a bug on the way is logged and answered
 * 500, or cuts the client once something was written.
 */
export function awaitBackend(
  hs: HandshakeRecord,
  client: Duplex,
  handshake: UpstreamHandshake,
  upstream: string,
  context: { readonly open: OpenWebSockets; readonly observer: HandshakeObserver },
  outcomes: BackendWaitOutcomes,
): void {
  const { open, observer } = context;
  const upstreamStart = performance.now();
  open.waiting(client, handshake);
  const onClientClose = () => handshake.abort();
  client.once("close", onClientClose);
  const settled = () => {
    open.answered(client);
    client.off("close", onClientClose);
    hs.upstreamMs = performance.now() - upstreamStart;
    observer.metrics?.observeBackend(hs.api, hs.upstreamMs / 1000);
  };
  handshake.answer
    .then(
      (answer) => {
        settled();
        outcomes.answered(answer);
      },
      (error: unknown) => {
        settled();
        if (!(error instanceof UpstreamFailure)) throw error;
        const code = error.gatewayError.code;
        if (code === "CLIENT_CLOSED_REQUEST") {
          hs.errorCode = code;
          observer.observe(hs, ERRORS[code].status);
          return;
        }
        observer.reportBackend(hs, upstream, error.outcome, error.detail);
        outcomes.refuse(code);
      },
    )
    .catch((error: unknown) => {
      observer.logger.error({ err: error, requestId: hs.requestId }, "internal error");
      if (hs.answered) outcomes.cut();
      else outcomes.refuse("INTERNAL_ERROR");
    });
}
