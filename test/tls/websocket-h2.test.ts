/**
 * Issue 13, last part: WebSockets over HTTP/2 (RFC 8441). A real HTTP/2 client (node:http2) opens
 * extended CONNECT streams to an https gateway on 127.0.0.1, which proxies them to real WebSocket
 * backends (HTTP/1.1) on loopback, guarded exactly like HTTP/1.1 handshakes: the Origin against the
 * API's CORS policy, auth, routing, the same JSON refusals. Each test checks what the client read and
 * what reached the backend (or that nothing did).
 */
import { createServer, type Server } from "node:http";
import { type ClientHttp2Session, constants } from "node:http2";
import type { Socket } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERRORS } from "../../src/errors.js";
import type { RunningGateway } from "../../src/gateway/server.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { freePort, Resources } from "../backends/support.js";
import { type H2Answer, h2Handshake, openH2Session } from "../support/h2-websocket.js";
import { describeWithOpenssl } from "../support/tls.js";
import {
  type EchoBackend,
  encodeFrame,
  handshake,
  OPCODE,
  startEchoBackend,
  type WsClient,
  waitFor,
} from "../support/websocket.js";
import { logLines, snapshotOrThrow, startHttps, type TlsFixture, tlsFixture, tlsSection } from "./support.js";

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = constants;
const APP = "https://app.test";
const EVIL = "https://evil.test";
const PARTNER_KEY = "partner-key-0123456789";
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

