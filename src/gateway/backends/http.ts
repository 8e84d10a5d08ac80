import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { isAbsolute, resolve } from "node:path";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { HttpBackendConfig } from "../../config/schema.js";
import { GatewayError } from "../../errors.js";
import { hasRequestBody } from "./body.js";
import { type ClientWatch, clientGoneReason, clientWatchOf } from "./client-watch.js";
import { endToEndRequestHeaders, responseHeaders } from "./hop-by-hop.js";
import { type BackendLogger, consoleBackendLogger } from "./log.js";
import { acquirePool, type PoolLease, type PoolTls } from "./pool-cache.js";
import type { Backend, BackendRequest, BackendResponse, HeaderBag } from "./types.js";

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Request fields the gateway sets itself; the client's values are dropped (never trusted). */
export const GATEWAY_SET: ReadonlySet<string> = new Set([
  "x-request-id",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
]);

/** Socket-level failures before a response: the upstream could not be reached or went away. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);
/** OpenSSL's verification results (X509_V_ERR_*, as node:tls names them) and node's name check. */
const TLS_VERIFY_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** A failed TLS handshake or certificate check with an https backend. */
function isTlsFailure(code: string): boolean {
  return TLS_VERIFY_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_");
}

/**
 * Joins the backend URL's path and the request's remaining path with exactly one slash:
 * `joinPath("/api/", "/a/b")` is `/api/a/b`, `joinPath("/", "/a")` is `/a`, `joinPath("/api", "")` is `/api`.
 */
export function joinPath(base: string, remainder: string): string {
  if (remainder === "") return base === "" ? "/" : base;
  const rest = remainder.startsWith("/") ? remainder : `/${remainder}`;
  const head = base.endsWith("/") ? base.slice(0, -1) : base;
  return `${head}${rest}`;
}

/** The client's address appended to the X-Forwarded-For it sent, if any. */
export function forwardedFor(req: Pick<IncomingMessage, "socket" | "headers">): string {
  const address = req.socket.remoteAddress ?? "unknown";
  const previous = req.headers["x-forwarded-for"];
  const prior = Array.isArray(previous) ? previous.join(", ") : previous;
  return prior === undefined || prior.trim() === "" ? address : `${prior}, ${address}`;
}

/** The `code` of an error or of its causes: `ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`. */
export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

/** Thrown as the abort reason when the total timeout fires, to tell it from the client going away. */
class TotalTimeout extends Error {
  constructor(ms: number) {
    super(`no response headers within ${ms} ms`);
    this.name = "TotalTimeout";
  }
}

/**
 * Proxies to an HTTP service over a keep-alive pool shared by every backend of the same upstream
 * origin (see pool-cache.ts). Bodies are streamed both ways: the client's request is the upstream
 * request body, and the upstream's body is the response body (see UpstreamCall for when it is
 * handed over whole instead).
 *
 * Timeouts: connecting (`connectTimeoutMs`, default 5 s); the response headers (`headersTimeoutMs`,
 * default `timeoutMs`); everything until the headers arrive, queueing and the upload included
 * (`timeoutMs`, default 30 s); then the body, as an idle timeout of `timeoutMs` between chunks.
 */
export class HttpBackend implements Backend {
  readonly #lease: PoolLease;
  readonly #basePath: string;
  readonly #origin: string;
  readonly #timeoutMs: number;
  readonly #headersTimeoutMs: number;
  readonly #log: BackendLogger;
  /** Why the backend's `tls.ca` could not be read: every call then fails with BACKEND_TLS. */
  readonly #tlsProblem: string | undefined;

