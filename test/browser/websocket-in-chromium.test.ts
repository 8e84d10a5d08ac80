/**
 * Issue 13, WebSocket part, judged by a real Chromium: a page on http://app.test:PAGE_PORT opens
 * ws://api.test:GW_PORT/... through the gateway to a real WebSocket echo backend and exchanges messages;
 * a page on http://evil.test:PAGE_PORT, which the API's CORS policy does not list, is refused (Chromium
 * applies no CORS to WebSockets, so the gateway's Origin check is what stops it): the page sees only an
 * error and an abnormal close, and nothing reaches the backend.
 */
import { createServer, type Server } from "node:http";
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
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type EchoBackend, startEchoBackend, waitFor } from "../support/websocket.js";

/** What a page's WebSocket went through: its events in order, and what it could read of the connection. */
interface SocketSeen {
  readonly events: readonly string[];
  readonly protocol: string;
}

/**
 * Opens `url` in the page, sends each of `messages` once open (each after the previous echo), then
 * closes with 1000; resolves at the close event, or after 10 s.
 */
function webSocketInPage(
  page: Page,
  url: string,
  messages: string[],
  protocols: string[] = [],
): Promise<SocketSeen> {
  return page.evaluate(
    ({ url, messages, protocols }) =>
      new Promise<SocketSeen>((resolve) => {
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
      }),
    { url, messages, protocols },
  );
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

describeWithChromium("WebSockets through crossgate, judged by a real Chromium", () => {
  let launched: LaunchedBrowser;
  let pageServer: Server;
  let pagePort: number;
  let echo: EchoBackend;
  let gateway: RunningGateway;
  const metrics = new GatewayMetrics();
  const lines: Record<string, unknown>[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><html><head><title>crossgate page</title></head><body>app</body></html>");
    });
    pagePort = await listen(pageServer);
    echo = await startEchoBackend({ protocol: "chat.v2" });
    const built = compileConfig({
      groups: [{ name: "api", domains: ["api.test"] }],
      corsPolicies: [{ name: "web", allowOrigins: [`http://app.test:${pagePort}`] }],
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
          name: "toggle",
          group: "api",
          method: "GET",
          path: "/toggle",
          websocket: true,
          cors: true,
          backend: { type: "http", url: echo.url },
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
      { host: "127.0.0.1", port: 0 },
      {
        metrics,
        logger: createLogger({ destination: sink }),
        accessLog: new AccessLog(new StreamSink(sink)),
      },
    );
    launched = await launchBrowser();
  });

  afterAll(async () => {
    await launched?.close();
    await gateway?.close(0);
    await echo?.close();
    if (pageServer) {
      pageServer.closeAllConnections();
      await new Promise<void>((resolve) => pageServer.close(() => resolve()));
    }
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  async function openPage(host: string): Promise<Page> {
    const context = await launched.browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`http://${host}:${pagePort}/`);
    return page;
  }

  function socketUrl(path: string): string {
    return `ws://api.test:${gateway.address.port}${path}`;
  }

  it("lets a page of an allowed origin open the WebSocket and exchange messages both ways", async () => {
    const before = echo.connections.length;
    const page = await openPage("app.test");
    const seen = await webSocketInPage(page, socketUrl("/chat?room=1"), ["hello", "second"], ["chat.v2"]);
    expect(seen.events).toEqual(["open", "message:hello", "message:second", "close:1000:clean"]);
    // The subprotocol the backend chose reaches the page through the gateway.
    expect(seen.protocol).toBe("chat.v2");
    expect(echo.connections.length).toBe(before + 1);
    const connection = echo.connections[before];
    expect(connection?.request.headers.origin).toBe(`http://app.test:${pagePort}`);
    expect(connection?.request.url).toBe("/chat?room=1");
    expect(connection?.received).toEqual(["hello", "second"]);
    await echo.waitFor(() => connection?.closed === true, "the backend connection to close");
    expect(connection?.closeCode).toBe(1000);
  });

  it("refuses a page of another origin: the page sees an error and an abnormal close, the backend nothing", async () => {
    const before = echo.connections.length;
    const refusedBefore = lines.filter((l) => l.log === "access" && l.status === 403).length;
    const page = await openPage("evil.test");
    const seen = await webSocketInPage(page, socketUrl("/chat"), ["stolen?"]);
    expect(seen.events).toEqual(["error", "close:1006:unclean"]);
    expect(echo.connections.length).toBe(before);
    await waitFor(
      () => lines.filter((l) => l.log === "access" && l.status === 403).length > refusedBefore,
      "the refusal's access line",
    );
    const line = lines.filter((l) => l.log === "access" && l.status === 403).at(-1);
    expect(line).toMatchObject({
      path: "/chat",
      origin: `http://evil.test:${pagePort}`,
      cors: { verdict: "refused", reason: "ORIGIN_NOT_ALLOWED" },
    });
    expect(await metrics.text()).toMatch(
      /crossgate_cors_decisions_total\{kind="websocket",outcome="refused",reason="ORIGIN_NOT_ALLOWED"\} [1-9]/,
    );
  });

  it("refuses even an allowed-looking page on an API whose only CORS rule is cors: true", async () => {
    const before = echo.connections.length;
    const page = await openPage("app.test");
    const seen = await webSocketInPage(page, socketUrl("/toggle"), ["hello"]);
    expect(seen.events).toEqual(["error", "close:1006:unclean"]);
    expect(echo.connections.length).toBe(before);
  });
});
