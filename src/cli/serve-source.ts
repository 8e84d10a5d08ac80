import type { RunningAdmin } from "../admin/server.js";
import type { StoredCertificates } from "../config/tls/sources.js";
import type { ConfigSource } from "../control/config-source.js";
import { parseListen } from "../gateway/server.js";
import type { Logger } from "../logger.js";
import { DecisionWindow, localDecisions } from "../observability/decisions.js";
import { clusterDecisions, shareDecisionsWithPrimary } from "../observability/decisions-cluster.js";
import { clusterMetrics, GatewayMetrics, shareWithPrimary } from "../observability/metrics.js";
import { type Role, resolveWorkerCount } from "./cluster.js";
import { onStop, type Serving, serve, startAdminListener } from "./serving.js";
import { DEFAULT_GATEWAY_LISTEN, type StartOptions } from "./start-options.js";
import { httpsServeOptions } from "./tls-options.js";

export interface AdminPlan {
  /** `HOST:PORT` to listen on. */
  readonly address: string;
  /** Asked for (--admin, listen.admin): a failure to listen stops the start; a default only warns. */
  readonly explicit: boolean;
  readonly token: { readonly hash: string };
  /** The store's location, without credentials, for the status page. */
  readonly store?: string;
}

export interface SourceServing {
  readonly serving: Serving;
  readonly admin: RunningAdmin | undefined;
}

/**
 * Serves what a configuration source holds, the same way for a file and a store (start, reload, admin,
 * health): the gateway (or its workers) on the snapshot the source serves, following every change the
 * source makes; the admin API over the source, when `admin` says where; and on SIGTERM or SIGINT, the
 * admin API, the gateway (requests in flight finish) and the source closed in that order.
 */
export async function serveSource(
  source: ConfigSource,
  role: Role,
  args: readonly string[],
  options: StartOptions,
  logs: { lifecycle: Logger; gateway: Logger },
  more: { readonly admin?: AdminPlan | undefined; readonly storedCertificates?: StoredCertificates },
): Promise<SourceServing> {
  const logger = logs.lifecycle;
  const metrics = new GatewayMetrics();
  const decisions = new DecisionWindow();
  if (role === "worker") {
    shareWithPrimary(metrics);
    shareDecisionsWithPrimary(decisions);
  }
  metrics.revision.set(source.revision ?? 0);
  const started = source.snapshot;
  const listen = parseListen(options.listen ?? started.config.listen?.gateway ?? DEFAULT_GATEWAY_LISTEN);
  const serving = await serve(role, args, started, listen, logger, {
    logger: logs.gateway,
    metrics,
    decisions,
    accessLog: options.accessLog,
    baseDir: source.baseDir,
    workers: options.workers,
    ...(more.storedCertificates === undefined ? {} : { storedCertificates: more.storedCertificates }),
    ...httpsServeOptions(started.config, listen),
  });
  const follow = () => {
    metrics.revision.set(source.revision ?? 0);
    serving.gateway?.swap(source.snapshot);
  };
  source.onChange(follow);
  // A change the source served while the listener was starting.
  if (source.snapshot !== started) follow();

  const plan = more.admin;
  const admin =
    plan === undefined
      ? undefined
      : await startAdminListener(
          plan.address,
          plan.explicit,
          {
            source,
            metrics: role === "primary" ? clusterMetrics() : metrics,
            decisions: role === "primary" ? clusterDecisions() : localDecisions(decisions),
            node: {
              gatewayUrl: serving.gateway?.url ?? serving.workers?.url,
              workers: role === "primary" ? resolveWorkerCount(options.workers) : 1,
              ...(plan.store === undefined ? {} : { store: plan.store }),
            },
            logger,
            token: plan.token,
          },
          logger,
        );
  onStop(async () => {
    await admin?.close();
    const unfinished = await serving.stop();
    await source.close();
    return unfinished;
  }, logger);
  return { serving, admin };
}