  /**
   * `baseDir`: where a relative `tls.ca` file is read from (the configuration file's directory).
   * An https URL's certificate is verified against the system's CAs, or `tls.ca`'s, unless
   * `tls.verify` is false.
   */
  constructor(config: HttpBackendConfig, log: BackendLogger = consoleBackendLogger, baseDir = process.cwd()) {
    this.#log = log;
    const url = new URL(config.url);
    this.#origin = url.origin;
    this.#basePath = url.pathname;
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#headersTimeoutMs = config.headersTimeoutMs ?? this.#timeoutMs;
    let tls: PoolTls | undefined;
    if (url.protocol === "https:" && config.tls !== undefined) {
      let ca: string | undefined;
      if (config.tls.ca !== undefined && config.tls.verify !== false) {
        const file = isAbsolute(config.tls.ca) ? config.tls.ca : resolve(baseDir, config.tls.ca);
        try {
          ca = readFileSync(file, "utf8");
        } catch (error) {
          this.#tlsProblem = `tls.ca ${file} cannot be read: ${(error as Error).message}`;
        }
      }
      tls = {
        ...(ca === undefined ? {} : { ca }),
        verify: config.tls.verify !== false,
        ...(config.tls.serverName === undefined ? {} : { serverName: config.tls.serverName }),
      };
    }
    this.#lease = acquirePool({
      origin: url.origin,
      connectTimeoutMs: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(tls === undefined ? {} : { tls }),
    });
  }

  call(request: BackendRequest): Promise<BackendResponse> {
    const { req, requestId } = request;
    if (this.#tlsProblem !== undefined) {
      this.report(requestId, "TLS verification impossible", this.#tlsProblem);
      return Promise.reject(new GatewayError("BACKEND_TLS"));
    }
    const headers = endToEndRequestHeaders(req.rawHeaders, GATEWAY_SET);
    headers.push(
      "x-request-id",
      requestId,
      "x-forwarded-for",
      forwardedFor(req),
      "x-forwarded-proto",
      (req.socket as { encrypted?: boolean }).encrypted === true ? "https" : "http",
    );
    if (req.headers.host !== undefined) headers.push("x-forwarded-host", req.headers.host);
    const method = req.method ?? "GET";
    const body = hasRequestBody(req) ? req : null;
    return new Promise<BackendResponse>((resolve, reject) => {
      const call = new UpstreamCall(this, requestId, request, method, body, resolve, reject);
      this.#lease.pool.dispatch(
        {
          method: method as Dispatcher.HttpMethod,
          path: joinPath(this.#basePath, request.remainder) + request.query,
          headers,
          body,
          headersTimeout: this.#headersTimeoutMs,
          bodyTimeout: this.#timeoutMs,
        },
        call,
      );
    });
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** A failure before the response headers, as the gateway error the client gets. */
  mapError(error: unknown, cause: AbortCause, requestId: string, timeout: TotalTimeout | null): GatewayError {
    if (error instanceof GatewayError) return error;
    if (cause === "timeout" && timeout !== null) {
      this.report(requestId, "timed out", timeout.message);
      return new GatewayError("BACKEND_TIMEOUT");
    }
    if (cause === "client") {
      // Nobody is left to read the answer; not worth a log line.
      return new GatewayError("CLIENT_CLOSED_REQUEST");
    }
    const code = errorCode(error);
    const detail = `${code ?? "no code"}: ${error instanceof Error ? error.message : String(error)}`;
    if (code !== undefined && isTlsFailure(code)) {
      this.report(requestId, "TLS verification failed", detail);
      return new GatewayError("BACKEND_TLS");
    }
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      this.report(requestId, "timed out", detail);
      return new GatewayError("BACKEND_TIMEOUT");
    }
    if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      this.report(requestId, "unreachable", detail);
      return new GatewayError("BACKEND_UNREACHABLE");
    }
    this.report(requestId, "failed", detail);
    return new GatewayError("BACKEND_ERROR");
  }

  report(requestId: string, outcome: string, detail: string): void {
    this.#log.error(
      { requestId, backend: "http", upstream: this.#origin, outcome, detail },
      `request ${requestId}: http backend ${this.#origin}: ${outcome} (${detail})`,
    );
  }

  async close(): Promise<void> {
    await this.#lease.release();
  }
}

/** Why an upstream request was aborted by the gateway: the total timeout, or the client going away. */
type AbortCause = "timeout" | "client" | null;

const noop = () => {};

