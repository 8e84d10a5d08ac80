/**
 * A safe first start (SPEC section 5): a new store starts empty and serves nothing until something is
 * configured; only --seed FILE stores a first configuration. Store credentials can come from the
 * environment (CROSSGATE_STORE and the PG* variables), so no password shows in the process list.
 * (Runs the built CLI: `npm run build` first, as `npm test` does.)
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";
import { describeWithPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

const TOKEN = "start-store-test-token";
const SEED = `
apis:
  - { name: ping, method: GET, path: /ping, backend: { type: mock, body: pong } }
`;
const EMPTY_LINE = /"level":40.*"revision":0.*the store is empty, so every request answers 404.*--seed FILE/;
const ADMIN_LINE = /crossgate admin API on (http:\/\/[0-9.:]+)/;

let dir = "";
const running: GatewayProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossgate-start-store-"));
  writeFileSync(join(dir, "seed.yaml"), SEED);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop()));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const gw = await spawnGateway(
    ["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--no-access-log", ...args],
    { CROSSGATE_ADMIN_TOKEN: TOKEN, CROSSGATE_STORE: "", ...env },
  );
  running.push(gw);
  return gw;
}

async function adminUrl(gw: GatewayProcess): Promise<string> {
  return (ADMIN_LINE.exec(await gw.waitFor(ADMIN_LINE)) as RegExpExecArray)[1] as string;
}

/** Asserts that the gateway serves nothing: 404 ROUTE_NOT_FOUND JSON, and no CORS header for a preflight. */
async function expectServesNothing(gw: GatewayProcess): Promise<void> {
  for (const [method, path, headers] of [
    ["GET", "/", {}],
    ["GET", "/simple", { Origin: "http://www.cors.com" }],
    [
      "OPTIONS",
      "/",
      {
        Origin: "http://www.cors.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Sdk-Date",
      },
    ],
  ] as const) {
    const response = await fetch(new URL(path, gw.url), { method, headers });
    expect(response.status, `${method} ${path}`).toBe(404);
    expect(response.headers.get("access-control-allow-origin"), `${method} ${path}`).toBeNull();
    expect(((await response.json()) as { error_code: string }).error_code).toBe("ROUTE_NOT_FOUND");
  }
}

/** Stores a first configuration through the admin API and waits until the gateway serves it. */
async function configureThroughAdmin(gw: GatewayProcess): Promise<void> {
  const admin = await adminUrl(gw);
  const ready = await fetch(new URL("/readyz", admin));
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ ready: false, revision: 0, storeReachable: true });
  const put = await fetch(new URL("/admin/v1/apis/ping", admin), {
    method: "PUT",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", "If-Match": '"0"' },
    body: JSON.stringify({ method: "GET", path: "/ping", backend: { type: "mock", body: "pong" } }),
  });
  expect(put.status, await put.clone().text()).toBe(201);
  const response = await fetch(new URL("/ping", gw.url));
  expect([response.status, await response.text()]).toEqual([200, "pong"]);
  expect((await fetch(new URL("/readyz", admin))).status).toBe(200);
}

