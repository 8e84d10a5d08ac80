/**
 * CONSOLE.md flow 7, the differential test: a page on another origin fetches each case from the
 * gateway in the same Chromium, and the console's Explain page predicts each case; what the browser
 * did must equal explain's verdict, case by case.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type ConsoleNode, go, openConsole, screenshot, startNode } from "./support.js";

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly credentials?: boolean;
  readonly body?: string;
}

const CASES: readonly Case[] = [
  { name: "a simple GET to a toggle API", method: "GET", path: "/open" },
  { name: "a credentialed GET to a toggle API (ACAO *)", method: "GET", path: "/open", credentials: true },
  {
    name: "a PUT with an allowed header",
    method: "PUT",
    path: "/strict",
    headers: { "X-Sdk-Date": "20240101" },
  },
  { name: "a DELETE the policy does not allow", method: "DELETE", path: "/strict" },
  {
    name: "a GET with a header the policy does not allow",
    method: "GET",
    path: "/strict",
    headers: { "X-Other": "1" },
  },
  { name: "a credentialed GET the policy allows", method: "GET", path: "/strict", credentials: true },
  {
    name: "a JSON POST (preflight for Content-Type)",
    method: "POST",
    path: "/strict",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  },
  { name: "a GET from an origin the policy does not list", method: "GET", path: "/other" },
  { name: "a PUT from an origin the policy does not list", method: "PUT", path: "/other" },
  { name: "a GET to an API without CORS", method: "GET", path: "/none" },
  { name: "a GET to a path no API serves", method: "GET", path: "/missing" },
  {
    name: "a text/plain POST to a wildcard policy",
    method: "POST",
    path: "/wild",
    headers: { "Content-Type": "text/plain" },
    body: "x",
  },
  { name: "a credentialed GET to a wildcard policy", method: "GET", path: "/wild", credentials: true },
];

describeWithChromium("console flow 7: explain's verdicts equal what Chromium does", () => {
  let launched: LaunchedBrowser;
  let node: ConsoleNode;
  let pageServer: Server;
  let pageOrigin: string;
  let apiHost: string;

  beforeAll(async () => {
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>page on another origin</title><p>the differential page</p>");
    });
    await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
    pageOrigin = `http://app.test:${(pageServer.address() as AddressInfo).port}`;
    const mock = { type: "mock", headers: { "Content-Type": "text/plain" }, body: "ok" };
    node = await startNode({
      corsPolicies: [
        {
          name: "strict",
          allowOrigins: [pageOrigin],
          allowMethods: ["GET", "PUT", "POST"],
          allowHeaders: ["X-Sdk-Date"],
          exposeHeaders: ["X-Request-Id"],
          allowCredentials: true,
        },
        { name: "elsewhere", allowOrigins: ["http://elsewhere.test"], allowMethods: ["GET", "PUT"] },
        { name: "wild", allowOrigins: ["*"], allowMethods: ["GET", "POST"] },
      ],
      apis: [
        { name: "open", method: "GET", path: "/open", cors: true, backend: mock },
        { name: "strict", method: "ANY", path: "/strict", corsPolicy: "strict", backend: mock },
        { name: "other", method: "ANY", path: "/other", corsPolicy: "elsewhere", backend: mock },
        { name: "none", method: "GET", path: "/none", backend: mock },
        { name: "wild", method: "ANY", path: "/wild", corsPolicy: "wild", backend: mock },
      ],
    });
    apiHost = `api.test:${new URL(node.gatewayUrl).port}`;
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
    await node?.stop();
    await new Promise<void>((resolve) => pageServer?.close(() => resolve()));
  });

  it("every case: the browser's outcome is explain's verdict", { timeout: 180_000 }, async () => {
    // The other origin's page, in the same browser.
    const pageContext = await launched.browser.newContext();
    const appPage = await pageContext.newPage();
    await appPage.goto(`${pageOrigin}/`);
    const browserSaw: string[] = [];
    for (const c of CASES) {
      const outcome = await appPage.evaluate(
        async ({ url, c }) => {
          try {
            const res = await fetch(url, {
              method: c.method,
              headers: c.headers ?? {},
              credentials: c.credentials ? "include" : "same-origin",
              ...(c.body !== undefined ? { body: c.body } : {}),
            });
            await res.text();
            return "allowed";
          } catch {
            return "blocked";
          }
        },
        { url: `http://${apiHost}${c.path}`, c },
      );
      browserSaw.push(outcome);
    }

    // The console's Explain page, case by case.
    const { page, context } = await openConsole(launched.browser, node);
    await go(page, "Explain");
    const predicted: string[] = [];
    for (const c of CASES) {
      await page.getByLabel("Host", { exact: true }).fill(apiHost);
      await page.getByLabel("Path", { exact: true }).fill(c.path);
      await page.getByLabel("Origin", { exact: true }).fill(pageOrigin);
      await page.getByLabel("Method", { exact: true }).fill(c.method);
      await page.getByLabel("Request headers", { exact: true }).fill(
        Object.entries(c.headers ?? {})
          .map(([k, v]) => `${k}: ${v}`)
          .join(", "),
      );
      const credentials = page.getByLabel("Credentials", { exact: true });
      if (c.credentials) await credentials.check();
      else await credentials.uncheck();
      await page.getByRole("button", { name: "Explain", exact: true }).click();
      // Explain clears its last answer when asked again, so the status read is this case's.
      const verdict = page.getByRole("status");
      await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toMatch(/^(allowed|blocked)/);
      expect(await page.locator(".explanation").textContent()).toContain(`http://${apiHost}${c.path} —`);
      predicted.push(((await verdict.textContent()) ?? "").split(":")[0] as string);
    }
    await screenshot(page, "explain-differential");
    const table = CASES.map((c, i) => `${c.name}: browser ${browserSaw[i]}, explain ${predicted[i]}`);
    expect(table).toEqual(
      CASES.map((c, i) => `${c.name}: browser ${browserSaw[i]}, explain ${browserSaw[i]}`),
    );
    // Both outcomes occur, so the comparison can fail either way.
    expect(new Set(browserSaw)).toEqual(new Set(["allowed", "blocked"]));
    await context.close();
    await pageContext.close();
  });
});
