import { createHash } from "node:crypto";
import { Pool } from "undici";

/** How an https upstream's certificate is checked (absent: against the system's CAs, with its name). */
export interface PoolTls {
  /** PEM of the CAs to trust instead of the system's. */
  readonly ca?: string;
  /** false: no check at all (linted). */
  readonly verify: boolean;
  /** The name sent by SNI and checked, instead of the URL's host. */
  readonly serverName?: string;
}

/** Connection settings a pool is built with; two backends share a pool only when these are equal. */
export interface PoolSettings {
  /** `scheme://host[:port]`, as `URL.origin` gives it. */
  readonly origin: string;
  readonly connectTimeoutMs: number;
  readonly tls?: PoolTls;
}

/** A borrowed pool: give it back with `release()` exactly once. */
export interface PoolLease {
  readonly pool: Pool;
  release(): Promise<void>;
}

/** Connections per upstream origin; enough for a busy service, bounded so a slow one cannot eat every socket. */
export const POOL_CONNECTIONS = 128;
/** How long a released pool may finish the requests still in flight before it is destroyed. */
const DRAIN_GRACE_MS = 30_000;

interface Entry {
  readonly pool: Pool;
  refs: number;
}

/**
 * Pools shared by every http backend of the process, keyed by origin and settings. A configuration
 * swap builds the new backends (acquire) before closing the old ones (release), so an upstream that
 * both configurations use keeps its pool, its keep-alive connections and its requests in flight.
 * A pool whose last backend is released closes gracefully: queued and running requests finish.
 */
const pools = new Map<string, Entry>();

function keyOf(settings: PoolSettings): string {
  const tls = settings.tls;
  const tlsKey =
    tls === undefined
      ? ""
      : ` verify=${tls.verify} name=${tls.serverName ?? ""} ca=${tls.ca === undefined ? "" : createHash("sha256").update(tls.ca).digest("hex")}`;
  return `${settings.origin} connect=${settings.connectTimeoutMs}${tlsKey}`;
}

/**
 * Borrows the pool for `settings`, creating it on first use.
 *
 * ```ts
 * const lease = acquirePool({ origin: "http://127.0.0.1:3000", connectTimeoutMs: 5000 });
 * await lease.pool.request({ path: "/", method: "GET" });
 * await lease.release();
 * ```
 */
export function acquirePool(settings: PoolSettings): PoolLease {
  const key = keyOf(settings);
  let entry = pools.get(key);
  if (entry === undefined) {
    const pool = new Pool(settings.origin, {
      connections: POOL_CONNECTIONS,
      // No pipelining: a slow response must not hold up the requests queued behind it.
      pipelining: 1,
      connect: {
        timeout: settings.connectTimeoutMs,
        ...(settings.tls === undefined
          ? {}
          : {
              rejectUnauthorized: settings.tls.verify,
              ...(settings.tls.ca === undefined ? {} : { ca: settings.tls.ca }),
              ...(settings.tls.serverName === undefined ? {} : { servername: settings.tls.serverName }),
            }),
      },
    });
    entry = { pool, refs: 0 };
    pools.set(key, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    pool: held.pool,
    release: async () => {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs > 0) return;
      if (pools.get(key) === held) pools.delete(key);
      await closeGracefully(held.pool);
    },
  };
}

async function closeGracefully(pool: Pool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), DRAIN_GRACE_MS);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([pool.close().then(() => "closed" as const), grace]);
    if (outcome === "late") await pool.destroy();
  } catch {
    // Closing twice or destroying a failed pool: nothing left to release.
  } finally {
    clearTimeout(timer);
  }
}

/** How many pools are open and how many backends hold each; for tests and diagnostics. */
export function poolStats(): { origin: string; refs: number }[] {
  return [...pools.entries()].map(([key, e]) => ({ origin: key, refs: e.refs }));
}
