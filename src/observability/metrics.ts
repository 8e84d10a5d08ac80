import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from "prom-client";

/** One label set's count not yet handed to prom-client. */
interface Tally {
  readonly labels: Readonly<Record<string, string | number>>;
  pending: number;
}

/** The outcome label of a CORS decision. */
export type CorsOutcome = "allowed" | "refused" | "report-only";
const OUTCOMES: readonly CorsOutcome[] = ["allowed", "refused", "report-only"];

/** The kind label of a CORS decision: a WebSocket handshake's Origin check is the third kind. */
export type CorsDecisionKind = "preflight" | "actual" | "websocket";
const KINDS: readonly CorsDecisionKind[] = ["preflight", "actual", "websocket"];

/**
 * The gateway's Prometheus metrics (SPEC section 8), one registry per process.
 * Label values are bounded: API names come from the configuration, reasons from the engine.
 *
 * Hot path: the gateway counts with `countRequest` and `countCorsDecision`, which add 1 to a plain
 * number found through Maps keyed by the label values; the counts reach prom-client when it
 * collects (every scrape, or a cluster primary asking this worker). prom-client's own
 * `inc(labels)` builds a string key from the labels on every call, which profiles showed per request.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** API name to status to its tally; every tally also in `#requestTallies`, in creation order. */
  readonly #requestsByApi = new Map<string, Map<number, Tally>>();
  readonly #requestTallies: Tally[] = [];
  /** Per kind and outcome (`kindIndex * 3 + outcomeIndex`), reason to its tally. */
  readonly #corsByReason: Map<string, Tally>[] = Array.from({ length: KINDS.length * 3 }, () => new Map());
  readonly #corsTallies: Tally[] = [];
  /** Error code to its tally. */
  readonly #errorsByCode = new Map<string, Tally>();
  readonly #errorTallies: Tally[] = [];
  /** `{ api }` label objects, one per API name, for the histogram. */
  readonly #apiLabels = new Map<string, { readonly api: string }>();

  readonly requests: Counter<"api" | "status"> = new Counter({
    name: "crossgate_requests_total",
    help: "Requests answered, by API and status.",
    labelNames: ["api", "status"] as const,
    registers: [this.registry],
    collect: (): void => flush(this.requests, this.#requestTallies),
  });
  readonly corsDecisions: Counter<"kind" | "outcome" | "reason"> = new Counter({
    name: "crossgate_cors_decisions_total",
    help: "CORS decisions by kind (preflight, actual, websocket), outcome (allowed, refused, report-only) and reason.",
    labelNames: ["kind", "outcome", "reason"] as const,
    registers: [this.registry],
    collect: (): void => flush(this.corsDecisions, this.#corsTallies),
  });
  readonly gatewayErrors: Counter<"code"> = new Counter({
    name: "crossgate_gateway_errors_total",
    help: "Errors the gateway answered itself, by error code (docs/errors.md): refused paths, routing misses, CORS and auth refusals, backend failures.",
    labelNames: ["code"] as const,
    registers: [this.registry],
    collect: (): void => flush(this.gatewayErrors, this.#errorTallies),
  });
  readonly accessLogDropped = new Counter({
    name: "crossgate_access_log_dropped_total",
    help: "Access log lines dropped because the log's destination (stdout) stayed slower than the traffic and the buffer was full.",
    registers: [this.registry],
  });
  readonly backendDuration = new Histogram({
    name: "crossgate_backend_duration_seconds",
    help: "Time from calling the backend to its response headers, by API.",
    labelNames: ["api"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly websocketConnections = new Gauge({
    name: "crossgate_websocket_connections",
    help: "WebSocket connections open through the gateway (upgraded and not yet closed).",
    registers: [this.registry],
  });
  readonly revision = new Gauge({
    name: "crossgate_config_revision",
    help: "The configuration revision being served (0 in file mode).",
    registers: [this.registry],
    // Across workers (--workers) the newest revision any of them serves, not a sum.
    aggregator: "max",
  });

  // HTTPS and HTTP/2 (src/gateway/listeners/https.ts): per connection or stream, not per request.
  readonly tlsConnections = new Counter({
    name: "crossgate_tls_connections_total",
    help: "TLS connections accepted by an https listener, by the protocol ALPN chose (h2, http/1.1).",
    labelNames: ["protocol"] as const,
    registers: [this.registry],
  });
  readonly tlsHandshakeFailures = new Counter({
    name: "crossgate_tls_handshake_failures_total",
    help: "TLS handshakes that failed, by reason (unknown_server_name, or OpenSSL's error code).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly http2StreamResets = new Counter({
    name: "crossgate_http2_stream_resets_total",
    help: "HTTP/2 streams ended by RST_STREAM, by who reset them (client, gateway) and the error code.",
    labelNames: ["by", "code"] as const,
    registers: [this.registry],
  });
  readonly http2SessionsTerminated = new Counter({
    name: "crossgate_http2_sessions_terminated_total",
    help: "HTTP/2 connections the gateway closed with GOAWAY for abuse, by reason (rapid_reset).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly certificateExpiry = new Gauge({
    name: "crossgate_tls_certificate_expiry_timestamp_seconds",
    help: "When each served certificate expires (Unix time), by its name or position in tls.certificates.",
    labelNames: ["certificate"] as const,
    registers: [this.registry],
    aggregator: "min",
  });

  /** Counts one answered request (`crossgate_requests_total{api, status}`). */
  countRequest(api: string, status: number): void {
    let byStatus = this.#requestsByApi.get(api);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.#requestsByApi.set(api, byStatus);
    }
    let tally = byStatus.get(status);
    if (tally === undefined) {
      tally = { labels: { api, status }, pending: 0 };
      byStatus.set(status, tally);
      this.#requestTallies.push(tally);
    }
    tally.pending++;
  }

  /** Counts one CORS decision (`crossgate_cors_decisions_total{kind, outcome, reason}`). */
  countCorsDecision(preflight: boolean, outcome: CorsOutcome, reason: string): void {
    this.#countCors(preflight ? 0 : 1, outcome, reason);
  }

  /** Counts one WebSocket handshake's Origin check (`crossgate_cors_decisions_total{kind="websocket"}`). */
  countWebSocketDecision(outcome: CorsOutcome, reason: string): void {
    this.#countCors(2, outcome, reason);
  }

  #countCors(kindIndex: number, outcome: CorsOutcome, reason: string): void {
    const byReason = this.#corsByReason[kindIndex * 3 + OUTCOMES.indexOf(outcome)] as Map<string, Tally>;
    let tally = byReason.get(reason);
    if (tally === undefined) {
      tally = { labels: { kind: KINDS[kindIndex] as CorsDecisionKind, outcome, reason }, pending: 0 };
      byReason.set(reason, tally);
      this.#corsTallies.push(tally);
    }
    tally.pending++;
  }

  /** Counts one error the gateway answered itself (`crossgate_gateway_errors_total{code}`). */
  countGatewayError(code: string): void {
    let tally = this.#errorsByCode.get(code);
    if (tally === undefined) {
      tally = { labels: { code }, pending: 0 };
      this.#errorsByCode.set(code, tally);
      this.#errorTallies.push(tally);
    }
    tally.pending++;
  }

  /** Counts one access log line dropped (its destination stayed slower than the traffic). */
  countAccessLogDropped(): void {
    this.accessLogDropped.inc();
  }

  /** Records a backend's time to its response headers, in seconds. */
  observeBackend(api: string, seconds: number): void {
    let labels = this.#apiLabels.get(api);
    if (labels === undefined) {
      labels = { api };
      this.#apiLabels.set(api, labels);
    }
    this.backendDuration.observe(labels, seconds);
  }

  /** The exposition text for GET /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Hands the pending counts to prom-client. */
function flush<T extends string>(counter: Counter<T>, tallies: readonly Tally[]): void {
  for (const tally of tallies) {
    if (tally.pending === 0) continue;
    counter.inc(tally.labels as Partial<Record<T, string | number>>, tally.pending);
    tally.pending = 0;
  }
}

/** The metrics source the admin API serves: one process's registry, or every worker's, summed. */
export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

/** In a worker process: answer the primary's requests for this worker's metrics. */
export function shareWithPrimary(metrics: GatewayMetrics): void {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
}

/** In the primary process: every worker's metrics, aggregated (counters summed). */
export function clusterMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return {
    text: () => aggregator.clusterMetrics(),
    get contentType() {
      return aggregator.contentType;
    },
  };
}
