/**
 * HTTP/2 OPTIONS requests answered on the stream, without node:http2's compatibility layer
 * (src/gateway/listeners/direct-h2.ts). The layer stays the oracle: one gateway behind two https
 * listeners, one with the direct path and one without, and generated OPTIONS requests (preflights,
 * refusals, forwarded ones, the listener's own refusals, requests with a body) sent to both must get
 * the same status, fields and body, and the same access log line. Real servers and an HTTP/2 client
 * on 127.0.0.1, certificates made with openssl.
 */

import { type ClientHttp2Session, constants, connect as h2connect } from "node:http2";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { certificateSource } from "../../src/config/tls/sources.js";
import { Gateway } from "../../src/gateway/gateway.js";
import { createHttpsListener, type HttpsListener } from "../../src/gateway/listeners/https.js";
import { silentLogger } from "../../src/logger.js";
import { AccessLog } from "../../src/observability/access-log.js";
import { CallbackSink } from "../../src/observability/line-sink.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { describeWithOpenssl } from "../support/tls.js";
import { openSession, snapshotOrThrow, type TlsFixture, tlsFixture, tlsSection } from "./support.js";

const ORIGIN = "https://app.test";

function config(f: TlsFixture, maxAge: number): unknown {
  return {
    tls: tlsSection(f),
    gateway: { limits: { maxHeaderBytes: 2048 } },
    groups: [{ name: "api", domains: ["api.test"], hsts: { maxAge: 31536000 } }],
    corsPolicies: [
      {
        name: "web",
        allowOrigins: [ORIGIN, "https://*.example.com"],
        allowMethods: ["GET", "PUT", "POST"],
        allowHeaders: ["Content-Type", "X-Sdk-Date"],
        exposeHeaders: ["X-Request-Id"],
        allowCredentials: true,
        allowPrivateNetwork: true,
        maxAge,
      },
      { name: "report", allowOrigins: [ORIGIN], mode: "report" },
      { name: "omit", allowOrigins: [ORIGIN], onDisallowedOrigin: "omit" },
    ],
    apis: [
      {
        name: "echo",
        group: "api",
        method: "ANY",
        path: "/echo",
        match: "prefix",
        corsPolicy: "web",
        backend: { type: "mock", body: "echo" },
      },
      {
        name: "report",
        method: "ANY",
        path: "/report",
        corsPolicy: "report",
        backend: { type: "mock", body: "r" },
      },
      {
        name: "omit",
        method: "GET",
        path: "/omit",
        corsPolicy: "omit",
        backend: { type: "mock", body: "o" },
      },
      // An OPTIONS API: its preflights are forwarded (through the layer, with the plan made first).
      {
        name: "options-api",
        method: "OPTIONS",
        path: "/opt",
        backend: { type: "mock", headers: { "X-From": "opt" }, body: "opt" },
      },
      {
        name: "locked",
        method: "ANY",
        path: "/locked",
        auth: "app",
        corsPolicy: "web",
        backend: { type: "mock", body: "l" },
      },
    ],
    apps: [{ name: "storefront", keys: ["a-key-in-the-file-0001"], apis: ["locked"] }],
  };
}

interface Answer {
  /** 0 when the stream was reset without an answer (nghttp2 refuses a malformed request itself). */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly reset: number | undefined;
}

interface Request {
  readonly path: string;
  readonly authority: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** Sent with the connection preface on a new connection, before the client has the server's SETTINGS. */
  readonly early?: boolean;
}

/** What may differ between two answers to one request: the date, the request id, the durations. */
function comparable(a: Answer): Answer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(a.headers)) {
    if (name === "date") continue;
    headers[name] =
      name === "x-request-id"
        ? "<id>"
        : name === "server-timing"
          ? value.replace(/dur=[0-9.]+/g, "dur=<d>")
          : value;
  }
  return {
    status: a.status,
    reset: a.reset,
    headers,
    body: a.body.replace(/"request_id":"[0-9a-f]+"/, '"request_id":"<id>"'),
  };
}

function send(session: ClientHttp2Session, r: Request): Promise<Answer> {
  return new Promise((resolve) => {
    const stream = session.request(
      { ":method": "OPTIONS", ":path": r.path, ":authority": r.authority, ...r.headers },
      { endStream: r.body === undefined },
    );
    let status = 0;
    const headers: Record<string, string> = {};
    let body = "";
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      for (const [name, value] of Object.entries(h)) if (name !== ":status") headers[name] = String(value);
    });
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      body += chunk;
    });
    stream.on("error", () => {});
    stream.on("close", () =>
      resolve({ status, headers, body, reset: status === 0 ? stream.rstCode : undefined }),
    );
    if (r.body !== undefined) stream.end(r.body);
  });
}

