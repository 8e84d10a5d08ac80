/**
 * CONSOLE.md flows 8, 9 and 11 in headless Chromium against a real crossgate: the dashboard's
 * counts of refusals by reason, revisions (diff, restore, and the old behaviour back on the data
 * plane), and an OpenAPI import with x-amazon-apigateway-cors (preview, then apply).
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type ConsoleNode, expectAccessible, go, openConsole, screenshot, startNode } from "./support.js";

const SEED = {
  corsPolicies: [
    {
      name: "shop",
      allowOrigins: ["http://old.test"],
      allowMethods: ["GET", "PUT"],
      allowHeaders: ["X-Sdk-Date"],
    },
  ],
  apis: [
    {
      name: "items",
      method: "ANY",
      path: "/items",
      corsPolicy: "shop",
      backend: { type: "mock", body: "[]" },
    },
  ],
};

const HTTP_API = {
  openapi: "3.0.1",
  info: { title: "Orders HTTP API", version: "1" },
  servers: [{ url: "https://api.orders.example.com/v1" }],
  "x-amazon-apigateway-cors": {
    allowOrigins: ["https://app.example.com"],
    allowMethods: ["GET", "POST"],
    allowHeaders: ["content-type"],
    maxAge: 600,
  },
  paths: {
    "/orders": {
      get: {
        operationId: "listOrders",
        "x-amazon-apigateway-integration": {
          type: "http_proxy",
          httpMethod: "GET",
          uri: "http://127.0.0.1:9/orders",
          payloadFormatVersion: "1.0",
        },
      },
    },
  },
};

function preflight(node: ConsoleNode, origin: string, method = "PUT", headers?: string) {
  return node.data("OPTIONS", "/items", {
    origin,
    "access-control-request-method": method,
    ...(headers ? { "access-control-request-headers": headers } : {}),
  });
}

describeWithChromium("console flows: dashboard, revisions, OpenAPI import", () => {
  let launched: LaunchedBrowser;
  let node: ConsoleNode;

  beforeAll(async () => {
    node = await startNode(SEED);
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
    await node?.stop();
  });

  it("flow 8: refusals of several reasons; the dashboard counts each reason as sent", {
    timeout: 120_000,
  }, async () => {
    const { page, context, cspViolations } = await openConsole(launched.browser, node);
    await screenshot(page, "dashboard-quiet");
    const sent = { ORIGIN_NOT_ALLOWED: 0, METHOD_NOT_ALLOWED: 0, HEADER_NOT_ALLOWED: 0 };
    for (const origin of ["http://evil.test", "http://evil.test", "http://other.test"]) {
      expect((await preflight(node, origin)).status).toBe(403);
      sent.ORIGIN_NOT_ALLOWED++;
    }
    expect((await node.data("GET", "/items", { origin: "http://evil.test" })).status).toBe(403);
    sent.ORIGIN_NOT_ALLOWED++;
    for (let i = 0; i < 2; i++) {
      expect((await preflight(node, "http://old.test", "DELETE")).status).toBe(405);
      sent.METHOD_NOT_ALLOWED++;
    }
    expect((await preflight(node, "http://old.test", "PUT", "X-Other")).status).toBe(403);
    sent.HEADER_NOT_ALLOWED++;
    expect((await preflight(node, "http://old.test", "PUT", "X-Sdk-Date")).status).toBe(200);
    expect((await node.data("GET", "/items", { origin: "http://old.test" })).status).toBe(200);

    await go(page, "APIs");
    await go(page, "Dashboard");
    const byReason = page.getByRole("table", { name: /Refused requests/ });
    for (const [reason, count] of Object.entries(sent)) {
      await expect
        .poll(
          async () => (await byReason.getByRole("row", { name: new RegExp(reason) }).textContent()) ?? "",
          {
            timeout: 10_000,
          },
        )
        .toMatch(new RegExp(`${reason}.*${count}$`));
    }
    expect(await byReason.getByRole("row").count()).toBe(1 + Object.keys(sent).length);
    // The same counts as the gateway's own metrics.
    const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
    for (const [reason, count] of Object.entries(sent)) {
      let total = 0;
      for (const m of metrics.matchAll(
        new RegExp(
          `crossgate_cors_decisions_total\\{[^}]*outcome="refused"[^}]*reason="${reason}"[^}]*\\} (\\d+)`,
          "g",
        ),
      )) {
        total += Number(m[1]);
      }
      expect(total).toBe(count);
    }
    const origins = page.getByRole("region", { name: "Top refused origins" });
    expect(await origins.getByRole("row", { name: /http:\/\/evil\.test/ }).textContent()).toMatch(/3$/);
    await screenshot(page, "dashboard");
    // A recent decision opens explain prefilled with what the gateway saw.
    await page
      .getByRole("link", { name: /Explain OPTIONS \/items from http:\/\/old\.test/ })
      .first()
      .click();
    await expect
      .poll(() => page.getByRole("status").textContent(), { timeout: 10_000 })
      .toMatch(/^(allowed|blocked)/);
    expect(await page.getByLabel("Origin", { exact: true }).inputValue()).toBe("http://old.test");
    expect(await page.getByLabel("Method", { exact: true }).inputValue()).toBe("PUT");
    await expectAccessible(page);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("flow 9: the diff shows the changed line; restore brings the old behaviour back on the data plane", {
    timeout: 120_000,
  }, async () => {
    const changed = await node.admin("PUT", "/admin/v1/cors-policies/shop", {
      name: "shop",
      allowOrigins: ["http://new.test"],
      allowMethods: ["GET", "PUT"],
      allowHeaders: ["X-Sdk-Date"],
    });
    expect(changed.status).toBe(200);
    expect((await preflight(node, "http://old.test")).status).toBe(403);
    const { page, context, cspViolations } = await openConsole(launched.browser, node);
    await go(page, "Revisions");
    const first = page.getByRole("row", { name: /#1\b/ });
    await first.waitFor();
    expect(await page.getByRole("row", { name: /#2\b/ }).textContent()).toContain(
      "replace cors-policies/shop",
    );
    await first.getByRole("button", { name: /^Diff/ }).click();
    const diff = page.getByTitle("Diff of revision #1 against the current configuration");
    await expect.poll(() => diff.textContent(), { timeout: 10_000 }).toContain("- http://old.test");
    const lines = await diff.locator(".diff-del, .diff-add").allTextContents();
    expect(lines).toEqual(["removed: -       - http://old.test\n", "added: +       - http://new.test\n"]);
    await screenshot(page, "revisions-diff");
    await first.getByRole("button", { name: /^Restore/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Restore revision #1?");
    await screenshot(page, "revisions-restore-dialog");
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Restore" }).click();
    await page.getByRole("status").filter({ hasText: "Restored revision #1" }).waitFor();
    expect(await page.getByRole("status").textContent()).toContain("live as revision #3");
    // Within a second every node serves it; this one at once.
    await expect
      .poll(async () => (await preflight(node, "http://old.test")).status, { timeout: 3000 })
      .toBe(200);
    expect((await preflight(node, "http://new.test")).status).toBe(403);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("flow 9: a stale restore (412) is explained and nothing is restored", { timeout: 120_000 }, async () => {
    const { page, context } = await openConsole(launched.browser, node);
    await go(page, "Revisions");
    await page.getByRole("row", { name: /#3\b/ }).waitFor();
    // Someone else changes the configuration after the list was loaded.
    const other = await node.admin("PUT", "/admin/v1/cors-policies/shop", {
      name: "shop",
      allowOrigins: ["http://third.test"],
    });
    expect(other.status).toBe(200);
    await page
      .getByRole("row", { name: /#2\b/ })
      .getByRole("button", { name: /^Restore/ })
      .click();
    await page.getByRole("dialog").getByRole("button", { name: "Restore" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /Nothing was restored: the configuration moved on to revision #4/,
    );
    const head = await node.admin("GET", "/admin/v1/revisions?limit=1");
    expect(head.json.revisions[0].number).toBe(4);
    await screenshot(page, "revisions-412");
    await context.close();
  });

  it("flow 11: an OpenAPI file with x-amazon-apigateway-cors is previewed, then applied", {
    timeout: 120_000,
  }, async () => {
    const { page, context, cspViolations } = await openConsole(launched.browser, node);
    await go(page, "Configuration");
    const yaml = page.getByRole("textbox", { name: "Configuration YAML" });
    await expect.poll(() => yaml.textContent(), { timeout: 10_000 }).toContain("name: shop");
    await screenshot(page, "configuration");
    const before = (await node.admin("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number;
    await page.getByLabel("OpenAPI document").fill(stringify(HTTP_API));
    await page.getByRole("button", { name: "Preview import" }).click();
    const preview = page.getByRole("region", { name: "Import preview" });
    await preview.waitFor();
    expect(await preview.getByRole("status").textContent()).toContain("Ready to apply");
    const changes = await preview.getByRole("listitem").allTextContents();
    expect(changes).toContain("add group orders-http-api");
    expect(changes).toContain("add CORS policy orders-http-api-cors");
    expect(changes.some((c) => c.startsWith("add API "))).toBe(true);
    // A preview applies nothing.
    expect((await node.admin("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number).toBe(before);
    await screenshot(page, "configuration-import-preview");
    await page.getByRole("button", { name: "Apply import" }).click();
    await page.getByRole("status").filter({ hasText: "Imported" }).waitFor();
    expect((await node.admin("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number).toBe(
      before + 1,
    );
    const policy = await node.admin("GET", "/admin/v1/cors-policies/orders-http-api-cors");
    expect(policy.json.allowOrigins).toEqual(["https://app.example.com"]);
    await expect.poll(() => yaml.textContent(), { timeout: 10_000 }).toContain("orders-http-api-cors");
    // The imported policy answers preflights. Amazon's server URL names the vendor's endpoint and its
    // stage (/v1): neither becomes a domain or a base path (docs/import-export.md), so the path is /orders.
    const answer = await node.data("OPTIONS", "/orders", {
      origin: "https://app.example.com",
      "access-control-request-method": "GET",
      "access-control-request-headers": "content-type",
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-max-age"]).toBe("600");
    await expectAccessible(page);
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
