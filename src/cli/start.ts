import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfigFile } from "../config/load.js";
import { watchFile } from "../config/watch.js";
import { parseListen, type RunningGateway, startGateway } from "../gateway/server.js";
import { createLogger, type Logger } from "../logger.js";
import { formatProblem } from "../problems.js";
import { printProblems } from "./problems-output.js";

export const DEFAULT_GATEWAY_LISTEN = "127.0.0.1:8080";

interface StartOptions {
  config: string;
  listen?: string;
  watch: boolean;
}

/**
 * File mode: serve a configuration file, reload it when it changes or on SIGHUP (an invalid
 * change is refused and the running configuration keeps serving), and on SIGTERM or SIGINT stop
 * accepting, let requests in flight finish (bounded by limits.shutdownTimeoutMs), and exit.
 */
async function startFromFile(options: StartOptions, logger: Logger): Promise<void> {
  const loaded = await loadConfigFile(options.config);
  if (!loaded.ok) {
    printProblems(loaded.problems);
    process.stderr.write(`${options.config}: not started, the configuration has errors\n`);
    process.exitCode = 1;
    return;
  }
  printProblems(loaded.warnings);
  const snapshot = loaded.snapshot;
  const listen = parseListen(options.listen ?? snapshot.config.listen?.gateway ?? DEFAULT_GATEWAY_LISTEN);
  const running: RunningGateway = await startGateway(snapshot, listen, {
    logger,
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

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("start the gateway")
    .requiredOption(
      "--config <file>",
      "YAML or JSON configuration file (reloaded when it changes, and on SIGHUP)",
    )
    .option("--listen <host:port>", "gateway listener, overrides listen.gateway")
    .option("--no-watch", "do not reload the configuration file when it changes (SIGHUP still reloads)")
    .action(async (options: StartOptions) => {
      await startFromFile(options, createLogger());
    });
}
