/**
 * What only HTTPS gives a page (SPEC section 10, issue 13), judged by a real Chromium: it speaks
 * HTTP/2 to the gateway, a `SameSite=None; Secure` cookie works for credentialed requests (plain
 * http refuses it), the page is a secure context, and requests from a public secure page to the
 * gateway on a local address go through Chromium's Local Network Access rules.
 *
 * Pages on https://app.test and https://app.crossgate.test, the gateway on https://api.test and
 * https://api.crossgate.test, one certificate made with openssl that Chromium trusts by its key's
 * hash (--ignore-certificate-errors-spki-list); *.test resolves to 127.0.0.1.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { Resources, startUpstream, type Upstream } from "../backends/support.js";
import { chromiumDependency, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { describeWithDependency } from "../support/dependency.js";
import { type IssuedPair, opensslDependency, TestCa, tempDir } from "../support/tls.js";

const dependency = {
  available: chromiumDependency().available && opensslDependency().available,
  missingMessage: `${chromiumDependency().missingMessage}; and ${opensslDependency().missingMessage}`,
};

function listen(server: Server | Http2SecureServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

const PAGE = "<!doctype html><html><head><title>page</title></head><body>app</body></html>";

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly httpVersion: string;
  readonly cookie: string | undefined;
  readonly privateNetwork: string | undefined;
}

describeWithDependency(dependency, "HTTPS in a real Chromium", () => {
  const resources = new Resources();
  let leaf: IssuedPair;
  let pagePort: number;
  let plainPagePort: number;
  let upstream: Upstream;
  let secureGw: RunningGateway;
  let plainGw: RunningGateway;
  let browser: LaunchedBrowser;
  const seen: Seen[] = [];

  function config(origins: string[]) {
    return {
      groups: [{ name: "api", corsPolicy: "web" }],
      corsPolicies: [
        {
          name: "web",
          allowOrigins: origins,
          allowMethods: ["GET", "PUT"],
          allowHeaders: ["Content-Type"],
          allowCredentials: true,
          exposeHeaders: ["X-Request-Id"],
          timingAllowOrigins: origins,
          allowPrivateNetwork: true,
        },
      ],
      apis: [
        {
          name: "login",
          group: "api",
          method: "GET",
          path: "/login",
          backend: {
            type: "mock",
            headers: { "Set-Cookie": "sid=s3cret; SameSite=None; Secure; Path=/; HttpOnly" },
            body: "logged in",
          },
        },
        {
          name: "echo",
          group: "api",
          method: "ANY",
          path: "/echo",
          match: "prefix",
          backend: { type: "http", url: upstream.url },
        },
      ],
    };
  }

  async function gateway(secure: boolean, origins: string[]): Promise<RunningGateway> {
    const built = compileConfig({
      ...config(origins),
      ...(secure
        ? { tls: { certificates: [{ default: true, cert: leaf.certPath, key: leaf.keyPath }] } }
        : {}),
    });
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const running = await startGateway(built.snapshot, {
      host: "127.0.0.1",
      port: 0,
      ...(secure ? { secure } : {}),
    });
    resources.add(async () => {
      await running.close();
    });
    const see = (
      method: string | undefined,
      url: string | undefined,
      httpVersion: string,
      h: IncomingHttpHeaders,
    ) =>
      seen.push({
        method: method ?? "",
        path: new URL(url ?? "/", "http://x").pathname,
        httpVersion,
        cookie: h.cookie,
        privateNetwork: h["access-control-request-private-network"] as string | undefined,
      });
    // HTTP/2 requests are seen as streams: the gateway answers OPTIONS streams without a `request` event.
    running.server.prependListener("request", (req: IncomingMessage) => {
      if (req.httpVersionMajor !== 2) see(req.method, req.url, req.httpVersion, req.headers);
    });
    running.server.prependListener("stream", (_stream: unknown, h: IncomingHttpHeaders) => {
      see(h[":method"] as string | undefined, h[":path"] as string | undefined, "2.0", h);
    });
    return running;
  }

  beforeAll(async () => {
    const temp = await tempDir("crossgate-browser-https-");
    resources.add(temp.remove);
    leaf = TestCa.create(temp.dir).issue({
      names: ["app.test", "api.test", "app.crossgate.test", "api.crossgate.test", "IP:127.0.0.1"],
      file: "browser",
    });
    const page = (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    };
    const securePage = createSecureServer(
      { allowHTTP1: true, cert: leaf.cert, key: leaf.key },
      page as never,
    );
    const plainPage = createServer(page);
    pagePort = await listen(securePage);
    plainPagePort = await listen(plainPage);
    resources.add(() => new Promise<void>((resolve) => securePage.close(() => resolve())));
    resources.add(async () => {
      plainPage.closeAllConnections();
      await new Promise<void>((resolve) => plainPage.close(() => resolve()));
    });
    upstream = await startUpstream(resources, (req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`cookie=${req.headers.cookie ?? "none"}`);
    });
    const origins = (scheme: string, port: number) => [
      `${scheme}://app.test:${port}`,
      `${scheme}://app.crossgate.test:${port}`,
    ];
    secureGw = await gateway(true, origins("https", pagePort));
    plainGw = await gateway(false, origins("http", plainPagePort));
    browser = await launchBrowser([
      `--ignore-certificate-errors-spki-list=${leaf.spkiHash}`,
      // The https page's address counts as public, the gateway's stays local: the setting of a page
      // on the internet calling a gateway on the user's machine or network.
      `--ip-address-space-overrides=127.0.0.1:${pagePort}=public`,
    ]);
    resources.add(() => browser.close());
  });
  afterAll(() => resources.closeAll());
  beforeEach(() => {
    seen.length = 0;
  });

  async function openPage(url: string, permissions: string[] = ["local-network-access"]): Promise<Page> {
    const context = await browser.browser.newContext();
    resources.add(() => context.close());
    if (permissions.length > 0) await context.grantPermissions(permissions, { origin: new URL(url).origin });
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  it("speaks HTTP/2 to the gateway: nextHopProtocol is h2 for the page's API calls, preflight included", async () => {
    const page = await openPage(`https://app.test:${pagePort}/`);
    const api = `https://api.test:${secureGw.address.port}`;
    const result = await page.evaluate(async (base) => {
      const get = await fetch(`${base}/echo/a`);
      await get.text();
      const put = await fetch(`${base}/echo/b`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      await put.text();
      // Resource Timing entries land after the body is read.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const entries = performance.getEntriesByType("resource") as unknown as {
        name: string;
        nextHopProtocol: string;
      }[];
      return {
        statuses: [get.status, put.status],
        protocols: entries
          .filter((e) => e.name.startsWith(base))
          .map((e) => [new URL(e.name).pathname, e.nextHopProtocol]),
      };
    }, api);
    expect(result.statuses).toEqual([200, 200]);
    // Readable because the policy lists the page in timingAllowOrigins (Timing-Allow-Origin).
    expect(result.protocols).toEqual([
      ["/echo/a", "h2"],
      ["/echo/b", "h2"],
    ]);
    expect(seen.map((s) => `${s.method} ${s.path} ${s.httpVersion}`)).toEqual([
      "GET /echo/a 2.0",
      "OPTIONS /echo/b 2.0",
      "PUT /echo/b 2.0",
    ]);
  });

  it("keeps a credentialed session with a SameSite=None; Secure cookie set by the API over https", async () => {
    // A same-site pair (app.crossgate.test and api.crossgate.test): cross-origin, so CORS applies with
    // credentials, and first-party for cookies. (Between two sites, this Chromium blocks third-party
    // cookies by default, whatever the server says.)
    const page = await openPage(`https://app.crossgate.test:${pagePort}/`);
    const api = `https://api.crossgate.test:${secureGw.address.port}`;
    const result = await page.evaluate(async (base) => {
      const login = await fetch(`${base}/login`, { credentials: "include" });
      const me = await fetch(`${base}/echo/me`, { credentials: "include" });
      return [login.status, await login.text(), me.status, await me.text()];
    }, api);
    expect(result).toEqual([200, "logged in", 200, "cookie=sid=s3cret"]);
    expect(seen.find((s) => s.path === "/echo/me")?.cookie).toBe("sid=s3cret");
  });

  it("over plain http the same Set-Cookie is refused by the browser (Secure needs https), so the session never starts", async () => {
    const page = await openPage(`http://app.crossgate.test:${plainPagePort}/`, []);
    const api = `http://api.crossgate.test:${plainGw.address.port}`;
    const result = await page.evaluate(async (base) => {
      const login = await fetch(`${base}/login`, { credentials: "include" });
      const me = await fetch(`${base}/echo/me`, { credentials: "include" });
      return [login.status, me.status, await me.text()];
    }, api);
    expect(result).toEqual([200, 200, "cookie=none"]);
  });

  it("a page on https is a secure context, the same page on plain http is not", async () => {
    const secure = await openPage(`https://app.test:${pagePort}/`);
    expect(
      await secure.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext),
    ).toBe(true);
    const plain = await openPage(`http://app.test:${plainPagePort}/`, []);
    expect(
      await plain.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext),
    ).toBe(false);
  });

  it("from a public secure page, reaching the gateway on a local address takes the local-network-access permission, and no Private Network Access preflight is sent", async () => {
    const api = `https://api.test:${secureGw.address.port}`;
    const call = (page: Page) =>
      page.evaluate(async (base) => {
        try {
          const res = await fetch(`${base}/echo/pna`, {
            method: "PUT",
            headers: { "Content-Type": "application/json" },
            body: "{}",
          });
          return `${res.status} ${await res.text()}`;
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      }, api);
    // Without the permission, Chromium (Local Network Access, which replaced PNA's preflights) stops
    // the request before it is sent.
    expect(await call(await openPage(`https://app.test:${pagePort}/`, []))).toBe(
      "TypeError: Failed to fetch",
    );
    expect(seen).toEqual([]);
    // With it, the CORS preflight and the PUT go through the policy as usual.
    expect(await call(await openPage(`https://app.test:${pagePort}/`))).toBe("200 cookie=none");
    expect(seen.map((s) => `${s.method} ${s.path} pna=${s.privateNetwork ?? "-"}`)).toEqual([
      "OPTIONS /echo/pna pna=-",
      "PUT /echo/pna pna=-",
    ]);
  });
});
