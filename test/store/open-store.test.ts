import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, parseStoreUrl, redactStoreUrl } from "../../src/store/index.js";
import { sampleConfig } from "./helpers.js";

describe("store URLs", () => {
  const cases: Array<[string, ReturnType<typeof parseStoreUrl>]> = [
    ["sqlite:crossgate.db", { kind: "sqlite", path: resolve("crossgate.db") }],
    ["sqlite:./data/x.db", { kind: "sqlite", path: resolve("data/x.db") }],
    ["sqlite:/var/lib/crossgate/x.db", { kind: "sqlite", path: "/var/lib/crossgate/x.db" }],
    ["sqlite:///var/lib/crossgate/x.db", { kind: "sqlite", path: "/var/lib/crossgate/x.db" }],
    ["sqlite::memory:", { kind: "sqlite", path: ":memory:" }],
    ["postgres://u:p@db:5432/crossgate", { kind: "postgres", url: "postgres://u:p@db:5432/crossgate" }],
    [
      "postgresql://db/crossgate?sslmode=require",
      { kind: "postgres", url: "postgresql://db/crossgate?sslmode=require" },
    ],
  ];
  for (const [url, expected] of cases) {
    it(`reads ${url}`, () => {
      expect(parseStoreUrl(url)).toEqual(expected);
    });
  }

  for (const url of ["mysql://db/x", "crossgate.db", "", "sqlite:", "postgres:db", "http://x"]) {
    it(`refuses ${JSON.stringify(url)} with a message that shows the accepted forms`, async () => {
      await expect(openStore(url)).rejects.toThrow(/sqlite:PATH/);
    });
  }

  it("never repeats a password in an error", async () => {
    const error = await openStore("mysql://admin:s3cret@db/x").catch((e: Error) => e);
    expect(String(error)).not.toContain("s3cret");
    expect(redactStoreUrl("postgres://admin:s3cret@db:5432/x")).toBe("postgres://admin:***@db:5432/x");
    expect(redactStoreUrl("postgres://db:5432/x")).toBe("postgres://db:5432/x");
  });

  it("says which PostgreSQL it could not reach, without the password", async () => {
    const error = await openStore("postgres://admin:s3cret@127.0.0.1:1/x").catch((e: Error) => e);
    expect(String(error)).toMatch(
      /cannot connect to the PostgreSQL store postgres:\/\/admin:\*\*\*@127\.0\.0\.1:1\/x/,
    );
    expect(String(error)).not.toContain("s3cret");
  });
});

describe("SQLite locations", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "crossgate-open-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("an in-memory store works within its own instance", async () => {
    const store = await openStore("sqlite::memory:");
    await store.migrate();
    await store.commit(sampleConfig(1), { actor: "t", summary: "m" });
    expect((await store.head())?.config).toEqual(sampleConfig(1));
    await store.close();
  });

  it("a relative path is taken from the working directory", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore("sqlite:relative.db");
      await store.migrate();
      await store.commit(sampleConfig(1), { actor: "t", summary: "r" });
      await store.close();
    } finally {
      process.chdir(cwd);
    }
    const again = await openStore(`sqlite:${join(dir, "relative.db")}`);
    expect(await again.headNumber()).toBe(1);
    await again.close();
  });

  it("a directory that does not exist is named in the error", async () => {
    const path = join(dir, "missing", "x.db");
    await expect(openStore(`sqlite:${path}`)).rejects.toThrow(path);
  });
});
