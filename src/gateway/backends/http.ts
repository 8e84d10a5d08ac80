import type { IncomingMessage } from "node:http";
import type { Dispatcher } from "undici";
import type { HttpBackendConfig } from "../../config/schema.js";
import { GatewayError } from "../../errors.js";
import { dropHopByHop, endToEndRequestHeaders } from "./hop-by-hop.js";
import { type BackendLogger, consoleBackendLogger } from "./log.js";
import { acquirePool, type PoolLease } from "./pool-cache.js";
import type { Backend, BackendRequest, BackendResponse, HeaderBag } from "./types.js";

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Request fields the gateway sets itself; the client's values are dropped (never trusted). */
const GATEWAY_SET = new Set(["x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"]);

/** Socket-level failures before a response: the upstream could not be reached or went away. */
const UNREACHABLE_CODES = new Set([
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

/** Whether a request carries a body to forward (RFC 9112 section 6.3: Transfer-Encoding or Content-Length). */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}

/** The client's address appended to the X-Forwarded-For it sent, if any. */
function forwardedFor(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? "unknown";
  const previous = req.headers["x-forwarded-for"];
  const prior = Array.isArray(previous) ? previous.join(", ") : previous;
  return prior === undefined || prior.trim() === "" ? address : `${prior}, ${address}`;
}

function errorCode(error: unknown): string | undefined {
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
 * request body, and the upstream's body stream is the response body.
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

  constructor(config: HttpBackendConfig, log: BackendLogger = consoleBackendLogger) {
    this.#log = log;
    const url = new URL(config.url);
    this.#origin = url.origin;
    this.#basePath = url.pathname;
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#headersTimeoutMs = config.headersTimeoutMs ?? this.#timeoutMs;
    this.#lease = acquirePool({
      origin: url.origin,
      connectTimeoutMs: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
  }

  async call(request: BackendRequest): Promise<BackendResponse> {
    const { req, requestId, signal } = request;
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

    // One signal for undici: the client going away, or the total timeout before the headers.
    const controller = new AbortController();
    const onClientGone = () => controller.abort(signal.reason);
    if (signal.aborted) onClientGone();
    else signal.addEventListener("abort", onClientGone, { once: true });
    const timer = setTimeout(() => controller.abort(new TotalTimeout(this.#timeoutMs)), this.#timeoutMs);

    let data: Dispatcher.ResponseData;
    try {
      data = await this.#lease.pool.request({
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        path: joinPath(this.#basePath, request.remainder) + request.query,
        headers,
        body: hasBody(req) ? req : null,
        signal: controller.signal,
        headersTimeout: this.#headersTimeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (error) {
      signal.removeEventListener("abort", onClientGone);
      throw this.#mapError(error, controller.signal, signal, requestId);
    } finally {
      clearTimeout(timer);
    }
    const body = data.body;
    // The client going away mid-body still aborts the upstream (through the pipe's teardown too).
    body.once("close", () => signal.removeEventListener("abort", onClientGone));
    // The status is sent by then: the gateway can only cut the client's connection (respond.ts);
    // the log says why. The error still reaches the pipe, as the listener only observes it.
    body.once("error", (error: Error) => {
      if (!signal.aborted)
        this.#report(requestId, "failed mid-body", `${errorCode(error) ?? "no code"}: ${error.message}`);
    });
    return {
      status: data.statusCode,
      headers: dropHopByHop(data.headers as HeaderBag),
      body,
      dispose: () => {
        if (!body.readableEnded) body.destroy();
      },
    };
  }

  #mapError(error: unknown, own: AbortSignal, client: AbortSignal, requestId: string): GatewayError {
    if (error instanceof GatewayError) return error;
    if (own.aborted && own.reason instanceof TotalTimeout) {
      this.#report(requestId, "timed out", own.reason.message);
      return new GatewayError("BACKEND_TIMEOUT");
    }
    if (client.aborted) {
      // Nobody is left to read the answer; not worth a log line.
      return new GatewayError("CLIENT_CLOSED_REQUEST");
    }
    const code = errorCode(error);
    const detail = `${code ?? "no code"}: ${error instanceof Error ? error.message : String(error)}`;
    if (code !== undefined && TIMEOUT_CODES.has(code)) {
      this.#report(requestId, "timed out", detail);
      return new GatewayError("BACKEND_TIMEOUT");
    }
    if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      this.#report(requestId, "unreachable", detail);
      return new GatewayError("BACKEND_UNREACHABLE");
    }
    this.#report(requestId, "failed", detail);
    return new GatewayError("BACKEND_ERROR");
  }

  #report(requestId: string, outcome: string, detail: string): void {
    this.#log.error(
      { requestId, backend: "http", upstream: this.#origin, outcome, detail },
      `request ${requestId}: http backend ${this.#origin}: ${outcome} (${detail})`,
    );
  }

  async close(): Promise<void> {
    await this.#lease.release();
  }
}
