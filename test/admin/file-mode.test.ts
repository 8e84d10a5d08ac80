import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type RunningAdmin, startAdmin } from "../../src/admin/server.js";
import { sha256Hex } from "../../src/admin/token.js";
import { FileSource } from "../../src/control/file-source.js";
import { silentLogger } from "../../src/logger.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { type AdminAnswer, callAdmin } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-file-mode-"));
const FILE = join(dir, "gateway.yaml");
const TOKEN = "file-mode-token";

writeFileSync(
  FILE,
  stringify({
    corsPolicies: [{ name: "web", allowOrigins: ["https://app.example.com"] }],
    apis: [{ name: "users", method: "GET", path: "/users", corsPolicy: "web", backend: { type: "mock" } }],
    apps: [{ name: "storefront", keys: ["a-key-in-the-file-0001"], apis: ["users"] }],
  }),
);
let source: FileSource;
let admin: RunningAdmin;
const call = (method: string, path: string, body?: unknown): Promise<AdminAnswer> =>
  callAdmin(admin.url, TOKEN, method, path, body === undefined ? {} : { body });

beforeAll(async () => {
  const opened = await FileSource.open(FILE, { logger: silentLogger, watch: false });
  if (!opened.ok) throw new Error(JSON.stringify(opened.problems));
  source = opened.source;
  admin = await startAdmin({
    listen: { host: "127.0.0.1", port: 0 },
    source,
    metrics: new GatewayMetrics(),
    logger: silentLogger,
    token: { hash: sha256Hex(TOKEN) },
  });
});
afterAll(async () => {
  await admin?.close();
  await source?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("file mode: the admin API is read-only", () => {
  it("reads, explain, lint, health and readiness work against the file's snapshot", async () => {
    const config = await call("GET", "/admin/v1/config");
    expect(config.status).toBe(200);
    expect(config.headers.get("etag")).toBeNull();
    expect(config.json.apps[0].keyHashes).toHaveLength(1);
    expect(config.text).not.toContain("a-key-in-the-file-0001");
    expect((await call("GET", "/admin/v1/cors-policies/web")).json.allowOrigins).toEqual([
      "https://app.example.com",
    ]);
    expect((await call("GET", "/admin/v1/apis")).json.items).toHaveLength(1);
    const explained = await call("POST", "/admin/v1/explain", {
      origin: "https://app.example.com",
      method: "GET",
      path: "/users",
    });
    expect(explained.json.outcome.ok).toBe(true);
    expect((await call("GET", "/admin/v1/lint")).status).toBe(200);
    const ready = await callAdmin(admin.url, null, "GET", "/readyz");
    expect(ready.json).toEqual({ ready: true, revision: 0, source: "file", file: FILE });
    expect((await call("GET", "/admin/v1/revisions")).status).toBe(404);
  });

  it("follows the file's reloads", async () => {
    writeFileSync(
      FILE,
      stringify({ apis: [{ name: "other", method: "GET", path: "/other", backend: { type: "mock" } }] }),
    );
    await source.reload("test");
    expect((await call("GET", "/admin/v1/apis")).json.items.map((a: { name: string }) => a.name)).toEqual([
      "other",
    ]);
  });

  const WRITES: [string, string, unknown?][] = [
    ["POST", "/admin/v1/apis", { name: "x", method: "GET", path: "/x", backend: { type: "mock" } }],
    ["PUT", "/admin/v1/cors-policies/web", { allowOrigins: [] }],
    ["DELETE", "/admin/v1/apis/other"],
    ["PUT", "/admin/v1/config", {}],
    ["POST", "/admin/v1/revisions/1/restore"],
  ];
  for (const [method, path, body] of WRITES) {
    it(`${method} ${path} answers 409 ADMIN_READ_ONLY naming the file`, async () => {
      const res = await call(method, path, body);
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({
        error_code: "ADMIN_READ_ONLY",
        error_msg: `the configuration is managed by the file ${FILE}; edit it and crossgate reloads it`,
      });
    });
  }
});
