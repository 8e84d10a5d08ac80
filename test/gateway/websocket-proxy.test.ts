/**
 * Issue 13, WebSocket part: upgrades proxied through the gateway to real WebSocket backends on loopback,
 * guarded by the API's CORS policy origins. Each test sends a real handshake over TCP and checks what
 * the client read and what reached the backend (or that nothing did).
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { Writable } from "node:stream";
import { WebSocket } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { Snapshot } from "../../src/config/snapshot.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { createLogger } from "../../src/logger.js";
import { AccessLog } from "../../src/observability/access-log.js";
import { StreamSink } from "../../src/observability/line-sink.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { freePort } from "../backends/support.js";
import {
  acceptFor,
  type EchoBackend,
  encodeFrame,
  type HandshakeAnswer,
  handshake,
  newKey,
  OPCODE,
  startEchoBackend,
  waitFor,
} from "../support/websocket.js";

const APP = "http://app.test";
const PARTNER = "http://partner.test";
const EVIL = "http://evil.test";
const PARTNER_KEY = "partner-key-0123456789";

let echo: EchoBackend;
let greeter: EchoBackend;
let refusing: EchoBackend;
let hanging: EchoBackend;
let downPort: number;
/** A plain HTTP server (no WebSocket): it answers a handshake as an ordinary request and keeps reading. */
let plainBackend: Server;
const plainSeen: string[] = [];
let gw: RunningGateway;
const metrics = new GatewayMetrics();
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString("utf8").split("\n"))
      if (line.trim() !== "") lines.push(JSON.parse(line));
    done();
  },
});

