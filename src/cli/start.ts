import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { type AdminOptions, type RunningAdmin, startAdmin } from "../admin/server.js";
import { resolveAdminToken, sha256Hex } from "../admin/token.js";
import { loadConfigFile, missingModules } from "../config/load.js";
import type { Snapshot } from "../config/snapshot.js";
import { watchFile } from "../config/watch.js";
import { ControlPlane } from "../control/control-plane.js";
import { DEMO_CONFIG_PATH, readSeed } from "../control/seed.js";
import type { GatewayOptions } from "../gateway/gateway.js";
import { type ListenAddress, parseListen, type RunningGateway, startGateway } from "../gateway/server.js";
import { createLogger, type Logger } from "../logger.js";
import { clusterMetrics, GatewayMetrics, shareWithPrimary } from "../observability/metrics.js";
import { formatProblem } from "../problems.js";
import { openStore, parseStoreUrl, redactStoreUrl } from "../store/index.js";
import {
  type Role,
  resolveWorkerCount,
  roleFor,
  startArguments,
  startWorkers,
  type WorkerPool,
} from "./cluster.js";
import { printProblems } from "./problems-output.js";

export const DEFAULT_GATEWAY_LISTEN = "127.0.0.1:8080";
/** Where the admin API listens in store mode unless listen.admin, --admin or --no-admin says otherwise. */
export const DEFAULT_ADMIN_LISTEN = "127.0.0.1:9876";

interface StartOptions {
  config?: string;
  listen?: string;
  /** --admin HOST:PORT, or false for --no-admin. */
  admin?: string | false;
  watch: boolean;
  accessLog: boolean;
  store: string;
  cache?: string;
  seed?: string;
  workers?: string;
}

export const DEFAULT_STORE = "sqlite:./crossgate.db";

/**
 * Starts the admin API on `address`. When the address was asked for (--admin, listen.admin) a failure
 * stops the start; the store mode's default address only warns (e.g. a second node on one machine).
 */