/**
 * Destroys the client's request stream after a failure, as undici's own request handler does;
 * node:http's request is detached from its socket first, so that the connection itself survives.
 * An HTTP/2 request is a stream of its own (and its `socket` a read-only view of the session).
 */
function destroyRequestBody(body: IncomingMessage, error: Error): void {
  if (body.destroyed) return;
  body.on("error", noop);
  if (body.httpVersionMajor !== 2) (body as { socket: unknown }).socket = null;
  body.destroy(error);
}

/** The upstream's body, streamed: reading asks undici for more, destroying it aborts the request. */
class UpstreamBody extends Readable {
  readonly #resume: () => void;
  readonly #abort: (reason?: Error) => void;
  /** The upstream sent all of it: nothing left to abort. */
  complete = false;
  /** The upstream's trailer fields, once the body has ended; respond.ts passes them on. */
  trailers: HeaderBag | undefined = undefined;

  constructor(resume: () => void, abort: (reason?: Error) => void) {
    super();
    this.#resume = resume;
    this.#abort = abort;
  }

  override _read(): void {
    this.#resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.complete) this.#abort(error ?? undefined);
    callback(error);
  }
}

/**
 * One upstream request, as an undici dispatch handler (the interface undici's own `request` is
 * built on). Compared with `Pool.request`, per request it saves the AbortController that joined
 * the client's signal and the total timeout (the abort function undici hands over is called
 * instead) and, through the gateway's ClientWatch, the client's signal itself; the async
 * resource and the body stream of undici's handler; and, when the whole
 * response arrived with its headers (small bodies, nearly always), any stream at all: the body
 * is then handed to the gateway as one Buffer and written with the head in one call.
 *
 * When is it "whole"? undici's parser calls onHeaders, onData and onComplete synchronously for
 * what one socket read holds; the response is handed over in a microtask queued by onHeaders,
 * that is after the parser is done with that read. Complete by then: a Buffer; else a stream fed
 * from then on. HEAD, 204 and 304 answers always go as streams, so that their Content-Length
 * (the representation's, not of a body) passes through as it was.
 */
