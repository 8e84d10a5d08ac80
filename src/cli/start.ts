import type { Command } from "commander";
import { createLogger } from "../logger.js";
import { resolveWorkerCount, roleFor, startArguments } from "./cluster.js";
import { DEFAULT_ADMIN_LISTEN, DEFAULT_STORE, type StartOptions } from "./start-options.js";

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
    .action(async (options: StartOptions) => {
      const logger = createLogger();
      const role = roleFor(resolveWorkerCount(options.workers));
      // Workers run `crossgate start` with the same arguments (cluster.setupPrimary).
      const args = startArguments();
      // Each mode loads only what it needs: file mode never loads the stores, and neither mode
      // loads the admin API (fastify) unless one is started.
      if (options.config !== undefined) {
        const { startFromFile } = await import("./start-file.js");
        await startFromFile({ ...options, config: options.config }, logger, role, args);
      } else {
        const { startFromStore } = await import("./start-store.js");
        await startFromStore(options, logger, role, args);
      }
    });
}