function configFor(webOrigins: string[]): unknown {
  const ws = (name: string, path: string, backend: string, extra: Record<string, unknown> = {}) => ({
    name,
    method: "GET",
    path,
    websocket: true,
    corsPolicy: "web",
    backend: { type: "http", url: backend },
    ...extra,
  });
  return {
    gateway: { limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } },
    corsPolicies: [
      { name: "web", allowOrigins: webOrigins },
      { name: "rollout", allowOrigins: [APP], mode: "report" },
      { name: "lenient", allowOrigins: [APP], onDisallowedOrigin: "omit" },
    ],
    apps: [{ name: "partner", keys: [PARTNER_KEY], javascriptOrigins: [PARTNER], apis: ["chat", "secure"] }],
    apis: [
      ws("chat", "/chat", `${echo.url}/socket`),
      ws("rooms", "/rooms", `${echo.url}/base/`, { match: "prefix" }),
      ws("secure", "/secure", echo.url, { auth: "app" }),
      ws("greeting", "/greeting", greeter.url),
      ws("refusing", "/refusing", refusing.url),
      { ...ws("slow", "/slow", hanging.url), backend: { type: "http", url: hanging.url, timeoutMs: 300 } },
      ws("down", "/down", `http://127.0.0.1:${downPort}`),
      ws("http-only", "/http-only", `http://127.0.0.1:${(plainBackend.address() as { port: number }).port}`),
      ws("rollout", "/rollout", echo.url, { corsPolicy: "rollout" }),
      ws("lenient", "/lenient", echo.url, { corsPolicy: "lenient" }),
      {
        name: "toggle",
        method: "GET",
        path: "/toggle",
        websocket: true,
        cors: true,
        backend: { type: "http", url: echo.url },
      },
      {
        name: "bare",
        method: "GET",
        path: "/bare",
        websocket: true,
        backend: { type: "http", url: echo.url },
      },
      {
        name: "open",
        method: "GET",
        path: "/open",
        websocket: true,
        websocketOrigins: "any",
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

function snapshotFor(webOrigins: string[]): Snapshot {
  const built = compileConfig(configFor(webOrigins));
  if (!built.ok) throw new Error(JSON.stringify(built.problems, null, 2));
  return built.snapshot;
}

beforeAll(async () => {
  echo = await startEchoBackend({ protocol: "chat.v2" });
  greeter = await startEchoBackend({ greeting: "welcome" });
  refusing = await startEchoBackend({
    refuse: { status: 404, body: "no such room", headers: { "X-Backend-Reason": "room-missing" } },
  });
  hanging = await startEchoBackend({ hang: true });
  downPort = await freePort();
  plainBackend = createServer((req, res) => {
    plainSeen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "text/plain", connection: "keep-alive" });
    res.end("plain answer");
  });
  await new Promise<void>((resolve) => plainBackend.listen(0, "127.0.0.1", resolve));
  gw = await startGateway(
    snapshotFor([APP]),
    { host: "127.0.0.1", port: 0 },
    { metrics, logger: createLogger({ destination: sink }), accessLog: new AccessLog(new StreamSink(sink)) },
  );
});

afterAll(async () => {
  await gw.close(0);
  for (const b of [echo, greeter, refusing, hanging]) await b.close();
  plainBackend.closeAllConnections();
  await new Promise((resolve) => plainBackend.close(resolve));
});

function port(): number {
  return gw.address.port;
}

/** A refusal: the gateway's JSON error, with its request id, and the connection closed after it. */
function expectRefusal(answer: HandshakeAnswer, status: number, code: string): Record<string, string> {
  expect(answer.status).toBe(status);
  expect(answer.ws).toBeUndefined();
  const body = JSON.parse(answer.body) as Record<string, string>;
  expect(body.error_code).toBe(code);
  expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
  expect(answer.headers.get("x-request-id")).toEqual([body.request_id]);
  expect(answer.headers.get("content-type")?.[0]).toMatch(/^application\/json/);
  expect(answer.headers.get("connection")).toEqual(["close"]);
  return body;
}

function accessLine(requestId: string): Record<string, unknown> | undefined {
  return lines.find((l) => l.log === "access" && l.requestId === requestId);
}

async function metric(pattern: RegExp): Promise<number> {
  const match = (await metrics.text()).match(pattern);
  return match === null ? 0 : Number(match[1]);
}

describe("a handshake from an allowed origin is proxied", () => {
  it("relays the 101 and echoes text both ways, with the handshake's fields end-to-end", async () => {
    const key = newKey();
    const before = echo.connections.length;
    const answer = await handshake(port(), "/chat?room=7", {
      Origin: APP,
      "Sec-WebSocket-Key": key,
      "Sec-WebSocket-Protocol": "chat.v1, chat.v2",
      "Sec-WebSocket-Extensions": "x-test-extension",
      Cookie: "session=abc",
      "X-Request-Id": "spoofed",
      "Keep-Alive": "timeout=5",
    });
    expect(answer.status).toBe(101);
    expect(answer.headers.get("sec-websocket-accept")).toEqual([acceptFor(key)]);
    expect(answer.headers.get("sec-websocket-protocol")).toEqual(["chat.v2"]);
    expect(answer.headers.get("upgrade")).toEqual(["websocket"]);
    expect(answer.headers.get("connection")).toEqual(["Upgrade"]);
    expect(answer.headers.get("x-backend")).toEqual(["echo"]);
    const requestId = answer.headers.get("x-request-id")?.[0] ?? "";
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);

    const ws = answer.ws as NonNullable<HandshakeAnswer["ws"]>;
    ws.send("hello");
    expect(await ws.next()).toBe("hello");
    ws.send("second message");
    expect(await ws.next()).toBe("second message");
    // 70,000 bytes: a 64-bit length, in many TCP segments each way.
    const big = "x".repeat(70_000);
    ws.send(big);
    expect(await ws.next()).toBe(big);

    expect(echo.connections.length).toBe(before + 1);
    const seen = echo.connections[before]?.request;
    // An exact API forwards its whole path after the backend URL's path, as for HTTP requests.
    expect(seen?.url).toBe("/socket/chat?room=7");
    expect(seen?.headers.origin).toBe(APP);
    expect(seen?.headers["sec-websocket-key"]).toBe(key);
    expect(seen?.headers["sec-websocket-version"]).toBe("13");
    expect(seen?.headers["sec-websocket-protocol"]).toBe("chat.v1, chat.v2");
    expect(seen?.headers["sec-websocket-extensions"]).toBe("x-test-extension");
    expect(seen?.headers.cookie).toBe("session=abc");
    expect(seen?.headers["x-request-id"]).toBe(requestId);
    expect(seen?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen?.headers["x-forwarded-host"]).toBe(`127.0.0.1:${port()}`);
    expect(seen?.headers.host).toBe(`127.0.0.1:${echo.port}`);
    expect(seen?.headers.upgrade).toBe("websocket");
    expect(seen?.headers.connection).toBe("Upgrade");
    expect(seen?.headers["keep-alive"]).toBeUndefined();
    ws.close();
    await ws.closed;
  });

  it("passes the backend's first frames, sent with its 101, and the client's, sent before the answer", async () => {
    const greet = await handshake(port(), "/greeting", { Origin: APP });
    expect(greet.status).toBe(101);
    expect(await greet.ws?.next()).toBe("welcome");
    greet.ws?.destroy();

    const early = Buffer.concat([
      encodeFrame(OPCODE.text, Buffer.from("early one"), true),
      encodeFrame(OPCODE.text, Buffer.from("early two"), true),
    ]);
    const answer = await handshake(port(), "/chat", { Origin: APP }, { early });
    expect(answer.status).toBe(101);
    expect(await answer.ws?.next()).toBe("early one");
    expect(await answer.ws?.next()).toBe("early two");
    answer.ws?.destroy();
  });

  it("joins a prefix API's remainder and the query to the backend URL's path, as for HTTP", async () => {
    const before = echo.connections.length;
    const answer = await handshake(port(), "/rooms/a/../42/?x=1", { Origin: APP });
    expect(answer.status).toBe(101);
    expect(echo.connections[before]?.request.url).toBe("/base/42/?x=1");
    answer.ws?.destroy();
  });

  it("admits an application's JavaScript origin on the APIs the application may call, and only there", async () => {
    const allowed = await handshake(port(), "/chat", { Origin: PARTNER });
    expect(allowed.status).toBe(101);
    allowed.ws?.send("from the partner");
    expect(await allowed.ws?.next()).toBe("from the partner");
    allowed.ws?.destroy();

    const elsewhere = await handshake(port(), "/greeting", { Origin: PARTNER });
    expectRefusal(elsewhere, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED");
  });

  it("admits a handshake without Origin (not a browser), under a policy", async () => {
    const answer = await handshake(port(), "/chat", {});
    expect(answer.status).toBe(101);
    answer.ws?.send("no origin");
    expect(await answer.ws?.next()).toBe("no origin");
    answer.ws?.destroy();
  });

  it("admits every origin with websocketOrigins: any", async () => {
    const answer = await handshake(port(), "/open", { Origin: EVIL });
    expect(answer.status).toBe(101);
    answer.ws?.send("open to all");
    expect(await answer.ws?.next()).toBe("open to all");
    answer.ws?.destroy();
  });

  it("works with an independent client (undici's WebSocket), both ways", async () => {
    const url = `ws://127.0.0.1:${port()}/chat`;
    const socket = new WebSocket(url, { headers: { Origin: APP } } as never);
    const opened = new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error("undici WebSocket failed to open")));
    });
    await opened;
    const message = new Promise<string>((resolve) =>
      socket.addEventListener("message", (event) => resolve(String(event.data))),
    );
    socket.send("through undici");
    expect(await message).toBe("through undici");
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener("close", (event) => resolve(event.code)),
    );
    socket.close(1000);
    expect(await closed).toBe(1000);
  });
});

