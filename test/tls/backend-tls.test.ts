/**
 * Backends over HTTPS (SPEC section 10): certificates verified by default, `tls.ca` for a private
 * CA, `tls.serverName` for an address-only URL, `tls.verify: false` only as a linted setting; a
 * failed verification is 502 BACKEND_TLS, readable by the page (CORS headers), with the reason in
 * the log. Upstreams are real node:https servers with openssl-made certificates.
 */
import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { expectGatewayError, gatewayLog, Resources, startUpstream, startWith } from "../backends/support.js";
import { send } from "../support/gateway.js";
import { DAY, describeWithOpenssl, type IssuedPair, TestCa, tempDir } from "../support/tls.js";

const ORIGIN = "https://app.test";

async function startHttpsUpstream(resources: Resources, pair: IssuedPair, body: string): Promise<number> {
  const server: Server = createHttpsServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    req.resume();
    res.writeHead(200, {
      "content-type": "text/plain",
      "x-upstream-proto": String(req.headers["x-forwarded-proto"]),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  resources.add(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

describeWithOpenssl("https backends", () => {
  const resources = new Resources();
  let dir: string;
  let ca: TestCa;
  let gw: RunningGateway;

  beforeAll(async () => {
    const temp = await tempDir();
    dir = temp.dir;
    resources.add(temp.remove);
    ca = TestCa.create(dir);
    const good = ca.issue({ names: ["svc.test", "IP:127.0.0.1"], file: "svc" });
    const named = ca.issue({ names: ["named.internal"], file: "named" });
    const now = Date.now();
    const expired = ca.issue({
      names: ["IP:127.0.0.1"],
      file: "expired",
      notBefore: new Date(now - 10 * DAY),
      notAfter: new Date(now - DAY),
    });
    const goodPort = await startHttpsUpstream(resources, good, "verified");
    const namedPort = await startHttpsUpstream(resources, named, "by name");
    const expiredPort = await startHttpsUpstream(resources, expired, "expired");
    const plain = await startUpstream(resources, (_req, res) => res.end("plain"));
    const caFile = join(dir, "ca.crt");
    const api = (name: string, backend: Record<string, unknown>) => ({
      name,
      method: "GET",
      path: `/${name}`,
      corsPolicy: "web",
      backend: { type: "http", ...backend },
    });
    gw = await startWith(resources, {
      corsPolicies: [{ name: "web", allowOrigins: [ORIGIN] }],
      apis: [
        api("private-ca", { url: `https://127.0.0.1:${goodPort}`, tls: { ca: caFile } }),
        api("system-ca", { url: `https://127.0.0.1:${goodPort}` }),
        api("server-name", {
          url: `https://127.0.0.1:${namedPort}`,
          tls: { ca: caFile, serverName: "named.internal" },
        }),
        api("wrong-name", {
          url: `https://127.0.0.1:${namedPort}`,
          tls: { ca: caFile, serverName: "other.internal" },
        }),
        api("expired", { url: `https://127.0.0.1:${expiredPort}`, tls: { ca: caFile } }),
        api("no-verify", { url: `https://127.0.0.1:${expiredPort}`, tls: { verify: false } }),
        api("not-tls", { url: `https://127.0.0.1:${plain.port}`, tls: { ca: caFile } }),
        api("missing-ca", { url: `https://127.0.0.1:${goodPort}`, tls: { ca: join(dir, "gone.crt") } }),
      ],
    });
  });
  afterAll(() => resources.closeAll());
  let logStart = 0;
  beforeEach(() => {
    logStart = gatewayLog().length;
  });
  const newLog = () => gatewayLog().slice(logStart);

  it("verifies the backend's certificate against the CA in tls.ca, and proxies", async () => {
    const res = await send(gw.url, "GET", "/private-ca", { origin: ORIGIN });
    expect(res).toMatchObject({ status: 200, body: "verified" });
    expect(res.headers["x-upstream-proto"]).toBe("http");
  });

  it("checks the certificate against tls.serverName when the URL names an address", async () => {
    expect(await send(gw.url, "GET", "/server-name", { origin: ORIGIN })).toMatchObject({
      status: 200,
      body: "by name",
    });
  });

  async function refused(path: string, reason: RegExp): Promise<void> {
    const res = await send(gw.url, "GET", path, { origin: ORIGIN });
    expectGatewayError(res.status, res.headers, res.body, "BACKEND_TLS");
    expect(res.status).toBe(502);
    // Readable by the page: the policy's CORS headers are on the error.
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(newLog()).toMatch(reason);
  }

  it("refuses a certificate the system's CAs do not know: 502 BACKEND_TLS with CORS headers, the reason in the log", async () => {
    await refused(
      "/system-ca",
      /TLS verification failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
  });

  it("refuses a certificate for another name", async () => {
    await refused("/wrong-name", /TLS verification failed \(ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it("refuses an expired certificate", async () => {
    await refused("/expired", /TLS verification failed \(CERT_HAS_EXPIRED/);
  });

  it("refuses a backend that does not speak TLS", async () => {
    await refused("/not-tls", /TLS verification failed \(ERR_SSL_/);
  });

  it("refuses every call when tls.ca cannot be read, saying which file", async () => {
    await refused(
      "/missing-ca",
      new RegExp(
        `TLS verification impossible \\(tls.ca ${join(dir, "gone.crt").replace(/[.\\/]/g, "\\$&")} cannot be read`,
      ),
    );
  });

  it("with verify: false, proxies even to an expired certificate (lint warns about it)", async () => {
    expect(await send(gw.url, "GET", "/no-verify", { origin: ORIGIN })).toMatchObject({
      status: 200,
      body: "expired",
    });
  });
});
