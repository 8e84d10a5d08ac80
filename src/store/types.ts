import type { Config } from "../config/schema.js";

/** Who made a revision, when and why. `createdAt` is ISO 8601 in UTC, e.g. `2025-01-31T12:00:00.000Z`. */
export interface RevisionMeta {
  readonly number: number;
  readonly createdAt: string;
  readonly actor: string;
  readonly summary: string;
}

/** A whole configuration as it was committed, with its metadata. */
export interface StoredRevision {
  readonly meta: RevisionMeta;
  readonly config: Config;
}

/**
 * A commit named the head it was based on (`expected`), and another commit got there first.
 * Nothing was written. The admin API answers it with 412 (SPEC section 5, `If-Match`).
 *
 * @example
 * try { await store.commit(config, meta, 7) } catch (e) { if (e instanceof StaleRevisionError) reload(e.current) }
 */
export class StaleRevisionError extends Error {
  readonly code = "STALE_REVISION" as const;
  /** The head revision number when the commit was refused. */
  readonly current: number;
  /** The head revision number the caller expected. */
  readonly expected: number;

  constructor(expected: number, current: number) {
    super(`stale revision: the commit expected head revision ${expected}, but the head is ${current}`);
    this.name = "StaleRevisionError";
    this.expected = expected;
    this.current = current;
  }
}

/** A certificate chain and its private key as uploaded (PEM text), by the id the configuration names. */
export interface StoredCertificate {
  /** `sha256:` and 64 hex digits, derived from the content by the caller (src/config/tls/certificate.ts). */
  readonly id: string;
  readonly cert: string;
  readonly key: string;
}

/** A running watch; `close()` stops it (idempotent). */
export interface StoreWatch {
  close(): Promise<void>;
}

export interface ListRevisionsOptions {
  /** How many, 1 to 1000 (default 100). */
  limit?: number;
  /** Only revisions numbered below this one: pass the last number of a page to get the next page. */
  before?: number;
}

/**
 * The configuration store: the whole `Config` kept as numbered revisions. Validation happens above the
 * store; the store keeps whatever plain-data JSON it is given and returns it deep-equal.
 * Call `migrate()` once after opening, before anything else.
 */
export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Creates tables / runs pending migrations. Idempotent, and safe when several processes run it at once. */
  migrate(): Promise<void>;
  /** The newest revision, or null when the store is empty. */
  head(): Promise<StoredRevision | null>;
  /** Just the newest revision number (0 when empty); cheap. */
  headNumber(): Promise<number>;
  /**
   * Appends a revision atomically. When `expected` is given and is not the current head number, throws
   * StaleRevisionError and writes nothing. Durable when the promise resolves (acknowledged = on disk).
   */
  commit(config: Config, meta: { actor: string; summary: string }, expected?: number): Promise<RevisionMeta>;
  /** Newest first; `before` pages (revisions with number < before). */
  listRevisions(options?: ListRevisionsOptions): Promise<RevisionMeta[]>;
  /** The revision numbered `n`, or null when there is none. */
  getRevision(n: number): Promise<StoredRevision | null>;
  /** Small key/value settings (e.g. the admin token hash). */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Stores `value` under `key` only when the key has no value yet, atomically (one INSERT ... ON CONFLICT DO
   * NOTHING), and returns the value the key holds afterwards: `value` for the one caller that wrote it, the
   * earlier value for every other. Processes racing on one new store therefore all read the same value.
   *
   * @example const hash = await store.setSettingIfAbsent("admin_token_sha256", mine); // mine, or the winner's
   */
  setSettingIfAbsent(key: string, value: string): Promise<string>;
  /**
   * Keeps a certificate and key under their id (store mode's `tls.certificates[].stored`), shared by
   * every node. Idempotent: a second put of the same id keeps the first row, as the id is derived from
   * the content. Rows are never changed or deleted, so every revision naming one can be restored.
   */
  putCertificate(certificate: StoredCertificate): Promise<void>;
  /** The certificate and key stored under `id`, or null. */
  getCertificate(id: string): Promise<StoredCertificate | null>;
  /**
   * Calls `onChange(revisionNumber)` for revisions committed after `watch()` resolves, by ANY process on the
   * same store, including this one. Numbers only increase; when several revisions land between two checks
   * (SQLite's polling, a PostgreSQL reconnect) only the newest is reported, so treat a call as "the head is
   * now at least n" and read `head()`. To miss nothing, call `watch()` first and read `head()` after it
   * resolves. Errors (a lost connection, each failed reconnect) go to `onError`; the watch keeps going.
   */
  watch(onChange: (revision: number) => void, onError?: (error: Error) => void): Promise<StoreWatch>;
  /** Stops every watch and closes the connections (idempotent). */
  close(): Promise<void>;
}
