import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { ApiRuntime, Snapshot } from "../config/snapshot.js";
import { type CorsDecision, type CorsRules, decideCors, isPreflight } from "../cors/index.js";
import { ERRORS, type ErrorCode, GatewayError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { authenticate } from "./auth.js";
import { buildBackends } from "./backends/registry.js";
import type { Backend, BackendResponse, HeaderBag } from "./backends/types.js";
import { applyCors, mergeVary } from "./cors-headers.js";
import { groupDefaultFor } from "./group-default.js";
import { preflightTarget } from "./preflight-target.js";
import { newRequestId } from "./request-id.js";
import { corsView, hostName, splitTarget } from "./request-view.js";
import { errorBody, formatDuration, writeResponse } from "./respond.js";

/** A snapshot with the backends built for it: the unit that is swapped atomically. */
interface Generation {
  readonly snapshot: Snapshot;
  readonly backends: readonly Backend[];
}

/** Per-request state threaded through the phases. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly start: number;
  readonly generation: Generation;
  api?: ApiRuntime;
  decision?: CorsDecision;
  rules?: CorsRules | null;
  upstreamMs?: number;
}

const CORS_ERROR: Record<string, ErrorCode> = {
  ORIGIN_NOT_ALLOWED: "CORS_ORIGIN_NOT_ALLOWED",
  ORIGIN_MALFORMED: "CORS_ORIGIN_NOT_ALLOWED",
  NULL_ORIGIN_NOT_ALLOWED: "CORS_ORIGIN_NOT_ALLOWED",
  METHOD_NOT_ALLOWED: "CORS_METHOD_NOT_ALLOWED",
  HEADER_NOT_ALLOWED: "CORS_HEADER_NOT_SUPPORTED",
  PRIVATE_NETWORK_NOT_ALLOWED: "CORS_PRIVATE_NETWORK_NOT_ALLOWED",
};

/**
 * The data plane. Each request runs a fixed sequence of phases:
 * identify -> route -> preflight (may answer) -> cors (may refuse) -> authenticate -> forward -> respond.
 * Any phase may answer early with a GatewayError, which still passes through respond, so that
 * errors carry the CORS headers a successful response would.
 */
export interface GatewayOptions {
  readonly logger?: Logger;
  /** Where request counts, CORS decisions and backend latencies are recorded. */
  readonly metrics?: GatewayMetrics;
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
  readonly #baseDir: string;

  constructor(snapshot: Snapshot, options: GatewayOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#accessLog =
      options.logger && options.accessLog !== false ? options.logger.child({ log: "access" }) : undefined;
    this.#metrics = options.metrics;
    this.#baseDir = options.baseDir ?? process.cwd();
    this.#generation = this.#build(snapshot);
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
    const ex: Exchange = {
      req,
      res,
      requestId: newRequestId(),
      start: performance.now(),
      generation: this.#generation,
    };
    res.once("close", () => {
      this.#inFlight--;
      this.#observe(ex);
    });
    this.#run(ex).catch((error: unknown) => this.#fail(ex, error));
  };

  async #run(ex: Exchange): Promise<void> {
    const { req } = ex;
    const { snapshot } = ex.generation;
    const { path, query } = splitTarget(req.url);
    const host = hostName(req.headers.host);
    const view = corsView(req);

    if (isPreflight(view)) {
      const handled = this.#preflight(ex, host, path, view);
      if (handled) return;
    }

    const method = req.method ?? "GET";
    const routed = snapshot.router.route(host, method, path);
    if (!routed.found) {
      ex.rules = groupDefaultFor(snapshot, host)?.rules ?? null;
      if (ex.rules) ex.decision = decideCors(ex.rules, view);
      const allow = routed.status === 405 ? { allow: routed.allow.join(", ") } : undefined;
      throw new GatewayError(
        routed.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED",
        undefined,
        allow,
      );
    }
    const { api, params, remainder } = routed.match;
    ex.api = api;
    ex.rules = api.cors;
    if (api.cors) {
      const decision = decideCors(api.cors, view);
      ex.decision = decision;
      if (decision.status >= 400) {
        this.#refuseCors(ex, decision);
        return;
      }
    }
    authenticate(snapshot, api, req);
    await this.#forward(ex, ex.generation.backends[api.index] as Backend, params, remainder, query);
  }

  /**
   * Preflights never reach authentication, and reach a backend only through an OPTIONS API.
   * Returns false when an OPTIONS API serves it as an ordinary request (it has no CORS rules).
   */
  #preflight(ex: Exchange, host: string, path: string, view: ReturnType<typeof corsView>): boolean {
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
    // An OPTIONS API without CORS rules is an ordinary request: its backend answers (e.g. Amazon's mock).
    if (api.cors === null) return false;
    ex.api = api;
    ex.rules = api.cors;
    const decision = decideCors(api.cors, view);
    ex.decision = decision;
    if (decision.status >= 400) {
      this.#refuseCors(ex, decision);
    } else if (target.kind === "options-api") {
      const backend = ex.generation.backends[api.index] as Backend;
      this.#forward(ex, backend, params, remainder, splitTarget(ex.req.url).query).catch((error: unknown) =>
        this.#fail(ex, error),
      );
    } else {
      const headers: HeaderBag = {};
      applyCors(headers, decision, false);
      void this.#finish(ex, 200, headers, null);
    }
    return true;
  }

  async #forward(
    ex: Exchange,
    backend: Backend,
    params: Readonly<Record<string, string | undefined>>,
    remainder: string,
    query: string,
  ): Promise<void> {
    const controller = new AbortController();
    const onClose = () => {
      if (!ex.res.writableFinished) controller.abort();
    };
    ex.res.once("close", onClose);
    const upstreamStart = performance.now();
    let response: BackendResponse;
    try {
      response = await backend.call({
        req: ex.req,
        requestId: ex.requestId,
        params,
        remainder,
        query,
        signal: controller.signal,
      });
    } finally {
      ex.upstreamMs = performance.now() - upstreamStart;
    }
    const headers = response.headers;
    if (ex.decision && ex.rules) {
      const backendWins = ex.rules.kind === "toggle" || ex.rules.backendCorsHeaders === "keep";
      applyCors(headers, ex.decision, backendWins);
    }
    try {
      await this.#finish(ex, response.status, headers, response.body);
    } finally {
      response.dispose?.();
    }
  }

  #refuseCors(ex: Exchange, decision: CorsDecision): void {
    const code = CORS_ERROR[decision.reason] ?? "CORS_ORIGIN_NOT_ALLOWED";
    const headers: HeaderBag = { "content-type": "application/json; charset=utf-8" };
    const vary = mergeVary(undefined, decision.vary);
    if (vary !== undefined) headers.vary = vary;
    const message = ERRORS[code].message;
    const body = errorBody(code, message, ex.requestId);
    void this.#finish(ex, ERRORS[code].status, headers, body, message);
  }

  #sendError(ex: Exchange, code: ErrorCode, message: string, extra?: Readonly<Record<string, string>>): void {
    const headers: HeaderBag = { "content-type": "application/json; charset=utf-8", ...extra };
    // Errors carry the CORS headers a successful response would, so that the page can read them.
    if (ex.decision && ex.decision.status < 400 && !ex.decision.preflight)
      applyCors(headers, ex.decision, false);
    void this.#finish(ex, ERRORS[code].status, headers, errorBody(code, message, ex.requestId));
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

  /** Metrics and the access log line, once the response is finished or the client went away. */
  #observe(ex: Exchange): void {
    const status = ex.res.writableFinished ? ex.res.statusCode : 499;
    const api = ex.api?.name ?? "";
    const d = ex.decision;
    const verdict =
      d === undefined
        ? "none"
        : d.wouldReject
          ? "report-only"
          : d.status >= 400 || !d.allowed
            ? "refused"
            : "allowed";
    const reason = d?.wouldReject ?? d?.reason ?? "";
    const m = this.#metrics;
    if (m) {
      m.requests.inc({ api, status });
      if (d) m.corsDecisions.inc({ kind: d.preflight ? "preflight" : "actual", outcome: verdict, reason });
      if (ex.upstreamMs !== undefined) m.backendDuration.observe({ api }, ex.upstreamMs / 1000);
    }
    this.#accessLog?.info(
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

  /** The respond phase's last step: gateway headers, then write. */
  #finish(
    ex: Exchange,
    status: number,
    headers: HeaderBag,
    body: BackendResponse["body"],
    statusMessage?: string,
  ): Promise<void> {
    headers["x-request-id"] = ex.requestId;
    if (this.#draining) headers.connection = "close";
    if (ex.generation.snapshot.serverTiming) {
      const total = performance.now() - ex.start;
      const upstream = ex.upstreamMs;
      const own =
        upstream === undefined
          ? `gateway;dur=${formatDuration(total)}`
          : `gateway;dur=${formatDuration(Math.max(0, total - upstream))}, upstream;dur=${formatDuration(upstream)}`;
      // A backend's own Server-Timing metrics are kept, after the gateway's.
      const theirs = headers["server-timing"];
      headers["server-timing"] =
        theirs === undefined ? own : `${own}, ${Array.isArray(theirs) ? theirs.join(", ") : theirs}`;
    }
    return writeResponse(ex.res, status, headers, body, statusMessage);
  }
}
