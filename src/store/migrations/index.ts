import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { initial } from "./001-initial.js";
import { certificates } from "./002-certificates.js";

export type StoreKind = "sqlite" | "postgres";

/**
 * Every migration, in order, shared by both stores (a migration may branch on the kind for column types).
 * Listed statically rather than read from a directory, so the compiled dist/ needs no file globbing.
 * Append new ones; never rename or edit one that has shipped.
 */
export function migrationsFor(kind: StoreKind): Record<string, Migration> {
  return {
    "001_initial": initial(kind),
    "002_certificates": certificates(kind),
  };
}

/** Runs the pending migrations; kysely records them in `crossgate_migration` (its own names would collide
 * with another kysely application sharing the database). */
export async function migrateToLatest(db: Kysely<unknown>, kind: StoreKind): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(kind) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: "crossgate_migration",
    migrationLockTableName: "crossgate_migration_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`store migration${failed ? ` ${failed}` : ""} failed: ${message}`, { cause: error });
  }
}
