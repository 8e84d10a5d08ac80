import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { ApiRuntime, Snapshot } from "../config/snapshot.js";
import {
  type CorsDecision,
  type CorsRequest,
  type CorsRules,
  decideCors,
  isPreflight,
} from "../cors/index.js";
import { corsRefusalCode, ERRORS, type ErrorCode, GatewayError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import type { DecisionWindow } from "../observability/decisions.js";
import type { CorsOutcome, GatewayMetrics } from "../observability/metrics.js";
import { authenticate } from "./auth.js";
import { type ClientWatch, clientGoneReason } from "./backends/client-watch.js";
import { buildBackends } from "./backends/registry.js";
import type { Backend, BackendRequest, BackendResponse, HeaderBag } from "./backends/types.js";
import { applyCors, mergeVary } from "./cors-headers.js";
import { groupDefaultFor } from "./group-default.js";
import { preflightTarget } from "./preflight-target.js";
import { newRequestId } from "./request-id.js";
import { corsView, hostName, targetPath, targetQuery } from "./request-view.js";
import { errorBody, formatDuration, writeResponse } from "./respond.js";

/** A snapshot with the backends built for it: the unit that is swapped atomically. */
interface Generation {
  readonly snapshot: Snapshot;
  readonly backends: readonly Backend[];
}

/**
 * Per-request state threaded through the phases. A class, so that every exchange has the same
 * shape from the start (V8 keeps the phases' property accesses monomorphic).
 */
class Exchange {
  api: ApiRuntime | undefined = undefined;
  decision: CorsDecision | undefined = undefined;
  rules: CorsRules | null = null;
  upstreamMs: number | undefined = undefined;
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
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly remainder: string;
  readonly query: string;

  constructor(
    ex: Exchange,
    params: Readonly<Record<string, string | undefined>>,
    remainder: string,
    query: string,
  ) {
    this.#ex = ex;
    this.params = params;
    this.remainder = remainder;
    this.query = query;
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

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

function outcomeOf(d: CorsDecision): CorsOutcome {
  return d.wouldReject ? "report-only" : d.status >= 400 || !d.allowed ? "refused" : "allowed";
}

/**
 * The data plane. Each request runs a fixed sequence of phases:
 * identify -> route -> preflight (may answer) -> cors (may refuse) -> authenticate -> forward -> respond.
 * Any phase may answer early with a GatewayError, which still passes through respond, so that
 * errors carry the CORS headers a successful response would.
 *
 * Hot path: everything up to the backend call runs synchronously (no promise for a preflight or a
 * refusal), one Exchange object carries the request's state, and one listener function shared by
 * every response observes its end.
 */
export interface GatewayOptions {
  readonly logger?: Logger;
  /** Where request counts, CORS decisions and backend latencies are recorded. */
  readonly metrics?: GatewayMetrics;
  /** The console's window of recent CORS decisions (src/observability/decisions.ts). */
  readonly decisions?: DecisionWindow;
  /** Log one JSON line per request (default true when a logger is given). */
  readonly accessLog?: boolean;
  /** Where function backend modules are resolved from: the configuration file's directory. */
  readonly baseDir?: string;
}

export class Gateway {
  #generation: Generation;
  #inFlight = 0;
  #draining = false;
  readonly #logger: Logger;
  readonly #accessLog: Logger | undefined;
  readonly #metrics: GatewayMetrics | undefined;
  readonly #decisions: DecisionWindow | undefined;
  readonly #baseDir: string;
  /** The `close` listener of every response; `this` is the response. */
  readonly #onClose: (this: TaggedResponse) => void;

  constructor(snapshot: Snapshot, options: GatewayOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#accessLog =
      options.logger && options.accessLog !== false ? options.logger.child({ log: "access" }) : undefined;
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

  /** The node:http request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#inFlight++;
    const ex = new Exchange(req, res, newRequestId(), performance.now(), this.#generation);
    (res as TaggedResponse)[EXCHANGE] = ex;
    res.on("close", this.#onClose);
    let forwarding: Promise<void> | undefined;
    try {
      forwarding = this.#run(ex);
    } catch (error) {
      this.#fail(ex, error);
      return;
    }
    forwarding?.catch((error: unknown) => this.#fail(ex, error));
  };

  /** The phases; returns the backend call's promise when the request reaches one. */
  #run(ex: Exchange): Promise<void> | undefined {
    const { req } = ex;
    const { snapshot } = ex.generation;
    const path = targetPath(req.url);
    // The Host matters to routing only when a group names domains.
    const host = snapshot.router.usesHost ? hostName(req.headers.host) : "";
    const view = corsView(req);

    if (isPreflight(view)) {
      const handled = this.#preflight(ex, host, path, view);
      if (handled) return undefined;
    }

    const match = snapshot.router.match(host, req.method ?? "GET", path);
    if (match === null) {
      const realHost = hostName(req.headers.host);
      ex.rules = groupDefaultFor(snapshot, realHost)?.rules ?? null;
      if (ex.rules) ex.decision = decideCors(ex.rules, view);
      const missed = snapshot.router.miss(realHost, path);
      const allow = missed.status === 405 ? { allow: missed.allow.join(", ") } : undefined;
      throw new GatewayError(
        missed.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED",
        undefined,
        allow,
      );
    }
    const { api, params, remainder } = match;
    ex.api = api;
    ex.rules = api.cors;
    if (api.cors) {
      const decision = decideCors(api.cors, view);
      ex.decision = decision;
      if (decision.status >= 400) {
        this.#refuseCors(ex, decision);
        return undefined;
      }
    }
    authenticate(snapshot, api, req);
    const backend = ex.generation.backends[api.index] as Backend;
    return this.#forward(ex, backend, new BackendCall(ex, params, remainder, targetQuery(req.url)));
  }

  /**
   * Preflights never reach authentication, and reach a backend only through an OPTIONS API.
   * Returns false when an OPTIONS API serves it as an ordinary request (it has no CORS rules).
   */
  #preflight(ex: Exchange, host: string, path: string, view: CorsRequest): boolean {
    const target = preflightTarget(
      ex.generation.snapshot,
      host,
      path,
      view.accessControlRequestMethod as string,
    );
    if (target.kind === "none") {
      // No API, or no CORS on it: the gateway does not speak CORS for it (404/405, no CORS headers).
      const code: ErrorCode = target.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED";
      this.#sendError(ex, code, ERRORS[code].message);
      return true;
    }
    const { api, params, remainder } = target.match;
    ex.api = api;
    if (api.cors === null) {
      // An OPTIONS API without CORS rules: its backend answers alone (e.g. Amazon's mock), unauthenticated.
      const backend = ex.generation.backends[api.index] as Backend;
      const call = new BackendCall(ex, params, remainder, targetQuery(ex.req.url));
      this.#forward(ex, backend, call).catch((error: unknown) => this.#fail(ex, error));
      return true;
    }
    ex.rules = api.cors;
    const decision = decideCors(api.cors, view);
    ex.decision = decision;
    if (decision.status >= 400) {
      this.#refuseCors(ex, decision);
    } else if (target.kind === "options-api") {
      const backend = ex.generation.backends[api.index] as Backend;
      const call = new BackendCall(ex, params, remainder, targetQuery(ex.req.url));
      this.#forward(ex, backend, call).catch((error: unknown) => this.#fail(ex, error));
    } else {
      this.#answerPreflight(ex, decision);
    }
    return true;
  }

  async #forward(ex: Exchange, backend: Backend, call: BackendCall): Promise<void> {
    const upstreamStart = performance.now();
    let response: BackendResponse;
    try {
      response = await backend.call(call);
    } finally {
      ex.upstreamMs = performance.now() - upstreamStart;
    }
    const headers = response.headers;
    if (ex.decision && ex.rules) {
      const backendWins = ex.rules.kind === "toggle" || ex.rules.backendCorsHeaders === "keep";
      applyCors(headers, ex.decision, backendWins);
    }
    try {
      const streaming = this.#finish(ex, response.status, headers, response.body);
      if (streaming !== undefined) await streaming;
    } finally {
      response.dispose?.();
    }
  }

  #refuseCors(ex: Exchange, decision: CorsDecision): void {
    const code = corsRefusalCode(decision.reason);
    const headers: HeaderBag = { "content-type": JSON_CONTENT_TYPE };
    const vary = mergeVary(undefined, decision.vary);
    if (vary !== undefined) headers.vary = vary;
    const message = ERRORS[code].message;
    const body = errorBody(code, message, ex.requestId);
    this.#finish(ex, ERRORS[code].status, headers, body, message);
  }

  #sendError(ex: Exchange, code: ErrorCode, message: string, extra?: Readonly<Record<string, string>>): void {
    const headers: HeaderBag = { "content-type": JSON_CONTENT_TYPE, ...extra };
    // Errors carry the CORS headers a successful response would, so that the page can read them.
    if (ex.decision && ex.decision.status < 400 && !ex.decision.preflight)
      applyCors(headers, ex.decision, false);
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
    const api = ex.api?.name ?? "";
    const d = ex.decision;
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
      if (d) m.countCorsDecision(d.preflight, verdict as CorsOutcome, reason);
      if (ex.upstreamMs !== undefined) m.observeBackend(api, ex.upstreamMs / 1000);
    }
    log?.info(
      {
        requestId: ex.requestId,
        method: ex.req.method,
        host: ex.req.headers.host,
        path: ex.req.url,
        origin: ex.req.headers.origin,
        api: api || undefined,
        status,
        cors: d === undefined ? undefined : { verdict, reason, preflight: d.preflight },
        durationMs: Number((performance.now() - ex.start).toFixed(3)),
        upstreamMs: ex.upstreamMs === undefined ? undefined : Number(ex.upstreamMs.toFixed(3)),
      },
      "request",
    );
  }

  /**
   * The gateway's own answer to an allowed preflight: what `applyCors` on an empty bag and then
   * `#finish` would write, field for field and in the same order, built straight into the flat
   * list node:http takes. Hot path: no header bag, nothing to merge or drop.
   */
  #answerPreflight(ex: Exchange, decision: CorsDecision): void {
    const flat: string[] = [];
    for (const [name, value] of decision.headers) flat.push(name, value);
    if (decision.vary !== "") flat.push("vary", decision.vary);
    flat.push("x-request-id", ex.requestId);
    if (this.#draining) flat.push("connection", "close");
    if (ex.generation.snapshot.serverTiming) flat.push("server-timing", this.#serverTiming(ex, undefined));
    flat.push("content-length", "0");
    ex.res.writeHead(200, flat);
    ex.res.end();
  }

  /** The gateway's Server-Timing value; a backend's own metrics (`theirs`) are kept, after the gateway's. */
  #serverTiming(ex: Exchange, theirs: string | string[] | undefined): string {
    const total = performance.now() - ex.start;
    const upstream = ex.upstreamMs;
    const own =
      upstream === undefined
        ? `gateway;dur=${formatDuration(total)}`
        : `gateway;dur=${formatDuration(Math.max(0, total - upstream))}, upstream;dur=${formatDuration(upstream)}`;
    return theirs === undefined ? own : `${own}, ${Array.isArray(theirs) ? theirs.join(", ") : theirs}`;
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
