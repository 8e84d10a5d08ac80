import { dirname, resolve } from "node:path";
import { resolveAdminToken } from "../admin/token.js";
import { loadConfigFile } from "../config/load.js";
import { watchFile } from "../config/watch.js";
import { parseListen } from "../gateway/server.js";
import type { Logger } from "../logger.js";
import { DecisionWindow, localDecisions } from "../observability/decisions.js";
import { clusterDecisions, shareDecisionsWithPrimary } from "../observability/decisions-cluster.js";
import { clusterMetrics, GatewayMetrics, shareWithPrimary } from "../observability/metrics.js";
import { formatProblem } from "../problems.js";
import { type Role, resolveWorkerCount } from "./cluster.js";
import { printProblems } from "./problems-output.js";
import { onStop, serve, startAdminListener } from "./serving.js";
import { DEFAULT_GATEWAY_LISTEN, type StartOptions } from "./start-options.js";
import { httpsServeOptions } from "./tls-options.js";

/**
 * File mode: serve a configuration file, reload it when it changes or on SIGHUP (an invalid
 * change is refused and the running configuration keeps serving), and on SIGTERM or SIGINT stop
 * accepting, let requests in flight finish (bounded by limits.shutdownTimeoutMs), and exit.
 */
export async function startFromFile(
  options: StartOptions & { config: string },
  logs: { lifecycle: Logger; gateway: Logger },
  role: Role,
  args: readonly string[],
): Promise<void> {
  const logger = logs.lifecycle;
  const loaded = await loadConfigFile(options.config, { listen: options.listen });
  if (!loaded.ok) {
    printProblems(loaded.problems);
    process.stderr.write(`${options.config}: not started, the configuration has errors\n`);
    process.exitCode = 1;
    return;
  }
  // Workers load the same file: the primary (or the single process) has printed its warnings already.
  if (role !== "worker") printProblems(loaded.warnings);
  const snapshot = loaded.snapshot;
  let current = snapshot;
  const listen = parseListen(options.listen ?? snapshot.config.listen?.gateway ?? DEFAULT_GATEWAY_LISTEN);
  const metrics = new GatewayMetrics();
  const decisions = new DecisionWindow();
  if (role === "worker") {
    shareWithPrimary(metrics);
    shareDecisionsWithPrimary(decisions);
  }
  const serving = await serve(role, args, snapshot, listen, logger, {
    logger: logs.gateway,
    metrics,
    decisions,
    accessLog: options.accessLog,
    baseDir: dirname(resolve(options.config)),
    workers: options.workers,
    ...httpsServeOptions(snapshot.config, listen),
  });
  // File mode: the admin API only when asked for, read-only (the file is the source of truth).
  const adminAddress =
    role === "worker" || options.admin === false
      ? undefined
      : (options.admin ?? snapshot.config.listen?.admin);
  const admin =
    adminAddress === undefined
      ? undefined
      : await startAdminListener(
          adminAddress,
          true,
          {
            fileMode: { snapshot: () => current, file: options.config },
            metrics: role === "primary" ? clusterMetrics() : metrics,
            decisions: role === "primary" ? clusterDecisions() : localDecisions(decisions),
            node: {
              gatewayUrl: serving.gateway?.url ?? serving.workers?.url,
              workers: role === "primary" ? resolveWorkerCount(options.workers) : 1,
            },
            logger,
            token: await resolveAdminToken(null, process.env),
          },
          logger,
        );

  let reloading = Promise.resolve();
  const reload = (trigger: string) => {
    reloading = reloading.then(async () => {
      const next = await loadConfigFile(options.config, { listen: options.listen });
      if (!next.ok) {
        logger.error(
          { trigger, problems: next.problems.map(formatProblem) },
          "configuration refused; the previous configuration keeps serving",
        );
        return;
      }
      serving.gateway?.swap(next.snapshot);
      current = next.snapshot;
      logger.info(
        { trigger, apis: next.snapshot.apis.length, warnings: next.warnings.map(formatProblem) },
        "configuration reloaded",
      );
    });
  };
  const watcher = options.watch ? watchFile(options.config, () => reload("file changed")) : undefined;
  process.on("SIGHUP", () => {
    reload("SIGHUP");
    serving.workers?.signal("SIGHUP");
  });
  onStop(async () => {
    watcher?.close();
    await admin?.close();
    return serving.stop();
  }, logger);
}