describe("a handshake whose origin the API does not allow is refused before any backend connection", () => {
  it("refuses a disallowed origin with 403, the reason, and no connection to the backend", async () => {
    const before = echo.connections.length;
    const tcpBefore = echo.tcpConnections();
    const connectionsBefore = await metric(/crossgate_requests_total\{api="chat",status="403"\} (\d+)/);
    const answer = await handshake(port(), "/chat", { Origin: EVIL });
    const body = expectRefusal(answer, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED");
    expect(body.error_msg).toContain("ORIGIN_NOT_ALLOWED");
    expect(body.error_msg).toContain("not one the API's CORS policy allows");
    expect(echo.connections.length).toBe(before);
    expect(echo.tcpConnections()).toBe(tcpBefore);
    expect(await metric(/crossgate_requests_total\{api="chat",status="403"\} (\d+)/)).toBe(
      connectionsBefore + 1,
    );
  });

  it("refuses null and malformed origins, each with its reason", async () => {
    const nul = await handshake(port(), "/chat", { Origin: "null" });
    expect(expectRefusal(nul, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").error_msg).toContain(
      "NULL_ORIGIN_NOT_ALLOWED",
    );
    const malformed = await handshake(port(), "/chat", { Origin: "http://app.test/path" });
    expect(expectRefusal(malformed, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").error_msg).toContain(
      "ORIGIN_MALFORMED",
    );
  });

  it("refuses on an API whose only CORS rule is the toggle (cors: true guards nothing)", async () => {
    const before = echo.connections.length;
    const answer = await handshake(port(), "/toggle", { Origin: APP });
    expect(expectRefusal(answer, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").error_msg).toContain("TOGGLE_ONLY");
    expect(echo.connections.length).toBe(before);
  });

  it("refuses on an API with no CORS policy and no websocketOrigins, with or without Origin", async () => {
    const withOrigin = await handshake(port(), "/bare", { Origin: APP });
    expect(expectRefusal(withOrigin, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").error_msg).toContain(
      "NO_CORS_POLICY",
    );
    const without = await handshake(port(), "/bare", {});
    expectRefusal(without, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED");
  });

  it("refuses a disallowed origin even under onDisallowedOrigin: omit (omitting headers would stop nothing)", async () => {
    const answer = await handshake(port(), "/lenient", { Origin: EVIL });
    expectRefusal(answer, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED");
  });

  it("proxies a disallowed origin under a policy in report mode, counted as report-only", async () => {
    const before = await metric(
      /crossgate_cors_decisions_total\{kind="websocket",outcome="report-only",reason="ORIGIN_NOT_ALLOWED"\} (\d+)/,
    );
    const answer = await handshake(port(), "/rollout", { Origin: EVIL });
    expect(answer.status).toBe(101);
    answer.ws?.destroy();
    expect(
      await metric(
        /crossgate_cors_decisions_total\{kind="websocket",outcome="report-only",reason="ORIGIN_NOT_ALLOWED"\} (\d+)/,
      ),
    ).toBe(before + 1);
  });
});

describe("the handshake goes through the same refusals and routing as any request", () => {
  it("requires the API key of an authorized application with auth: app (after the Origin check)", async () => {
    expectRefusal(await handshake(port(), "/secure", { Origin: APP }), 401, "AUTH_KEY_MISSING");
    expectRefusal(
      await handshake(port(), "/secure", { Origin: APP, "X-Api-Key": "not-a-key-of-anyone-here" }),
      401,
      "AUTH_KEY_INVALID",
    );
    // A disallowed page learns nothing about keys: its Origin is refused first, as for HTTP requests.
    expectRefusal(await handshake(port(), "/secure", { Origin: EVIL }), 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED");
    const answer = await handshake(port(), "/secure", { Origin: APP, "X-Api-Key": PARTNER_KEY });
    expect(answer.status).toBe(101);
    answer.ws?.send("authenticated");
    expect(await answer.ws?.next()).toBe("authenticated");
    answer.ws?.destroy();
  });

  it("refuses the paths any request is refused for, with their codes", async () => {
    expectRefusal(await handshake(port(), "/chat%2f..", { Origin: APP }), 400, "PATH_ENCODED_SLASH");
    expectRefusal(await handshake(port(), "/../chat", { Origin: APP }), 400, "PATH_ABOVE_ROOT");
    expectRefusal(await handshake(port(), "/chat;x=1", { Origin: APP }), 400, "PATH_SEMICOLON");
    expectRefusal(await handshake(port(), "/nowhere", { Origin: APP }), 404, "ROUTE_NOT_FOUND");
    expectRefusal(
      await handshake(port(), "/chat", { Origin: APP, Host: ["a.test", "b.test"] }),
      400,
      "DUPLICATE_HOST",
    );
  });

  it("answers 400 WEBSOCKET_NOT_ALLOWED on an API without websocket: true", async () => {
    const body = expectRefusal(
      await handshake(port(), "/plain", { Origin: APP }),
      400,
      "WEBSOCKET_NOT_ALLOWED",
    );
    expect(body.error_msg).toContain("websocket: true");
  });

  it("refuses malformed handshakes (RFC 6455 section 4.2.1), and other versions with 426", async () => {
    const post = await handshake(port(), "/chat", { Origin: APP, "Content-Length": "0" }, { method: "POST" });
    expect(expectRefusal(post, 400, "WEBSOCKET_HANDSHAKE_INVALID").error_msg).toContain("GET");
    const noKey = await handshake(port(), "/chat", { Origin: APP, "Sec-WebSocket-Key": null });
    expect(expectRefusal(noKey, 400, "WEBSOCKET_HANDSHAKE_INVALID").error_msg).toContain("Sec-WebSocket-Key");
    const badKey = await handshake(port(), "/chat", { Origin: APP, "Sec-WebSocket-Key": "too-short" });
    expectRefusal(badKey, 400, "WEBSOCKET_HANDSHAKE_INVALID");
    const twoKeys = await handshake(port(), "/chat", {
      Origin: APP,
      "Sec-WebSocket-Key": [newKey(), newKey()],
    });
    expectRefusal(twoKeys, 400, "WEBSOCKET_HANDSHAKE_INVALID");
    const old = await handshake(port(), "/chat", { Origin: APP, "Sec-WebSocket-Version": "8" });
    expectRefusal(old, 426, "WEBSOCKET_VERSION_NOT_SUPPORTED");
    expect(old.headers.get("sec-websocket-version")).toEqual(["13"]);
    const http10 = await handshake(port(), "/chat", { Origin: APP }, { version: "1.0" });
    expectRefusal(http10, 400, "WEBSOCKET_HANDSHAKE_INVALID");
  });

  it("serves a request offering another protocol (Upgrade: h2c) as the plain request it is, body included", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: port(),
          method: "POST",
          path: "/plain?q=1",
          headers: {
            Connection: "Upgrade, HTTP2-Settings",
            Upgrade: "h2c",
            "HTTP2-Settings": "AAMAAABkAAQAAP__",
          },
          agent: false,
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString("utf8");
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.write("first part, ");
      setTimeout(() => req.end("second part"), 50);
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      method: "POST",
      url: "/plain?q=1",
      upgrade: null,
      body: "first part, second part",
    });
  });
});

describe("the backend's side of the handshake", () => {
  it("answers 502 BACKEND_UNREACHABLE when the backend is down", async () => {
    expectRefusal(await handshake(port(), "/down", { Origin: APP }), 502, "BACKEND_UNREACHABLE");
  });

  it("answers 504 BACKEND_TIMEOUT when the backend does not answer within timeoutMs", async () => {
    const before = hanging.connections.length;
    expectRefusal(await handshake(port(), "/slow", { Origin: APP }), 504, "BACKEND_TIMEOUT");
    expect(hanging.connections.length).toBe(before + 1);
    await hanging.waitFor(
      () => hanging.connections[before]?.closed === true,
      "the gateway to drop the handshake",
    );
  });

  it("never passes what the client sent after its handshake to a backend that did not switch (smuggling)", async () => {
    const smuggled = Buffer.from("GET /internal/admin HTTP/1.1\r\nHost: backend\r\n\r\n", "latin1");
    const answer = await handshake(port(), "/http-only", { Origin: APP }, { early: smuggled });
    // The backend answered the handshake as a plain request: relayed, and the connection closed.
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("plain answer");
    await new Promise((r) => setTimeout(r, 200));
    expect(plainSeen).toEqual(["GET /http-only"]);
  });

  it("relays the backend's refusal (status, headers and body) with the gateway's request id", async () => {
    const answer = await handshake(port(), "/refusing", { Origin: APP });
    expect(answer.status).toBe(404);
    expect(answer.body).toBe("no such room");
    expect(answer.headers.get("x-backend-reason")).toEqual(["room-missing"]);
    expect(answer.headers.get("x-request-id")?.[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.ws).toBeUndefined();
  });
});

describe("closing", () => {
  it("passes the client's close to the backend, which answers it, and closes both connections", async () => {
    const before = echo.connections.length;
    const answer = await handshake(port(), "/chat", { Origin: APP });
    const ws = answer.ws as NonNullable<HandshakeAnswer["ws"]>;
    ws.send("before closing");
    expect(await ws.next()).toBe("before closing");
    ws.close(4001);
    await ws.closed;
    expect(ws.closeFrame?.payload.readUInt16BE(0)).toBe(4001);
    const backendSide = echo.connections[before];
    await echo.waitFor(() => backendSide?.closed === true, "the backend connection to close");
    expect(backendSide?.closeCode).toBe(4001);
  });

  it("closes the backend connection when the client drops its connection without a close frame", async () => {
    const before = echo.connections.length;
    const answer = await handshake(port(), "/chat", { Origin: APP });
    answer.ws?.send("then gone");
    expect(await answer.ws?.next()).toBe("then gone");
    answer.ws?.destroy();
    await echo.waitFor(() => echo.connections[before]?.closed === true, "the backend connection to close");
    expect(echo.connections[before]?.closeCode).toBeUndefined();
  });

  it("closes the client connection when the backend drops its own", async () => {
    const before = echo.connections.length;
    const answer = await handshake(port(), "/chat", { Origin: APP });
    expect(answer.status).toBe(101);
    echo.connections[before]?.socket.destroy();
    await answer.ws?.closed;
  });

  it("carries 40 WebSockets at once, each its own messages, and counts every one when they close", async () => {
    await waitFor(() => gw.websockets.open === 0, "earlier tunnels to close");
    const before = await metric(/crossgate_requests_total\{api="chat",status="101"\} (\d+)/);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => handshake(port(), "/chat", { Origin: APP })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 101));
    expect(gw.websockets.open).toBe(40);
    await Promise.all(
      answers.map(async (answer, i) => {
        const ws = answer.ws as NonNullable<HandshakeAnswer["ws"]>;
        for (let m = 0; m < 5; m++) ws.send(`socket ${i} message ${m}`);
        for (let m = 0; m < 5; m++) expect(await ws.next()).toBe(`socket ${i} message ${m}`);
        ws.close();
        await ws.closed;
      }),
    );
    await waitFor(() => gw.websockets.open === 0, "every tunnel to close");
    expect(await metric(/crossgate_requests_total\{api="chat",status="101"\} (\d+)/)).toBe(before + 40);
  });

  it("keeps a tunnel open longer than the gateway's request and header timeouts", async () => {
    const answer = await handshake(port(), "/chat", { Origin: APP });
    const ws = answer.ws as NonNullable<HandshakeAnswer["ws"]>;
    // requestTimeoutMs and headersTimeoutMs are 1 s here, checked every second by node:http.
    await new Promise((r) => setTimeout(r, 2_500));
    ws.send("still here");
    expect(await ws.next()).toBe("still here");
    ws.destroy();
  });
});

describe("metrics and access log", () => {
  it("counts the Origin check as a CORS decision of kind websocket and the refusal by its code", async () => {
    const refusedBefore = await metric(
      /crossgate_cors_decisions_total\{kind="websocket",outcome="refused",reason="ORIGIN_NOT_ALLOWED"\} (\d+)/,
    );
    const allowedBefore = await metric(
      /crossgate_cors_decisions_total\{kind="websocket",outcome="allowed",reason="ORIGIN_ALLOWED"\} (\d+)/,
    );
    const errorsBefore = await metric(
      /crossgate_gateway_errors_total\{code="WEBSOCKET_ORIGIN_NOT_ALLOWED"\} (\d+)/,
    );
    const refused = await handshake(port(), "/chat", { Origin: EVIL });
    const requestId = expectRefusal(refused, 403, "WEBSOCKET_ORIGIN_NOT_ALLOWED").request_id as string;
    const allowed = await handshake(port(), "/chat", { Origin: APP });
    expect(allowed.status).toBe(101);
    expect(
      await metric(
        /crossgate_cors_decisions_total\{kind="websocket",outcome="refused",reason="ORIGIN_NOT_ALLOWED"\} (\d+)/,
      ),
    ).toBe(refusedBefore + 1);
    expect(
      await metric(
        /crossgate_cors_decisions_total\{kind="websocket",outcome="allowed",reason="ORIGIN_ALLOWED"\} (\d+)/,
      ),
    ).toBe(allowedBefore + 1);
    expect(await metric(/crossgate_gateway_errors_total\{code="WEBSOCKET_ORIGIN_NOT_ALLOWED"\} (\d+)/)).toBe(
      errorsBefore + 1,
    );
    await waitFor(() => accessLine(requestId) !== undefined, "the refusal's access line");
    expect(accessLine(requestId)).toMatchObject({
      method: "GET",
      path: "/chat",
      origin: EVIL,
      api: "chat",
      status: 403,
      cors: { verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", preflight: false },
      websocket: { tunnel: false },
    });
    allowed.ws?.destroy();
  });

  it("counts an open tunnel, then logs it when it closes: status 101, who closed, the bytes relayed", async () => {
    await waitFor(() => gw.websockets.open === 0, "earlier tunnels to close");
    const upgradedBefore = await metric(/crossgate_requests_total\{api="chat",status="101"\} (\d+)/);
    const answer = await handshake(port(), "/chat", { Origin: APP });
    const requestId = answer.headers.get("x-request-id")?.[0] as string;
    const ws = answer.ws as NonNullable<HandshakeAnswer["ws"]>;
    expect(await metric(/crossgate_websocket_connections (\d+)/)).toBe(1);
    ws.send("12345");
    expect(await ws.next()).toBe("12345");
    expect(accessLine(requestId)).toBeUndefined();
    ws.close(1000);
    await ws.closed;
    await waitFor(() => accessLine(requestId) !== undefined, "the tunnel's access line");
    expect(await metric(/crossgate_websocket_connections (\d+)/)).toBe(0);
    expect(await metric(/crossgate_requests_total\{api="chat",status="101"\} (\d+)/)).toBe(
      upgradedBefore + 1,
    );
    const line = accessLine(requestId) as Record<string, unknown> & { websocket: Record<string, unknown> };
    expect(line).toMatchObject({
      api: "chat",
      status: 101,
      origin: APP,
      cors: { verdict: "allowed", reason: "ORIGIN_ALLOWED", preflight: false },
      websocket: { tunnel: true, closedBy: "backend" },
    });
    // "12345" masked (6 + 5 bytes) and the close frame (6 + 2); back: 2 + 5, then 2 + 2.
    expect(line.websocket.bytesFromClient).toBe(19);
    expect(line.websocket.bytesFromBackend).toBe(11);
    expect(typeof line.upstreamMs).toBe("number");
  });
});

describe("reload and shutdown", () => {
  it("applies a changed policy to new handshakes; an open tunnel stays open", async () => {
    const running = await startGateway(snapshotFor([APP]), { host: "127.0.0.1", port: 0 });
    try {
      const open = await handshake(running.address.port, "/chat", { Origin: APP });
      expect(open.status).toBe(101);
      running.swap(snapshotFor(["http://other.test"]));
      expectRefusal(
        await handshake(running.address.port, "/chat", { Origin: APP }),
        403,
        "WEBSOCKET_ORIGIN_NOT_ALLOWED",
      );
      open.ws?.send("after the reload");
      expect(await open.ws?.next()).toBe("after the reload");
      open.ws?.destroy();
    } finally {
      await running.close(0);
    }
  });

  it("cuts open tunnels when the gateway stops, and the close completes", async () => {
    const running = await startGateway(snapshotFor([APP]), { host: "127.0.0.1", port: 0 });
    const before = echo.connections.length;
    const open = await handshake(running.address.port, "/chat", { Origin: APP });
    expect(open.status).toBe(101);
    expect(running.websockets.open).toBe(1);
    const result = await running.close(1_000);
    expect(result.unfinished).toBe(0);
    await open.ws?.closed;
    await echo.waitFor(() => echo.connections[before]?.closed === true, "the backend connection to be cut");
    expect(running.websockets.open).toBe(0);
  });
});