describe("a new SQLite store", () => {
  it("starts empty without --seed: serves nothing, says so with what to do, and takes a first configuration", async () => {
    const gw = await start(["--store", `sqlite:${join(dir, "empty.db")}`]);
    await gw.waitFor(EMPTY_LINE);
    await expectServesNothing(gw);
    await configureThroughAdmin(gw);
  });

  it("stores --seed FILE as revision 1, and ignores --seed once the store holds a configuration", async () => {
    const store = ["--store", `sqlite:${join(dir, "seeded.db")}`, "--seed", join(dir, "seed.yaml")];
    const first = await start(store);
    await adminUrl(first);
    expect((await fetch(new URL("/ping", first.url))).status).toBe(200);
    expect(first.output()).not.toMatch(/store is empty/);
    expect(await first.stop()).toBe(0);
    const second = await start(store);
    await second.waitFor(/--seed not used: the store already holds a configuration/);
    expect((await fetch(new URL("/ping", second.url))).status).toBe(200);
  });

  it("refuses a --seed file it cannot read or that is invalid, with every problem, and stores nothing", async () => {
    const store = ["--store", `sqlite:${join(dir, "refused.db")}`];
    const missing = await start([...store, "--seed", join(dir, "nope.yaml")]).catch((e: Error) => e);
    expect((missing as Error).message).toMatch(
      /--seed \S*nope\.yaml: cannot read the file \(ENOENT.*nothing was stored/,
    );
    expect((missing as Error).message).not.toMatch(/store is unreachable/);
    writeFileSync(
      join(dir, "invalid.yaml"),
      "apis:\n  - { name: a, method: GET, backend: { type: mock } }\n  - { name: 7 }\n",
    );
    const invalid = await start([...store, "--seed", join(dir, "invalid.yaml")]).catch((e: Error) => e);
    expect((invalid as Error).message).toMatch(
      /it is not a valid configuration; nothing was stored\. Fix the file/,
    );
    expect((invalid as Error).message).toMatch(/^ {2}apis\[0\]\.path: /m);
    expect((invalid as Error).message).toMatch(/^ {2}apis\[1\]\.name: /m);
    const after = await start(store);
    await after.waitFor(EMPTY_LINE);
  });

  it("takes the store from CROSSGATE_STORE when --store is absent", async () => {
    const path = join(dir, "from-env.db");
    const gw = await start(["--seed", join(dir, "seed.yaml")], { CROSSGATE_STORE: `sqlite:${path}` });
    expect((await fetch(new URL("/ping", gw.url))).status).toBe(200);
    expect(gw.output()).toContain(`"store":"sqlite:${path}"`);
  });
});

describeWithPostgres("a new PostgreSQL database", () => {
  let server: TestPostgres;
  const password = "pw-only-in-the-environment-7f3a";

  beforeAll(async () => {
    server = await startPostgres();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query("create database fresh");
      // A role that must authenticate with its password (the harness trusts everyone else), so a wrong or
      // missing PGPASSWORD fails and a right one proves the driver read it.
      await admin.query(`create role crossgate login password '${password}'`);
      await admin.query("create database crossgate_env owner crossgate");
      const { rows } = await admin.query<{ hba_file: string }>("show hba_file");
      const hba = rows[0]?.hba_file as string;
      writeFileSync(hba, `host all crossgate 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, "utf8")}`);
      await admin.query("select pg_reload_conf()");
    } finally {
      await admin.end();
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  const pgEnv = (pass: string): NodeJS.ProcessEnv => ({
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGUSER: "crossgate",
    PGPASSWORD: pass,
    PGDATABASE: "crossgate_env",
  });

  it("starts empty without --seed and serves nothing until configured", async () => {
    const url = new URL(server.url);
    url.pathname = "/fresh";
    const gw = await start(["--store", url.toString(), "--cache", join(dir, "fresh.last-good.json")]);
    await gw.waitFor(EMPTY_LINE);
    await expectServesNothing(gw);
    await configureThroughAdmin(gw);
  });

  for (const [form, env] of [
    ["--store postgres: and the PG* variables", { store: ["--store", "postgres:"], extra: {} }],
    [
      "CROSSGATE_STORE=postgres:// and the PG* variables",
      { store: [], extra: { CROSSGATE_STORE: "postgres://" } },
    ],
  ] as const) {
    it(`connects with ${form}; the password shows neither in the process list nor in the log`, async () => {
      const gw = await start(
        [...env.store, "--seed", join(dir, "seed.yaml"), "--cache", join(dir, "env.last-good.json")],
        { ...pgEnv(password), ...env.extra },
      );
      expect((await fetch(new URL("/ping", gw.url))).status).toBe(200);
      const commandLine = readFileSync(`/proc/${gw.child.pid}/cmdline`, "utf8");
      expect(commandLine).toContain("start");
      expect(commandLine).not.toContain(password);
      await gw.waitFor(/"store":"postgres:(\/\/)?","revision":1,"msg":"serving from the store"/);
      expect(gw.output()).not.toContain(password);
    });
  }

  it("refuses a wrong PGPASSWORD with the server's reason, and shows no password", async () => {
    const wrong = "not-the-password-91c2";
    const failed = await start(["--store", "postgres:", "--cache", join(dir, "none.last-good.json")], {
      ...pgEnv(wrong),
    }).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    const message = (failed as Error).message;
    expect(message).toMatch(/password authentication failed for user "crossgate"/);
    expect(message).not.toContain(wrong);
  });

  it("warns when --store carries the password, and logs it redacted", async () => {
    const url = `postgres://crossgate:${password}@${server.host}:${server.port}/crossgate_env`;
    const gw = await start([
      "--store",
      url,
      "--seed",
      join(dir, "seed.yaml"),
      "--cache",
      join(dir, "w.json"),
    ]);
    expect(gw.output()).toMatch(/--store holds a password.*CROSSGATE_STORE or PGPASSWORD/);
    expect(gw.output()).toContain(`postgres://crossgate:***@${server.host}:${server.port}/crossgate_env`);
    expect(gw.output()).not.toContain(password);
  });
});
