import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Snapshot } from "../config/snapshot.js";
import type { CorsDecision } from "../cors/index.js";
import { ERRORS, type ErrorCode, GatewayError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import type { AccessLog } from "../observability/access-log.js";
import type { DecisionWindow } from "../observability/decisions.js";
import type { CorsOutcome, GatewayMetrics } from "../observability/metrics.js";
import { planRequest } from "../plan/plan.js";
import { applyForwardCors, errorHeaders, pushPreflightHeaders, serverTimingValue } from "../plan/response.js";
import type { ErrorPlan, ForwardPlan, HeaderBag, Plan } from "../plan/types.js";
import { type ClientWatch, clientGoneReason } from "./backends/client-watch.js";
import { buildBackends } from "./backends/registry.js";
import type { Backend, BackendRequest, BackendResponse } from "./backends/types.js";
import { logValue, MAX_LOGGED_VALUE } from "./log-value.js";
import { newRequestId } from "./request-id.js";
import { requestView } from "./request-view.js";
import { answerEmpty, errorBody, formatDuration, writeResponse } from "./respond.js";

/** A snapshot with the backends built for it: the unit that is swapped atomically. */
export interface Generation {
  readonly snapshot: Snapshot;
  readonly backends: readonly Backend[];
}

/**
 * A request planned before it is handled (`Gateway.plan`): the HTTP/2 listener plans an OPTIONS
 * request first to choose how to serve it (./listeners/direct-h2.ts). Handling it then carries out
 * this plan, on the configuration it was made with, timed from before the planning.
 */
export interface PlannedRequest {
  readonly plan: Plan;
  readonly generation: Generation;
  readonly start: number;
}

/**
 * Per-request state threaded through the phases. A class, so that every exchange has the same
 * shape from the start (V8 keeps the phases' property accesses monomorphic).
 */
class Exchange {
  /** What the gateway does with the request (src/plan/plan.ts); set before anything is written. */
  plan: Plan | undefined = undefined;
  upstreamMs: number | undefined = undefined;
  /** The gateway's own error, when it answered with one (counted by code). */
  errorCode: ErrorCode | undefined = undefined;
  /** Created only when a backend asks for `signal` (the http and function backends do; mock does not). */
  controller: AbortController | undefined = undefined;
  /** The client went away before the response was finished. */
  gone = false;
  /** The http backend's ClientWatch listener, called (once) if the client goes away. */
  clientListener: ((reason: Error) => void) | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    readonly start: number,
    readonly generation: Generation,
  ) {}
}

/** The exchange of a response, for the one `close` listener all responses share (no closure per request). */
const EXCHANGE = Symbol("crossgate.exchange");
type TaggedResponse = ServerResponse & { [EXCHANGE]?: Exchange };

/**
 * What a backend is called with. `signal` is a getter: its AbortController (an EventTarget, costly
 * to create) is made only for backends that read it, and aborted when the client goes away. The
 * http backend uses the cheaper ClientWatch instead.
 */
class BackendCall implements BackendRequest, ClientWatch {
  readonly #ex: Exchange;
  readonly #plan: ForwardPlan;

  constructor(ex: Exchange, plan: ForwardPlan) {
    this.#ex = ex;
    this.#plan = plan;
  }

  get path(): string {
    return this.#plan.path.raw;
  }

  get params(): Readonly<Record<string, string | undefined>> {
    return this.#plan.params;
  }

  get remainder(): string {
    return this.#plan.remainder;
  }

  get query(): string {
    return this.#plan.query;
  }

  get req(): IncomingMessage {
    return this.#ex.req;
  }

  get requestId(): string {
    return this.#ex.requestId;
  }

  watchClient(listener: (reason: Error) => void): boolean {
    if (this.#ex.gone) return false;
    this.#ex.clientListener = listener;
    return true;
  }

  unwatchClient(): void {
    this.#ex.clientListener = undefined;
  }

  get signal(): AbortSignal {
    const ex = this.#ex;
    if (ex.controller === undefined) {
      ex.controller = new AbortController();
      if (ex.gone) ex.controller.abort();
    }
    return ex.controller.signal;
  }
}

function outcomeOf(d: CorsDecision): CorsOutcome {
  return d.wouldReject ? "report-only" : d.status >= 400 || !d.allowed ? "refused" : "allowed";
}

export interface GatewayOptions {
  readonly logger?: Logger;
  /** Where request counts, CORS decisions and backend latencies are recorded. */
  readonly metrics?: GatewayMetrics;
  /** The console's window of recent CORS decisions (src/observability/decisions.ts). */
  readonly decisions?: DecisionWindow;
  /** Where one JSON line per exchange is written (src/observability/access-log.ts); none when absent. */
  readonly accessLog?: AccessLog | undefined;
  /** Where function backend modules are resolved from: the configuration file's directory. */
  readonly baseDir?: string;
}

/**
 * The data plane: it executes the request plan (src/plan/plan.ts, the one place the steps are written)
 * for each request: an error plan is answered with a JSON error, a preflight plan with the gateway's
 * own 200, a forward plan by the backend, whose response gets the plan's CORS headers; the gateway's
 * own headers (X-Request-Id, Server-Timing) go on every answer.
 *
 * Hot path: everything up to the backend call runs synchronously (no promise for a preflight or a
 * refusal), one Exchange object carries the request's state, and one listener function shared by
 * every response observes its end.
 */
export class Gateway {
  #generation: Generation;
  #inFlight = 0;
  #draining = false;
  readonly #logger: Logger;
  readonly #accessLog: AccessLog | undefined;
  readonly #metrics: GatewayMetrics | undefined;
  readonly #decisions: DecisionWindow | undefined;
  readonly #baseDir: string;
  /** The `close` listener of every response; `this` is the response. */
  readonly #onClose: (this: TaggedResponse) => void;

