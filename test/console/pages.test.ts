/**
 * Every console page, empty and populated, at 1280x800: a screenshot of each (saved under
 * .tmp/console-screenshots/, a gitignored test artifact), axe-core with no serious or critical
 * violation, and no Content-Security-Policy violation.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type ConsoleNode, go, openConsole, screenshot, seriousViolations, startNode } from "./support.js";

export const POPULATED = {
  groups: [
    { name: "shop", domains: ["api.shop.test"], basePath: "/v1", corsPolicy: "web" },
    { name: "legacy", domains: ["www.test.com"] },
  ],
  corsPolicies: [
    {
      name: "web",
      description: "The shop's pages",
      allowOrigins: ["https://app.example.com", "https://*.example.com"],
      allowOriginPatterns: ["^https://[a-z0-9-]+\\.example\\.org$"],
      allowMethods: ["GET", "POST", "PUT", "DELETE"],
      allowHeaders: ["Content-Type", "X-Sdk-Date"],
      exposeHeaders: ["X-Request-Id"],
      allowCredentials: true,
      maxAge: 600,
    },
    { name: "partners", allowOrigins: ["https://partner.example.net"], mode: "report" },
  ],
  apis: [
    {
      name: "items",
      group: "shop",
      method: "GET",
      path: "/items",
      backend: { type: "mock", headers: { "Content-Type": "application/json" }, body: "[]" },
    },
    {
      name: "orders",
      group: "shop",
      method: "ANY",
      path: "/orders/{id}",
      corsPolicy: "web",
      auth: "app",
      backend: { type: "mock", status: 201 },
    },
    {
      name: "reports",
      group: "shop",
      method: "GET",
      path: "/reports",
      corsPolicy: "partners",
      backend: { type: "mock", body: "ok" },
    },
    {
      name: "options",
      group: "legacy",
      method: "OPTIONS",
      path: "/",
      match: "prefix",
      cors: true,
      backend: { type: "mock" },
    },
    {
      name: "simple",
      group: "legacy",
      method: "GET",
      path: "/simple",
      cors: true,
      backend: { type: "mock", body: '{"status":"200"}' },
    },
    { name: "internal", method: "GET", path: "/internal", backend: { type: "mock", body: "no CORS" } },
  ],
  apps: [{ name: "storefront", javascriptOrigins: ["http://test2.com"], apis: ["orders"] }],
};

interface Visit {
  readonly name: string;
  readonly open: (page: Page) => Promise<void>;
}

const PAGES: readonly Visit[] = [
  { name: "dashboard", open: (p) => go(p, "Dashboard") },
  { name: "groups", open: (p) => go(p, "Groups") },
  { name: "apis", open: (p) => go(p, "APIs") },
  {
    name: "api-new",
    open: async (p) => {
      await go(p, "APIs");
      await p.getByRole("button", { name: "New API" }).click();
    },
  },
  { name: "cors-policies", open: (p) => go(p, "CORS policies") },
  {
    name: "cors-policy-new",
    open: async (p) => {
      await go(p, "CORS policies");
      await p.getByRole("button", { name: "New policy" }).click();
    },
  },
  { name: "applications", open: (p) => go(p, "Applications") },
  { name: "explain", open: (p) => go(p, "Explain") },
  { name: "revisions", open: (p) => go(p, "Revisions") },
  {
    name: "configuration",
    open: async (p) => {
      await go(p, "Configuration");
      await p.getByRole("textbox", { name: "Configuration YAML" }).waitFor();
    },
  },
  { name: "status", open: (p) => go(p, "Status") },
];

/** Lets data arrive and the page settle before the picture. */
async function settle(page: Page): Promise<void> {
  await page
    .getByText("Loading…")
    .first()
    .waitFor({ state: "detached", timeout: 10_000 })
    .catch(() => {});
  await page.waitForTimeout(400);
}