describeWithOpenssl("WebSockets over HTTP/2 (RFC 8441 extended CONNECT)", () => {
  const resources = new Resources();
  const metrics = new GatewayMetrics();
  let f: TlsFixture;
  let gw: RunningGateway;
  let echo: EchoBackend;
  let greeter: EchoBackend;
  let refusing: EchoBackend;
  let hanging: EchoBackend;
  let wrongAccept: EchoBackend;
  let rogueProtocol: EchoBackend;
  let deflate: EchoBackend;
  let h2Fields: EchoBackend;
  let downPort: number;
  let plainBackend: Server;
  const plainSeen: string[] = [];
  let session: ClientHttp2Session;

  function config(origins: string[]): unknown {
    const ws = (name: string, path: string, url: string, extra: Record<string, unknown> = {}) => ({
      name,
      method: "GET",
      path,
      websocket: true,
      corsPolicy: "web",
      backend: { type: "http", url },
      ...extra,
    });
    return {
      listen: { gateway: "https://127.0.0.1:0" },
      tls: tlsSection(f),
      gateway: { limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000, keepAliveTimeoutMs: 1000 } },
      corsPolicies: [{ name: "web", allowOrigins: origins }],
      apps: [{ name: "partner", keys: [PARTNER_KEY], apis: ["secure"] }],
      apis: [
        ws("chat", "/chat", `${echo.url}/socket`),
        ws("rooms", "/rooms", `${echo.url}/base/`, { match: "prefix" }),
        ws("secure", "/secure", echo.url, { auth: "app" }),
        ws("greeting", "/greeting", greeter.url),
        ws("refusing", "/refusing", refusing.url),
        { ...ws("slow", "/slow", hanging.url), backend: { type: "http", url: hanging.url, timeoutMs: 300 } },
        ws("down", "/down", `http://127.0.0.1:${downPort}`),
        ws(
          "http-only",
          "/http-only",
          `http://127.0.0.1:${(plainBackend.address() as { port: number }).port}`,
        ),
        ws("wrong-accept", "/wrong-accept", wrongAccept.url),
        ws("rogue-protocol", "/rogue-protocol", rogueProtocol.url),
        ws("deflate", "/deflate", deflate.url),
        ws("h2-fields", "/h2-fields", h2Fields.url),
        {
          name: "post-only",
          method: "POST",
          path: "/post-only",
          corsPolicy: "web",
          backend: { type: "http", url: echo.url },
        },
        {
          name: "plain",
          method: "ANY",
          path: "/plain",
          corsPolicy: "web",
          backend: { type: "http", url: echo.url },
        },
      ],
    };
  }

  beforeAll(async () => {
    f = await tlsFixture();
    resources.add(() => f.remove());
    echo = await startEchoBackend({ protocol: "chat.v2" });
    greeter = await startEchoBackend({ greeting: "welcome" });
    refusing = await startEchoBackend({
      refuse: {
        status: 404,
        body: "no such room",
        headers: { "X-Backend-Reason": "room-missing", "HTTP2-Settings": "AAMAAABk" },
      },
    });
    hanging = await startEchoBackend({ hang: true });
    wrongAccept = await startEchoBackend({ wrongAccept: true });
    rogueProtocol = await startEchoBackend({ forceProtocol: "evil.v1" });
    deflate = await startEchoBackend({ extensions: "permessage-deflate; server_no_context_takeover" });
    // Connection-specific in HTTP/2 (RFC 9113 section 8.2.2): node:http2 throws on them.
    h2Fields = await startEchoBackend({
      headers: { "HTTP2-Settings": "AAMAAABkAAQAAP__", "Keep-Alive": "timeout=5", "X-Kept": "yes" },
    });
    for (const b of [echo, greeter, refusing, hanging, wrongAccept, rogueProtocol, deflate, h2Fields])
      resources.add(() => b.close());
    downPort = await freePort();
    plainBackend = createServer((req, res) => {
      plainSeen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("plain answer");
    });
    await new Promise<void>((resolve) => plainBackend.listen(0, "127.0.0.1", resolve));
    resources.add(async () => {
      plainBackend.closeAllConnections();
      await new Promise<void>((resolve) => plainBackend.close(() => resolve()));
    });
    gw = await startHttps(resources, config([APP]), { metrics });
    session = await openH2Session(gw.url, f.ca.cert);
    resources.add(async () => {
      session.destroy();
    });
  });
  afterAll(() => resources.closeAll());

  /** A refusal: the gateway's JSON error with its request id, then the stream closed by the gateway. */
  function expectRefusal(answer: H2Answer, status: number, code: string): Record<string, string> {
    expect(answer.status).toBe(status);
    expect(answer.ws).toBeUndefined();
    const body = JSON.parse(answer.body) as Record<string, string>;
    expect(body.error_code).toBe(code);
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.headers["x-request-id"]).toBe(body.request_id);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    // The client never ends its side: the stream closed because the gateway closed it after the refusal
    // (RST_STREAM NO_ERROR, RFC 9113 section 8.1), not left half-open.
    expect(answer.rstCode).toBe(NGHTTP2_NO_ERROR);
    return body;
  }

  function accessLine(requestId: string): Record<string, unknown> | undefined {
    return logLines.find((l) => l.log === "access" && l.requestId === requestId);
  }

  async function metric(pattern: RegExp): Promise<number> {
    const match = (await metrics.text()).match(pattern);
    return match === null ? 0 : Number(match[1]);
  }

  function open(answer: H2Answer): WsClient {
    expect(answer.status).toBe(200);
    return answer.ws as WsClient;
  }

  describe("the listener", () => {
    it("advertises SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 section 3), and still does after a reload", async () => {
      expect(session.remoteSettings.enableConnectProtocol).toBe(true);
      gw.swap(snapshotOrThrow(config([APP])));
      const after = await openH2Session(gw.url, f.ca.cert);
      try {
        expect(after.remoteSettings.enableConnectProtocol).toBe(true);
      } finally {
        after.destroy();
      }
    });

    it("answers a plain CONNECT (no :protocol) with 405 CONNECT_NOT_ALLOWED, as on HTTP/1.1, and closes the stream", async () => {
      // Before: node:http2 handed it to the HTTP/1.1 CONNECT handler, which answered 200 then reset it.
      const answer = await h2Handshake(session, "", {}, { protocol: null, authority: "backend.test:443" });
      expectRefusal(answer, 405, "CONNECT_NOT_ALLOWED");
    });

    it("answers an extended CONNECT for another protocol with 405 CONNECT_NOT_ALLOWED, naming it", async () => {
      const answer = await h2Handshake(session, "/chat", { origin: APP }, { protocol: "webtransport" });
      expect(expectRefusal(answer, 405, "CONNECT_NOT_ALLOWED").error_msg).toContain('"webtransport"');
    });
  });

  describe("a handshake from an allowed origin is proxied", () => {
    it("answers 200 (no Sec-WebSocket-Accept) and echoes frames both ways; the backend gets its own HTTP/1.1 handshake", async () => {
      const before = echo.connections.length;
      const answer = await h2Handshake(session, "/chat?room=7", {
        origin: APP,
        "sec-websocket-protocol": "chat.v1, chat.v2",
        cookie: "session=abc",
        "x-request-id": "spoofed",
        // RFC 8441 section 5: not used on HTTP/2; never forwarded, the gateway sends its own.
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      });
      const ws = open(answer);
      expect(answer.headers["sec-websocket-accept"]).toBeUndefined();
      expect(answer.headers["sec-websocket-protocol"]).toBe("chat.v2");
      expect(answer.headers["x-backend"]).toBe("echo");
      expect(answer.headers.upgrade).toBeUndefined();
      const requestId = answer.headers["x-request-id"] as string;
      expect(requestId).toMatch(/^[0-9a-f]{32}$/);

      ws.send("hello");
      expect(await ws.next()).toBe("hello");
      // 70,000 bytes: a 64-bit length, in several DATA frames each way (flow control included).
      const big = "x".repeat(70_000);
      ws.send(big);
      expect(await ws.next()).toBe(big);

      expect(echo.connections.length).toBe(before + 1);
      const seen = echo.connections[before]?.request;
      expect(seen?.method).toBe("GET");
      expect(seen?.httpVersion).toBe("1.1");
      expect(seen?.url).toBe("/socket/chat?room=7");
      expect(seen?.headers.upgrade).toBe("websocket");
      expect(seen?.headers.connection).toBe("Upgrade");
      expect(seen?.headers.host).toBe(`127.0.0.1:${echo.port}`);
      expect(seen?.headers.origin).toBe(APP);
      expect(seen?.headers["sec-websocket-version"]).toBe("13");
      expect(seen?.headers["sec-websocket-protocol"]).toBe("chat.v1, chat.v2");
      expect(seen?.headers["sec-websocket-key"]).toMatch(KEY_PATTERN);
      expect(seen?.headers["sec-websocket-key"]).not.toBe("dGhlIHNhbXBsZSBub25jZQ==");
      expect(seen?.headers.cookie).toBe("session=abc");
      expect(seen?.headers["x-request-id"]).toBe(requestId);
      expect(seen?.headers["x-forwarded-for"]).toBe("127.0.0.1");
      expect(seen?.headers["x-forwarded-proto"]).toBe("https");
      expect(seen?.headers["x-forwarded-host"]).toBe("api.test");
      expect(Object.keys(seen?.headers ?? {}).filter((name) => name.startsWith(":"))).toEqual([]);
      ws.close();
      await ws.closed;
    });

    it("makes a fresh key for every handshake", async () => {
      const before = echo.connections.length;
      const answers = await Promise.all([1, 2, 3].map(() => h2Handshake(session, "/chat", { origin: APP })));
      const keys = echo.connections.slice(before).map((c) => c.request.headers["sec-websocket-key"]);
      expect(new Set(keys).size).toBe(3);
      for (const a of answers) a.ws?.destroy();
    });

    it("passes the backend's first frames, sent with its 101, and the client's, sent before the answer", async () => {
      const greet = open(await h2Handshake(session, "/greeting", { origin: APP }));
      expect(await greet.next()).toBe("welcome");
      greet.destroy();

      const early = Buffer.concat([
        encodeFrame(OPCODE.text, Buffer.from("early one"), true),
        encodeFrame(OPCODE.text, Buffer.from("early two"), true),
      ]);
      const ws = open(await h2Handshake(session, "/chat", { origin: APP }, { early }));
      expect(await ws.next()).toBe("early one");
      expect(await ws.next()).toBe("early two");
      ws.destroy();
    });

    it("joins a prefix API's remainder and the query to the backend URL's path, as for HTTP", async () => {
      const before = echo.connections.length;
      const ws = open(await h2Handshake(session, "/rooms/a/../42/?x=1", { origin: APP }));
      expect(echo.connections[before]?.request.url).toBe("/base/42/?x=1");
      ws.destroy();
    });

    it("negotiates extensions end to end: the backend's choice of an offered one is relayed", async () => {
      const answer = await h2Handshake(session, "/deflate", {
        origin: APP,
        "sec-websocket-extensions": "permessage-deflate; client_max_window_bits",
      });
      const ws = open(answer);
      expect(answer.headers["sec-websocket-extensions"]).toBe(
        "permessage-deflate; server_no_context_takeover",
      );
      expect(deflate.connections.at(-1)?.request.headers["sec-websocket-extensions"]).toBe(
        "permessage-deflate; client_max_window_bits",
      );
      ws.destroy();
    });

    it("treats the gateway's own origin as same-origin (https://, as for fetch), though the policy does not list it", async () => {
      // Before: the handshake's own origin was taken as http://HOST, so a page served by the gateway was refused.
      const ws = open(await h2Handshake(session, "/chat", { origin: "https://api.test" }));
      ws.send("same origin");
      expect(await ws.next()).toBe("same origin");
      ws.destroy();
    });

    it("carries 20 WebSockets and ordinary requests on one HTTP/2 connection at once", async () => {
      await waitFor(() => gw.websockets.open === 0, "earlier tunnels to close");
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => h2Handshake(session, "/chat", { origin: APP })),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(gw.websockets.open).toBe(20);
      const plain = new Promise<number>((resolve, reject) => {
        const stream = session.request({ ":path": "/plain", origin: APP });
        stream.on("response", (h) => resolve(Number(h[":status"])));
        stream.on("error", reject);
        stream.resume();
      });
      await Promise.all(
        answers.map(async (answer, i) => {
          const ws = answer.ws as WsClient;
          for (let m = 0; m < 5; m++) ws.send(`socket ${i} message ${m}`);
          for (let m = 0; m < 5; m++) expect(await ws.next()).toBe(`socket ${i} message ${m}`);
          ws.close();
          await ws.closed;
        }),
      );
      expect(await plain).toBe(200);
      await waitFor(() => gw.websockets.open === 0, "every tunnel to close");
    });
  });

  describe("refusals: the same codes, bodies and request ids as HTTP/1.1, and no backend connection", () => {
    it("refuses a disallowed origin with 403 and the reason, before any connection to the backend", async () => {
      const tcpBefore = echo.tcpConnections();
      const before = echo.connections.length;
      const body = expectRefusal(
        await h2Handshake(session, "/chat", { origin: EVIL }),
        403,
        "WEBSOCKET_ORIGIN_NOT_ALLOWED",
      );
      expect(body.error_msg).toContain("ORIGIN_NOT_ALLOWED");
      expect(body.error_msg).toContain("not one the API's CORS policy allows");
      expect(echo.connections.length).toBe(before);
      expect(echo.tcpConnections()).toBe(tcpBefore);
    });

    it("refuses null and malformed origins, each with its reason", async () => {
      const nul = await h2Handshake(session, "/chat", { origin: "null" });
      expect(expectRefusal(nul, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").error_msg).toContain(
        "NULL_ORIGIN_NOT_ALLOWED",
      );
      const malformed = await h2Handshake(session, "/chat", { origin: "https://app.test/path" });
      expect(expectRefusal(malformed, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").error_msg).toContain(
        "ORIGIN_MALFORMED",
      );
    });

    it("requires the API key of an authorized application with auth: app, after the Origin check", async () => {
      const tcpBefore = echo.tcpConnections();
      expectRefusal(await h2Handshake(session, "/secure", { origin: APP }), 401, "AUTH_KEY_MISSING");
      expectRefusal(
        await h2Handshake(session, "/secure", { origin: APP, "x-api-key": "not-a-key-of-anyone-here" }),
        401,
        "AUTH_KEY_INVALID",
      );
      expectRefusal(
        await h2Handshake(session, "/secure", { origin: EVIL }),
        403,
        "WEBSOCKET_ORIGIN_NOT_ALLOWED",
      );
      expect(echo.tcpConnections()).toBe(tcpBefore);
      const ws = open(await h2Handshake(session, "/secure", { origin: APP, "x-api-key": PARTNER_KEY }));
      ws.send("authenticated");
      expect(await ws.next()).toBe("authenticated");
      ws.destroy();
    });

    it("answers 400 WEBSOCKET_NOT_ALLOWED on an API without websocket: true", async () => {
      const body = expectRefusal(
        await h2Handshake(session, "/plain", { origin: APP }),
        400,
        "WEBSOCKET_NOT_ALLOWED",
      );
      expect(body.error_msg).toContain("websocket: true");
    });

    it("refuses the paths any request is refused for, unknown routes and methods, with their codes", async () => {
      expectRefusal(await h2Handshake(session, "/chat%2f..", { origin: APP }), 400, "PATH_ENCODED_SLASH");
      expectRefusal(await h2Handshake(session, "/../chat", { origin: APP }), 400, "PATH_ABOVE_ROOT");
      expectRefusal(await h2Handshake(session, "/chat;x=1", { origin: APP }), 400, "PATH_SEMICOLON");
      expectRefusal(await h2Handshake(session, "/nowhere", { origin: APP }), 404, "ROUTE_NOT_FOUND");
      const post = await h2Handshake(session, "/post-only", { origin: APP });
      expectRefusal(post, 405, "METHOD_NOT_ALLOWED");
      expect(post.headers.allow).toBe("POST");
    });

    it("refuses a Host that contradicts :authority (400 AUTHORITY_MISMATCH), as for any HTTP/2 request", async () => {
      const answer = await h2Handshake(session, "/chat", { origin: APP, host: "other.test" });
      expectRefusal(answer, 400, "AUTHORITY_MISMATCH");
    });

    it("refuses another WebSocket version with 426 and the version it speaks", async () => {
      const old = await h2Handshake(session, "/chat", { origin: APP, "sec-websocket-version": "8" });
      expectRefusal(old, 426, "WEBSOCKET_VERSION_NOT_SUPPORTED");
      expect(old.headers["sec-websocket-version"]).toBe("13");
      const none = await h2Handshake(session, "/chat", { origin: APP, "sec-websocket-version": null });
      expectRefusal(none, 426, "WEBSOCKET_VERSION_NOT_SUPPORTED");
    });
  });

  describe("the backend's side of the handshake", () => {
    it("answers 502 BACKEND_UNREACHABLE when the backend is down", async () => {
      expectRefusal(await h2Handshake(session, "/down", { origin: APP }), 502, "BACKEND_UNREACHABLE");
    });

    it("answers 504 BACKEND_TIMEOUT when the backend does not answer within timeoutMs, and drops its connection", async () => {
      const before = hanging.connections.length;
      expectRefusal(await h2Handshake(session, "/slow", { origin: APP }), 504, "BACKEND_TIMEOUT");
      await hanging.waitFor(
        () => hanging.connections[before]?.closed === true,
        "the handshake to be dropped",
      );
    });

    it("relays the backend's refusal (status, headers, body) with the gateway's request id", async () => {
      const answer = await h2Handshake(session, "/refusing", { origin: APP });
      expect(answer.status).toBe(404);
      expect(answer.headers["http2-settings"]).toBeUndefined();
      expect(answer.body).toBe("no such room");
      expect(answer.headers["x-backend-reason"]).toBe("room-missing");
      expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
      expect(answer.rstCode).toBe(NGHTTP2_NO_ERROR);
    });

    it("refuses a backend that served the handshake as a plain request (502: on HTTP/2 its 200 would read as open), and never passes it what the client sent", async () => {
      const smuggled = Buffer.from("GET /internal/admin HTTP/1.1\r\nHost: backend\r\n\r\n", "latin1");
      const answer = await h2Handshake(session, "/http-only", { origin: APP }, { early: smuggled });
      expectRefusal(answer, 502, "BACKEND_ERROR");
      await new Promise((r) => setTimeout(r, 200));
      expect(plainSeen).toEqual(["GET /http-only"]);
    });

    it("opens the tunnel when the backend's 101 carries fields HTTP/2 forbids, and drops them (RFC 9113 section 8.2.2)", async () => {
      const answer = await h2Handshake(session, "/h2-fields", { origin: APP });
      expect(answer.status).toBe(200);
      expect(answer.headers["http2-settings"]).toBeUndefined();
      expect(answer.headers["keep-alive"]).toBeUndefined();
      expect(answer.headers["x-kept"]).toBe("yes");
      const socket = open(answer);
      socket.send("still here");
      expect(await socket.next()).toBe("still here");
      socket.close();
    });

    it("answers 502 BACKEND_ERROR when the backend's Sec-WebSocket-Accept is not the one for the gateway's key", async () => {
      const answer = await h2Handshake(session, "/wrong-accept", { origin: APP });
      const requestId = expectRefusal(answer, 502, "BACKEND_ERROR").request_id;
      await wrongAccept.waitFor(
        () => wrongAccept.connections.at(-1)?.closed === true,
        "the backend to be dropped",
      );
      const line = logLines.find((l) => l.requestId === requestId && l.outcome === "failed");
      expect(String(line?.detail)).toContain("Sec-WebSocket-Accept");
    });

    it("answers 502 BACKEND_ERROR when the backend chooses a subprotocol or an extension the client did not offer", async () => {
      expectRefusal(
        await h2Handshake(session, "/rogue-protocol", { origin: APP, "sec-websocket-protocol": "chat.v1" }),
        502,
        "BACKEND_ERROR",
      );
      expectRefusal(await h2Handshake(session, "/deflate", { origin: APP }), 502, "BACKEND_ERROR");
    });
  });

  describe("closing", () => {
    it("passes the client's close frame to the backend, which answers it; both sides close", async () => {
      const before = echo.connections.length;
      const ws = open(await h2Handshake(session, "/chat", { origin: APP }));
      ws.send("before closing");
      expect(await ws.next()).toBe("before closing");
      ws.close(4001);
      await ws.closed;
      expect(ws.closeFrame?.payload.readUInt16BE(0)).toBe(4001);
      await echo.waitFor(() => echo.connections[before]?.closed === true, "the backend connection to close");
      expect(echo.connections[before]?.closeCode).toBe(4001);
    });

    it("passes the client's END_STREAM to the backend as a FIN", async () => {
      const before = echo.connections.length;
      const answer = await h2Handshake(session, "/chat", { origin: APP });
      open(answer);
      answer.stream.end();
      await echo.waitFor(() => echo.connections[before]?.ended === true, "the backend to get a FIN");
      await echo.waitFor(() => echo.connections[before]?.closed === true, "the backend connection to close");
      expect(echo.connections[before]?.reset).toBe(false);
    });

    it("closes the backend connection when the client resets the stream (RST_STREAM CANCEL), and logs the tunnel", async () => {
      await waitFor(() => gw.websockets.open === 0, "earlier tunnels to close");
      const before = echo.connections.length;
      const answer = await h2Handshake(session, "/chat", { origin: APP });
      const requestId = answer.headers["x-request-id"] as string;
      const ws = open(answer);
      ws.send("then reset");
      expect(await ws.next()).toBe("then reset");
      answer.stream.close(NGHTTP2_CANCEL);
      await echo.waitFor(() => echo.connections[before]?.closed === true, "the backend connection to close");
      expect(echo.connections[before]?.closeCode).toBeUndefined();
      await waitFor(() => gw.websockets.open === 0, "the tunnel to close");
      await waitFor(() => accessLine(requestId) !== undefined, "the tunnel's access line");
      expect(accessLine(requestId)).toMatchObject({
        status: 200,
        websocket: { tunnel: true, closedBy: "client" },
      });
    });

    it("ends the stream when the backend closes its connection", async () => {
      const before = echo.connections.length;
      const answer = await h2Handshake(session, "/chat", { origin: APP });
      const ws = open(answer);
      echo.connections[before]?.socket.end();
      await ws.closed;
      expect(answer.stream.rstCode).toBe(NGHTTP2_NO_ERROR);
    });

    it("resets the stream (CANCEL) when the backend's connection is reset", async () => {
      const before = echo.connections.length;
      const answer = await h2Handshake(session, "/chat", { origin: APP });
      const ws = open(answer);
      const backendSide = echo.connections[before]?.socket as Socket;
      backendSide.resetAndDestroy();
      await ws.closed;
      expect(answer.stream.rstCode).toBe(NGHTTP2_CANCEL);
    });

    it("keeps a tunnel open past the gateway's request, header and idle timeouts", async () => {
      const ws = open(await h2Handshake(session, "/chat", { origin: APP }));
      // requestTimeoutMs, headersTimeoutMs and keepAliveTimeoutMs are 1 s here.
      await new Promise((r) => setTimeout(r, 2_500));
      ws.send("still here");
      expect(await ws.next()).toBe("still here");
      ws.destroy();
    });
  });

  describe("metrics and access log", () => {
    it("counts the refusal and the Origin check, and logs the handshake as an HTTP/2 CONNECT", async () => {
      const refusedBefore = await metric(
        /crossgate_cors_decisions_total\{kind="websocket",outcome="refused",reason="ORIGIN_NOT_ALLOWED"\} (\d+)/,
      );
      const errorsBefore = await metric(
        /crossgate_gateway_errors_total\{code="WEBSOCKET_ORIGIN_NOT_ALLOWED"\} (\d+)/,
      );
      const statusBefore = await metric(/crossgate_requests_total\{api="chat",status="403"\} (\d+)/);
      const refused = await h2Handshake(session, "/chat", { origin: EVIL });
      const requestId = expectRefusal(refused, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").request_id as string;
      await waitFor(() => accessLine(requestId) !== undefined, "the refusal's access line");
      expect(accessLine(requestId)).toMatchObject({
        method: "CONNECT",
        protocol: "2.0",
        host: "api.test",
        path: "/chat",
        origin: EVIL,
        api: "chat",
        status: 403,
        cors: { verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", preflight: false },
        websocket: { tunnel: false },
      });
      expect(
        await metric(
          /crossgate_cors_decisions_total\{kind="websocket",outcome="refused",reason="ORIGIN_NOT_ALLOWED"\} (\d+)/,
        ),
      ).toBe(refusedBefore + 1);
      expect(
        await metric(/crossgate_gateway_errors_total\{code="WEBSOCKET_ORIGIN_NOT_ALLOWED"\} (\d+)/),
      ).toBe(errorsBefore + 1);
      expect(await metric(/crossgate_requests_total\{api="chat",status="403"\} (\d+)/)).toBe(
        statusBefore + 1,
      );
    });

    it("counts an open tunnel, then logs it when it closes: status 200, who closed, the bytes relayed", async () => {
      await waitFor(() => gw.websockets.open === 0, "earlier tunnels to close");
      const openedBefore = await metric(/crossgate_requests_total\{api="chat",status="200"\} (\d+)/);
      const answer = await h2Handshake(session, "/chat", { origin: APP });
      const requestId = answer.headers["x-request-id"] as string;
      const ws = open(answer);
      expect(await metric(/crossgate_websocket_connections (\d+)/)).toBe(1);
      ws.send("12345");
      expect(await ws.next()).toBe("12345");
      expect(accessLine(requestId)).toBeUndefined();
      ws.close(1000);
      await ws.closed;
      await waitFor(() => accessLine(requestId) !== undefined, "the tunnel's access line");
      expect(await metric(/crossgate_websocket_connections (\d+)/)).toBe(0);
      expect(await metric(/crossgate_requests_total\{api="chat",status="200"\} (\d+)/)).toBe(
        openedBefore + 1,
      );
      const line = accessLine(requestId) as Record<string, unknown> & { websocket: Record<string, unknown> };
      expect(line).toMatchObject({
        method: "CONNECT",
        protocol: "2.0",
        api: "chat",
        status: 200,
        origin: APP,
        cors: { verdict: "allowed", reason: "ORIGIN_ALLOWED", preflight: false },
        websocket: { tunnel: true, closedBy: "backend" },
      });
      // "12345" masked (6 + 5 bytes) and the close frame (6 + 2); back: 2 + 5, then 2 + 2.
      expect(line.websocket.bytesFromClient).toBe(19);
      expect(line.websocket.bytesFromBackend).toBe(11);
      expect(typeof line.upstreamMs).toBe("number");
    });

    it("logs a client that went away while the backend was still answering as 499", async () => {
      const before = hanging.connections.length;
      const session2 = await openH2Session(gw.url, f.ca.cert);
      try {
        const pending = h2Handshake(session2, "/slow", { origin: APP }).catch(() => undefined);
        await hanging.waitFor(
          () => hanging.connections.length > before,
          "the handshake to reach the backend",
        );
        const errorsBefore = await metric(
          /crossgate_gateway_errors_total\{code="CLIENT_CLOSED_REQUEST"\} (\d+)/,
        );
        session2.destroy();
        await pending;
        await hanging.waitFor(
          () => hanging.connections[before]?.closed === true,
          "the backend handshake to be dropped",
        );
        await waitFor(
          () => logLines.some((l) => l.log === "access" && l.path === "/slow" && l.status === 499),
          "the abandoned handshake's access line",
        );
        expect(await metric(/crossgate_gateway_errors_total\{code="CLIENT_CLOSED_REQUEST"\} (\d+)/)).toBe(
          errorsBefore + 1,
        );
      } finally {
        session2.destroy();
      }
    });
  });

  describe("arbitrary handshakes", () => {
    it("answers every one with a 200 tunnel or a documented JSON refusal (or nghttp2 resets a malformed stream), and keeps serving", async () => {
      const segment = fc.constantFrom(
        "chat",
        "rooms",
        "secure",
        "plain",
        "..",
        ".",
        "%2F",
        "%2e",
        ";x",
        "a b",
        "",
      );
      const path = fc.oneof(
        { arbitrary: fc.constantFrom("/chat", "/rooms/7", "/chat?x=1"), weight: 3 },
        { arbitrary: fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join("/")}`), weight: 2 },
        { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
      );
      // Field values node:http2 can send: printable, no leading or trailing space; null leaves the field out.
      const printable = (likely: string[]) =>
        fc.option(
          fc.oneof(
            { arbitrary: fc.constantFrom(...likely), weight: 3 },
            { arbitrary: fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,38}[\x21-\x7e]$/), weight: 1 },
          ),
          { nil: null, freq: 5 },
        );
      const protocol = fc.oneof(
        { arbitrary: fc.constant("websocket"), weight: 3 },
        { arbitrary: fc.constantFrom("WebSocket", "webtransport", "h2c"), weight: 1 },
      );
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          path,
          protocol,
          printable([APP, EVIL, "null"]),
          printable(["13", "13", "13", "8"]),
          printable([PARTNER_KEY]),
          async (target, protocol, origin, version, key) => {
            let answer: H2Answer;
            try {
              answer = await h2Handshake(
                session,
                target,
                { origin, "sec-websocket-version": version, "x-api-key": key },
                { protocol },
              );
            } catch (error) {
              // A :path nghttp2 finds malformed (not starting with "/", a space) is reset before the gateway sees it.
              expect(String(error)).toMatch(/closed before an answer/);
              outcomes.set("reset", (outcomes.get("reset") ?? 0) + 1);
              return;
            }
            outcomes.set(String(answer.status), (outcomes.get(String(answer.status)) ?? 0) + 1);
            if (answer.status === 200) {
              answer.ws?.destroy();
              return;
            }
            const body = JSON.parse(answer.body) as { error_code: string };
            expect(Object.keys(ERRORS)).toContain(body.error_code);
            expect(ERRORS[body.error_code as keyof typeof ERRORS].status).toBe(answer.status);
          },
        ),
        { numRuns: 150 },
      );
      // The generators reach both tunnels and refusals.
      expect(outcomes.get("200") ?? 0).toBeGreaterThan(0);
      expect([...outcomes.keys()].filter((k) => k !== "200" && k !== "reset").length).toBeGreaterThan(2);
      const ws = open(await h2Handshake(session, "/chat", { origin: APP }));
      ws.send("still serving");
      expect(await ws.next()).toBe("still serving");
      ws.destroy();
    });
  });

  describe("HTTP/1.1 WebSockets on the same listener (TLS, ALPN http/1.1)", () => {
    it("still upgrade, and take the gateway's own https:// origin as same-origin", async () => {
      // Regression: over TLS the handshake's own origin was http://HOST, so this page was refused.
      const answer = await handshake(
        gw.address.port,
        "/chat",
        { Host: "api.test", Origin: "https://api.test" },
        { tls: { ca: f.ca.cert, servername: "api.test" } },
      );
      expect(answer.status).toBe(101);
      const ws = answer.ws as WsClient;
      ws.send("over http/1.1");
      expect(await ws.next()).toBe("over http/1.1");
      ws.close();
      await ws.closed;
      const refused = await handshake(
        gw.address.port,
        "/chat",
        { Host: "api.test", Origin: "http://api.test" },
        { tls: { ca: f.ca.cert, servername: "api.test" } },
      );
      expect(refused.status).toBe(403);
    });
  });

  describe("shutdown", () => {
    it("cuts open HTTP/2 tunnels when the gateway stops, and the close completes", async () => {
      const running = await startHttps(resources, config([APP]));
      const own = await openH2Session(running.url, f.ca.cert);
      const before = echo.connections.length;
      const ws = open(await h2Handshake(own, "/chat", { origin: APP }));
      expect(running.websockets.open).toBe(1);
      const result = await running.close(500);
      expect(result.unfinished).toBe(0);
      await ws.closed;
      await echo.waitFor(() => echo.connections[before]?.closed === true, "the backend connection to be cut");
      expect(running.websockets.open).toBe(0);
      own.destroy();
    });
  });
});
