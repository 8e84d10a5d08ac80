import type { ColumnType } from "kysely";

/** Tables as kysely sees them (created by migrations/). */
export interface RevisionsTable {
  number: number;
  /** SQLite: ISO 8601 text; PostgreSQL: timestamptz, read back as a Date. */
  created_at: ColumnType<string | Date, string | undefined, never>;
  actor: string;
  summary: string;
  /** JSON text in; SQLite gives the text back, PostgreSQL (json) the parsed value. */
  config: ColumnType<unknown, string, never>;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** Uploaded certificates (migration 002): never updated, never deleted. */
export interface CertificatesTable {
  id: string;
  cert: string;
  key: string;
  /** SQLite: ISO 8601 text; PostgreSQL: timestamptz. */
  created_at: ColumnType<string | Date, string, never>;
}

export interface StoreDatabase {
  revisions: RevisionsTable;
  settings: SettingsTable;
  certificates: CertificatesTable;
}

/** The PostgreSQL channel every commit notifies, with the new revision number as payload. */
export const CHANGE_CHANNEL = "crossgate_config";
