import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The gateway's Prometheus metrics (SPEC section 8), one registry per process.
 * Label values are bounded: API names come from the configuration, reasons from the engine.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "crossgate_requests_total",
    help: "Requests answered, by API and status.",
    labelNames: ["api", "status"] as const,
    registers: [this.registry],
  });
  readonly corsDecisions = new Counter({
    name: "crossgate_cors_decisions_total",
    help: "CORS decisions by kind (preflight, actual), outcome (allowed, refused, report-only) and reason.",
    labelNames: ["kind", "outcome", "reason"] as const,
    registers: [this.registry],
  });
  readonly backendDuration = new Histogram({
    name: "crossgate_backend_duration_seconds",
    help: "Time from calling the backend to its response headers, by API.",
    labelNames: ["api"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly revision = new Gauge({
    name: "crossgate_config_revision",
    help: "The configuration revision being served (0 in file mode).",
    registers: [this.registry],
    // Across workers (--workers) the newest revision any of them serves, not a sum.
    aggregator: "max",
  });

  /** The exposition text for GET /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
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
