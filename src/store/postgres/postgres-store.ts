import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Config } from "../../config/schema.js";
import { toError } from "../change-feed.js";
import { migrateToLatest } from "../migrations/index.js";
import {
  configToJson,
  headNumberQuery,
  insertCertificate,
  insertRevisionQuery,
  readCertificate,
  readHeadNumber,
  readRevision,
  readRevisionList,
  readSetting,
  toMeta,
  writeSetting,
  writeSettingIfAbsent,
} from "../queries.js";
import { CHANGE_CHANNEL, type StoreDatabase } from "../schema.js";
import {
  type ListRevisionsOptions,
  type RevisionMeta,
  StaleRevisionError,
  type Store,
  type StoredCertificate,
  type StoredRevision,
  type StoreWatch,
} from "../types.js";
import { redactStoreUrl } from "../url.js";
import { PostgresChangeFeed } from "./change-feed.js";

/**
 * The transaction-scoped advisory lock every commit takes before reading the head ("crossgat" as a big-endian
 * int64), so committers on every node serialize: the head they read cannot move until they commit.
 */
const COMMIT_LOCK_KEY = "7165912498747957620";

/**
 * Opens a pool on `url` and checks that the server answers, unless `checkConnection` is false: a
 * gateway starting while the store is down opens it anyway and serves its cached configuration.
 */
export async function openPostgresStore(url: string, checkConnection = true): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: "crossgate",
  });
  // An idle pooled connection that dies (server restart, network) is dropped by the pool and the next query
  // connects anew; without a listener the error event would crash the process.
  pool.on("error", () => {});
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (checkConnection) await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new Error(
      `cannot connect to the PostgreSQL store ${redactStoreUrl(url)}: ${toError(error).message}`,
      {
        cause: error,
      },
    );
  }
  return new PostgresStore(url, db);
}

/**
 * The cluster store: any number of gateway nodes share one database. Commits serialize on an advisory lock
 * and announce themselves with NOTIFY in the same transaction (delivered when it commits); each watch holds
 * its own LISTEN connection.
 */
export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  readonly #url: string;
  readonly #db: Kysely<StoreDatabase>;
  readonly #feeds = new Set<PostgresChangeFeed>();
  #closed = false;

  constructor(url: string, db: Kysely<StoreDatabase>) {
    this.#url = url;
    this.#db = db;
  }

  /** Concurrent runs from several nodes are safe: kysely's migrator holds a session advisory lock. */
  async migrate(): Promise<void> {
    this.#assertOpen();
    await migrateToLatest(this.#db as Kysely<unknown>, "postgres");
  }

  async head(): Promise<StoredRevision | null> {
    this.#assertOpen();
    return readRevision(this.#db);
  }

  async headNumber(): Promise<number> {
    this.#assertOpen();
    return readHeadNumber(this.#db);
  }

  async commit(
    config: Config,
    meta: { actor: string; summary: string },
    expected?: number,
  ): Promise<RevisionMeta> {
    this.#assertOpen();
    const json = configToJson(config);
    return this.#db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(COMMIT_LOCK_KEY)}::bigint)`.execute(trx);
      // Read committed: this statement's snapshot is taken after the lock, so it sees the previous holder's row.
      const head = await readHeadNumber(trx);
      if (expected !== undefined && expected !== head) throw new StaleRevisionError(expected, head);
      const number = head + 1;
      // created_at defaults to clock_timestamp(): the database's clock, the same for every node, and taken
      // after the lock, so it increases with the revision number.
      const row = await insertRevisionQuery(trx, {
        number,
        actor: meta.actor,
        summary: meta.summary,
        configJson: json,
      }).executeTakeFirstOrThrow();
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${String(number)})`.execute(trx);
      return toMeta(row);
    });
  }

  async listRevisions(options?: ListRevisionsOptions): Promise<RevisionMeta[]> {
    this.#assertOpen();
    return readRevisionList(this.#db, options);
  }

  async getRevision(n: number): Promise<StoredRevision | null> {
    this.#assertOpen();
    return readRevision(this.#db, n);
  }

  async getSetting(key: string): Promise<string | null> {
    this.#assertOpen();
    return readSetting(this.#db, key);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#assertOpen();
    await writeSetting(this.#db, key, value);
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    this.#assertOpen();
    return writeSettingIfAbsent(this.#db, key, value);
  }

  async putCertificate(certificate: StoredCertificate): Promise<void> {
    this.#assertOpen();
    await insertCertificate(this.#db, certificate);
  }

  async getCertificate(id: string): Promise<StoredCertificate | null> {
    this.#assertOpen();
    return readCertificate(this.#db, id);
  }

  async watch(onChange: (revision: number) => void, onError?: (error: Error) => void): Promise<StoreWatch> {
    this.#assertOpen();
    const feed = new PostgresChangeFeed({
      connectionString: this.#url,
      headQuery: headNumberQuery(this.#db).compile(),
      onChange,
      onError,
      onClose: () => this.#feeds.delete(feed),
    });
    await feed.start();
    if (this.#closed) {
      await feed.close();
      throw new Error("the store is closed");
    }
    this.#feeds.add(feed);
    return { close: () => feed.close() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#feeds].map((feed) => feed.close()));
    await this.#db.destroy();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the store is closed");
  }
}
