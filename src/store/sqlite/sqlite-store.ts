import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Config } from "../../config/schema.js";
import { ChangeDelivery, toError } from "../change-feed.js";
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
import type { StoreDatabase } from "../schema.js";
import {
  type ListRevisionsOptions,
  type RevisionMeta,
  StaleRevisionError,
  type Store,
  type StoredCertificate,
  type StoredRevision,
  type StoreWatch,
} from "../types.js";

/** How often a watch looks for revisions committed by other processes. */
export const SQLITE_POLL_INTERVAL_MS = 250;
/** How long a write waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;
const MIGRATE_ATTEMPTS = 10;

/**
 * migrate() runs one at a time per file within this process: kysely's migration transaction spans awaits,
 * and better-sqlite3 waits for a lock synchronously, so two instances of one process migrating the same file
 * at once would block the very event loop the lock holder needs to finish.
 */
const migrationsInProgress = new Map<string, Promise<void>>();

function isBusy(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))) {
      return true;
    }
  }
  return false;
}

/**
 * Opens (creating if needed) the SQLite database at `path` (absolute, or `:memory:`), in WAL mode with
 * `synchronous=FULL`, so an acknowledged commit survives SIGKILL and power loss.
 */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  let raw: Database.Database;
  try {
    raw = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`cannot open the SQLite store at ${path}: ${toError(error).message}`, { cause: error });
  }
  try {
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL: readers never block the writer, and other processes' readers see each commit at once.
    raw.pragma("journal_mode = WAL");
    // FULL: the WAL is fsynced on every commit, not only at checkpoints (NORMAL can lose the last commits
    // on power loss).
    raw.pragma("synchronous = FULL");
  } catch (error) {
    raw.close();
    throw new Error(`cannot open the SQLite store at ${path}: ${toError(error).message}`, { cause: error });
  }
  return new SqliteStore(path, raw);
}

/**
 * The embedded store: one file, no server. Reads go through kysely; a commit runs synchronously inside one
 * better-sqlite3 `BEGIN IMMEDIATE` transaction (statements built by kysely), so the head check and the
 * insert hold the write lock together and no other code of this process runs in between.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly #path: string;
  readonly #db: Kysely<StoreDatabase>;
  readonly #commitTransaction: (
    json: string,
    actor: string,
    summary: string,
    expected?: number,
  ) => RevisionMeta;
  readonly #deliveries = new Set<ChangeDelivery>();
  readonly #watches = new Set<StoreWatch>();
  #migration: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(path: string, raw: Database.Database) {
    this.#path = path;
    this.#db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: raw }) });
    const db = this.#db;
    // `.immediate`: BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout for another
    // process), so two processes never both read the same head and then race to upgrade their read lock,
    // which in WAL mode fails at once with SQLITE_BUSY instead of waiting.
    this.#commitTransaction = raw.transaction(
      (json: string, actor: string, summary: string, expected?: number): RevisionMeta => {
        const headQuery = headNumberQuery(db).compile();
        const head = Number(
          (raw.prepare(headQuery.sql).get(...headQuery.parameters) as { head: number }).head,
        );
        if (expected !== undefined && expected !== head) throw new StaleRevisionError(expected, head);
        const insert = insertRevisionQuery(db, {
          number: head + 1,
          createdAt: new Date().toISOString(),
          actor,
          summary,
          configJson: json,
        }).compile();
        return toMeta(raw.prepare(insert.sql).get(...insert.parameters) as Parameters<typeof toMeta>[0]);
      },
    ).immediate;
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    const key = this.#path === ":memory:" ? undefined : this.#path;
    const previous = (key && migrationsInProgress.get(key)) || Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.#migrateRetryingBusy());
    this.#migration = run.catch(() => {});
    if (key) migrationsInProgress.set(key, this.#migration);
    try {
      await run;
    } finally {
      if (key && migrationsInProgress.get(key) === this.#migration) migrationsInProgress.delete(key);
    }
  }

  /** Another process may be migrating the same file: its lock makes ours fail with SQLITE_BUSY; try again. */
  async #migrateRetryingBusy(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await migrateToLatest(this.#db as Kysely<unknown>, "sqlite");
        return;
      } catch (error) {
        if (!isBusy(error) || attempt >= MIGRATE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
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
    await this.#migration;
    this.#assertOpen();
    const committed = this.#commitTransaction(json, meta.actor, meta.summary, expected);
    // This process's own commits are announced at once; other processes' are found by polling.
    for (const delivery of this.#deliveries) {
      queueMicrotask(() => {
        if (this.#deliveries.has(delivery)) delivery.offer(committed.number);
      });
    }
    return committed;
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

  /**
   * SQLite has no notifications across processes, so this polls `headNumber()` every 250 ms (a cheap
   * primary-key lookup), and announces this instance's own commits at once. The cluster story, where a
   * change must reach other nodes within a second without polling, is PostgreSQL's LISTEN/NOTIFY.
   */
  async watch(onChange: (revision: number) => void, onError?: (error: Error) => void): Promise<StoreWatch> {
    this.#assertOpen();
    const delivery = new ChangeDelivery(await this.headNumber(), onChange, onError);
    let polling = false;
    const timer = setInterval(() => {
      if (polling || this.#closed) return;
      polling = true;
      readHeadNumber(this.#db)
        .then(
          (head) => delivery.offer(head),
          (error) =>
            delivery.error(
              new Error(`store watch: polling the SQLite head failed: ${toError(error).message}`, {
                cause: error,
              }),
            ),
        )
        .finally(() => {
          polling = false;
        });
    }, SQLITE_POLL_INTERVAL_MS);
    // The watch alone does not keep the process alive; whatever serves the configuration does.
    timer.unref();
    this.#deliveries.add(delivery);
    const watch: StoreWatch = {
      close: async () => {
        clearInterval(timer);
        this.#deliveries.delete(delivery);
        this.#watches.delete(watch);
      },
    };
    this.#watches.add(watch);
    return watch;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const watch of [...this.#watches]) await watch.close();
    await this.#migration;
    await this.#db.destroy();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the store is closed");
  }
}
