import type { Store } from "./types.js";
import { parseStoreUrl } from "./url.js";

/**
 * Opens the store a URL names (see parseStoreUrl); call `migrate()` before using it. Each driver is loaded
 * only when its store is opened.
 *
 * @example
 * const store = await openStore("sqlite:./crossgate.db");
 * await store.migrate();
 */
export async function openStore(url: string, options: { checkConnection?: boolean } = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  if (location.kind === "sqlite") {
    const { openSqliteStore } = await import("./sqlite/sqlite-store.js");
    return openSqliteStore(location.path);
  }
  const { openPostgresStore } = await import("./postgres/postgres-store.js");
  return openPostgresStore(location.url, options.checkConnection ?? true);
}
