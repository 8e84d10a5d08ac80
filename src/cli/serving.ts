import cluster from "node:cluster";
import { setTimeout as sleep } from "node:timers/promises";
import type { AdminOptions, RunningAdmin } from "../admin/server.js";
import type { Snapshot } from "../config/snapshot.js";
import {
  type ListenAddress,
  parseListen,
  type RunningGateway,
  type StartGatewayOptions,
  startGateway,
} from "../gateway/server.js";
import type { Logger } from "../logger.js";
import { AccessLog } from "../observability/access-log.js";
import { FdSink } from "../observability/line-sink.js";
import { type Role, resolveWorkerCount, startWorkers, type WorkerPool } from "./cluster.js";

export interface Serving {
  /** This process's gateway (single process or worker). */
  readonly gateway?: RunningGateway;
  /** The workers (primary). */
  readonly workers?: WorkerPool;
  /** Stops serving; resolves with the number of requests (or workers) that did not finish cleanly. */
  stop(): Promise<number>;
}

/** How often, at most, the log says that access log lines are being dropped. */
const DROP_WARNING_INTERVAL_MS = 10_000;

/**
 * The access log of this process: lines buffered and written to stdout off the request path, and
 * written out before the process exits, whatever makes it exit (SIGTERM drains it; `exit` flushes it;
 * an uncaught exception drains it for up to a second first). Lines dropped because stdout is slower
 * than the traffic are counted in crossgate_access_log_dropped_total and reported in the log.
 */
function processAccessLog(role: Role, logger: Logger, metrics: StartGatewayOptions["metrics"]): AccessLog {
  let warnedAt = 0;
  let warnedCount = 0;
  const sink = new FdSink(1, {
    onDropped: (total) => {
      metrics?.countAccessLogDropped();
      const now = Date.now();
      if (now - warnedAt < DROP_WARNING_INTERVAL_MS) return;
      logger.warn(
        { dropped: total - warnedCount, total },
        "access log lines dropped: stdout is slower than the traffic (crossgate_access_log_dropped_total)",
      );
      warnedAt = now;
      warnedCount = total;
    },
  });
  const log = new AccessLog(sink, role === "worker" ? { worker: cluster.worker?.id ?? 0 } : {});
  process.on("exit", () => log.flushSync());
  process.once("uncaughtException", async (error) => {
    logger.fatal({ err: error }, "uncaught exception: stopping");
    await Promise.race([log.drain(), sleep(1000)]);
    process.exit(1);
  });
  return log;
}

/** Serves the data plane in this process, or (primary) in `--workers` processes sharing the listener. */
export async function serve(
  role: Role,
  args: readonly string[],
  snapshot: Snapshot,
  listen: ListenAddress,
  logger: Logger,
  options: Omit<StartGatewayOptions, "accessLog"> & { accessLog: boolean; workers?: string | undefined },
): Promise<Serving> {
  if (role === "primary") {
    const count = resolveWorkerCount(options.workers);
    const workers = await startWorkers(
      count,
      args,
      logger,
      listen.secure === true,
      options.redirect !== undefined,
    );
    logger.info(
      { url: workers.url, workers: count },
      `crossgate gateway listening on ${workers.url} (${count} workers)`,
    );
    if (workers.redirectUrl !== undefined)
      logger.info(
        { url: workers.redirectUrl },
        `crossgate redirects ${workers.redirectUrl} to ${workers.url}`,
      );
    return { workers, stop: () => workers.stop() };
  }
  const accessLog = options.accessLog ? processAccessLog(role, logger, options.metrics) : undefined;
  const gateway = await startGateway(snapshot, listen, { ...options, accessLog });
  logger.info(
    {
      url: gateway.url,
      apis: snapshot.apis.length,
      policies: snapshot.policies.size,
      worker: role === "worker",
      ...(gateway.certificates === undefined
        ? {}
        : {
            certificates: gateway.certificates
              .served()
              .map((c) => `${c.name} (${c.info.subject}, until ${c.info.notAfter})`),
          }),
    },
    `crossgate gateway listening on ${gateway.url}`,
  );
  if (gateway.redirectUrl !== undefined)
    logger.info({ url: gateway.redirectUrl }, `crossgate redirects ${gateway.redirectUrl} to ${gateway.url}`);
  return {
    gateway,
    stop: async () => {
      logger.info(
        { inFlight: gateway.gateway.inFlight },
        "stopping: no new connections, finishing requests in flight",
      );
      const { unfinished } = await gateway.close();
      // Every answered request's line is written before the process exits.
      await accessLog?.drain();
      return unfinished;
    },
  };
}

/**
 * SIGTERM and SIGINT: stop (bounded by the drain time), then exit (1 when something was cut).
 * Repeated signals are ignored while stopping: Ctrl-C, timeout(1) and systemd signal the whole
 * process group, so a worker hears the signal itself and again from the primary.
 */
export function onStop(stop: () => Promise<number>, logger: Logger): void {
  let stopping = false;
  const handler = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const unfinished = await stop();
    if (unfinished > 0) logger.warn({ unfinished }, "stopped: requests (or workers) were cut off");
    else logger.info({ unfinished }, "stopped");
    process.exit(unfinished > 0 ? 1 : 0);
  };
  process.on("SIGTERM", () => void handler("SIGTERM"));
  process.on("SIGINT", () => void handler("SIGINT"));
}

/**
 * Starts the admin API on `address`. When the address was asked for (--admin, listen.admin) a failure
 * stops the start; the store mode's default address only warns (e.g. a second node on one machine).
 */
export async function startAdminListener(
  address: string,
  explicit: boolean,
  options: Omit<AdminOptions, "listen">,
  logger: Logger,
): Promise<RunningAdmin | undefined> {
  try {
    // Loaded only when an admin API is started: fastify and its plugins are most of the CLI's memory.
    const { startAdmin } = await import("../admin/server.js");
    const listen = parseListen(address);
    if (listen.secure)
      throw new Error(
        `--admin ${address}: the admin API serves plain HTTP (on loopback by default); give HOST:PORT`,
      );
    const admin = await startAdmin({ ...options, listen });
    logger.info({ url: admin.url }, `crossgate admin API on ${admin.url}`);
    return admin;
  } catch (error) {
    if (explicit) throw error;
    logger.warn(
      { address, error: (error as Error).message },
      "the admin API did not start on its default address; pass --admin HOST:PORT or --no-admin",
    );
    return undefined;
  }
}