class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly #backend: HttpBackend;
  readonly #requestId: string;
  /** How the client's going away is learnt: the gateway's ClientWatch, else the request's signal. */
  readonly #watch: ClientWatch | undefined;
  readonly #signal: AbortSignal | undefined;
  #clientGone = false;
  readonly #method: string;
  #requestBody: IncomingMessage | null;
  readonly #resolve: (response: BackendResponse) => void;
  readonly #reject: (error: unknown) => void;
  #abort: ((reason?: Error) => void) | null = null;
  /** An abort asked for before undici handed over its abort function. */
  #pendingAbort: Error | null = null;
  #cause: AbortCause = null;
  #timeout: TotalTimeout | null = null;
  #timer: NodeJS.Timeout | undefined;
  #onClientGone: ((reason: Error) => void) | null = null;
  #status = 0;
  #headers: HeaderBag | null = null;
  #resumeUpstream: () => void = noop;
  #chunks: Buffer[] = [];
  #complete = false;
  #failure: Error | null = null;
  #trailers: HeaderBag | undefined = undefined;
  #body: UpstreamBody | null = null;
  #handedOver = false;

  constructor(
    backend: HttpBackend,
    requestId: string,
    request: BackendRequest,
    method: string,
    requestBody: IncomingMessage | null,
    resolve: (response: BackendResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#backend = backend;
    this.#requestId = requestId;
    this.#method = method;
    this.#requestBody = requestBody;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#watch = clientWatchOf(request);
    this.#onClientGone = (reason: Error) => this.#abortFor("client", reason);
    if (this.#watch !== undefined) {
      this.#signal = undefined;
      if (!this.#watch.watchClient(this.#onClientGone)) this.#onClientGone(clientGoneReason());
    } else {
      const signal = request.signal;
      this.#signal = signal;
      if (signal.aborted) this.#onClientGone(signal.reason);
      else signal.addEventListener("abort", this.#onSignalAbort, { once: true });
    }
    this.#timer = setTimeout(onTotalTimeout, backend.timeoutMs, this);
  }

  readonly #onSignalAbort = (): void => {
    this.#onClientGone?.((this.#signal as AbortSignal).reason);
  };

  /** The total timeout fired: no response headers within timeoutMs. */
  timedOut(): void {
    this.#timeout = new TotalTimeout(this.#backend.timeoutMs);
    this.#abortFor("timeout", this.#timeout);
  }

  #abortFor(cause: Exclude<AbortCause, null>, reason: Error): void {
    this.#cause ??= cause;
    if (cause === "client") this.#clientGone = true;
    if (this.#body !== null) this.#body.destroy(reason);
    else if (this.#abort !== null) this.#abort(reason);
    else this.#pendingAbort ??= reason;
  }

  #stopWatching(): void {
    clearTimeout(this.#timer);
    if (this.#onClientGone === null) return;
    this.#onClientGone = null;
    if (this.#watch !== undefined) this.#watch.unwatchClient();
    else this.#signal?.removeEventListener("abort", this.#onSignalAbort);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#pendingAbort !== null) abort(this.#pendingAbort);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx answers are not passed on; the final answer follows.
    if (statusCode < 200) return true;
    // The total timeout covers everything until the headers; the body has undici's idle timeout.
    clearTimeout(this.#timer);
    this.#status = statusCode;
    this.#headers = responseHeaders(rawHeaders);
    this.#resumeUpstream = resume;
    queueMicrotask(() => this.#handOver());
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#body !== null) return this.#body.push(chunk);
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.#complete = true;
    this.#stopWatching();
    if (trailers !== null && trailers.length > 0) this.#trailers = responseHeaders(trailers);
    if (this.#body !== null) {
      this.#body.complete = true;
      this.#body.trailers = this.#trailers;
      this.#body.push(null);
    }
  }

  onError(error: Error): void {
    this.#stopWatching();
    if (this.#requestBody !== null) {
      destroyRequestBody(this.#requestBody, error);
      this.#requestBody = null;
    }
    if (this.#headers === null) {
      this.#reject(this.#backend.mapError(error, this.#cause, this.#requestId, this.#timeout));
    } else if (this.#body !== null) {
      this.#body.destroy(error);
    } else {
      // Between the headers and the hand-over: the body stream will carry the failure.
      this.#failure = error;
    }
  }

  /** The response, to the gateway: the body whole if it all came with the headers, else as a stream. */
  #handOver(): void {
    if (this.#handedOver) return;
    this.#handedOver = true;
    const status = this.#status;
    const headers = this.#headers as HeaderBag;
    const bodiless = this.#method === "HEAD" || status === 204 || status === 304;
    // A response with trailers goes as a stream: they follow its body (chunked on HTTP/1.1).
    if (this.#complete && this.#failure === null && !bodiless && this.#trailers === undefined) {
      const chunks = this.#chunks;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      this.#resolve({ status, headers, body });
      return;
    }
    const body = new UpstreamBody(this.#resumeUpstream, (reason) => this.#abort?.(reason));
    body.complete = this.#complete;
    body.trailers = this.#trailers;
    for (const chunk of this.#chunks) body.push(chunk);
    this.#chunks = [];
    if (this.#complete) body.push(null);
    // The status is sent by then: the gateway can only cut the client's connection (respond.ts);
    // the log says why. The error still reaches the pipe, as the listener only observes it.
    body.once("error", (error: Error) => {
      if (!this.#clientGone)
        this.#backend.report(
          this.#requestId,
          "failed mid-body",
          `${errorCode(error) ?? "no code"}: ${error.message}`,
        );
    });
    this.#body = body;
    if (this.#failure !== null) body.destroy(this.#failure);
    this.#resolve({
      status,
      headers,
      body,
      dispose: () => {
        if (!body.readableEnded) body.destroy();
      },
    });
  }
}

function onTotalTimeout(call: UpstreamCall): void {
  call.timedOut();
}
