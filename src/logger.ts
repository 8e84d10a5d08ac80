import { type Logger, pino } from "pino";

export type { Logger };

/**
 * The process logger: JSON lines on stdout (pino). Level from CROSSGATE_LOG_LEVEL (default info);
 * `silent` for tests that start gateways in-process.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.CROSSGATE_LOG_LEVEL ?? "info";
  return pino(
    { level, base: { service: "crossgate" }, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? process.stdout,
  );
}

/** A logger that drops everything: the default for gateways started in-process (tests, explain). */
export const silentLogger: Logger = pino({ level: "silent" });
