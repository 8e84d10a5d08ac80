/**
 * Store mode (SPEC section 10): certificates uploaded as PEM through `/admin/v1/certificates` are
 * kept in the store and served by every node of the cluster; reads never return the key nor the
 * PEM (fingerprint, subject, names, expiry instead); each change is a revision (restore included).
 * Two real nodes on one SQLite store: node A (admin API, plain http), node B (https, follows it).
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAdmin, startAdmin } from "../../src/admin/server.js";
import { storeTlsChecks } from "../../src/cli/tls-options.js";
import type { Config } from "../../src/config/schema.js";
import { ControlPlane } from "../../src/control/control-plane.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { silentLogger } from "../../src/logger.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { openStore } from "../../src/store/index.js";
import { type AdminAnswer, callAdmin } from "../admin/support.js";
import { Resources } from "../backends/support.js";
import { DAY, describeWithOpenssl, type IssuedPair, newKey, TestCa, tempDir } from "../support/tls.js";
import { http2 } from "../support/transports.js";
import { handshake } from "./support.js";

const TOKEN = "test-admin-token-0123456789abcdef";
const SEED: Config = {
  apis: [{ name: "hello", method: "GET", path: "/hello", backend: { type: "mock", body: "hello" } }],
};

interface Node {
  readonly plane: ControlPlane;
  readonly admin: RunningAdmin;
  readonly gateway: RunningGateway;
  call(method: string, path: string, body?: unknown): Promise<AdminAnswer>;
}

describeWithOpenssl("certificates in the store, through the admin API", () => {
  const resources = new Resources();
  let dir: string;
  let ca: TestCa;
  let first: IssuedPair;
  let storeUrl: string;
  let a: Node;
  let b: Node | undefined;

  async function startNode(name: string, secure: boolean, seed?: Config): Promise<Node> {
    const store = await openStore(storeUrl);
    let gateway: RunningGateway | undefined;
    const listen = secure ? "https://127.0.0.1:0" : undefined;
    const plane = await ControlPlane.start(store, {
      logger: silentLogger,
      cacheFile: join(dir, `${name}.last-good.json`),
      ...(seed === undefined ? {} : { seed: async () => seed }),
      checkIntervalMs: 100,
      materialChecks: storeTlsChecks(store, listen),
      onSnapshot: (snapshot) => gateway?.swap(snapshot),
    });
    resources.add(() => plane.close());
    gateway = await startGateway(
      plane.snapshot,
      { host: "127.0.0.1", port: 0, ...(secure ? { secure: true } : {}) },
      { storedCertificates: store, metrics: new GatewayMetrics() },
    );
    const running = gateway;
    resources.add(async () => {
      await running.close(0);
    });
    const { sha256Hex } = await import("../../src/admin/token.js");
    const admin = await startAdmin({
      listen: { host: "127.0.0.1", port: 0 },
      source: plane,
      metrics: new GatewayMetrics(),
      logger: silentLogger,
      token: { hash: sha256Hex(TOKEN) },
    });
    resources.add(() => admin.close());
    return {
      plane,
      admin,
      gateway: running,
      call: (method, path, body) =>
        callAdmin(admin.url, TOKEN, method, path, body === undefined ? {} : { body }),
    };
  }

  beforeAll(async () => {
    const temp = await tempDir();
    dir = temp.dir;
    resources.add(temp.remove);
    ca = TestCa.create(dir);
    first = ca.issue({ names: ["api.test"], file: "first" });
    storeUrl = `sqlite:${join(dir, "crossgate.db")}`;
    a = await startNode("a", false, SEED);
  });
  afterAll(() => resources.closeAll());

  /** The serial node B's new handshakes for api.test get, polled until `want` (bounded: 5 s). */
  async function servedByB(want: string): Promise<string | undefined> {
    let seen: string | undefined;
    for (let i = 0; i < 100; i++) {
      seen = (await handshake((b as Node).gateway.address.port, { serverName: "api.test" })).serialNumber;
      if (seen === want) return seen;
      await sleep(50);
    }
    return seen;
  }

  it("stores an upload and names it in the configuration: one revision, never echoing the key or the PEM", async () => {
    const put = await a.call("PUT", "/admin/v1/certificates/api", {
      domains: ["api.test"],
      default: true,
      cert: `${first.cert}${ca.cert}`,
      key: first.key,
    });
    expect(put.status).toBe(201);
    expect(put.json.revision).toBe(2);
    expect(put.json.item).toMatchObject({
      name: "api",
      position: "tls.certificates[0]",
      source: "stored",
      domains: ["api.test"],
      default: true,
      certificate: {
        subject: "CN=api.test",
        dnsNames: ["api.test"],
        serialNumber: first.serialNumber,
        chainLength: 2,
      },
    });
    expect(put.json.item.stored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(put.json.item.certificate.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    for (const answer of [
      put,
      await a.call("GET", "/admin/v1/certificates"),
      await a.call("GET", "/admin/v1/certificates/api"),
      await a.call("GET", "/admin/v1/config"),
      await a.call("GET", "/admin/v1/revisions/2"),
    ]) {
      expect([200, 201]).toContain(answer.status);
      expect(answer.text).not.toContain("PRIVATE KEY");
      expect(answer.text).not.toContain("BEGIN CERTIFICATE");
    }
    const config = await a.call("GET", "/admin/v1/config");
    expect(config.json.tls.certificates).toEqual([
      { name: "api", domains: ["api.test"], default: true, stored: put.json.item.stored },
    ]);
    const list = await a.call("GET", "/admin/v1/certificates");
    expect(list.json.items.map((i: { name: string; certificate: { notAfter: string } }) => i.name)).toEqual([
      "api",
    ]);
  });

  it("is served by another node of the cluster over https, which follows a rotation made through the admin API", async () => {
    b = await startNode("b", true);
    expect(b.gateway.url).toMatch(/^https:/);
    expect(await servedByB(first.serialNumber)).toBe(first.serialNumber);
    const h2 = http2({ ca: ca.cert, defaultHost: "api.test" });
    try {
      expect(await h2.send(b.gateway.url, "GET", "/hello")).toMatchObject({
        status: 200,
        body: "hello",
        httpVersion: "2.0",
      });
    } finally {
      await h2.close();
    }
    const second = ca.issue({ names: ["api.test"], file: "second" });
    const replaced = await a.call("PUT", "/admin/v1/certificates/api", {
      domains: ["api.test"],
      default: true,
      cert: second.cert,
      key: second.key,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.revision).toBe(3);
    expect(await servedByB(second.serialNumber)).toBe(second.serialNumber);
  });

  it("restores an earlier revision's certificate (uploads are kept)", async () => {
    const restored = await a.call("POST", "/admin/v1/revisions/2/restore");
    expect(restored.status).toBe(200);
    expect(await servedByB(first.serialNumber)).toBe(first.serialNumber);
  });

  it("refuses an upload that cannot be served, with every problem and its field, storing nothing", async () => {
    const before = (await a.call("GET", "/admin/v1/config")).headers.get("etag");
    newKey(join(dir, "other.key"));
    const otherKey = (await import("node:fs")).readFileSync(join(dir, "other.key"), "utf8");
    const mismatch = await a.call("PUT", "/admin/v1/certificates/api", { cert: first.cert, key: otherKey });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error_code).toBe("CONFIG_INVALID");
    expect(mismatch.json.problems.map((p: { code: string; path: string }) => `${p.code} ${p.path}`)).toEqual([
      "TLS_KEY_MISMATCH key",
    ]);
    const now = Date.now();
    const expired = ca.issue({
      names: ["api.test"],
      file: "expired",
      notBefore: new Date(now - 9 * DAY),
      notAfter: new Date(now - DAY),
    });
    const old = await a.call("PUT", "/admin/v1/certificates/api", { cert: expired.cert, key: expired.key });
    expect(old.json.problems.map((p: { code: string; path: string }) => `${p.code} ${p.path}`)).toEqual([
      "TLS_CERT_EXPIRED cert",
    ]);
    const shape = await a.call("PUT", "/admin/v1/certificates/api", { cert: "not pem", keyFile: "x" });
    expect(shape.status).toBe(400);
    expect(shape.json.problems.map((p: { path: string }) => p.path).sort()).toEqual(["key", "keyFile"]);
    const garbage = await a.call("PUT", "/admin/v1/certificates/api", { cert: "not pem", key: first.key });
    expect(garbage.json.problems.map((p: { code: string; path: string }) => `${p.code} ${p.path}`)).toEqual([
      "TLS_CERT_INVALID cert",
    ]);
    expect((await a.call("GET", "/admin/v1/config")).headers.get("etag")).toBe(before);
  });

  it("creates with POST (409 when the name exists), and 404s an unknown name", async () => {
    const pair = ca.issue({ names: ["*.shop.test"], file: "shop" });
    const created = await a.call("POST", "/admin/v1/certificates", {
      name: "shop",
      cert: pair.cert,
      key: pair.key,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/admin/v1/certificates/shop");
    expect(created.json.item.certificate.dnsNames).toEqual(["*.shop.test"]);
    const again = await a.call("POST", "/admin/v1/certificates", {
      name: "shop",
      cert: pair.cert,
      key: pair.key,
    });
    expect(again.status).toBe(409);
    expect((await a.call("GET", "/admin/v1/certificates/nope")).status).toBe(404);
    expect(await servedByBFor("a.shop.test")).toBe(pair.serialNumber);
  });

  async function servedByBFor(name: string): Promise<string | undefined> {
    let seen: string | undefined;
    for (let i = 0; i < 100; i++) {
      seen = (await handshake((b as Node).gateway.address.port, { serverName: name })).serialNumber;
      if (seen !== first.serialNumber) return seen;
      await sleep(50);
    }
    return seen;
  }

  it("an https node refuses a change that leaves it without a certificate; a plain-http node allows it and the https node keeps its certificates", async () => {
    const node = b as Node;
    expect((await node.call("DELETE", "/admin/v1/certificates/shop")).status).toBe(204);
    const refused = await node.call("DELETE", "/admin/v1/certificates/api");
    expect(refused.status).toBe(400);
    expect(refused.json.problems.map((p: { code: string; path: string }) => `${p.code} ${p.path}`)).toContain(
      "TLS_NO_CERTIFICATE tls.certificates",
    );
    const allowed = await a.call("DELETE", "/admin/v1/certificates/api");
    expect(allowed.status).toBe(204);
    // Node B follows the revision but keeps serving the certificate it has.
    for (let i = 0; i < 40 && node.plane.revision < a.plane.revision; i++) await sleep(50);
    expect(node.plane.revision).toBe(a.plane.revision);
    expect((await handshake(node.gateway.address.port, { serverName: "api.test" })).serialNumber).toBe(
      first.serialNumber,
    );
  });

  it("answers a configuration's certificate errors in the same 400 as its other problems", async () => {
    const head = await a.call("GET", "/admin/v1/config");
    const refused = await a.call("PUT", "/admin/v1/config", {
      listen: { gateway: "https://127.0.0.1:8443" },
      tls: { certificates: [{ name: "gone", default: true, cert: "gone.crt", key: "gone.key" }] },
      apis: [
        { name: "x", method: "GET", path: "/x", corsPolicy: "nowhere", backend: { type: "mock", body: "x" } },
      ],
    });
    expect(refused.status).toBe(400);
    const found = refused.json.problems.map((p: { code: string; path: string }) => `${p.code} ${p.path}`);
    expect(found).toContain("TLS_CERT_MISSING tls.certificates[0].cert");
    expect(found.some((f: string) => f.endsWith(" apis[0].corsPolicy"))).toBe(true);
    // Nothing was stored.
    expect((await a.call("GET", "/admin/v1/config")).json).toEqual(head.json);
  });
});
