import { type Kysely, type Migration, sql } from "kysely";
import type { StoreKind } from "./index.js";

/**
 * The revisions and the settings. PostgreSQL keeps the configuration as `json`, not `jsonb`: `json` keeps
 * the text as written (key order, so an exported config reads like the one imported) and accepts every
 * string JSON.stringify can produce, where `jsonb` refuses `\u0000` and lone surrogates that SQLite keeps.
 * Nothing queries inside the document, so jsonb's indexing buys nothing here.
 */
export function initial(kind: StoreKind): Migration {
  const pg = kind === "postgres";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("revisions")
        .addColumn("number", "integer", (col) => col.primaryKey())
        // PostgreSQL stamps revisions with its own clock, shared by every node (see the postgres store).
        .addColumn("created_at", pg ? "timestamptz" : "text", (col) =>
          pg ? col.notNull().defaultTo(sql`clock_timestamp()`) : col.notNull(),
        )
        .addColumn("actor", "text", (col) => col.notNull())
        .addColumn("summary", "text", (col) => col.notNull())
        .addColumn("config", pg ? "json" : "text", (col) => col.notNull())
        .execute();
      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (col) => col.primaryKey())
        .addColumn("value", "text", (col) => col.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("settings").execute();
      await db.schema.dropTable("revisions").execute();
    },
  };
}
