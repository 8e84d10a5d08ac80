import { resolveAdminToken } from "../admin/token.js";
import { FileSource } from "../control/file-source.js";
import type { Logger } from "../logger.js";
import type { Role } from "./cluster.js";
import { printProblems } from "./problems-output.js";
import { serveSource } from "./serve-source.js";
import type { StartOptions } from "./start-options.js";

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
  const opened = await FileSource.open(options.config, {
    logger: logs.lifecycle,
    listen: options.listen,
    watch: options.watch,
  });
  if (!opened.ok) {
    printProblems(opened.problems);
    process.stderr.write(`${options.config}: not started, the configuration has errors\n`);
    process.exitCode = 1;
    return;
  }
  const { source } = opened;
  // Workers load the same file: the primary (or the single process) has printed its warnings already.
  if (role !== "worker") printProblems(opened.warnings);
  // File mode: the admin API only when asked for, read-only (the file is the source of truth).
  const address =
    role === "worker" || options.admin === false ? undefined : (options.admin ?? source.config.listen?.admin);
  const { serving } = await serveSource(source, role, args, options, logs, {
    admin:
      address === undefined
        ? undefined
        : { address, explicit: true, token: await resolveAdminToken(null, process.env) },
  });
  process.on("SIGHUP", () => {
    void source.reload("SIGHUP");
    serving.workers?.signal("SIGHUP");
  });
}
