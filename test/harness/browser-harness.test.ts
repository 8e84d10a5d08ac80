import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** What a fetch in the page ended with: the body it could read, or the error it rejected with. */
type FetchOutcome =
  | { ok: true; status: number; body: string }
  | { ok: false; isTypeError: boolean; name: string; message: string };

function fetchInPage(
  page: Page,
  url: string,
  init: { method?: string; headers?: Record<string, string> } = {},
) {
  return page.evaluate(
    async ({ url, init }): Promise<FetchOutcome> => {
      try {
        const response = await fetch(url, init);
        return { ok: true, status: response.status, body: await response.text() };
      } catch (error) {
        const e = error as Error;
        return { ok: false, isTypeError: error instanceof TypeError, name: e.name, message: e.message };
      }
    },
    { url, init },
  );
}

describeWithChromium("browser harness: real Chromium against servers on 127.0.0.1", () => {
  let launched: LaunchedBrowser;
  let page: Page;
  let pageServer: Server;
  let apiServer: Server;
  let pageOrigin: string;
  let apiOrigin: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><html><head><title>crossgate harness</title></head><body>app</body></html>");
    });
    apiServer = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://api.test").pathname;
      seen.push({ method: req.method ?? "", path, headers: req.headers });
      if (path === "/open") {
        res.writeHead(200, { "access-control-allow-origin": "*", "content-type": "text/plain" });
        res.end("open body");
      } else if (path === "/closed") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("closed body");
      } else if (path === "/preflight-ok" || path === "/preflight-no-methods") {
        if (req.method === "OPTIONS") {
          const headers: Record<string, string> = {
            "access-control-allow-origin": "*",
            "access-control-allow-headers": "x-custom",
          };
          if (path === "/preflight-ok") headers["access-control-allow-methods"] = "PUT";
          res.writeHead(204, headers);
          res.end();
        } else {
          res.writeHead(200, { "access-control-allow-origin": "*", "content-type": "text/plain" });
          res.end(`${req.method} accepted`);
        }
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    const [pagePort, apiPort] = await Promise.all([listen(pageServer), listen(apiServer)]);
    pageOrigin = `http://app.test:${pagePort}`;
    apiOrigin = `http://api.test:${apiPort}`;

    launched = await launchBrowser();
    const context = await launched.browser.newContext();
    page = await context.newPage();
    await page.goto(`${pageOrigin}/`);
  });

  afterAll(async () => {
    await launched?.close();
    await Promise.all([pageServer && close(pageServer), apiServer && close(apiServer)]);
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it("serves the page from app.test, which the browser resolves to 127.0.0.1", async () => {
    expect(await page.evaluate("location.origin")).toBe(pageOrigin);
    expect(await page.title()).toBe("crossgate harness");
  });

  it("lets the page read a cross-origin response that allows any origin", async () => {
    const outcome = await fetchInPage(page, `${apiOrigin}/open`);
    expect(outcome).toEqual({ ok: true, status: 200, body: "open body" });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.origin).toBe(pageOrigin);
  });

  it("rejects with a TypeError when the cross-origin response has no CORS headers, though the request was sent", async () => {
    const outcome = await fetchInPage(page, `${apiOrigin}/closed`);
    expect(outcome).toMatchObject({ ok: false, isTypeError: true });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["GET /closed"]);
  });

  it("sends a preflight for a PUT with a custom header, and the PUT when the preflight allows it", async () => {
    const outcome = await fetchInPage(page, `${apiOrigin}/preflight-ok`, {
      method: "PUT",
      headers: { "X-Custom": "1" },
    });
    expect(outcome).toEqual({ ok: true, status: 200, body: "PUT accepted" });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["OPTIONS /preflight-ok", "PUT /preflight-ok"]);
    const preflight = seen[0]?.headers;
    expect(preflight?.["access-control-request-method"]).toBe("PUT");
    expect(preflight?.["access-control-request-headers"]).toBe("x-custom");
    expect(seen[1]?.headers["x-custom"]).toBe("1");
  });

  it("fails the PUT without sending it when the preflight response omits Access-Control-Allow-Methods", async () => {
    const outcome = await fetchInPage(page, `${apiOrigin}/preflight-no-methods`, {
      method: "PUT",
      headers: { "X-Custom": "1" },
    });
    expect(outcome).toMatchObject({ ok: false, isTypeError: true });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["OPTIONS /preflight-no-methods"]);
  });
});
