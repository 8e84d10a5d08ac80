import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const result = await client.query<{ one: number }>("select 1 as one");
    return result.rows[0]?.one ?? Number.NaN;
  } finally {
    await client.end();
  }
}

describeWithPostgres("postgres harness: a throwaway server that tests can take down and bring back", () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await startPostgres();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("starts a server on 127.0.0.1 that answers select 1 over its URL", async () => {
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    expect(await selectOne(server.url)).toBe(1);
  });

  it("terminates open connections and refuses new ones after stopServer()", async () => {
    const held = new pg.Client({ connectionString: server.url });
    const heldErrors: Error[] = [];
    held.on("error", (error) => heldErrors.push(error));
    await held.connect();
    await held.query("select 1");

    await server.stopServer();

    await expect(held.query("select 1")).rejects.toThrow();
    await held.end().catch(() => {});
    await expect(selectOne(server.url)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("accepts connections again after startServer(), on the same port and data", async () => {
    await server.startServer();
    expect(await selectOne(server.url)).toBe(1);
  });

  it("keeps data across restart()", async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query("create table harness_probe (n int)");
    await client.query("insert into harness_probe values (42)");
    await client.end();

    await server.restart();

    const again = new pg.Client({ connectionString: server.url });
    await again.connect();
    const { rows } = await again.query<{ n: number }>("select n from harness_probe");
    await again.end();
    expect(rows).toEqual([{ n: 42 }]);
  });
});
