import { type Kysely, sql } from "kysely";
import type { Config } from "../config/schema.js";
import type { StoreDatabase } from "./schema.js";
import type { ListRevisionsOptions, RevisionMeta, StoredRevision } from "./types.js";

/** Queries both stores share, written once with kysely; only commit and watch differ by dialect. */

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;
/** Revision numbers are `integer` columns: 32-bit signed on PostgreSQL. */
export const MAX_REVISION = 2 ** 31 - 1;

export function headNumberQuery(db: Kysely<StoreDatabase>) {
  return db.selectFrom("revisions").select(sql<number>`coalesce(max(number), 0)`.as("head"));
}

export function insertRevisionQuery(
  db: Kysely<StoreDatabase>,
  row: { number: number; createdAt?: string; actor: string; summary: string; configJson: string },
) {
  return db
    .insertInto("revisions")
    .values({
      number: row.number,
      // PostgreSQL: omitted here and taken from the server clock (see the postgres store).
      ...(row.createdAt === undefined ? {} : { created_at: row.createdAt }),
      actor: row.actor,
      summary: row.summary,
      config: row.configJson,
    })
    .returning(["number", "created_at", "actor", "summary"]);
}

interface MetaRow {
  number: number;
  created_at: string | Date;
  actor: string;
  summary: string;
}

export function toMeta(row: MetaRow): RevisionMeta {
  const createdAt = row.created_at instanceof Date ? row.created_at.toISOString() : row.created_at;
  return { number: Number(row.number), createdAt, actor: row.actor, summary: row.summary };
}

function toConfig(value: unknown): Config {
  return (typeof value === "string" ? JSON.parse(value) : value) as Config;
}

export async function readHeadNumber(db: Kysely<StoreDatabase>): Promise<number> {
  const row = await headNumberQuery(db).executeTakeFirst();
  return Number(row?.head ?? 0);
}

export async function readRevision(db: Kysely<StoreDatabase>, n?: number): Promise<StoredRevision | null> {
  let query = db.selectFrom("revisions").select(["number", "created_at", "actor", "summary", "config"]);
  if (n === undefined) query = query.orderBy("number", "desc").limit(1);
  else if (!Number.isInteger(n) || n < 1 || n > MAX_REVISION) return null;
  else query = query.where("number", "=", n);
  const row = await query.executeTakeFirst();
  if (row === undefined) return null;
  return { meta: toMeta(row), config: toConfig(row.config) };
}

export async function readRevisionList(
  db: Kysely<StoreDatabase>,
  options: ListRevisionsOptions = {},
): Promise<RevisionMeta[]> {
  const limit = options.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RangeError(`listRevisions: limit must be an integer from 1 to ${MAX_PAGE}, got ${limit}`);
  }
  let query = db
    .selectFrom("revisions")
    .select(["number", "created_at", "actor", "summary"])
    .orderBy("number", "desc")
    .limit(limit);
  if (options.before !== undefined) {
    if (typeof options.before !== "number" || Number.isNaN(options.before)) {
      throw new RangeError(`listRevisions: before must be a number, got ${options.before}`);
    }
    // Keep the parameter an integer: the column is one, and PostgreSQL refuses 2.5 for it.
    const before = Math.min(Math.ceil(options.before), MAX_REVISION);
    if (before <= 1) return [];
    query = query.where("number", "<", before);
  }
  return (await query.execute()).map(toMeta);
}

export async function readSetting(db: Kysely<StoreDatabase>, key: string): Promise<string | null> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeSetting(db: Kysely<StoreDatabase>, key: string, value: string): Promise<void> {
  await db
    .insertInto("settings")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: (eb) => eb.ref("excluded.value") }))
    .execute();
}

/** Inserts the setting unless the key exists (never overwrites), then reads what the key holds. */
export async function writeSettingIfAbsent(
  db: Kysely<StoreDatabase>,
  key: string,
  value: string,
): Promise<string> {
  await db
    .insertInto("settings")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const kept = await readSetting(db, key);
  // Settings are never deleted, so the row the insert found or made is still there.
  if (kept === null) throw new Error(`the setting "${key}" vanished right after it was written`);
  return kept;
}

export async function insertCertificate(
  db: Kysely<StoreDatabase>,
  certificate: { id: string; cert: string; key: string },
): Promise<void> {
  await db
    .insertInto("certificates")
    .values({ ...certificate, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

export async function readCertificate(
  db: Kysely<StoreDatabase>,
  id: string,
): Promise<{ id: string; cert: string; key: string } | null> {
  const row = await db
    .selectFrom("certificates")
    .select(["id", "cert", "key"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row ?? null;
}

/** Serializes a config for storage; throws before anything is written if it is not plain JSON data. */
export function configToJson(config: Config): string {
  const json = JSON.stringify(config);
  if (typeof json !== "string" || json[0] !== "{") {
    throw new TypeError("commit: the configuration must be a plain JSON object");
  }
  return json;
}
