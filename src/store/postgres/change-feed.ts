import type { CompiledQuery } from "kysely";
import pg from "pg";
import { ChangeDelivery, type ChangeListener, type ErrorListener, toError } from "../change-feed.js";
import { CHANGE_CHANNEL } from "../schema.js";

/** Reconnect delays after a lost connection: 100 ms, doubling, at most 5 s. */
export const RECONNECT_MIN_DELAY_MS = 100;
export const RECONNECT_MAX_DELAY_MS = 5_000;
/**
 * How often a connected watch checks the head over its own connection. A safety net, not the mechanism:
 * it notices a connection that died silently (no FIN, no RST) and any notification lost with it.
 */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** The name the watch's connection shows in pg_stat_activity. */
export const WATCH_APPLICATION_NAME = "crossgate-watch";

export interface ChangeFeedOptions {
  connectionString: string;
  /** `select coalesce(max(number), 0) as head from revisions`, compiled by kysely. */
  headQuery: CompiledQuery;
  onChange: ChangeListener;
  onError: ErrorListener | undefined;
  onClose: () => void;
}

/**
 * One dedicated connection running `LISTEN crossgate_config`. Every commit NOTIFYs its number in its own
 * transaction, so each one reaches every listener when it commits. On connection loss the feed reconnects
 * with backoff for as long as it is open, and after every (re)connect it reads the head, so a revision
 * committed while it was disconnected is still reported. It never throws after start(); errors go to onError.
 */
export class PostgresChangeFeed {
  readonly #options: ChangeFeedOptions;
  #delivery: ChangeDelivery | undefined;
  /** The highest number notified before the first head read set the baseline. */
  #early = 0;
  #client: pg.Client | undefined;
  readonly #disposed = new WeakSet<pg.Client>();
  #delay = RECONNECT_MIN_DELAY_MS;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  /** Connects and listens; rejects (and leaves nothing running) when the first connection fails. */
  async start(): Promise<void> {
    const { client, head } = await this.#connect();
    this.#delivery = new ChangeDelivery(head, this.#options.onChange, this.#options.onError);
    this.#delivery.offer(this.#early);
    this.#adopt(client);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#heartbeatTimer);
    const client = this.#client;
    this.#client = undefined;
    this.#options.onClose();
    if (client) await this.#dispose(client);
  }

  async #connect(): Promise<{ client: pg.Client; head: number }> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: WATCH_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      // Bounds the heartbeat's query on a connection that stopped answering.
      query_timeout: 10_000,
    });
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client, new Error("the server closed the connection")));
    client.on("notification", (message) => {
      if (this.#disposed.has(client) || message.channel !== CHANGE_CHANNEL) return;
      this.#notified(Number(message.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      // Read after LISTEN: a commit is either counted here or notified from now on; none falls in between.
      const head = await this.#readHead(client);
      return { client, head };
    } catch (error) {
      void this.#dispose(client);
      throw error;
    }
  }

  async #readHead(client: pg.Client): Promise<number> {
    const { sql, parameters } = this.#options.headQuery;
    const result = await client.query<{ head: number | string }>(sql, parameters as unknown[]);
    return Number(result.rows[0]?.head ?? 0);
  }

  #notified(revision: number): void {
    if (this.#delivery) this.#delivery.offer(revision);
    else if (revision > this.#early) this.#early = revision;
  }

  #adopt(client: pg.Client): void {
    this.#client = client;
    this.#delay = RECONNECT_MIN_DELAY_MS;
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(() => {
      this.#readHead(client).then(
        (head) => this.#delivery?.offer(head),
        (error) => this.#lost(client, error),
      );
    }, HEARTBEAT_INTERVAL_MS);
    this.#heartbeatTimer.unref();
  }

  /** The adopted connection failed: report it once, drop it, and reconnect. */
  #lost(client: pg.Client, error: unknown): void {
    if (this.#closed || this.#client !== client) return;
    this.#client = undefined;
    clearInterval(this.#heartbeatTimer);
    void this.#dispose(client);
    this.#report(`lost the PostgreSQL connection (${toError(error).message}); reconnecting`, error);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, RECONNECT_MAX_DELAY_MS);
    this.#reconnectTimer = setTimeout(() => void this.#reconnect(), delay);
    this.#reconnectTimer.unref();
  }

  async #reconnect(): Promise<void> {
    this.#reconnectTimer = undefined;
    if (this.#closed) return;
    try {
      const { client, head } = await this.#connect();
      if (this.#closed) {
        await this.#dispose(client);
        return;
      }
      this.#adopt(client);
      // Catch up on whatever was committed while disconnected.
      this.#delivery?.offer(head);
    } catch (error) {
      if (this.#closed) return;
      this.#report(
        `cannot reconnect to PostgreSQL (${toError(error).message}); next attempt in ${this.#delay} ms`,
        error,
      );
      this.#scheduleReconnect();
    }
  }

  #report(message: string, cause: unknown): void {
    this.#delivery?.error(new Error(`store watch: ${message}`, { cause }));
  }

  /** Ends a connection without waiting on a peer that may never answer; its events are ignored from now on. */
  async #dispose(client: pg.Client): Promise<void> {
    if (this.#disposed.has(client)) return;
    this.#disposed.add(client);
    const ended = client.end().catch(() => {});
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
    await Promise.race([ended, timeout]);
  }
}