  constructor(snapshot: Snapshot, options: GatewayOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#accessLog = options.accessLog;
    this.#metrics = options.metrics;
    this.#decisions = options.decisions;
    this.#baseDir = options.baseDir ?? process.cwd();
    this.#generation = this.#build(snapshot);
    const gateway = this;
    this.#onClose = function (this: TaggedResponse) {
      gateway.#closed(this[EXCHANGE] as Exchange);
    };
  }

  #build(snapshot: Snapshot): Generation {
    const backends = buildBackends(snapshot.apis, {
      baseDir: this.#baseDir,
      logger: this.#logger,
      maxBodyBytes: snapshot.limits.maxBodyBytes,
    });
    return { snapshot, backends };
  }

  /** Requests received and not yet finished. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** From now on every response asks the client to close its connection (graceful shutdown). */
  drain(): void {
    this.#draining = true;
  }

  get snapshot(): Snapshot {
    return this.#generation.snapshot;
  }

  /** Swaps in a new configuration; requests in flight finish on the one they started with. */
  swap(snapshot: Snapshot): void {
    const previous = this.#generation;
    this.#generation = this.#build(snapshot);
    for (const b of previous.backends) void b.close?.();
  }

  async close(): Promise<void> {
    await Promise.all(this.#generation.backends.map((b) => b.close?.()));
  }

  /** Plans a request without handling it; `handle(req, res, planned)` then carries the plan out. */
  plan(req: IncomingMessage): PlannedRequest {
    const start = performance.now();
    const generation = this.#generation;
    return { plan: planRequest(generation.snapshot, requestView(req)), generation, start };
  }

  /** The node:http request listener; `planned` when the request was planned already (`plan`). */
  readonly handle = (req: IncomingMessage, res: ServerResponse, planned?: PlannedRequest): void => {
    this.#inFlight++;
    const ex = new Exchange(
      req,
      res,
      newRequestId(),
      planned?.start ?? performance.now(),
      planned?.generation ?? this.#generation,
    );
    (res as TaggedResponse)[EXCHANGE] = ex;
    res.on("close", this.#onClose);
    let forwarding: Promise<void> | undefined;
    try {
      forwarding = this.#run(ex, planned?.plan);
    } catch (error) {
      this.#fail(ex, error);
      return;
    }
    forwarding?.catch((error: unknown) => this.#fail(ex, error));
  };

  /**
   * Answers a request its listener refused before routing (an HTTP/2 header list over the limit,
   * a Host that contradicts :authority) with a gateway error, logged and counted like any other.
   */
  readonly refuse = (req: IncomingMessage, res: ServerResponse, code: ErrorCode): void => {
    this.#inFlight++;
    const ex = new Exchange(req, res, newRequestId(), performance.now(), this.#generation);
    (res as TaggedResponse)[EXCHANGE] = ex;
    res.on("close", this.#onClose);
    this.#sendError(ex, code, ERRORS[code].message);
  };

  /** Plans the request (unless it was) and carries the plan out; returns the backend call's promise when there is one. */
  #run(ex: Exchange, planned: Plan | undefined): Promise<void> | undefined {
    const plan = planned ?? planRequest(ex.generation.snapshot, requestView(ex.req));
    ex.plan = plan;
    if (plan.kind === "forward") {
      const backend = ex.generation.backends[plan.api.index] as Backend;
      return this.#forward(ex, plan, backend);
    }
    if (plan.kind === "preflight") this.#answerPreflight(ex, plan.decision as CorsDecision);
    else this.#answerError(ex, plan);
    return undefined;
  }

  async #forward(ex: Exchange, plan: ForwardPlan, backend: Backend): Promise<void> {
    const upstreamStart = performance.now();
    let response: BackendResponse;
    try {
      response = await backend.call(new BackendCall(ex, plan));
    } finally {
      ex.upstreamMs = performance.now() - upstreamStart;
    }
    const headers = response.headers;
    applyForwardCors(plan, headers);
    try {
      const streaming = this.#finish(ex, response.status, headers, response.body);
      if (streaming !== undefined) await streaming;
    } finally {
      response.dispose?.();
    }
  }

  #answerError(ex: Exchange, plan: ErrorPlan): void {
    ex.errorCode = plan.code;
    const body = errorBody(plan.code, plan.message, ex.requestId);
    this.#finish(ex, ERRORS[plan.code].status, errorHeaders(plan), body, plan.reasonPhrase);
  }

  /** A failure after the plan (a backend's, or a bug): answered like the plan's errors, with its CORS headers. */
  #sendError(ex: Exchange, code: ErrorCode, message: string, extra?: Readonly<Record<string, string>>): void {
    ex.errorCode = code;
    // The plan's request gets the CORS headers the plan decided (none when planning itself failed).
    const headers = errorHeaders(ex.plan ?? { preflight: false, decision: undefined });
    if (extra !== undefined) for (const name in extra) headers[name] = extra[name];
    this.#finish(ex, ERRORS[code].status, headers, errorBody(code, message, ex.requestId));
  }

  #fail(ex: Exchange, error: unknown): void {
    if (ex.res.headersSent) {
      ex.res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    if (error instanceof GatewayError) {
      this.#sendError(ex, error.code, error.message, error.headers);
      return;
    }
    this.#logger.error({ err: error, requestId: ex.requestId }, "internal error");
    this.#sendError(ex, "INTERNAL_ERROR", ERRORS.INTERNAL_ERROR.message);
  }

  /** The response is finished, or the client went away. */
  #closed(ex: Exchange): void {
    this.#inFlight--;
    this.#observe(ex, ex.res.writableFinished ? ex.res.statusCode : 499);
    if (!ex.res.writableFinished) {
      ex.gone = true;
      ex.controller?.abort();
      const listener = ex.clientListener;
      if (listener !== undefined) {
        ex.clientListener = undefined;
        listener(clientGoneReason());
      }
    }
  }

  /** Metrics and the access log line, once the response is finished (`status`) or the client went away (499). */
  #observe(ex: Exchange, status: number): void {
    const m = this.#metrics;
    const log = this.#accessLog;
    const window = this.#decisions;
    if (m === undefined && log === undefined && window === undefined) return;
    const api = ex.plan?.api?.name ?? "";
    const d = ex.plan?.decision;
    const verdict = d === undefined ? "none" : outcomeOf(d);
    const reason = d?.wouldReject ?? d?.reason ?? "";
    window?.record({
      requestId: ex.requestId,
      method: ex.req.method ?? "",
      host: ex.req.headers.host ?? "",
      path: ex.req.url ?? "",
      origin: ex.req.headers.origin,
      requestMethod: ex.req.headers["access-control-request-method"],
      requestHeaders: ex.req.headers["access-control-request-headers"],
      api,
      status,
      preflight: d?.preflight,
      verdict,
      reason,
    });
    if (m) {
      m.countRequest(api, status);
      if (ex.errorCode !== undefined) m.countGatewayError(ex.errorCode);
      if (d) m.countCorsDecision(d.preflight, verdict as CorsOutcome, reason);
      if (ex.upstreamMs !== undefined) m.observeBackend(api, ex.upstreamMs / 1000);
    }
    log?.write({
      requestId: ex.requestId,
      method: ex.req.method,
      protocol: ex.req.httpVersion,
      host: logValue(ex.req.headers.host),
      path: logValue(ex.req.url, 4 * MAX_LOGGED_VALUE),
      origin: logValue(ex.req.headers.origin),
      api,
      status,
      cors: d === undefined ? undefined : { verdict, reason, preflight: d.preflight },
      durationMs: performance.now() - ex.start,
      upstreamMs: ex.upstreamMs,
    });
  }

  /**
   * The gateway's own answer to an allowed preflight, with `#finish`'s headers in the same order, built
   * straight into the flat list node:http takes. Hot path: no header bag, nothing to merge or drop.
   */
  #answerPreflight(ex: Exchange, decision: CorsDecision): void {
    const flat: string[] = [];
    pushPreflightHeaders(decision, flat);
    flat.push("x-request-id", ex.requestId);
    if (this.#draining) flat.push("connection", "close");
    if (ex.generation.snapshot.serverTiming) flat.push("server-timing", this.#serverTiming(ex, undefined));
    flat.push("content-length", "0");
    answerEmpty(ex.res, 200, flat);
  }

  /** The gateway's Server-Timing value; a backend's own metrics (`theirs`) are kept, after the gateway's. */
  #serverTiming(ex: Exchange, theirs: string | string[] | undefined): string {
    const total = performance.now() - ex.start;
    const upstream = ex.upstreamMs;
    return upstream === undefined
      ? serverTimingValue(formatDuration(total), undefined, theirs)
      : serverTimingValue(formatDuration(Math.max(0, total - upstream)), formatDuration(upstream), theirs);
  }

  /**
   * The respond phase's last step: gateway headers, then write. Returns a promise only while a
   * streamed body is still being piped; a complete body is written before it returns.
   */
  #finish(
    ex: Exchange,
    status: number,
    headers: HeaderBag,
    body: BackendResponse["body"],
    statusMessage?: string,
  ): Promise<void> | undefined {
    headers["x-request-id"] = ex.requestId;
    if (this.#draining) headers.connection = "close";
    if (ex.generation.snapshot.serverTiming)
      headers["server-timing"] = this.#serverTiming(ex, headers["server-timing"]);
    return writeResponse(ex.res, status, headers, body, statusMessage);
  }
}
