import type { Kysely, Migration } from "kysely";
import type { StoreKind } from "./index.js";

/**
 * Certificates uploaded through the admin API (SPEC section 10, store mode), each a chain and its
 * key as PEM text, by the id the configuration's `tls.certificates[].stored` names. Rows are never
 * changed or deleted: every revision that names one can be restored.
 */
export function certificates(kind: StoreKind): Migration {
  const pg = kind === "postgres";
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("certificates")
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("cert", "text", (col) => col.notNull())
        .addColumn("key", "text", (col) => col.notNull())
        .addColumn("created_at", pg ? "timestamptz" : "text", (col) => col.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("certificates").execute();
    },
  };
}
