/**
 * Issue 13, last part, judged by a real Chromium: a page on https://app.test:PAGE_PORT opens
 * wss://api.test:GW_PORT/... through the https gateway (TLS, HTTP/2 with SETTINGS_ENABLE_CONNECT_PROTOCOL,
 * HTTP/1.1 on the same port) to a real WebSocket echo backend, and exchanges messages. Which protocol
 * Chromium used for each WebSocket is read from the gateway's access log (an HTTP/2 handshake is a
 * CONNECT of protocol 2.0, an HTTP/1.1 one a GET of protocol 1.1) and printed, so that the test reports
 * it; the round trip must work whichever Chromium chose. A page of another origin is refused.
 *
 * What Chromium 156 (Debian) did, without any flag: it never opens a new HTTP/2 connection for a
 * WebSocket. With no connection to the gateway yet, it opens one of HTTP/1.1 for it (GET, 101); once the
 * page has an HTTP/2 connection to the gateway in the same pool (a fetch with credentials: WebSockets
 * always carry cookies, and a credential-less fetch's connection is kept apart), it sends the handshake
 * on that connection as an extended CONNECT (RFC 8441). A credential-less fetch first: HTTP/1.1 again.
 *
 * One certificate made with openssl, trusted by its key's hash (--ignore-certificate-errors-spki-list);
 * *.test resolves to 127.0.0.1 (test/support/chromium.ts).
 */
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { createLogger } from "../../src/logger.js";
import { AccessLog } from "../../src/observability/access-log.js";
import { StreamSink } from "../../src/observability/line-sink.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { Resources } from "../backends/support.js";
import { chromiumDependency, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { describeWithDependency } from "../support/dependency.js";
import { type IssuedPair, opensslDependency, TestCa, tempDir } from "../support/tls.js";
import { type EchoBackend, startEchoBackend, waitFor } from "../support/websocket.js";

const dependency = {
  available: chromiumDependency().available && opensslDependency().available,
  missingMessage: `${chromiumDependency().missingMessage}; and ${opensslDependency().missingMessage}`,
};

/** What a page's WebSocket went through: its events in order, and the subprotocol it could read. */
interface SocketSeen {
  readonly events: readonly string[];
  readonly protocol: string;
}

/**
 * In the page: optionally fetches `warmUp` first (credentials included, as WebSocket handshakes are),
 * then opens `url`, sends each of `messages` once open (each after the previous echo) and closes with
 * 1000; resolves at the close event, or after 10 s.
 */
function webSocketInPage(
  page: Page,
  url: string,
  messages: string[],
  protocols: string[] = [],
  warmUp?: string,
): Promise<SocketSeen> {
  return page.evaluate(
    async ({ url, messages, protocols, warmUp }) => {
      if (warmUp !== undefined) {
        // Only the connection matters: a refused (CORS) fetch opens it too.
        await fetch(warmUp, { credentials: "include" })
          .then((res) => res.text())
          .catch(() => "");
      }
      return new Promise<SocketSeen>((resolve) => {
        // The DOM library is not in this project's TypeScript lib: the few members used, typed here.
        interface Ws {
          send(data: string): void;
          close(code?: number): void;
          readonly protocol: string;
          onopen: (() => void) | null;
          onmessage: ((event: { data: unknown }) => void) | null;
          onerror: (() => void) | null;
          onclose: ((event: { code: number; wasClean: boolean }) => void) | null;
        }
        const Ctor = (globalThis as unknown as { WebSocket: new (url: string, protocols: string[]) => Ws })
          .WebSocket;
        const events: string[] = [];
        const ws = new Ctor(url, protocols);
        const pending = [...messages];
        const done = () => resolve({ events, protocol: ws.protocol });
        const timer = setTimeout(() => {
          events.push("timeout");
          done();
        }, 10_000);
        const sendNext = () => {
          const next = pending.shift();
          if (next === undefined) ws.close(1000);
          else ws.send(next);
        };
        ws.onopen = () => {
          events.push("open");
          sendNext();
        };
        ws.onmessage = (event) => {
          events.push(`message:${String(event.data)}`);
          sendNext();
        };
        ws.onerror = () => events.push("error");
        ws.onclose = (event) => {
          events.push(`close:${event.code}:${event.wasClean ? "clean" : "unclean"}`);
          clearTimeout(timer);
          done();
        };
      });
    },
    { url, messages, protocols, warmUp },
  );
}

function listen(server: Http2SecureServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

describeWithDependency(dependency, "WebSockets over HTTPS (HTTP/2 or HTTP/1.1) in a real Chromium", () => {
  const resources = new Resources();
  const metrics = new GatewayMetrics();
  const lines: Record<string, unknown>[] = [];
  const contexts: BrowserContext[] = [];
  let leaf: IssuedPair;
  let pagePort: number;
  let echo: EchoBackend;
  let gateway: RunningGateway;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    const temp = await tempDir("crossgate-browser-wss-");
    resources.add(temp.remove);
    leaf = TestCa.create(temp.dir).issue({
      names: ["app.test", "evil.test", "api.test", "IP:127.0.0.1"],
      file: "browser-wss",
    });
    const pageServer = createSecureServer(
      { allowHTTP1: true, cert: leaf.cert, key: leaf.key },
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end("<!doctype html><html><head><title>crossgate page</title></head><body>app</body></html>");
      },
    );
    pagePort = await listen(pageServer);
    resources.add(() => new Promise<void>((resolve) => pageServer.close(() => resolve())));
    echo = await startEchoBackend({ protocol: "chat.v2" });
    resources.add(() => echo.close());
    const app = `https://app.test:${pagePort}`;
    const built = compileConfig({
      tls: { certificates: [{ default: true, cert: leaf.certPath, key: leaf.keyPath }] },
      groups: [{ name: "api", domains: ["api.test"] }],
      corsPolicies: [{ name: "web", allowOrigins: [app], allowCredentials: true }],
      apis: [
        {
          name: "chat",
          group: "api",
          method: "GET",
          path: "/chat",
          websocket: true,
          corsPolicy: "web",
          backend: { type: "http", url: echo.url },
        },
        {
          name: "hello",
          group: "api",
          method: "GET",
          path: "/hello",
          corsPolicy: "web",
          backend: { type: "mock", body: "hello" },
        },
      ],
    });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n"))
          if (line.trim() !== "") lines.push(JSON.parse(line));
        done();
      },
    });
    gateway = await startGateway(
      built.snapshot,
      { host: "127.0.0.1", port: 0, secure: true },
      {
        metrics,
        logger: createLogger({ destination: sink }),
        accessLog: new AccessLog(new StreamSink(sink)),
      },
    );
    resources.add(async () => {
      await gateway.close(0);
    });
    browser = await launchBrowser([`--ignore-certificate-errors-spki-list=${leaf.spkiHash}`]);
    resources.add(() => browser.close());
  });
  afterAll(() => resources.closeAll());
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  async function openPage(host: string): Promise<Page> {
    const context = await browser.browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`https://${host}:${pagePort}/`);
    return page;
  }

  const api = () => `api.test:${gateway.address.port}`;

  /** The access log line of the handshake the backend saw as connection `index`. */
  async function handshakeLine(index: number): Promise<Record<string, unknown>> {
    const requestId = echo.connections[index]?.request.headers["x-request-id"];
    let line: Record<string, unknown> | undefined;
    await waitFor(() => {
      line = lines.find((l) => l.log === "access" && l.requestId === requestId);
      return line !== undefined;
    }, "the WebSocket's access line");
    return line as Record<string, unknown>;
  }

  it("exchanges messages over wss:// with a page of an allowed origin, opened first thing", async () => {
    const before = echo.connections.length;
    const page = await openPage("app.test");
    const seen = await webSocketInPage(page, `wss://${api()}/chat?room=1`, ["hello", "second"], ["chat.v2"]);
    expect(seen.events).toEqual(["open", "message:hello", "message:second", "close:1000:clean"]);
    expect(seen.protocol).toBe("chat.v2");
    const connection = echo.connections[before];
    expect(connection?.request.headers.origin).toBe(`https://app.test:${pagePort}`);
    expect(connection?.received).toEqual(["hello", "second"]);
    const line = await handshakeLine(before);
    console.info(
      `Chromium opened its first WebSocket to the gateway with ${line.method} over HTTP/${line.protocol} (status ${line.status})`,
    );
    expect([
      ["CONNECT", "2.0", 200],
      ["GET", "1.1", 101],
    ]).toContainEqual([line.method, line.protocol, line.status]);
  });

  it("exchanges messages over wss:// after the page has an HTTP/2 connection to the gateway", async () => {
    const before = echo.connections.length;
    const page = await openPage("app.test");
    const seen = await webSocketInPage(
      page,
      `wss://${api()}/chat`,
      ["over h2?"],
      [],
      `https://${api()}/hello`,
    );
    expect(seen.events).toEqual(["open", "message:over h2?", "close:1000:clean"]);
    const line = await handshakeLine(before);
    console.info(
      `Chromium opened a WebSocket on a page that had fetched from the gateway with ${line.method} over HTTP/${line.protocol} (status ${line.status})`,
    );
    expect([
      ["CONNECT", "2.0", 200],
      ["GET", "1.1", 101],
    ]).toContainEqual([line.method, line.protocol, line.status]);
  });

  /** Refuses a page of evil.test; `warmUp` first when given. Returns the refusal's access line. */
  async function refusedPage(warmUp?: string): Promise<Record<string, unknown>> {
    const before = echo.connections.length;
    const tcpBefore = echo.tcpConnections();
    const refusedBefore = lines.filter(
      (l) => l.log === "access" && l.api === "chat" && l.status === 403,
    ).length;
    const page = await openPage("evil.test");
    const seen = await webSocketInPage(page, `wss://${api()}/chat`, ["stolen?"], [], warmUp);
    expect(seen.events).toEqual(["error", "close:1006:unclean"]);
    expect(echo.connections.length).toBe(before);
    expect(echo.tcpConnections()).toBe(tcpBefore);
    const refusals = () => lines.filter((l) => l.log === "access" && l.api === "chat" && l.status === 403);
    await waitFor(() => refusals().length > refusedBefore, "the refusal's access line");
    const line = refusals().at(-1) as Record<string, unknown>;
    expect(line).toMatchObject({
      path: "/chat",
      origin: `https://evil.test:${pagePort}`,
      cors: { verdict: "refused", reason: "ORIGIN_NOT_ALLOWED" },
      websocket: { tunnel: false },
    });
    return line;
  }

  it("refuses a page of another origin: an error and an abnormal close in the page, nothing at the backend", async () => {
    const line = await refusedPage();
    console.info(
      `Chromium sent the refused WebSocket handshake as ${line.method} over HTTP/${line.protocol}`,
    );
    expect(["1.1", "2.0"]).toContain(line.protocol);
  });

  it("refuses a page of another origin on an HTTP/2 connection too (the 403 arrives as an HTTP/2 response)", async () => {
    const line = await refusedPage(`https://${api()}/hello`);
    console.info(
      `Chromium sent the refused WebSocket handshake, after a fetch, as ${line.method} over HTTP/${line.protocol}`,
    );
    expect(["1.1", "2.0"]).toContain(line.protocol);
  });
});
