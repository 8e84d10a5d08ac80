/**
 * CONSOLE.md flows 4, 5 and 6 in headless Chromium against a real crossgate: creating the seeds' APIs
 * (with a duplicate route caught while typing), the Test tab through the real gateway, and explain
 * on the webMethods seed's rows, by form and by a pasted Chromium error.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type ConsoleNode, expectAccessible, go, openConsole, screenshot, startNode } from "./support.js";

const SEED = {
  groups: [
    { name: "huawei", domains: ["www.test.com"] },
    { name: "webmethods", domains: ["wm.test"] },
  ],
  corsPolicies: [
    {
      name: "app-policy",
      allowOrigins: ["http://app.test"],
      allowMethods: ["GET", "PUT"],
      allowHeaders: ["X-Sdk-Date"],
    },
    {
      name: "wm-policy",
      allowOrigins: ["http://test2.com"],
      allowMethods: ["POST", "GET", "PUT"],
      allowHeaders: ["test1", "test2"],
      exposeHeaders: ["header1", "header2"],
      allowCredentials: true,
      maxAge: 100,
    },
  ],
  apis: [
    {
      name: "orders",
      group: "webmethods",
      method: "ANY",
      path: "/orders",
      corsPolicy: "wm-policy",
      backend: { type: "mock", body: "[]" },
    },
  ],
};

async function newApi(
  page: Page,
  fields: {
    name: string;
    group?: string;
    method: string;
    path: string;
    match?: string;
    toggle?: boolean;
    policy?: string;
    status?: string;
    body?: string;
  },
): Promise<void> {
  await go(page, "APIs");
  await page.getByRole("button", { name: "New API" }).click();
  await page.getByLabel("Name", { exact: true }).fill(fields.name);
  if (fields.group) await page.getByLabel("Group").selectOption(fields.group);
  await page.getByLabel("Method").selectOption(fields.method);
  await page.getByLabel("Path").fill(fields.path);
  await page.getByLabel("Match").selectOption(fields.match ?? "exact");
  if (fields.toggle) await page.getByLabel("CORS toggle").check();
  if (fields.policy) await page.getByLabel("CORS policy").selectOption(fields.policy);
  await page.getByLabel("Backend type").selectOption("mock");
  if (fields.status) await page.getByLabel("Status").fill(fields.status);
  if (fields.body !== undefined) await page.getByLabel("Body").fill(fields.body);
}

async function problemsNextTo(page: Page, label: string): Promise<string> {
  const ids = (await page.getByLabel(label, { exact: true }).getAttribute("aria-describedby")) ?? "";
  const texts: string[] = [];
  for (const id of ids.split(" ").filter(Boolean))
    texts.push((await page.locator(`[id="${id}"]`).textContent()) ?? "");
  return texts.join(" ");
}

/** The rows of a headers table in a region, as `name: value` lines. */
async function headerRows(page: Page, region: string, caption: string): Promise<string[]> {
  const table = page.getByRole("region", { name: region }).getByRole("table", { name: caption });
  const rows = await table.getByRole("row").allTextContents();
  return rows.slice(1);
}

