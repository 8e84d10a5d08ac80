import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";
import { callAdmin } from "./support.js";

// `crossgate start` runs the admin API: by default in store mode, on request in file mode.
// (Runs the built CLI: `npm run build` first, as `npm test` does.)

const ADMIN_LINE = /crossgate admin API on (http:\/\/[0-9.:[\]]+)/;
const CONFIG = `
apis:
  - name: ping
    method: GET
    path: /ping
    backend: { type: mock, body: pong }
`;

let dir: string;
const running: GatewayProcess[] = [];

async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<GatewayProcess> {
  const gw = await spawnGateway(["--listen", "127.0.0.1:0", ...args], { CROSSGATE_ADMIN_TOKEN: "", ...env });
  running.push(gw);
  return gw;
}

async function adminUrl(gw: GatewayProcess): Promise<string> {
  const line = await gw.waitFor(ADMIN_LINE);
  return (ADMIN_LINE.exec(line) as RegExpExecArray)[1] as string;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "crossgate-admin-cli-"));
  writeFileSync(join(dir, "gateway.yaml"), CONFIG);
});

afterAll(async () => {
  for (const gw of running) await gw.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("crossgate start and the admin API", () => {
  it("store mode: prints a generated token once, serves the admin API, and reuses the token on restart", async () => {
    const store = ["--store", `sqlite:${join(dir, "store.db")}`, "--seed", join(dir, "gateway.yaml")];
    const first = await start([...store, "--admin", "127.0.0.1:0"]);
    const url = await adminUrl(first);
    const token = /Bearer (\S+)"/.exec(await first.waitFor(/Bearer \S+"/))?.[1] as string;
    const created = await callAdmin(url, token, "PUT", "/admin/v1/apis/hello", {
      body: { method: "GET", path: "/hello", backend: { type: "mock", body: "hello" } },
    });
    expect(created.status, created.text).toBe(201);
    expect((await fetch(new URL("/hello", first.url))).status).toBe(200);
    expect(await first.stop()).toBe(0);
    expect(first.output().split(token).length - 1).toBe(2); // the sentence names it twice, once printed

    const second = await start([...store, "--admin", "127.0.0.1:0"]);
    const url2 = await adminUrl(second);
    expect(second.output()).not.toMatch(/generated the admin API token/);
    expect((await callAdmin(url2, token, "GET", "/admin/v1/apis/hello")).status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it("store mode with --no-admin starts no admin listener", async () => {
    const gw = await start([
      "--store",
      `sqlite:${join(dir, "no-admin.db")}`,
      "--seed",
      join(dir, "gateway.yaml"),
      "--no-admin",
    ]);
    expect((await fetch(new URL("/ping", gw.url))).status).toBe(200);
    expect(gw.output()).not.toMatch(ADMIN_LINE);
    expect(gw.output()).not.toMatch(/admin API token/);
  });

  it("file mode: no admin API unless asked; with --admin it is read-only", async () => {
    const plain = await start(["--config", join(dir, "gateway.yaml")]);
    expect((await fetch(new URL("/ping", plain.url))).status).toBe(200);
    expect(plain.output()).not.toMatch(ADMIN_LINE);

    const gw = await start(["--config", join(dir, "gateway.yaml"), "--admin", "127.0.0.1:0"], {
      CROSSGATE_ADMIN_TOKEN: "file-token",
    });
    const url = await adminUrl(gw);
    expect((await callAdmin(url, "file-token", "GET", "/admin/v1/apis/ping")).status).toBe(200);
    const write = await callAdmin(url, "file-token", "DELETE", "/admin/v1/apis/ping");
    expect(write.status).toBe(409);
    expect(write.json.error_msg).toContain(join(dir, "gateway.yaml"));
    expect((await callAdmin(url, null, "GET", "/readyz")).json.source).toBe("file");
  });
});
