/**
 * Nodes starting together on a new store must agree on one admin token (SPEC section 5: set-if-absent).
 * Before, each node wrote its own hash and read the setting back: a node that read before the last write
 * printed a token that never worked.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN_SETTING, resolveAdminToken } from "../../src/admin/token.js";
import { openStore, type Store } from "../../src/store/index.js";
import { postgresTarget } from "../store/postgres-target.js";
import { describeWithPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";
import { Sink } from "./support.js";

const NODES = 8;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Opens `NODES` instances of one new store (one per "node"), resolves the token on all at once. */
async function raceOn(url: string): Promise<void> {
  const stores: Store[] = [];
  try {
    for (let i = 0; i < NODES; i++) {
      const store = await openStore(url);
      stores.push(store);
      await store.migrate();
    }
    const sinks = stores.map(() => new Sink());
    const tokens = await Promise.all(stores.map((store, i) => resolveAdminToken(store, {}, sinks[i])));
    const stored = await stores[0]?.getSetting(ADMIN_TOKEN_SETTING);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.map((t) => t.hash)).toEqual(Array(NODES).fill(stored));
    const printers = sinks.filter((sink) => sink.text !== "");
    expect(printers).toHaveLength(1);
    expect(tokens.filter((t) => t.source === "generated")).toHaveLength(1);
    const printed = /stored: (\S+)/.exec(printers[0]?.text ?? "")?.[1] ?? "";
    expect(sha256(printed)).toBe(stored);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}

describe("the admin token on a new SQLite store", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "crossgate-token-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`${NODES} nodes resolving at once all get the same hash, and only one prints its token`, async () => {
    await raceOn(`sqlite:${join(dir, "race.db")}`);
  });

  it("a setting that is not a sha256 digest is refused with what to do, and left as it is", async () => {
    const store = await openStore(`sqlite:${join(dir, "corrupt.db")}`);
    try {
      await store.migrate();
      await store.setSetting(ADMIN_TOKEN_SETTING, "not-a-hash");
      const error = await resolveAdminToken(store, {}, new Sink()).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        /admin_token_sha256.*sha256 hex digest.*CROSSGATE_ADMIN_TOKEN/,
      );
      expect(await store.getSetting(ADMIN_TOKEN_SETTING)).toBe("not-a-hash");
    } finally {
      await store.close();
    }
  });
});

describeWithPostgres("the admin token on a new PostgreSQL database", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const target = postgresTarget(() => server);

  it(`${NODES} nodes resolving at once all get the same hash, and only one prints its token`, async () => {
    // Several rounds: each is a fresh database, and the old race showed only on some interleavings.
    for (let round = 0; round < 5; round++) await raceOn(await target.freshUrl());
  });
});
