import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Logger } from "../logger.js";
import { newTicketKeys, TICKET_KEYS_ENV } from "./tls-options.js";

const CROSSGATE_BIN = fileURLToPath(new URL("../../bin/crossgate.js", import.meta.url));
/** A worker that dies more often than this within RESTART_WINDOW_MS stops the whole gateway. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;

let invocation: readonly string[] = [];

/** Remembers the command line (main() calls it), so that workers run `crossgate start` with the same arguments. */
export function recordInvocation(argv: readonly string[]): void {
  invocation = argv;
}

/** The arguments that followed `start` on the command line. */
export function startArguments(): string[] {
  const at = invocation.indexOf("start");
  return at < 0 ? [] : invocation.slice(at + 1);
}

/** `--workers N`: a positive integer, `auto` or absent for one per core. */
export function resolveWorkerCount(value: string | undefined): number {
  if (value === undefined || value === "auto") return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new Error(`--workers must be a whole number from 1 to 256, or auto`);
  return n;
}

export type Role = "single" | "primary" | "worker";

export function roleFor(workers: number): Role {
  if (cluster.isWorker) return "worker";
  return workers > 1 ? "primary" : "single";
}

/** pino's numeric level of `debug`: at or below it, a worker's lifecycle lines are wanted too. */
const DEBUG_LEVEL = 20;

/**
 * The loggers of one process. `gateway` gets what the data plane logs (access lines, its errors); a worker's
 * lines carry its `worker` id. `lifecycle` gets the start, listening, configuration and stop lines: the
 * primary logs them once for all its workers, so a worker logs only its warnings and errors there (all of
 * them when CROSSGATE_LOG_LEVEL is debug or trace).
 */
export function processLoggers(logger: Logger, role: Role): { lifecycle: Logger; gateway: Logger } {
  if (role !== "worker") return { lifecycle: logger, gateway: logger };
  const gateway = logger.child({ worker: cluster.worker?.id });
  const lifecycle = logger.levelVal <= DEBUG_LEVEL ? gateway : gateway.child({}, { level: "warn" });
  return { lifecycle, gateway };
}

export interface WorkerPool {
  /** `http://host:port` (or `https://`) the workers share. */
  readonly url: string;
  /** The listen.redirect listener the workers share, when there is one: `http://host:port`. */
  readonly redirectUrl?: string;
  /** Forwards a signal (SIGHUP: reload) to every worker. */
  signal(name: NodeJS.Signals): void;
  /** SIGTERM to every worker, then waits until all have exited; resolves with the number that failed. */
  stop(): Promise<number>;
}

/**
 * Runs `crossgate start <args>` in `count` worker processes sharing the gateway listener (node:cluster).
 * Each worker serves and follows configuration changes itself; the primary restarts a worker that
 * dies, unless they keep dying.
 */
export function startWorkers(
  count: number,
  args: readonly string[],
  logger: Logger,
  secure = false,
  redirect = false,
): Promise<WorkerPool> {
  cluster.setupPrimary({ exec: CROSSGATE_BIN, args: ["start", ...args] });
  let stopping = false;
  let failed = 0;
  const restarts: number[] = [];
  // One set of TLS session ticket keys for every worker: a session resumes on whichever accepts it.
  const ticketKeys = newTicketKeys();
  const fork = (): Worker => cluster.fork({ CROSSGATE_WORKER: "1", [TICKET_KEYS_ENV]: ticketKeys });

  return new Promise<WorkerPool>((resolve, reject) => {
    // A worker listens on the gateway's address first, then on listen.redirect's when there is one.
    const listens = redirect ? 2 : 1;
    const listened = new Map<number, number>();
    let ready = 0;
    let url: string | undefined;
    let redirectUrl: string | undefined;
    cluster.on("listening", (worker, address) => {
      const seen = listened.get(worker.id) ?? 0;
      if (seen >= listens || ready >= count) return;
      listened.set(worker.id, seen + 1);
      const host = address.addressType === 6 ? `[${address.address}]` : address.address;
      if (seen === 0) url = `${secure ? "https" : "http"}://${host}:${address.port}`;
      else redirectUrl = `http://${host}:${address.port}`;
      if (seen + 1 === listens) ready++;
      if (ready === count && url !== undefined) {
        resolve({
          url,
          ...(redirectUrl === undefined ? {} : { redirectUrl }),
          signal(name) {
            for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(name);
          },
          stop() {
            stopping = true;
            const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
            return Promise.all(
              alive.map(
                (w) =>
                  new Promise<void>((done) => {
                    w.once("exit", () => done());
                    w.process.kill("SIGTERM");
                  }),
              ),
            ).then(() => failed);
          },
        });
      }
    });
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) {
        if (code !== 0) failed += 1;
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
      if (url === undefined) {
        reject(new Error(`a worker exited before listening (code ${code}, signal ${signal})`));
        return;
      }
      if (restarts.length > MAX_RESTARTS) {
        logger.error({ restarts: restarts.length }, "workers keep dying: stopping the gateway");
        process.exit(1);
      }
      logger.error({ pid: worker.process.pid, code, signal }, "a worker died: starting another");
      fork();
    });
    for (let i = 0; i < count; i++) fork();
  });
}