async function startAdminListener(
  address: string,
  explicit: boolean,
  options: Omit<AdminOptions, "listen">,
  logger: Logger,
): Promise<RunningAdmin | undefined> {
  try {
    const admin = await startAdmin({ ...options, listen: parseListen(address) });
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

/**
 * File mode: serve a configuration file, reload it when it changes or on SIGHUP (an invalid
 * change is refused and the running configuration keeps serving), and on SIGTERM or SIGINT stop
 * accepting, let requests in flight finish (bounded by limits.shutdownTimeoutMs), and exit.
 */
async function startFromFile(
  options: StartOptions & { config: string },
  logger: Logger,
  role: Role,
  args: readonly string[],
): Promise<void> {
  const loaded = await loadConfigFile(options.config);
  if (!loaded.ok) {
    printProblems(loaded.problems);
    process.stderr.write(`${options.config}: not started, the configuration has errors\n`);
    process.exitCode = 1;
    return;
  }
  printProblems(loaded.warnings);
  const snapshot = loaded.snapshot;
  let current = snapshot;
  const listen = parseListen(options.listen ?? snapshot.config.listen?.gateway ?? DEFAULT_GATEWAY_LISTEN);
  const metrics = new GatewayMetrics();
  if (role === "worker") shareWithPrimary(metrics);
  const serving = await serve(role, args, snapshot, listen, logger, {
    logger,
    metrics,
    accessLog: options.accessLog,
    baseDir: dirname(resolve(options.config)),
    workers: options.workers,
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
            logger,
            token: await resolveAdminToken(null, process.env),
          },
          logger,
        );

  let reloading = Promise.resolve();
  const reload = (trigger: string) => {
    reloading = reloading.then(async () => {
      const next = await loadConfigFile(options.config);
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

interface Serving {
  /** This process's gateway (single process or worker). */
  readonly gateway?: RunningGateway;
  /** The workers (primary). */
  readonly workers?: WorkerPool;
  /** Stops serving; resolves with the number of requests (or workers) that did not finish cleanly. */
  stop(): Promise<number>;
}

/** Serves the data plane in this process, or (primary) in `--workers` processes sharing the listener. */
async function serve(
  role: Role,
  args: readonly string[],
  snapshot: Snapshot,
  listen: ListenAddress,
  logger: Logger,
  options: GatewayOptions & { workers?: string | undefined },
): Promise<Serving> {
  if (role === "primary") {
    const count = resolveWorkerCount(options.workers);
    const workers = await startWorkers(count, args, logger);
    logger.info(
      { url: workers.url, workers: count },
      `crossgate gateway listening on ${workers.url} (${count} workers)`,
    );
    return { workers, stop: () => workers.stop() };
  }
  const gateway = await startGateway(snapshot, listen, options);
  logger.info(
    {
      url: gateway.url,
      apis: snapshot.apis.length,
      policies: snapshot.policies.size,
      worker: role === "worker",
    },
    `crossgate gateway listening on ${gateway.url}`,
  );
  return {
    gateway,
    stop: async () => {
      logger.info(
        { inFlight: gateway.gateway.inFlight },
        "stopping: no new connections, finishing requests in flight",
      );
      return (await gateway.close()).unfinished;
    },
  };
}

/**
 * SIGTERM and SIGINT: stop (bounded by the drain time), then exit (1 when something was cut).
 * Repeated signals are ignored while stopping: Ctrl-C, timeout(1) and systemd signal the whole
 * process group, so a worker hears the signal itself and again from the primary.
 */
function onStop(stop: () => Promise<number>, logger: Logger): void {
  let stopping = false;
  const handler = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const unfinished = await stop();
    logger.info({ unfinished }, "stopped");
    process.exit(unfinished > 0 ? 1 : 0);
  };
  process.on("SIGTERM", () => void handler("SIGTERM"));
  process.on("SIGINT", () => void handler("SIGINT"));
}

function defaultCacheFile(storeUrl: string): string {
  const location = parseStoreUrl(storeUrl);
  return location.kind === "sqlite" && location.path !== ":memory:"
    ? `${location.path}.last-good.json`
    : resolve("crossgate-last-good.json");
}

/**
 * Store mode: the configuration lives in the store (SQLite by default, PostgreSQL for clusters),
 * seeded from the demo on first start, and follows every revision committed by any node.
 */
async function startFromStore(
  options: StartOptions,
  logger: Logger,
  role: Role,
  args: readonly string[],
): Promise<void> {
  // Not checked here: when the store is down the control plane serves the cached configuration.
  const store = await openStore(options.store, { checkConnection: false });
  const metrics = new GatewayMetrics();
  if (role === "worker") shareWithPrimary(metrics);
  let serving: Serving | undefined;
  let pending: { snapshot: Snapshot; revision: number } | undefined;
  const plane = await ControlPlane.start(store, {
    logger,
    cacheFile: options.cache ?? defaultCacheFile(options.store),
    // The primary (or the single process) seeds an empty store before any worker starts.
    ...(role === "worker" ? {} : { seed: async () => readSeed(options.seed ?? DEMO_CONFIG_PATH) }),
    extraChecks: (config) => missingModules(config, process.cwd()),
    onSnapshot: (snapshot, revision) => {
      metrics.revision.set(revision);
      if (serving) serving.gateway?.swap(snapshot);
      else pending = { snapshot, revision };
    },
  });
  if (!pending) throw new Error("the control plane started without a configuration");
  const snapshot = pending.snapshot;
  const listen = parseListen(options.listen ?? snapshot.config.listen?.gateway ?? DEFAULT_GATEWAY_LISTEN);
  serving = await serve(role, args, plane.snapshot, listen, logger, {
    logger,
    metrics,
    accessLog: options.accessLog,
    baseDir: process.cwd(),
    workers: options.workers,
  });
  logger.info({ store: redactStoreUrl(options.store), revision: plane.revision }, "serving from the store");
  let admin: RunningAdmin | undefined;
  if (options.admin !== false && role !== "worker") {
    const configured = options.admin ?? plane.config.listen?.admin;
    let token: { hash: string };
    try {
      token = await resolveAdminToken(plane.store, process.env);
    } catch (error) {
      // The store is down at start: no token can be checked, so /admin/v1 refuses everything until a
      // restart (or CROSSGATE_ADMIN_TOKEN); health, readiness and metrics still answer.
      logger.warn(
        { error: (error as Error).message },
        "the admin token could not be read from the store: the admin API refuses every call until restarted",
      );
      token = { hash: sha256Hex(randomBytes(32).toString("hex")) };
    }
    admin = await startAdminListener(
      configured ?? DEFAULT_ADMIN_LISTEN,
      configured !== undefined,
      { plane, metrics: role === "primary" ? clusterMetrics() : metrics, logger, token },
      logger,
    );
  }
  const current = serving;
  onStop(async () => {
    await admin?.close();
    const unfinished = await current.stop();
    await plane.close();
    return unfinished;
  }, logger);
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("start the gateway")
    .option(
      "--config <file>",
      "serve a YAML or JSON file (reloaded when it changes, and on SIGHUP) instead of a store",
    )
    .option("--store <url>", "sqlite:PATH or postgres://... (store mode, the default)", DEFAULT_STORE)
    .option("--cache <file>", "where the last good configuration is cached (default: beside the SQLite file)")
    .option("--seed <file>", "the configuration stored on first start (default: examples/demo.yaml)")
    .option("--listen <host:port>", "gateway listener, overrides listen.gateway")
    .option(
      "--admin <host:port>",
      `admin API listener, overrides listen.admin (store mode default: ${DEFAULT_ADMIN_LISTEN}; file mode: none)`,
    )
    .option("--no-admin", "do not start the admin API")
    .option("--no-watch", "file mode: do not reload the file when it changes (SIGHUP still reloads)")
    .option("--no-access-log", "do not log one JSON line per request")
    .option("--workers <n>", "gateway processes sharing the listener (default: one per core)")
    .action(async (options: StartOptions) => {
      const logger = createLogger();
      const role = roleFor(resolveWorkerCount(options.workers));
      // Workers run `crossgate start` with the same arguments (cluster.setupPrimary).
      const args = startArguments();
      if (options.config !== undefined)
        await startFromFile({ ...options, config: options.config }, logger, role, args);
      else await startFromStore(options, logger, role, args);
    });
}
