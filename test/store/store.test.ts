import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { WATCH_APPLICATION_NAME } from "../../src/store/postgres/change-feed.js";
import { describeWithPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";
import { sampleConfig, waitFor } from "./helpers.js";
import { postgresTarget } from "./postgres-target.js";
import { storeConformance } from "./store-conformance.js";

describe("SQLite store (a temp file per test)", () => {
  let dir = "";
  let count = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "crossgate-store-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  storeConformance(() => ({ freshUrl: async () => `sqlite:${join(dir, `store-${++count}.db`)}` }));

  it("opens in WAL mode with synchronous=FULL", async () => {
    const path = join(dir, "pragmas.db");
    const store = await openStore(`sqlite:${path}`);
    await store.migrate();
    await store.close();
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(path);
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });
});

describeWithPostgres("PostgreSQL store (a throwaway server, a database per test)", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const target = postgresTarget(() => server);
  storeConformance(() => target);

  async function watchSessions(url: string): Promise<number> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()",
        [WATCH_APPLICATION_NAME],
      );
      return rows[0]?.n ?? -1;
    } finally {
      await client.end();
    }
  }

  it("a watch survives the server stopping and starting, and reports a commit made while it was disconnected", {
    timeout: 90_000,
  }, async () => {
    const url = await target.freshUrl();
    const stores: Store[] = [];
    try {
      const watched = await openStore(url);
      stores.push(watched);
      await watched.migrate();
      const other = await openStore(url);
      stores.push(other);
      const seen: number[] = [];
      const errors: Error[] = [];
      const watch = await watched.watch(
        (n) => seen.push(n),
        (e) => errors.push(e),
      );
      await other.commit(sampleConfig(1), { actor: "t", summary: "before the outage" });
      await waitFor(() => seen.includes(1), "revision 1 notified");

      await server.stopServer();
      // One error for the lost connection, then one per failed attempt (after 0.1, 0.3, 0.7, 1.5, 3.1 s and
      // 6.3 s): after the seventh the next attempt is 5 s away, time enough to start the server and commit.
      await waitFor(() => errors.length >= 7, "seven connection errors reported", 30_000);
      expect(errors[0]?.message).toMatch(/lost the PostgreSQL connection/);
      expect(errors[1]?.message).toMatch(/cannot reconnect/);
      await server.startServer();

      const missed = await other.commit(sampleConfig(2), { actor: "t", summary: "during the outage" });
      // Proof that the watch was not listening when that commit happened: its connection does not exist yet.
      expect(await watchSessions(url)).toBe(0);
      await waitFor(
        () => seen.includes(missed.number),
        "the commit made while disconnected reported",
        20_000,
      );
      expect(await watchSessions(url)).toBe(1);

      // And it is listening again.
      const after = await other.commit(sampleConfig(3), { actor: "t", summary: "after the outage" });
      await waitFor(() => seen.includes(after.number), "a commit after the reconnect notified");
      expect(seen).toEqual([1, 2, 3]);
      await watch.close();
      expect(await watchSessions(url)).toBe(0);
    } finally {
      await server.startServer();
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("a watch cannot start when the server is down, and says so", { timeout: 60_000 }, async () => {
    const url = await target.freshUrl();
    const store = await openStore(url);
    try {
      await store.migrate();
      await server.stopServer();
      await expect(store.watch(() => {})).rejects.toThrow();
      await expect(store.headNumber()).rejects.toThrow();
    } finally {
      await server.startServer();
      await store.close();
    }
  });
});
