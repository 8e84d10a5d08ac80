/**
 * The one test suite every Store implementation must pass (DESIGN habit 6). A target hands out URLs of
 * fresh, empty databases; the suite opens them with openStore, as the product does.
 */
import { afterEach, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { openStore, StaleRevisionError, type Store } from "../../src/store/index.js";
import { largeConfig, sampleConfig, waitFor } from "./helpers.js";

export interface StoreTarget {
  /** The URL of a fresh, empty database: a new one on every call. */
  freshUrl(): Promise<string>;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Declares the conformance tests; call inside a describe whose hooks make `target()` usable. */
export function storeConformance(target: () => StoreTarget): void {
  const opened: Store[] = [];

  async function open(url: string): Promise<Store> {
    const store = await openStore(url);
    opened.push(store);
    await store.migrate();
    return store;
  }

  async function fresh(): Promise<{ url: string; store: Store }> {
    const url = await target().freshUrl();
    return { url, store: await open(url) };
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  const meta = (summary: string) => ({ actor: "tester", summary });

  it("an empty store has no head, head number 0, no revisions", async () => {
    const { store } = await fresh();
    expect(await store.head()).toBeNull();
    expect(await store.headNumber()).toBe(0);
    expect(await store.listRevisions()).toEqual([]);
    expect(await store.getRevision(1)).toBeNull();
  });

  it("a committed config reads back deep-equal from head() and getRevision()", async () => {
    const { store } = await fresh();
    const config = sampleConfig(1);
    const committed = await store.commit(config, meta("first"));
    expect((await store.head())?.config).toEqual(config);
    expect((await store.getRevision(committed.number))?.config).toEqual(config);
    expect((await store.head())?.meta).toEqual(committed);
  });

  it("revision numbers start at 1 and increase by one", async () => {
    const { store } = await fresh();
    const numbers: number[] = [];
    for (let i = 0; i < 5; i++) numbers.push((await store.commit(sampleConfig(i), meta(`r${i}`))).number);
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
    expect(await store.headNumber()).toBe(5);
    for (let i = 0; i < 5; i++) expect((await store.getRevision(i + 1))?.config).toEqual(sampleConfig(i));
  });

  it("a revision keeps its actor and summary and is stamped with an ISO 8601 UTC time", async () => {
    const { store } = await fresh();
    const before = Date.now();
    const committed = await store.commit(sampleConfig(1), {
      actor: "alice@example.com",
      summary: "add api x",
    });
    const after = Date.now();
    expect(committed).toMatchObject({ number: 1, actor: "alice@example.com", summary: "add api x" });
    expect(committed.createdAt).toMatch(ISO_UTC);
    // The database server may stamp the time; it runs on this machine in tests, so allow only clock jitter.
    const stamped = Date.parse(committed.createdAt);
    expect(stamped).toBeGreaterThanOrEqual(before - 1_000);
    expect(stamped).toBeLessThanOrEqual(after + 1_000);
    expect((await store.getRevision(1))?.meta).toEqual(committed);
    expect(await store.listRevisions()).toEqual([committed]);
  });

  it("listRevisions lists newest first and pages with before", async () => {
    const { store } = await fresh();
    for (let i = 1; i <= 7; i++) await store.commit(sampleConfig(i), meta(`r${i}`));
    const numbers = async (options?: { limit?: number; before?: number }) =>
      (await store.listRevisions(options)).map((r) => r.number);
    expect(await numbers()).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(await numbers({ limit: 3 })).toEqual([7, 6, 5]);
    expect(await numbers({ limit: 3, before: 5 })).toEqual([4, 3, 2]);
    expect(await numbers({ limit: 3, before: 2 })).toEqual([1]);
    expect(await numbers({ limit: 3, before: 1 })).toEqual([]);
    expect(await numbers({ before: 100 })).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect((await store.listRevisions({ limit: 1 }))[0]).toMatchObject({ number: 7, summary: "r7" });
  });

  it("listRevisions refuses a limit outside 1 to 1000", async () => {
    const { store } = await fresh();
    await expect(store.listRevisions({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(store.listRevisions({ limit: 1001 })).rejects.toThrow(RangeError);
    await expect(store.listRevisions({ limit: 2.5 })).rejects.toThrow(RangeError);
  });

  it("getRevision of a number that was never committed is null", async () => {
    const { store } = await fresh();
    await store.commit(sampleConfig(1), meta("only"));
    for (const n of [0, -1, 2, 99, 1.5, 2 ** 40, Number.NaN]) expect(await store.getRevision(n)).toBeNull();
  });

  it("a commit with the current head as expected succeeds", async () => {
    const { store } = await fresh();
    expect((await store.commit(sampleConfig(1), meta("a"), 0)).number).toBe(1);
    expect((await store.commit(sampleConfig(2), meta("b"), 1)).number).toBe(2);
  });

  it("a commit with a stale expected head throws StaleRevisionError and writes nothing", async () => {
    const { store } = await fresh();
    await store.commit(sampleConfig(1), meta("a"));
    await store.commit(sampleConfig(2), meta("b"));
    for (const expected of [0, 1, 3, 10]) {
      const error = await store.commit(sampleConfig(9), meta("stale"), expected).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StaleRevisionError);
      expect(error).toMatchObject({ code: "STALE_REVISION", current: 2, expected });
    }
    expect(await store.headNumber()).toBe(2);
    expect((await store.listRevisions()).map((r) => r.summary)).toEqual(["b", "a"]);
    expect((await store.head())?.config).toEqual(sampleConfig(2));
  });

  it("ten concurrent commits expecting the same head, from two instances, let exactly one through", async () => {
    const { url, store } = await fresh();
    const other = await open(url);
    await store.commit(sampleConfig(0), meta("base"));
    const attempts = Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? store : other).commit(sampleConfig(i + 1), meta(`attempt ${i}`), 1),
    );
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StaleRevisionError);
    expect(await store.headNumber()).toBe(2);
    expect(await other.headNumber()).toBe(2);
    const winner = (won[0] as PromiseFulfilledResult<{ number: number; summary: string }>).value;
    expect(winner.number).toBe(2);
    expect((await other.head())?.meta.summary).toBe(winner.summary);
  });

  it("concurrent commits without expected, from two instances, all land with consecutive numbers", async () => {
    const { url, store } = await fresh();
    const other = await open(url);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? store : other).commit(sampleConfig(i), meta(`c${i}`)),
      ),
    );
    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const r of results) {
      const i = Number(r.summary.slice(1));
      expect((await other.getRevision(r.number))?.config).toEqual(sampleConfig(i));
    }
  });

  it("settings: unknown is null, set, get, overwrite, keys independent, persisted", async () => {
    const { url, store } = await fresh();
    expect(await store.getSetting("admin.tokenHash")).toBeNull();
    await store.setSetting("admin.tokenHash", "sha256:aaa");
    await store.setSetting("other", "");
    expect(await store.getSetting("admin.tokenHash")).toBe("sha256:aaa");
    await store.setSetting("admin.tokenHash", "sha256:bbb");
    expect(await store.getSetting("admin.tokenHash")).toBe("sha256:bbb");
    expect(await store.getSetting("other")).toBe("");
    const other = await open(url);
    expect(await other.getSetting("admin.tokenHash")).toBe("sha256:bbb");
    expect(await store.headNumber()).toBe(0);
  });

  it("setSettingIfAbsent writes a new key, never overwrites, and returns what the key holds", async () => {
    const { url, store } = await fresh();
    expect(await store.setSettingIfAbsent("token", "first")).toBe("first");
    expect(await store.setSettingIfAbsent("token", "second")).toBe("first");
    expect(await store.getSetting("token")).toBe("first");
    await store.setSetting("empty", "");
    expect(await store.setSettingIfAbsent("empty", "filled")).toBe("");
    const other = await open(url);
    expect(await other.setSettingIfAbsent("token", "third")).toBe("first");
    expect(await other.setSettingIfAbsent("new", "mine")).toBe("mine");
    expect(await store.getSetting("new")).toBe("mine");
  });

  it("twelve concurrent setSettingIfAbsent on one new key, from three instances, all return one stored value", async () => {
    const { url, store } = await fresh();
    const instances = [store, await open(url), await open(url)];
    const values = Array.from({ length: 12 }, (_, i) => `value-${i}`);
    const returned = await Promise.all(
      values.map((value, i) => (instances[i % 3] as Store).setSettingIfAbsent("race", value)),
    );
    const stored = await store.getSetting("race");
    expect(values).toContain(stored);
    expect(new Set(returned)).toEqual(new Set([stored]));
  });

  it("certificates: unknown is null, put and get round-trip byte for byte, seen by a second instance", async () => {
    const { url, store } = await fresh();
    const id = `sha256:${"a".repeat(64)}`;
    expect(await store.getCertificate(id)).toBeNull();
    const certificate = {
      id,
      cert: "-----BEGIN CERTIFICATE-----\nMIIB…é\n-----END CERTIFICATE-----\n",
      key: "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n",
    };
    await store.putCertificate(certificate);
    expect(await store.getCertificate(id)).toEqual(certificate);
    const other = await open(url);
    expect(await other.getCertificate(id)).toEqual(certificate);
    // Certificates are no revision: the head does not move.
    expect(await store.headNumber()).toBe(0);
  });

  it("certificates: a second put of an id keeps the first (ids are derived from the content), also concurrently", async () => {
    const { url, store } = await fresh();
    const other = await open(url);
    const id = `sha256:${"b".repeat(64)}`;
    const first = { id, cert: "first cert", key: "first key" };
    await Promise.all([
      store.putCertificate(first),
      other.putCertificate(first),
      store.putCertificate(first),
    ]);
    await other.putCertificate({ id, cert: "other cert", key: "other key" });
    expect(await store.getCertificate(id)).toEqual(first);
  });

  it("watch reports the commits of its own instance", async () => {
    const { store } = await fresh();
    await store.commit(sampleConfig(0), meta("before the watch"));
    const seen: number[] = [];
    const watch = await store.watch((n) => seen.push(n));
    await store.commit(sampleConfig(1), meta("a"));
    await waitFor(() => seen.includes(2), "revision 2 reported");
    await store.commit(sampleConfig(2), meta("b"));
    await waitFor(() => seen.includes(3), "revision 3 reported");
    expect(seen).toEqual([2, 3]);
    await watch.close();
  });

  it("watch reports commits made through a second instance on the same database", async () => {
    const { url, store } = await fresh();
    const other = await open(url);
    const seen: number[] = [];
    const errors: Error[] = [];
    const watch = await store.watch(
      (n) => seen.push(n),
      (e) => errors.push(e),
    );
    await other.commit(sampleConfig(1), meta("remote 1"));
    await waitFor(() => seen.at(-1) === 1, "revision 1 reported");
    await other.commit(sampleConfig(2), meta("remote 2"));
    await other.commit(sampleConfig(3), meta("remote 3"));
    // Polling may report 2 and 3 as one change; the newest must arrive.
    await waitFor(() => seen.at(-1) === 3, "revision 3 reported");
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(errors).toEqual([]);
    await watch.close();
  });

  it("a closed watch reports nothing more", async () => {
    const { url, store } = await fresh();
    const other = await open(url);
    const seen: number[] = [];
    const watch = await store.watch((n) => seen.push(n));
    await watch.close();
    await watch.close();
    await store.commit(sampleConfig(1), meta("mine"));
    await other.commit(sampleConfig(2), meta("theirs"));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(seen).toEqual([]);
  });

  it("a listener that throws has its error reported to onError and the watch goes on", async () => {
    const { store } = await fresh();
    const seen: number[] = [];
    const errors: Error[] = [];
    const watch = await store.watch(
      (n) => {
        seen.push(n);
        if (n === 1) throw new Error("listener bug");
      },
      (e) => errors.push(e),
    );
    await store.commit(sampleConfig(1), meta("a"));
    await waitFor(() => errors.length === 1, "the listener's error reported");
    expect(errors[0]?.message).toContain("listener bug");
    await store.commit(sampleConfig(2), meta("b"));
    await waitFor(() => seen.includes(2), "revision 2 reported after the listener threw");
    await watch.close();
  });

  it("migrating again, and from a second instance, is harmless", async () => {
    const { url, store } = await fresh();
    await store.commit(sampleConfig(1), meta("a"));
    await store.setSetting("k", "v");
    await store.migrate();
    const other = await open(url);
    await other.migrate();
    await Promise.all([store.migrate(), other.migrate()]);
    expect(await other.headNumber()).toBe(1);
    expect((await other.head())?.config).toEqual(sampleConfig(1));
    expect(await other.getSetting("k")).toBe("v");
  });

  it("a store reopened after close still holds every revision and setting", async () => {
    const { url, store } = await fresh();
    for (let i = 1; i <= 3; i++) await store.commit(sampleConfig(i), meta(`r${i}`));
    await store.setSetting("k", "v");
    await store.close();
    await store.close();
    const reopened = await open(url);
    expect(await reopened.headNumber()).toBe(3);
    for (let i = 1; i <= 3; i++) expect((await reopened.getRevision(i))?.config).toEqual(sampleConfig(i));
    expect(await reopened.getSetting("k")).toBe("v");
  });

  it("a closed store refuses further calls with a clear error", async () => {
    const { store } = await fresh();
    await store.close();
    await expect(store.headNumber()).rejects.toThrow(/closed/);
    await expect(store.commit(sampleConfig(1), meta("late"))).rejects.toThrow(/closed/);
  });

  it("a config that is not plain JSON data is refused before anything is written", async () => {
    const { store } = await fresh();
    const bad = { apis: [{ name: 1n }] } as unknown as Config;
    await expect(store.commit(bad, meta("bigint"))).rejects.toThrow(TypeError);
    expect(await store.headNumber()).toBe(0);
  });

  it("unusual strings and the key order of a config survive byte for byte", async () => {
    const { store } = await fresh();
    const body = 'nul:\u0000 lone:\ud800 emoji:😀 quote:" backslash:\\ newline:\n ﬁ é\u2028';
    const config = {
      apis: [
        {
          path: "/z",
          name: "zeta",
          method: "GET",
          backend: { type: "mock", body, headers: { "Z-Last": "1", "A-First": "2" }, status: 200 },
        },
      ],
      listen: { gateway: "127.0.0.1:0" },
    } as Config;
    await store.commit(config, meta("unusual"));
    const read = (await store.head())?.config;
    expect(read).toEqual(config);
    expect(JSON.stringify(read)).toBe(JSON.stringify(config));
  });

  it("a config of 10,000 APIs round-trips", { timeout: 60_000 }, async () => {
    const { store } = await fresh();
    const config = largeConfig(10_000);
    const committed = await store.commit(config, meta("large"));
    const read = await store.getRevision(committed.number);
    expect(read?.config.apis).toHaveLength(10_000);
    expect(read?.config).toEqual(config);
    expect((await store.head())?.config).toEqual(config);
  });
}
