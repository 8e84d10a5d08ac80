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
import { parseListen, type RunningGateway, startGateway } from "../gateway/server.js";
import { createLogger, type Logger } from "../logger.js";
import { GatewayMetrics } from "../observability/metrics.js";
import { formatProblem } from "../problems.js";
import { openStore, parseStoreUrl, redactStoreUrl } from "../store/index.js";
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
async function startFromFile(options: StartOptions & { config: string }, logger: Logger): Promise<void> {
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
  const running: RunningGateway = await startGateway(snapshot, listen, {
    logger,
    metrics,
    accessLog: options.accessLog,
    baseDir: dirname(resolve(options.config)),
  });
  logger.info(
    {
      url: running.url,
      apis: snapshot.apis.length,
      policies: snapshot.policies.size,
      config: options.config,
    },
    `crossgate gateway listening on ${running.url}`,
  );
  // File mode: the admin API only when asked for, read-only (the file is the source of truth).
  const adminAddress = options.admin === false ? undefined : (options.admin ?? snapshot.config.listen?.admin);
  const admin =
    adminAddress === undefined
      ? undefined
      : await startAdminListener(
          adminAddress,
          true,
          {
            fileMode: { snapshot: () => current, file: options.config },
            metrics,
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
      running.swap(next.snapshot);
      current = next.snapshot;
      logger.info(
        { trigger, apis: next.snapshot.apis.length, warnings: next.warnings.map(formatProblem) },
        "configuration reloaded",
      );
    });
  };
  const watcher = options.watch ? watchFile(options.config, () => reload("file changed")) : undefined;
  process.on("SIGHUP", () => reload("SIGHUP"));

  const stop = async (signal: string) => {
    watcher?.close();
    await admin?.close();
    logger.info(
      { signal, inFlight: running.gateway.inFlight },
      "stopping: no new connections, finishing requests in flight",
    );
    const { unfinished } = await running.close();
    logger.info({ unfinished }, "stopped");
    process.exit(unfinished > 0 ? 1 : 0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
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
async function startFromStore(options: StartOptions, logger: Logger): Promise<void> {
  const store = await openStore(options.store);
  const metrics = new GatewayMetrics();
  let running: RunningGateway | undefined;
  let pending: { snapshot: Snapshot; revision: number } | undefined;
  const plane = await ControlPlane.start(store, {
    logger,
    cacheFile: options.cache ?? defaultCacheFile(options.store),
    seed: async () => readSeed(options.seed ?? DEMO_CONFIG_PATH),
    extraChecks: (config) => missingModules(config, process.cwd()),
    onSnapshot: (snapshot, revision) => {
      metrics.revision.set(revision);
      if (running) running.swap(snapshot);
      else pending = { snapshot, revision };
    },
  });
  if (!pending) throw new Error("the control plane started without a configuration");
  const snapshot = pending.snapshot;
  const listen = parseListen(options.listen ?? snapshot.config.listen?.gateway ?? DEFAULT_GATEWAY_LISTEN);
  running = await startGateway(plane.snapshot, listen, {
    logger,
    metrics,
    accessLog: options.accessLog,
    baseDir: process.cwd(),
  });
  logger.info(
    {
      url: running.url,
      store: redactStoreUrl(options.store),
      revision: plane.revision,
      apis: plane.snapshot.apis.length,
    },
    `crossgate gateway listening on ${running.url}`,
  );
  let admin: RunningAdmin | undefined;
  if (options.admin !== false) {
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
      { plane, metrics, logger, token },
      logger,
    );
  }
  const stop = async (signal: string) => {
    await admin?.close();
    logger.info({ signal }, "stopping: no new connections, finishing requests in flight");
    const { unfinished } = await (running as RunningGateway).close();
    await plane.close();
    logger.info({ unfinished }, "stopped");
    process.exit(unfinished > 0 ? 1 : 0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
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
    .action(async (options: StartOptions) => {
      const logger = createLogger();
      if (options.config !== undefined) await startFromFile({ ...options, config: options.config }, logger);
      else await startFromStore(options, logger);
    });
}