describeWithChromium("console flows: APIs, the Test tab, explain", () => {
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

  it("flow 4: the seeds' APIs are created in the three areas; a duplicate route is flagged while typing", {
    timeout: 120_000,
  }, async () => {
    const { page, context, cspViolations } = await openConsole(launched.browser, node);
    await newApi(page, {
      name: "simple",
      group: "huawei",
      method: "GET",
      path: "/simple",
      toggle: true,
      status: "200",
      body: '{"status":"200"}',
    });
    for (const legend of ["Frontend", "Security", "Backend"])
      await page.getByRole("group", { name: legend }).waitFor();
    await expect.poll(() => page.getByTitle("The API as YAML").textContent()).toContain("cors: true");
    await screenshot(page, "api-editor");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

    await newApi(page, {
      name: "options",
      group: "huawei",
      method: "OPTIONS",
      path: "/",
      match: "prefix",
      toggle: true,
      status: "200",
      body: '{"status":"200"}',
    });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

    await newApi(page, {
      name: "bound",
      method: "PUT",
      path: "/bound",
      policy: "app-policy",
      status: "200",
      body: "ok",
    });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

    // The same route again: flagged at the Path field before any save.
    await newApi(page, { name: "simple-again", group: "huawei", method: "GET", path: "/simple" });
    await expect.poll(() => problemsNextTo(page, "Path"), { timeout: 10_000 }).toMatch(/already served by/);
    expect(await page.getByLabel("Path").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "api-duplicate-route");
    await page.getByLabel("Path").fill("/simple2");
    await expect
      .poll(() => problemsNextTo(page, "Path"), { timeout: 10_000 })
      .not.toMatch(/already served by/);

    const stored = (await node.admin("GET", "/admin/v1/apis")).json.items.map(
      (a: { name: string }) => a.name,
    );
    expect(stored).toEqual(["orders", "simple", "options", "bound"]);
    // The seed's scenario 1 and 3 through the gateway the console configured.
    const simple = await node.data("GET", "/simple", { host: "www.test.com", origin: "http://www.cors.com" });
    expect([simple.status, simple.body, simple.headers["access-control-allow-origin"]]).toEqual([
      200,
      '{"status":"200"}',
      "*",
    ]);
    const preflight = await node.data("OPTIONS", "/", {
      host: "www.test.com",
      origin: "http://www.cors.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "X-Sdk-Date",
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers["access-control-allow-methods"]).toBe("GET,POST,PUT,DELETE,HEAD,OPTIONS,PATCH");

    await go(page, "APIs");
    // Leaving the unsaved draft asks first.
    const dialog = page.getByRole("dialog");
    if (await dialog.isVisible()) await dialog.getByRole("button", { name: "Leave" }).click();
    await page.getByRole("heading", { name: "APIs" }).waitFor();
    await page.getByLabel("Search APIs").fill("bound");
    await expect.poll(() => page.getByRole("row").count()).toBe(2);
    expect(await page.getByRole("row", { name: /bound/ }).textContent()).toContain("policy app-policy");
    await page.getByLabel("Search APIs").fill("");
    await screenshot(page, "apis-list");
    await expectAccessible(page);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("flow 5: the Test tab sends the preflight and the request through the gateway; a refused origin shows the reason and Chromium's sentence", {
    timeout: 120_000,
  }, async () => {
    const { page, context } = await openConsole(launched.browser, node);
    await go(page, "APIs");
    await page.getByRole("link", { name: "bound", exact: true }).click();
    await page.getByRole("tab", { name: "Test" }).click();
    await page.getByLabel("Origin").fill("http://app.test");
    await page.getByLabel("Request headers").fill("X-Sdk-Date: 20240101");
    await page.getByRole("button", { name: "Send test request" }).click();
    const verdict = page.getByRole("status");
    await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toMatch(/^allowed/);
    const preflightHeaders = await headerRows(page, "Preflight exchange", "Response headers");
    expect(preflightHeaders).toContain("Access-Control-Allow-Originhttp://app.test");
    expect(preflightHeaders).toContain("Access-Control-Allow-MethodsGET,PUT");
    const actualHeaders = await headerRows(page, "Actual exchange", "Response headers");
    expect(actualHeaders).toContain("Access-Control-Allow-Originhttp://app.test");
    for (const region of ["Preflight exchange", "Actual exchange"]) {
      expect(await page.getByRole("region", { name: region }).textContent()).toMatch(
        /Request id [0-9a-f]{32}/,
      );
    }
    await screenshot(page, "api-test-allowed");

    await page.getByLabel("Origin").fill("http://evil.test");
    await page.getByRole("button", { name: "Send test request" }).click();
    await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toMatch(/^blocked/);
    const preflight = page.getByRole("region", { name: "Preflight exchange" });
    expect(await preflight.textContent()).toContain("403");
    expect(await preflight.textContent()).toContain(
      "CORS_ORIGIN_NOT_ALLOWED: Specified Origin is not allowed",
    );
    expect(await page.getByText("Gateway's reason").first().textContent()).toContain(
      "http://evil.test matches no allowed origin",
    );
    expect(await preflight.textContent()).toContain("Access to fetch at 'http://127.0.0.1:");
    expect(await preflight.textContent()).toContain(
      "from origin 'http://evil.test' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    expect(await page.getByRole("region", { name: "Actual exchange" }).count()).toBe(0);
    await screenshot(page, "api-test-refused");
    await expectAccessible(page);
    await context.close();
  });

  it("flow 6: explain gives the webMethods seed's rows (403, 405, 403, 200) with exact headers; a pasted Chromium error is parsed", {
    timeout: 120_000,
  }, async () => {
    const { page, context, cspViolations } = await openConsole(launched.browser, node);
    await go(page, "Explain");
    await screenshot(page, "explain-empty");
    const rows: {
      origin: string;
      method: string;
      headers: string;
      status: string;
      verdict: RegExp;
      text: string;
    }[] = [
      {
        origin: "http://test.com",
        method: "POST",
        headers: "test1, test2",
        status: "403",
        verdict: /^blocked/,
        text: "Specified Origin is not allowed",
      },
      {
        origin: "http://test2.com",
        method: "DELETE",
        headers: "test1, test2",
        status: "405",
        verdict: /^blocked/,
        text: "Method Not Allowed",
      },
      {
        origin: "http://test2.com",
        method: "POST",
        headers: "test3",
        status: "403",
        verdict: /^blocked/,
        text: "Header Not Supported",
      },
      {
        origin: "http://test2.com",
        method: "POST",
        headers: "test1",
        status: "200",
        verdict: /^allowed/,
        text: "preflight passes",
      },
    ];
    const verdict = page.getByRole("status");
    for (const row of rows) {
      await page.getByLabel("Host", { exact: true }).fill("wm.test");
      await page.getByLabel("Path", { exact: true }).fill("/orders");
      await page.getByLabel("Origin", { exact: true }).fill(row.origin);
      await page.getByLabel("Method", { exact: true }).fill(row.method);
      await page.getByLabel("Request headers", { exact: true }).fill(row.headers);
      await page.getByRole("button", { name: "Explain", exact: true }).click();
      await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toMatch(row.verdict);
      const preflight = page.getByRole("region", { name: "Preflight" });
      expect(await preflight.textContent()).toContain(row.text);
      expect(await preflight.textContent()).toContain(`: ${row.status}`);
      if (row.status !== "200") {
        expect(await preflight.getByText("Chromium's console says").count()).toBe(1);
        expect(await preflight.textContent()).toContain(
          `from origin '${row.origin}' has been blocked by CORS policy`,
        );
      }
    }
    // Row 4: exactly the seed's headers.
    const headers = await headerRows(page, "Preflight", "Response headers");
    expect(headers.filter((h) => h.startsWith("Access-Control")).sort()).toEqual([
      "Access-Control-Allow-Credentialstrue",
      "Access-Control-Allow-Headerstest1,test2",
      "Access-Control-Allow-MethodsPOST,GET,PUT",
      "Access-Control-Allow-Originhttp://test2.com",
      "Access-Control-Max-Age100",
    ]);
    await screenshot(page, "explain-allowed");
    // A shareable URL: opening it explains the same request.
    expect(page.url()).toContain("origin=http%3A%2F%2Ftest2.com");

    await page
      .getByLabel("Paste a Chromium console error or a curl command")
      .fill(
        "Access to fetch at 'http://wm.test/orders' from origin 'http://test.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.",
      );
    await page.getByRole("button", { name: "Read and explain" }).click();
    await expect.poll(() => page.getByLabel("Origin", { exact: true }).inputValue()).toBe("http://test.com");
    expect(await page.getByLabel("Host", { exact: true }).inputValue()).toBe("wm.test");
    expect(await page.getByLabel("Path", { exact: true }).inputValue()).toBe("/orders");
    await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toMatch(/^blocked/);
    expect(await page.getByText("Read as a Chromium console error").count()).toBe(1);
    await screenshot(page, "explain-pasted");
    await expectAccessible(page);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("groups: a new group with a default policy; each API's effective CORS source", {
    timeout: 120_000,
  }, async () => {
    const { page, context } = await openConsole(launched.browser, node);
    await go(page, "Groups");
    await page.getByRole("button", { name: "New group" }).click();
    const editor = page.getByRole("region", { name: "New group" });
    await editor.getByLabel("Name", { exact: true }).fill("partner");
    await editor.getByLabel("Domains").fill("partner.test");
    await editor.getByLabel("Base path").fill("v2");
    await expect
      .poll(async () => (await editor.getByText(/must start with/).count()) > 0, { timeout: 10_000 })
      .toBe(true);
    await editor.getByLabel("Base path").fill("/v2");
    await editor.getByLabel("Default CORS policy").selectOption("app-policy");
    await editor.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved group partner" }).waitFor();
    expect((await node.admin("GET", "/admin/v1/groups/partner")).json).toEqual({
      name: "partner",
      domains: ["partner.test"],
      basePath: "/v2",
      corsPolicy: "app-policy",
    });
    // An API in it without its own rules gets the group's default.
    const made = await node.admin("POST", "/admin/v1/apis", {
      name: "partner-items",
      group: "partner",
      method: "GET",
      path: "/items",
      backend: { type: "mock" },
    });
    expect(made.status).toBe(201);
    await go(page, "APIs");
    // A click right after the save navigates (the closed editor leaves no guard behind).
    await page.getByRole("heading", { name: "APIs" }).waitFor({ timeout: 5000 });
    await go(page, "Groups");
    const group = page.getByRole("region", { name: "partner" });
    await expect
      .poll(async () => (await group.getByRole("row", { name: /partner-items/ }).textContent()) ?? "", {
        timeout: 10_000,
      })
      .toContain("group partner: app-policy");
    expect(
      await page
        .getByRole("region", { name: "webmethods" })
        .getByRole("row", { name: /orders/ })
        .first()
        .textContent(),
    ).toContain("policy wm-policy");
    await screenshot(page, "groups");
    await context.close();
  });
});
