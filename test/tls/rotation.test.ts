/**
 * Certificate files are watched (SPEC section 10): a rotated certificate is used by new
 * connections without a restart, while established connections and HTTP/2 sessions keep theirs and
 * keep working; a bad new pair is refused with its path in the log and the old one keeps serving.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { type ClientHttp2Session, connect as h2connect } from "node:http2";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { Resources } from "../backends/support.js";
import { DAY, describeWithOpenssl, type IssuedPair, TestCa, tempDir } from "../support/tls.js";
import { handshake, logLines, snapshotOrThrow, startHttps } from "./support.js";

function openSession(url: string, ca: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = h2connect(url, { ca, servername: "api.test" });
    session.once("remoteSettings", () => resolve(session));
    session.once("error", reject);
  });
}

function get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path, ":authority": "api.test" }, { endStream: true });
    let status = 0;
    let body = "";
    stream.on("response", (h) => {
      status = Number(h[":status"]);
    });
    stream.setEncoding("utf8");
    stream.on("data", (c: string) => {
      body += c;
    });
    stream.on("end", () => resolve({ status, body }));
    stream.on("error", reject);
  });
}

/** The serial number new handshakes for api.test see, polled until it is `want` (bounded: 5 s). */
async function servedSerial(port: number, want: string): Promise<string | undefined> {
  let seen: string | undefined;
  for (let i = 0; i < 100; i++) {
    seen = (await handshake(port, { serverName: "api.test" })).serialNumber;
    if (seen === want) return seen;
    await sleep(50);
  }
  return seen;
}

describeWithOpenssl("certificate rotation", () => {
  const resources = new Resources();
  let dir: string;
  let ca: TestCa;
  let first: IssuedPair;
  let gw: RunningGateway;
  const live = () => ({ cert: join(dir, "live", "api.crt"), key: join(dir, "live", "api.key") });

  beforeAll(async () => {
    const temp = await tempDir();
    dir = temp.dir;
    resources.add(temp.remove);
    ca = TestCa.create(dir);
    first = ca.issue({ names: ["api.test"], file: "first" });
    mkdirSync(join(dir, "live"));
    copyFileSync(first.certPath, live().cert);
    copyFileSync(first.keyPath, live().key);
    gw = await startHttps(resources, {
      tls: { certificates: [{ name: "api", domains: ["api.test"], cert: live().cert, key: live().key }] },
      apis: [{ name: "hello", method: "GET", path: "/hello", backend: { type: "mock", body: "hello" } }],
    });
  });
  afterAll(() => resources.closeAll());
  beforeEach(() => {
    logLines.length = 0;
  });

  it("serves a rotated pair to new connections, while an open HTTP/2 session keeps its certificate and still completes requests", async () => {
    const session = await openSession(gw.url, ca.cert);
    try {
      expect(await get(session, "/hello")).toEqual({ status: 200, body: "hello" });
      const before = (session.socket as TLSSocket).getPeerCertificate().serialNumber.toUpperCase();
      expect(before).toBe(first.serialNumber);

      // The way certbot and most tools do it: the new key, then the new certificate, each written
      // to a temporary file and renamed over the old one. Between the two, the pair does not match.
      const second = ca.issue({ names: ["api.test"], file: "second" });
      copyFileSync(second.keyPath, join(dir, "live", "api.key.tmp"));
      renameSync(join(dir, "live", "api.key.tmp"), live().key);
      await sleep(30);
      copyFileSync(second.certPath, join(dir, "live", "api.crt.tmp"));
      renameSync(join(dir, "live", "api.crt.tmp"), live().cert);

      expect(await servedSerial(gw.address.port, second.serialNumber)).toBe(second.serialNumber);
      // The open session was not closed, still has the first certificate, and still works.
      expect(session.closed).toBe(false);
      expect((session.socket as TLSSocket).getPeerCertificate().serialNumber.toUpperCase()).toBe(before);
      expect(await get(session, "/hello")).toEqual({ status: 200, body: "hello" });
      expect(gw.certificates?.served()[0]?.info.serialNumber).toBe(second.serialNumber);
      // The half-written state in between was never logged as an error (retried once the key matched).
      expect(logLines.some((l) => l.msg?.toString().includes("new certificate in use"))).toBe(true);
      expect(logLines.filter((l) => l.level === 50)).toEqual([]);
    } finally {
      session.close();
    }
  });

  it("keeps serving the previous certificate when the new one is expired, and logs why with the path", async () => {
    const current = (await handshake(gw.address.port, { serverName: "api.test" })).serialNumber as string;
    const now = Date.now();
    const expired = ca.issue({
      names: ["api.test"],
      file: "expired",
      keyPath: live().key,
      notBefore: new Date(now - 10 * DAY),
      notAfter: new Date(now - DAY),
    });
    copyFileSync(expired.certPath, live().cert);
    // Bounded wait for the refusal: the debounce (200 ms) and one retry (1 s).
    for (let i = 0; i < 60 && !logLines.some((l) => l.level === 50); i++) await sleep(50);
    const error = logLines.find((l) => l.level === 50);
    expect(error?.msg).toMatch(
      /^tls\.certificates\[0\]\.cert: expired on .*; the previous certificate keeps serving$/,
    );
    expect((await handshake(gw.address.port, { serverName: "api.test" })).serialNumber).toBe(current);
  });

  it("keeps serving when a file disappears, and picks up the pair when it is back", async () => {
    const current = (await handshake(gw.address.port, { serverName: "api.test" })).serialNumber as string;
    rmSync(live().cert);
    for (let i = 0; i < 60 && !logLines.some((l) => l.level === 50); i++) await sleep(50);
    expect(logLines.find((l) => l.level === 50)?.msg).toMatch(
      new RegExp(
        `^tls\\.certificates\\[0\\]\\.cert: no file at ${live().cert.replace(/[.[\]\\/]/g, "\\$&")}`,
      ),
    );
    expect((await handshake(gw.address.port, { serverName: "api.test" })).serialNumber).toBe(current);
    const third = ca.issue({ names: ["api.test"], file: "third", keyPath: live().key });
    copyFileSync(third.certPath, live().cert);
    expect(await servedSerial(gw.address.port, third.serialNumber)).toBe(third.serialNumber);
  });

  it("follows a configuration change that names other files (a reload), without a restart", async () => {
    const other = ca.issue({ names: ["api.test"], file: "other" });
    gw.swap(
      snapshotOrThrow({
        tls: {
          certificates: [{ name: "api", domains: ["api.test"], cert: other.certPath, key: other.keyPath }],
        },
        apis: [
          { name: "hello", method: "GET", path: "/hello", backend: { type: "mock", body: "hello again" } },
        ],
      }),
    );
    expect(await servedSerial(gw.address.port, other.serialNumber)).toBe(other.serialNumber);
  });
});
