import type { Command } from "commander";
import { loadConfigFile } from "../config/load.js";
import { parseListen, startGateway } from "../gateway/server.js";
import { printProblems } from "./problems-output.js";

export const DEFAULT_GATEWAY_LISTEN = "127.0.0.1:8080";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("start the gateway")
    .requiredOption("--config <file>", "YAML or JSON configuration file")
    .option("--listen <host:port>", "gateway listener, overrides listen.gateway")
    .action(async (options: { config: string; listen?: string }) => {
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
      const running = await startGateway(snapshot, listen);
      process.stdout.write(
        `crossgate gateway listening on ${running.url} (${snapshot.apis.length} APIs, ${snapshot.policies.size} CORS policies)\n`,
      );
      const stop = () => {
        running.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
