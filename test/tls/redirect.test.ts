/**
 * `listen.redirect` (SPEC section 10): a plain-HTTP listener that answers every request with 308 to
 * the same URL on the https listener, and sends no HSTS (browsers ignore it on plain http).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { Resources, rawRequest } from "../backends/support.js";
import { describeWithOpenssl } from "../support/tls.js";
import { http1, https1 } from "../support/transports.js";
import { startHttps, type TlsFixture, tlsFixture, tlsSection } from "./support.js";

describeWithOpenssl("the redirect listener", () => {
  const resources = new Resources();
  let f: TlsFixture;
  let gw: RunningGateway;
  let redirectPort: number;

  beforeAll(async () => {
    f = await tlsFixture();
    resources.add(() => f.remove());
    gw = await startHttps(
      resources,
      {
        tls: tlsSection(f),
        groups: [{ name: "api", domains: ["api.test"], hsts: { maxAge: 600 } }],
        apis: [
          {
            name: "v1",
            group: "api",
            method: "ANY",
            path: "/v1",
            match: "prefix",
            backend: { type: "mock", body: "secure" },
          },
        ],
      },
      { redirect: { host: "127.0.0.1", port: 0 } },
    );
    redirectPort = Number(new URL(gw.redirectUrl as string).port);
  });
  afterAll(() => resources.closeAll());

  it("answers 308 to the same host, path and query on the https port, without HSTS", async () => {
    const r = await http1().send(`http://127.0.0.1:${redirectPort}`, "GET", "/v1/items?page=2", {
      host: `api.test:${redirectPort}`,
    });
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://api.test:${gw.address.port}/v1/items?page=2`);
    expect(r.headers["strict-transport-security"]).toBeUndefined();
    // Following it over https (api.test is 127.0.0.1 here) gets the API, with the group's HSTS.
    const location = new URL(r.headers.location as string);
    const followed = await https1({ ca: f.ca.cert, defaultHost: "api.test" }).send(
      gw.url,
      "GET",
      `${location.pathname}${location.search}`,
      { host: location.host },
    );
    expect(followed).toMatchObject({ status: 200, body: "secure" });
    expect(followed.headers["strict-transport-security"]).toBe("max-age=600");
  });

  it("keeps the method: a POST is redirected with 308, not 301", async () => {
    const r = await http1().send(
      `http://127.0.0.1:${redirectPort}`,
      "POST",
      "/v1/orders",
      { host: "api.test" },
      "{}",
    );
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://api.test:${gw.address.port}/v1/orders`);
  });

  it("answers 400 to a request without a usable Host, never echoing it into Location", async () => {
    const noHost = await rawRequest(redirectPort, "GET /v1 HTTP/1.0\r\nConnection: close\r\n\r\n");
    expect(noHost.status).toBe(400);
    const bad = await rawRequest(
      redirectPort,
      "GET /v1 HTTP/1.1\r\nHost: evil.test/x\r\nConnection: close\r\n\r\n",
    );
    expect(bad.status).toBe(400);
    expect(bad.headerLines.some(([name]) => name === "location")).toBe(false);
  });
});
