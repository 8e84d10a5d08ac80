import type { Command } from "commander";
import { createLogger } from "../logger.js";
import { processLoggers, resolveWorkerCount, roleFor, startArguments } from "./cluster.js";
import { DEFAULT_ADMIN_LISTEN, DEFAULT_STORE, type StartOptions } from "./start-options.js";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("start the gateway")
    .option(
      "--config <file>",
      "serve a YAML or JSON file (reloaded when it changes, and on SIGHUP) instead of a store",
    )
    .option(
      "--store <url>",
      `sqlite:PATH, postgres://..., or postgres: (PG* variables); default: $CROSSGATE_STORE, else ${DEFAULT_STORE}`,
    )
    .option("--cache <file>", "where the last good configuration is cached (default: beside the SQLite file)")
    .option(
      "--seed <file>",
      "a configuration to store when the store is empty (a new store starts empty and serves nothing)",
    )
    .option(
      "--listen <address>",
      "gateway listener, HOST:PORT or https://HOST:PORT (TLS with HTTP/2 and HTTP/1.1; certificates from tls.certificates); overrides listen.gateway",
    )
    .option(
      "--admin <host:port>",
      `admin API listener, overrides listen.admin (store mode default: ${DEFAULT_ADMIN_LISTEN}; file mode: none)`,
    )
    .option("--no-admin", "do not start the admin API")
    .option("--no-watch", "file mode: do not reload the file when it changes (SIGHUP still reloads)")
    .option("--no-access-log", "do not log one JSON line per request")
    .option("--workers <n>", "gateway processes sharing the listener (default: one per core)")
    .action(async (parsed: Omit<StartOptions, "store" | "storeFromArgs"> & { store?: string }) => {
      const options = resolveStore(parsed, process.env);
      const role = roleFor(resolveWorkerCount(options.workers));
      const logs = processLoggers(createLogger(), role);
      // Workers run `crossgate start` with the same arguments (cluster.setupPrimary).
      const args = startArguments();
      // Each mode loads only what it needs: file mode never loads the stores, and neither mode
      // loads the admin API (fastify) unless one is started.
      if (options.config !== undefined) {
        const { startFromFile } = await import("./start-file.js");
        await startFromFile({ ...options, config: options.config }, logs, role, args);
      } else {
        const { startFromStore } = await import("./start-store.js");
        await startFromStore(options, logs, role, args);
      }
    });
}

/**
 * The store URL: `--store`, else `CROSSGATE_STORE` (which keeps a password out of the process list), else
 * the embedded default.
 */
export function resolveStore(
  parsed: Omit<StartOptions, "store" | "storeFromArgs"> & { store?: string },
  env: NodeJS.ProcessEnv,
): StartOptions {
  if (parsed.store !== undefined) return { ...parsed, store: parsed.store, storeFromArgs: true };
  const fromEnv = env.CROSSGATE_STORE;
  return {
    ...parsed,
    store: fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_STORE,
    storeFromArgs: false,
  };
}
