/**
 * SPEC section 10: the https listener. TLS with certificates chosen by SNI (exact, one-label
 * wildcards, a default), HTTP/2 by ALPN with HTTP/1.1 on the same port, and the HTTP/2 rules:
 * `:authority` routes like Host, no connection-specific fields, lowercase names, trailers passed,
 * stream resets counted, limits on streams, header lists, uploads, idle connections and rapid resets.
 * Real servers and clients on 127.0.0.1, certificates made with openssl.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ClientHttp2Stream, constants, connect as h2connect } from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RAPID_RESET_LIMIT } from "../../src/gateway/listeners/https.js";
import type { RunningGateway } from "../../src/gateway/server.js";
import { startGateway } from "../../src/gateway/server.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { Resources, startUpstream, type Upstream } from "../backends/support.js";
import { describeWithOpenssl } from "../support/tls.js";
import { http1, http2, https1, type Transport } from "../support/transports.js";
import {
  handshake,
  logLines,
  openSession,
  snapshotOrThrow,
  startHttps,
  type TlsFixture,
  tlsFixture,
  tlsSection,
} from "./support.js";

const ORIGIN = "https://app.test";

interface StreamResult {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
  readonly rstCode: number | undefined;
}

function finish(stream: ClientHttp2Stream, body?: string | Buffer): Promise<StreamResult> {
  return new Promise((resolve) => {
    let status = 0;
    let headers: Record<string, unknown> = {};
    let text = "";
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      headers = { ...h };
    });
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      text += chunk;
    });
    stream.on("error", () => {});
    stream.on("close", () => resolve({ status, headers, body: text, rstCode: stream.rstCode }));
    if (body !== undefined) stream.end(body);
  });
}

describeWithOpenssl("an https listener (TLS, HTTP/2 and HTTP/1.1 on one port)", () => {
  const resources = new Resources();
  let f: TlsFixture;
  let upstream: Upstream;
  let gw: RunningGateway;
  let metrics: GatewayMetrics;
  let h2: Transport;
  let h1s: Transport;
  const slow = { open: 0, maxOpen: 0, aborted: 0 };

  beforeAll(async () => {
    f = await tlsFixture();
    resources.add(() => f.remove());
    upstream = await startUpstream(resources, (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        if (path === "/trailers") {
          res.writeHead(200, { "content-type": "text/plain", trailer: "x-checksum" });
          res.write("part one, ");
          res.addTrailers({ "x-checksum": "abc123" });
          res.end("part two");
          return;
        }
        if (path === "/proto-fields") {
          res.writeHead(200, ["Constructor", "c1", "__proto__", "p", "toString", "t", "constructor", "c2"]);
          res.end("fields");
          return;
        }
        if (path === "/slow") {
          slow.open++;
          slow.maxOpen = Math.max(slow.maxOpen, slow.open);
          const timer = setTimeout(() => {
            slow.open--;
            res.writeHead(200, { "content-type": "text/plain" });
            res.end("slow");
          }, 300);
          res.on("close", () => {
            if (!res.writableFinished) {
              clearTimeout(timer);
              slow.open--;
              slow.aborted++;
            }
          });
          return;
        }
        res.writeHead(200, {
          "content-type": "application/json",
          "keep-alive": "timeout=5",
          "http2-settings": "AAMAAABk",
        });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            rawHeaders: req.rawHeaders,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      });
    });
    metrics = new GatewayMetrics();
    gw = await startHttps(
      resources,
      {
        listen: { gateway: "https://127.0.0.1:0" },
        tls: tlsSection(f),
        gateway: { limits: { maxHeaderBytes: 4096, maxConcurrentStreams: 2, requestTimeoutMs: 1000 } },
        groups: [
          { name: "api", domains: ["api.test"], hsts: { maxAge: 31536000, includeSubDomains: true } },
          { name: "shop", domains: ["*.shop.test"] },
        ],
        corsPolicies: [{ name: "web", allowOrigins: [ORIGIN], allowMethods: ["GET", "PUT", "POST"] }],
        apis: [
          {
            name: "echo",
            group: "api",
            method: "ANY",
            path: "/echo",
            match: "prefix",
            corsPolicy: "web",
            backend: { type: "http", url: upstream.url },
          },
          {
            name: "where-api",
            group: "api",
            method: "GET",
            path: "/where",
            backend: { type: "mock", body: "api group" },
          },
          {
            name: "where-shop",
            group: "shop",
            method: "GET",
            path: "/where",
            backend: { type: "mock", body: "shop group" },
          },
          {
            name: "hop",
            group: "api",
            method: "GET",
            path: "/hop",
            backend: {
              type: "mock",
              headers: {
                "Keep-Alive": "timeout=5",
                Upgrade: "h2c",
                "Proxy-Connection": "keep-alive",
                "X-Kept": "yes",
              },
              body: "hop",
            },
          },
        ],
      },
      { metrics },
    );
    h2 = http2({ ca: f.ca.cert, defaultHost: "api.test" });
    h1s = https1({ ca: f.ca.cert, defaultHost: "api.test" });
  });
  afterAll(async () => {
    await h2?.close();
    await resources.closeAll();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    logLines.length = 0;
  });

  describe("the handshake", () => {
    it("gives h2 to a client offering h2 and http/1.1, and http/1.1 to a client offering only http/1.1", async () => {
      expect((await handshake(gw.address.port, { serverName: "api.test" })).alpn).toBe("h2");
      expect((await handshake(gw.address.port, { serverName: "api.test", alpn: ["http/1.1"] })).alpn).toBe(
        "http/1.1",
      );
    });

    it("picks the certificate by SNI: api.test's for api.test, the wildcard's for a.shop.test, the default's otherwise", async () => {
      const port = gw.address.port;
      expect((await handshake(port, { serverName: "api.test" })).serialNumber).toBe(f.api.serialNumber);
      expect((await handshake(port, { serverName: "API.TEST" })).serialNumber).toBe(f.api.serialNumber);
      expect((await handshake(port, { serverName: "a.shop.test" })).serialNumber).toBe(f.shop.serialNumber);
      expect((await handshake(port, { serverName: "other.test" })).serialNumber).toBe(
        f.fallback.serialNumber,
      );
    });

    it("covers one label with a wildcard, as a certificate does: a.b.shop.test gets the default", async () => {
      expect((await handshake(gw.address.port, { serverName: "a.b.shop.test" })).serialNumber).toBe(
        f.fallback.serialNumber,
      );
      expect((await handshake(gw.address.port, { serverName: "shop.test" })).serialNumber).toBe(
        f.fallback.serialNumber,
      );
    });

    it("gives a client that sends no server name the default certificate", async () => {
      expect((await handshake(gw.address.port)).serialNumber).toBe(f.fallback.serialNumber);
    });

    it("serves a chain the test CA verifies for the name asked", async () => {
      const seen = await handshake(gw.address.port, { serverName: "api.test", ca: f.ca.cert });
      expect(seen.authorized).toBe(true);
    });

    it("prefers TLS 1.3 and accepts a TLS 1.2 client", async () => {
      expect((await handshake(gw.address.port, { serverName: "api.test" })).protocol).toBe("TLSv1.3");
      expect(
        (await handshake(gw.address.port, { serverName: "api.test", maxVersion: "TLSv1.2" })).protocol,
      ).toBe("TLSv1.2");
    });

    it("counts TLS connections by protocol", async () => {
      await h2.send(gw.url, "GET", "/where", { host: "api.test" });
      await h1s.send(gw.url, "GET", "/where", { host: "api.test" });
      const text = await metrics.text();
      expect(text).toMatch(/crossgate_tls_connections_total\{protocol="h2"\} [1-9]/);
      expect(text).toMatch(/crossgate_tls_connections_total\{protocol="http\/1.1"\} [1-9]/);
      expect(text).toMatch(/crossgate_tls_certificate_expiry_timestamp_seconds\{certificate="api"\} \d+/);
    });
  });

  describe("requests over HTTP/2 and HTTPS/1.1", () => {
    it("routes by :authority on HTTP/2 as by Host on HTTP/1.1", async () => {
      for (const t of [h2, h1s]) {
        expect((await t.send(gw.url, "GET", "/where", { host: "api.test" })).body).toBe("api group");
        expect((await t.send(gw.url, "GET", "/where", { host: "a.shop.test" })).body).toBe("shop group");
      }
      const r = await h2.send(gw.url, "GET", "/where", { host: "a.shop.test" });
      expect(r.httpVersion).toBe("2.0");
    });

    it("passes the request to an HTTP/1.1 backend with a Host and no pseudo-header fields, X-Forwarded-Proto https", async () => {
      for (const t of [h2, h1s]) {
        const r = await t.send(gw.url, "GET", "/echo/x?q=1", { host: "api.test", origin: ORIGIN });
        expect(r.status).toBe(200);
        const seen = JSON.parse(r.body) as {
          url: string;
          headers: Record<string, string>;
          rawHeaders: string[];
        };
        expect(seen.url).toBe("/x?q=1");
        expect(seen.headers["x-forwarded-proto"]).toBe("https");
        expect(seen.headers["x-forwarded-host"]).toBe("api.test");
        expect(seen.rawHeaders.filter((_, i) => i % 2 === 0).some((n) => n.startsWith(":"))).toBe(false);
        expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
      }
    });

    it("joins the cookie fields HTTP/2 splits into one Cookie field for the HTTP/1.1 backend", async () => {
      const r = await h2.send(gw.url, "GET", "/echo/c", { host: "api.test", cookie: ["a=1", "b=2"] });
      const seen = JSON.parse(r.body) as { rawHeaders: string[] };
      const cookies = seen.rawHeaders.filter(
        (_, i) => i > 0 && seen.rawHeaders[i - 1]?.toLowerCase() === "cookie",
      );
      expect(cookies).toEqual(["a=1; b=2"]);
    });

    it("forwards an HTTP/2 request body that has no content-length", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      try {
        const stream = session.request({
          ":method": "POST",
          ":path": "/echo/upload",
          ":authority": "api.test",
        });
        stream.write("first ");
        await sleep(20);
        const result = await finish(stream, "second");
        expect(result.status).toBe(200);
        const seen = JSON.parse(result.body) as { method: string; body: string };
        expect(seen).toMatchObject({ method: "POST", body: "first second" });
      } finally {
        session.close();
      }
    });

    it("drops the connection-specific fields HTTP/2 forbids, a mock's own included, and keeps the rest lowercase", async () => {
      const r = await h2.send(gw.url, "GET", "/hop", { host: "api.test" });
      expect(r.status).toBe(200);
      for (const name of ["keep-alive", "upgrade", "proxy-connection", "connection", "transfer-encoding"])
        expect(r.headers[name]).toBeUndefined();
      expect(r.headers["x-kept"]).toBe("yes");
      for (let i = 0; i < r.rawHeaders.length; i += 2) {
        const name = r.rawHeaders[i] as string;
        expect(name).toBe(name.toLowerCase());
      }
      // A backend's Keep-Alive is dropped on both protocols (a hop-by-hop field).
      const echoed = await h1s.send(gw.url, "GET", "/echo/k", { host: "api.test" });
      expect(echoed.headers["keep-alive"]).toBeUndefined();
      // HTTP2-Settings too: node:http2 throws on a response carrying it (RFC 9113 section 8.2.2).
      const overH2 = await h2.send(gw.url, "GET", "/echo/k", { host: "api.test" });
      expect(overH2.status).toBe(200);
      expect(overH2.headers["http2-settings"]).toBeUndefined();
      expect(echoed.headers["http2-settings"]).toBeUndefined();
    });

    it("passes a backend's fields named constructor, __proto__ or toString on like any other, on both protocols", async () => {
      for (const transport of [h2, h1s]) {
        const r = await transport.send(gw.url, "GET", "/echo/proto-fields", { host: "api.test" });
        expect(r.status).toBe(200);
        const fields: [string, string][] = [];
        for (let i = 0; i < r.rawHeaders.length; i += 2) {
          const name = (r.rawHeaders[i] as string).toLowerCase();
          if (["constructor", "__proto__", "tostring"].includes(name))
            fields.push([name, r.rawHeaders[i + 1] as string]);
        }
        // A repeated field's values travel together, where the first of them stood (as for any name).
        expect(fields).toEqual([
          ["constructor", "c1"],
          ["constructor", "c2"],
          ["__proto__", "p"],
          ["tostring", "t"],
        ]);
      }
    });

    it("answers a CORS refusal over HTTP/2 without a status message, and over HTTPS/1.1 with webMethods' reason phrase", async () => {
      const over2 = await h2.send(gw.url, "GET", "/echo/x", {
        host: "api.test",
        origin: "https://evil.test",
      });
      expect(over2.status).toBe(403);
      expect(JSON.parse(over2.body).error_code).toBe("CORS_ORIGIN_NOT_ALLOWED");
      const over1 = await h1s.send(gw.url, "GET", "/echo/x", {
        host: "api.test",
        origin: "https://evil.test",
      });
      expect(over1.statusMessage).toBe("Specified Origin is not allowed");
      expect(upstream.requests).toHaveLength(0);
    });

    it("passes the backend's trailer fields on, after the body, on both protocols", async () => {
      const over2 = await h2.send(gw.url, "GET", "/echo/trailers", { host: "api.test" });
      expect(over2.body).toBe("part one, part two");
      expect(over2.trailers).toMatchObject({ "x-checksum": "abc123" });
      const over1 = await h1s.send(gw.url, "GET", "/echo/trailers", { host: "api.test" });
      expect(over1.body).toBe("part one, part two");
      expect(over1.trailers).toMatchObject({ "x-checksum": "abc123" });
      expect(over1.headers["transfer-encoding"]).toBe("chunked");
    });

    it("adds the group's Strict-Transport-Security to every https answer of its hosts, errors and preflights included", async () => {
      for (const t of [h2, h1s]) {
        const ok = await t.send(gw.url, "GET", "/where", { host: "api.test" });
        expect(ok.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
        const missing = await t.send(gw.url, "GET", "/nowhere", { host: "api.test" });
        expect(missing.status).toBe(404);
        expect(missing.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
        const preflight = await t.send(gw.url, "OPTIONS", "/echo/x", {
          host: "api.test",
          origin: ORIGIN,
          "access-control-request-method": "PUT",
        });
        expect(preflight.status).toBe(200);
        expect(preflight.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
        // The shop group has no hsts.
        const shop = await t.send(gw.url, "GET", "/where", { host: "a.shop.test" });
        expect(shop.headers["strict-transport-security"]).toBeUndefined();
      }
    });

    it("answers an HTTP/2 preflight in one HEADERS frame that ends the stream: no DATA frame, no trailers", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      try {
        const frames = await new Promise<{
          flags: number;
          status: number;
          hsts: unknown;
          data: number;
          trailers: boolean;
        }>((resolve, reject) => {
          const stream = session.request(
            {
              ":method": "OPTIONS",
              ":path": "/echo/x",
              ":authority": "api.test",
              origin: ORIGIN,
              "access-control-request-method": "PUT",
            },
            { endStream: true },
          );
          let flags = -1;
          let status = 0;
          let hsts: unknown;
          let data = 0;
          let trailers = false;
          stream.on("response", (headers, frameFlags) => {
            flags = frameFlags;
            status = Number(headers[":status"]);
            hsts = headers["strict-transport-security"];
          });
          stream.on("data", (chunk: Buffer) => {
            data += chunk.length;
          });
          stream.on("trailers", () => {
            trailers = true;
          });
          stream.on("error", reject);
          stream.on("close", () => resolve({ flags, status, hsts, data, trailers }));
        });
        expect(frames.status).toBe(200);
        expect(frames.flags & constants.NGHTTP2_FLAG_END_STREAM).toBe(constants.NGHTTP2_FLAG_END_STREAM);
        expect(frames.hsts).toBe("max-age=31536000; includeSubDomains");
        expect(frames.data).toBe(0);
        expect(frames.trailers).toBe(false);
      } finally {
        session.close();
      }
      // Observed as any answer: counted, and logged once with its status.
      for (let i = 0; i < 50 && !logLines.some((l) => l.msg === "request"); i++) await sleep(10);
      expect(logLines.filter((l) => l.msg === "request").map((l) => [l.protocol, l.status])).toEqual([
        ["2.0", 200],
      ]);
    });

    it("answers complete bodies over HTTP/2 whole, HEAD with the head alone, HSTS on both", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      try {
        for (const method of ["GET", "HEAD"]) {
          const result = await finish(
            session.request(
              { ":method": method, ":path": "/where", ":authority": "api.test" },
              { endStream: true },
            ),
          );
          expect(result.status).toBe(200);
          expect(result.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
          expect(result.headers["content-length"]).toBe("9");
          expect(result.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
          expect(result.body).toBe(method === "GET" ? "api group" : "");
        }
      } finally {
        session.close();
      }
      for (let i = 0; i < 50 && logLines.filter((l) => l.msg === "request").length < 2; i++) await sleep(10);
      expect(logLines.filter((l) => l.msg === "request").map((l) => [l.method, l.status])).toEqual([
        ["GET", 200],
        ["HEAD", 200],
      ]);
    });

    it("never sends Strict-Transport-Security on plain http, whatever the group says", async () => {
      const plain = await startGateway(
        snapshotOrThrow({
          groups: [{ name: "api", domains: ["api.test"], hsts: { maxAge: 600 } }],
          apis: [
            { name: "x", group: "api", method: "GET", path: "/x", backend: { type: "mock", body: "x" } },
          ],
        }),
        { host: "127.0.0.1", port: 0 },
      );
      try {
        const r = await http1().send(plain.url, "GET", "/x", { host: "api.test" });
        expect(r.status).toBe(200);
        expect(r.headers["strict-transport-security"]).toBeUndefined();
      } finally {
        await plain.close();
      }
    });

    it("refuses an HTTP/2 request whose Host names another host than :authority (400 AUTHORITY_MISMATCH)", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      try {
        const result = await finish(
          session.request(
            { ":path": "/where", ":authority": "a.shop.test", host: "api.test" },
            { endStream: true },
          ),
        );
        expect(result.status).toBe(400);
        expect(JSON.parse(result.body).error_code).toBe("AUTHORITY_MISMATCH");
        expect(result.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
      } finally {
        session.close();
      }
    });

    it("holds HTTP/2 header lists to maxHeaderBytes: 431 HEADERS_TOO_LARGE before the client has the setting, a reset after", async () => {
      // Sent with the connection preface, before the client has the server's SETTINGS: nghttp2 does
      // not enforce maxHeaderListSize yet, the gateway answers 431 (counted and logged).
      const session = h2connect(gw.url, { ca: f.ca.cert, servername: "api.test" });
      session.on("error", () => {});
      try {
        const early = await finish(
          session.request(
            { ":path": "/where", ":authority": "api.test", "x-big": "b".repeat(5000) },
            { endStream: true },
          ),
        );
        expect(early.status).toBe(431);
        expect(JSON.parse(early.body).error_code).toBe("HEADERS_TOO_LARGE");
        // Once SETTINGS are acknowledged, nghttp2 itself refuses the stream (ENHANCE_YOUR_CALM).
        const late = await finish(
          session.request(
            { ":path": "/where", ":authority": "api.test", "x-big": "b".repeat(5000) },
            { endStream: true },
          ),
        );
        expect(late.status).toBe(0);
        expect(late.rstCode).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
        const fits = await finish(
          session.request(
            { ":path": "/where", ":authority": "api.test", "x-big": "b".repeat(3000) },
            { endStream: true },
          ),
        );
        expect(fits.status).toBe(200);
      } finally {
        session.close();
      }
      expect(await metrics.text()).toMatch(/crossgate_requests_total\{api="",status="431"\} [1-9]/);
    });

    it("writes one access log line per request naming the protocol", async () => {
      await h2.send(gw.url, "GET", "/where", { host: "api.test" });
      await h1s.send(gw.url, "GET", "/where", { host: "api.test" });
      for (let i = 0; i < 50 && logLines.filter((l) => l.msg === "request").length < 2; i++) await sleep(10);
      const access = logLines.filter((l) => l.msg === "request");
      expect(access.map((l) => [l.protocol, l.api, l.status, l.host])).toEqual([
        ["2.0", "where-api", 200, "api.test"],
        ["1.1", "where-api", 200, "api.test"],
      ]);
    });
  });

  describe("HTTP/2 limits", () => {
    it("announces maxConcurrentStreams and never has more streams open at once: the rest wait", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      try {
        expect(session.remoteSettings.maxConcurrentStreams).toBe(2);
        expect(session.remoteSettings.maxHeaderListSize).toBe(4096);
        slow.maxOpen = 0;
        const results = await Promise.all(
          Array.from({ length: 5 }, () =>
            finish(session.request({ ":path": "/echo/slow", ":authority": "api.test" }, { endStream: true })),
          ),
        );
        expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
        expect(slow.maxOpen).toBe(2);
      } finally {
        session.close();
      }
    });

    it("counts a stream the client resets, and aborts its backend call", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      const before = slow.aborted;
      try {
        const stream = session.request(
          { ":path": "/echo/slow", ":authority": "api.test" },
          { endStream: true },
        );
        stream.on("error", () => {});
        await sleep(100);
        stream.close(constants.NGHTTP2_CANCEL);
        for (let i = 0; i < 100 && slow.aborted === before; i++) await sleep(10);
        expect(slow.aborted).toBe(before + 1);
      } finally {
        session.close();
      }
      expect(await metrics.text()).toMatch(
        /crossgate_http2_stream_resets_total\{by="client",code="CANCEL"\} [1-9]/,
      );
    });

    it("resets an HTTP/2 upload that is not complete within requestTimeoutMs", async () => {
      const session = await openSession(gw.url, f.ca.cert);
      try {
        const stream = session.request({
          ":method": "POST",
          ":path": "/echo/upload",
          ":authority": "api.test",
        });
        stream.write("started, never finished");
        const result = await finish(stream);
        expect(result.rstCode).toBe(constants.NGHTTP2_CANCEL);
        expect(result.status).toBe(0);
      } finally {
        session.close();
      }
      expect(await metrics.text()).toMatch(
        /crossgate_http2_stream_resets_total\{by="gateway",code="CANCEL"\} [1-9]/,
      );
    });
  });
});

describeWithOpenssl("an https listener's connections over time", () => {
  const resources = new Resources();
  let f: TlsFixture;

  beforeAll(async () => {
    f = await tlsFixture();
    resources.add(() => f.remove());
  });
  afterAll(() => resources.closeAll());

  const config = (upstreamUrl: string) => ({
    tls: tlsSection(f),
    gateway: { limits: { keepAliveTimeoutMs: 300 } },
    apis: [
      { name: "fast", method: "GET", path: "/fast", backend: { type: "mock", body: "fast" } },
      { name: "slow", method: "GET", path: "/slow", backend: { type: "http", url: upstreamUrl } },
    ],
  });

  it("closes an idle HTTP/2 connection after keepAliveTimeoutMs, but not one waiting on a slow backend", async () => {
    const upstream = await startUpstream(resources, (_req, res) => {
      setTimeout(() => res.end("slow"), 800);
    });
    const gw = await startHttps(resources, config(upstream.url));
    const busy = await openSession(gw.url, f.ca.cert);
    const idle = await openSession(gw.url, f.ca.cert);
    try {
      const idleClosed = new Promise<number>((resolve) => {
        const t0 = Date.now();
        idle.once("close", () => resolve(Date.now() - t0));
      });
      expect((await finish(idle.request({ ":path": "/fast" }, { endStream: true }))).body).toBe("fast");
      const slowResult = await finish(busy.request({ ":path": "/slow" }, { endStream: true }));
      expect(slowResult).toMatchObject({ status: 200, body: "slow" });
      expect(await idleClosed).toBeLessThan(5000);
    } finally {
      busy.destroy();
      idle.destroy();
    }
  });

  it("closes a connection whose client keeps opening and resetting streams (rapid reset), bounding the work done", async () => {
    const upstream = await startUpstream(resources, (_req, res) => {
      setTimeout(() => res.end("slow"), 800);
    });
    const metrics = new GatewayMetrics();
    const gw = await startHttps(resources, config(upstream.url), { metrics });
    const session = await openSession(gw.url, f.ca.cert);
    let goawayCode: number | undefined;
    session.on("goaway", (code: number) => {
      goawayCode = code;
    });
    session.on("error", () => {});
    let opened = 0;
    const started = Date.now();
    // Bursts of 100 open-and-reset streams, bounded in count and time: 5000 streams or 10 s. Between
    // bursts the client reads what the server sent (a client busy writing reads nothing).
    while (opened < 5000 && Date.now() - started < 10_000 && goawayCode === undefined && !session.destroyed) {
      for (let i = 0; i < 100; i++) {
        const stream = session.request({ ":path": "/slow" }, { endStream: true });
        stream.on("error", () => {});
        stream.close(constants.NGHTTP2_CANCEL);
        opened++;
      }
      await sleep(50);
    }
    for (let i = 0; i < 200 && goawayCode === undefined; i++) await sleep(10);
    session.destroy();
    expect(goawayCode).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    // Each reset stream may have reached the backend before its reset did; the connection was cut
    // once RAPID_RESET_LIMIT resets were seen, with at most maxConcurrentStreams (128) open.
    expect(upstream.requests.length).toBeLessThanOrEqual(RAPID_RESET_LIMIT + 128);
    expect(opened).toBeGreaterThan(RAPID_RESET_LIMIT);
    expect(await metrics.text()).toMatch(
      /crossgate_http2_sessions_terminated_total\{reason="rapid_reset"\} 1/,
    );
    // The listener still serves other connections.
    const other = await openSession(gw.url, f.ca.cert);
    try {
      expect((await finish(other.request({ ":path": "/fast" }, { endStream: true }))).body).toBe("fast");
    } finally {
      other.close();
    }
  });

  it("shuts down gracefully: GOAWAY to HTTP/2 clients, and the request in flight still completes", async () => {
    const upstream = await startUpstream(resources, (_req, res) => {
      setTimeout(() => res.end("finished"), 300);
    });
    const gw = await startGateway(
      snapshotOrThrow(config(upstream.url)),
      { host: "127.0.0.1", port: 0, secure: true },
      {},
    );
    const session = await openSession(gw.url, f.ca.cert);
    let goaway = false;
    session.on("goaway", () => {
      goaway = true;
    });
    session.on("error", () => {});
    const inFlight = finish(session.request({ ":path": "/slow" }, { endStream: true }));
    await sleep(50);
    const closed = gw.close(5000);
    const result = await inFlight;
    expect(result).toMatchObject({ status: 200, body: "finished" });
    expect(await closed).toEqual({ unfinished: 0 });
    expect(goaway).toBe(true);
    session.destroy();
  });
});