describeWithOpenssl("HTTP/2 OPTIONS requests answered without the compatibility layer", () => {
  let f: TlsFixture;
  let gateway: Gateway;
  const lines: Record<string, unknown>[] = [];
  /** One of the two listeners, with its URL and the client's session to it. */
  interface Side {
    readonly listener: HttpsListener;
    readonly url: string;
    readonly session: ClientHttp2Session;
  }
  let direct: Side | undefined;
  let layer: Side | undefined;
  const sides = (): [Side, Side] => [direct as Side, layer as Side];

  async function listen(directOptions: boolean): Promise<Side> {
    const listener = await createHttpsListener(gateway, gateway.snapshot, {
      source: certificateSource(process.cwd()),
      logger: silentLogger,
      directOptions,
    });
    await new Promise<void>((resolve) => listener.server.listen(0, "127.0.0.1", resolve));
    const { port } = listener.server.address() as AddressInfo;
    const url = `https://127.0.0.1:${port}`;
    return { listener, url, session: await openSession(url, f.ca.cert) };
  }

  /** The access log line of the one exchange sent last, without what differs between two exchanges. */
  async function lastLine(answer: Answer): Promise<Record<string, unknown> | undefined> {
    // A stream reset before it reached the gateway has no line (a late one would be the next's second).
    if (answer.status === 0) return undefined;
    for (let i = 0; i < 100 && lines.length === 0; i++) await sleep(5);
    expect(lines).toHaveLength(1);
    const {
      time: _t,
      requestId: _r,
      durationMs: _d,
      upstreamMs: _u,
      ...rest
    } = lines.pop() as Record<string, unknown>;
    return rest;
  }

  beforeAll(async () => {
    f = await tlsFixture();
    const accessLog = new AccessLog(new CallbackSink((line) => lines.push(JSON.parse(line))));
    gateway = new Gateway(snapshotOrThrow(config(f, 600)), { accessLog, metrics: new GatewayMetrics() });
    direct = await listen(true);
    layer = await listen(false);
  });
  afterAll(async () => {
    for (const side of [direct, layer]) {
      if (side === undefined) continue;
      side.session.close();
      side.listener.closeAll();
      await new Promise<void>((resolve) => side.listener.server.close(() => resolve()));
      side.listener.dispose();
    }
    await gateway?.close();
    await f?.remove();
  });

  /** On the side's session, or on a new one for an early request. */
  async function sendOn(side: Side, r: Request): Promise<Answer> {
    if (r.early !== true) return send(side.session, r);
    const fresh = h2connect(side.url, { ca: f.ca.cert, servername: "api.test" });
    fresh.on("error", () => {});
    try {
      return await send(fresh, r);
    } finally {
      fresh.close();
    }
  }

  async function both(
    r: Request,
  ): Promise<{ direct: Answer; layer: Answer; directLine: unknown; layerLine: unknown }> {
    lines.length = 0;
    const [directSide, layerSide] = sides();
    const d = await sendOn(directSide, r);
    const directLine = await lastLine(d);
    const l = await sendOn(layerSide, r);
    const layerLine = await lastLine(l);
    return { direct: d, layer: l, directLine, layerLine };
  }

  it("answers an allowed preflight itself, with the layer's status, fields (HSTS included) and log line", async () => {
    const before = sides()[0].listener.directAnswers;
    const r = await both({
      path: "/echo/x",
      authority: "api.test",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "PUT",
        "access-control-request-headers": "x-sdk-date",
      },
      body: undefined,
    });
    expect(sides()[0].listener.directAnswers).toBe(before + 1);
    expect(sides()[1].listener.directAnswers).toBe(0);
    expect(r.direct.status).toBe(200);
    expect(r.direct.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(r.direct.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(r.direct.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(comparable(r.direct)).toEqual(comparable(r.layer));
    expect(r.directLine).toEqual(r.layerLine);
    expect(r.directLine).toMatchObject({ method: "OPTIONS", protocol: "2.0", api: "echo", status: 200 });
  });

  it("answers a refused preflight itself, with its error body; forwards an OPTIONS API's through the layer", async () => {
    let before = sides()[0].listener.directAnswers;
    const refused = await both({
      path: "/echo",
      authority: "api.test",
      headers: { origin: "https://evil.test", "access-control-request-method": "PUT" },
      body: undefined,
    });
    expect(sides()[0].listener.directAnswers).toBe(before + 1);
    expect(refused.direct.status).toBe(403);
    expect(JSON.parse(refused.direct.body).error_code).toBe("CORS_ORIGIN_NOT_ALLOWED");
    expect(comparable(refused.direct)).toEqual(comparable(refused.layer));
    expect(refused.directLine).toEqual(refused.layerLine);

    before = sides()[0].listener.directAnswers;
    const forwarded = await both({
      path: "/opt",
      authority: "api.test",
      headers: { origin: ORIGIN, "access-control-request-method": "PUT" },
      body: undefined,
    });
    expect(sides()[0].listener.directAnswers).toBe(before);
    expect(forwarded.direct.status).toBe(200);
    expect(forwarded.direct.body).toBe("opt");
    expect(forwarded.direct.headers["x-from"]).toBe("opt");
    expect(comparable(forwarded.direct)).toEqual(comparable(forwarded.layer));
    expect(forwarded.directLine).toEqual(forwarded.layerLine);
  });

  it("survives clients that reset their preflights with an error code as soon as they are sent", async () => {
    const before = sides()[0].listener.directAnswers;
    const session = await openSession(sides()[0].url, f.ca.cert);
    try {
      const closed: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        const stream = session.request(
          {
            ":method": "OPTIONS",
            ":path": "/echo",
            ":authority": "api.test",
            origin: ORIGIN,
            "access-control-request-method": "PUT",
          },
          { endStream: true },
        );
        stream.on("error", () => {});
        closed.push(new Promise((resolve) => stream.on("close", resolve)));
        stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      }
      await Promise.all(closed);
    } finally {
      session.close();
    }
    // The process is alive and the next preflight is answered directly as before.
    lines.length = 0;
    const next = await send(sides()[0].session, {
      path: "/echo",
      authority: "api.test",
      headers: { origin: ORIGIN, "access-control-request-method": "PUT" },
      body: undefined,
    });
    expect(next.status).toBe(200);
    expect(sides()[0].listener.directAnswers).toBeGreaterThan(before);
  });

  it("plans on the configuration in force: a swapped one answers the next preflight", async () => {
    const r: Request = {
      path: "/echo",
      authority: "api.test",
      headers: { origin: ORIGIN, "access-control-request-method": "GET" },
      body: undefined,
    };
    expect((await both(r)).direct.headers["access-control-max-age"]).toBe("600");
    gateway.swap(snapshotOrThrow(config(f, 42)));
    const after = await both(r);
    expect(after.direct.headers["access-control-max-age"]).toBe("42");
    expect(comparable(after.direct)).toEqual(comparable(after.layer));
  });

  it("answers generated OPTIONS requests as the compatibility layer does, field for field and line for line", async () => {
    const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const request = fc.record({
      path: fc.constantFrom(
        "/echo",
        "/echo/x",
        "/echo/../opt",
        "/echo/%2e%2e/x",
        "/echo?q=1",
        "//echo",
        "/opt",
        "/report",
        "/omit",
        "/locked",
        "/nowhere",
        "*",
        "/echo/%00",
      ),
      authority: fc.constantFrom("api.test", "API.test", "other.test", "127.0.0.1"),
      host: fc.constantFrom(undefined, undefined, undefined, undefined, "api.test", "other.test"),
      origin: optional(
        fc.constantFrom(ORIGIN, "https://a.example.com", "https://evil.test", "null", "not a url", ""),
      ),
      method: optional(fc.constantFrom("PUT", "GET", "DELETE", "get", "", "X Y")),
      requestHeaders: optional(
        fc.constantFrom("x-sdk-date", "Content-Type, X-Sdk-Date", "x-other", "bad header!", ""),
      ),
      privateNetwork: optional(fc.constantFrom("true", "false")),
      apiKey: optional(fc.constantFrom("a-key-in-the-file-0001", "wrong")),
      large: fc.constantFrom(false, false, false, true),
      expect100: fc.constantFrom(false, false, false, false, false, true),
      // Mostly none, as a browser's preflight: a request with a body goes through the layer.
      body: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, "", "a body"),
    });
    await fc.assert(
      fc.asyncProperty(request, async (g) => {
        const headers: Record<string, string> = {};
        if (g.host !== undefined) headers.host = g.host;
        if (g.origin !== undefined) headers.origin = g.origin;
        if (g.method !== undefined) headers["access-control-request-method"] = g.method;
        if (g.requestHeaders !== undefined) headers["access-control-request-headers"] = g.requestHeaders;
        if (g.privateNetwork !== undefined)
          headers["access-control-request-private-network"] = g.privateNetwork;
        if (g.apiKey !== undefined) headers["x-api-key"] = g.apiKey;
        // Over maxHeaderBytes, sent before the client has the setting: refused by the listener (431).
        if (g.large) headers["x-padding"] = "p".repeat(2100);
        if (g.expect100) headers.expect = "100-continue";
        const r = await both({ path: g.path, authority: g.authority, headers, body: g.body, early: g.large });
        expect(comparable(r.direct)).toEqual(comparable(r.layer));
        expect(r.directLine).toEqual(r.layerLine);
      }),
      { numRuns: 150 },
    );
    // The generated requests did go both ways on the direct listener.
    expect(sides()[0].listener.directAnswers).toBeGreaterThan(20);
  });

  it("answers OPTIONS requests with arbitrary printable targets and CORS fields as the layer does", async () => {
    // What an HTTP/2 client may send in a field value or a :path (node's client refuses the rest).
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    const before = sides()[0].listener.directAnswers;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          path: printable.map((p) => `/${p}`),
          origin: fc.oneof(printable, fc.constant(ORIGIN)),
          method: fc.oneof(printable, fc.constantFrom("PUT", "GET")),
          requestHeaders: printable,
        }),
        async (g) => {
          const headers = {
            origin: g.origin,
            "access-control-request-method": g.method,
            "access-control-request-headers": g.requestHeaders,
          };
          const r = await both({ path: g.path, authority: "api.test", headers, body: undefined });
          expect(comparable(r.direct)).toEqual(comparable(r.layer));
          expect(r.directLine).toEqual(r.layerLine);
        },
      ),
      { numRuns: 100 },
    );
    expect(sides()[0].listener.directAnswers).toBeGreaterThan(before + 50);
  });
});