describeWithChromium("console pages: screenshots, axe-core and CSP, empty and populated", () => {
  let launched: LaunchedBrowser;
  let empty: ConsoleNode;
  let populated: ConsoleNode;

  beforeAll(async () => {
    [empty, populated] = await Promise.all([startNode({}), startNode(POPULATED)]);
    launched = await launchBrowser();
    // Traffic for the dashboard: allowed, refused for several reasons, report mode.
    const shop = { host: "api.shop.test" };
    const sends: [string, string, Record<string, string>][] = [
      ["GET", "/v1/items", { ...shop, origin: "https://app.example.com" }],
      ["GET", "/v1/items", { ...shop, origin: "https://www.example.com" }],
      ["GET", "/v1/items", { ...shop, origin: "https://evil.example.net" }],
      ["GET", "/v1/items", { ...shop, origin: "https://evil.example.net" }],
      [
        "OPTIONS",
        "/v1/orders/7",
        { ...shop, origin: "https://evil.example.net", "access-control-request-method": "PUT" },
      ],
      [
        "OPTIONS",
        "/v1/orders/7",
        { ...shop, origin: "https://app.example.com", "access-control-request-method": "PATCH" },
      ],
      [
        "OPTIONS",
        "/v1/orders/7",
        {
          ...shop,
          origin: "https://app.example.com",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "x-debug",
        },
      ],
      [
        "OPTIONS",
        "/v1/orders/7",
        {
          ...shop,
          origin: "https://app.example.com",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "content-type",
        },
      ],
      ["GET", "/v1/reports", { ...shop, origin: "https://intruder.example.io" }],
      ["GET", "/simple", { host: "www.test.com", origin: "http://www.cors.com" }],
      ["GET", "/internal", { origin: "http://null.test" }],
    ];
    for (const [method, path, headers] of sends) await populated.data(method, path, headers);
    await populated.admin("PUT", "/admin/v1/cors-policies/partners", {
      name: "partners",
      allowOrigins: ["https://partner.example.net", "https://partner.example.org"],
      mode: "report",
    });
  });
  afterAll(async () => {
    await launched?.close();
    await Promise.all([empty?.stop(), populated?.stop()]);
  });

  for (const [label, which] of [
    ["empty", () => empty],
    ["populated", () => populated],
  ] as const) {
    it(`every page, ${label}`, { timeout: 180_000 }, async () => {
      const node = which();
      const { page, context, cspViolations } = await openConsole(launched.browser, node, false);
      await screenshot(page, `${label}-sign-in`);
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel("Admin token").fill(node.token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      const found: Record<string, string[]> = {};
      for (const visit of PAGES) {
        await visit.open(page);
        await settle(page);
        await screenshot(page, `${label}-${visit.name}`);
        const violations = await seriousViolations(page);
        if (violations.length > 0) found[visit.name] = violations;
      }
      if (label === "populated") {
        // The detail pages, with their panels filled.
        await go(page, "CORS policies");
        await page.getByRole("link", { name: "web", exact: true }).click();
        await page.getByLabel("Test origin").fill("https://shop.example.com");
        await expect
          .poll(() => page.getByRole("region", { name: "Origin tester" }).getByRole("status").textContent())
          .toMatch(/^allowed/);
        await settle(page);
        await screenshot(page, "populated-cors-policy");
        found["cors-policy"] = await seriousViolations(page);
        await go(page, "APIs");
        await page.getByRole("link", { name: "orders", exact: true }).click();
        await page.getByLabel("Path").waitFor();
        await settle(page);
        await screenshot(page, "populated-api");
        found.api = await seriousViolations(page);
        await page.getByRole("tab", { name: "Test" }).click();
        await page.getByLabel("Origin").fill("https://app.example.com");
        await page.getByLabel("Request path").fill("/v1/orders/7");
        await page.getByRole("button", { name: "Send test request" }).click();
        await expect.poll(() => page.getByRole("status").textContent()).toMatch(/^(allowed|blocked)/);
        await screenshot(page, "populated-api-test");
        found["api-test"] = await seriousViolations(page);
        await page.goto(
          `${node.adminUrl}/console/explain?origin=https%3A%2F%2Fevil.example.net&method=PUT&path=%2Fv1%2Forders%2F7&host=api.shop.test&run=1`,
        );
        await page.getByLabel("Admin token").fill(node.token);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect
          .poll(() => page.getByRole("status").textContent(), { timeout: 10_000 })
          .toMatch(/^blocked/);
        await screenshot(page, "populated-explain-shared-url");
        found["explain-result"] = await seriousViolations(page);
        await go(page, "Revisions");
        await page.getByRole("row", { name: /#1\b/ }).getByRole("button", { name: /^Diff/ }).click();
        await page.getByTitle(/Diff of revision #1/).waitFor();
        await screenshot(page, "populated-revisions-diff");
      }
      for (const [k, v] of Object.entries(found)) if (v.length === 0) delete found[k];
      expect(found).toEqual({});
      expect(cspViolations).toEqual([]);
      await context.close();
    });
  }
});
