/**
 * Regression: an HTTP/1.1 request line naming `HTTP/2.0`, sent over TLS with ALPN http/1.1, is parsed
 * by node:http with httpVersionMajor 2 but has no HTTP/2 stream. The https listener took it for an
 * HTTP/2 request and threw in node:http's parser callback (an uncaught TypeError: reading the missing
 * stream), which ends the process; it is answered like on the plain listener instead.
 */
import { connect } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { Resources } from "../backends/support.js";
import { describeWithOpenssl } from "../support/tls.js";
import { startHttps, type TlsFixture, tlsFixture, tlsSection } from "./support.js";

/** Sends `head` on a TLS connection (ALPN http/1.1) and reads until the server closes it, or 3 s. */
function exchange(port: number, ca: string, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      port,
      host: "127.0.0.1",
      ca,
      servername: "api.test",
      ALPNProtocols: ["http/1.1"],
    });
    let text = "";
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.once("error", reject);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.write(head);
  });
}

describeWithOpenssl("an HTTP/1 request line naming HTTP/2.0 on the https listener", () => {
  const resources = new Resources();
  let f: TlsFixture;
  let gw: RunningGateway;

  beforeAll(async () => {
    f = await tlsFixture();
    resources.add(() => f.remove());
    gw = await startHttps(resources, {
      listen: { gateway: "https://127.0.0.1:0" },
      tls: tlsSection(f),
      apis: [
        { name: "mock", method: "ANY", path: "/", match: "prefix", backend: { type: "mock", body: "ok" } },
      ],
    });
  });
  afterAll(() => resources.closeAll());

  it("answers a GET with 505 HTTP_VERSION_NOT_SUPPORTED, as the plain listener does", async () => {
    const answer = await exchange(gw.address.port, f.ca.cert, "GET /x HTTP/2.0\r\nHost: api.test\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 505 /);
    expect(answer).toContain('"error_code":"HTTP_VERSION_NOT_SUPPORTED"');
  });

  it("answers a CONNECT with 405 CONNECT_NOT_ALLOWED", async () => {
    const answer = await exchange(
      gw.address.port,
      f.ca.cert,
      "CONNECT backend.test:443 HTTP/2.0\r\nHost: backend.test:443\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 405 /);
    expect(answer).toContain('"error_code":"CONNECT_NOT_ALLOWED"');
  });

  it("serves the next request as usual", async () => {
    const answer = await exchange(
      gw.address.port,
      f.ca.cert,
      "GET /x HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});
