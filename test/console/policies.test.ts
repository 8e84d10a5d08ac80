/**
 * CONSOLE.md flows 1, 2, 3, 10 and 12 in headless Chromium against a real crossgate: signing in,
 * creating a CORS policy with inline lint, the origin tester, an application's JavaScript origins,
 * and two editors saving one policy.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type ConsoleNode, expectAccessible, go, openConsole, screenshot, startNode } from "./support.js";

async function revisionOf(node: ConsoleNode): Promise<number> {
  const answer = await node.admin("GET", "/admin/v1/revisions?limit=1");
  return answer.json.revisions[0].number;
}

/** The problems shown next to a field: the element its aria-describedby names. */
async function problemsNextTo(page: Page, label: string): Promise<string> {
  const ids = (await page.getByLabel(label, { exact: true }).getAttribute("aria-describedby")) ?? "";
  const texts: string[] = [];
  for (const id of ids.split(" ").filter(Boolean))
    texts.push((await page.locator(`[id="${id}"]`).textContent()) ?? "");
  return texts.join(" ");
}

describeWithChromium(
  "console flows: sign in, CORS policies, origin tester, applications, concurrent edits",
  () => {
    let launched: LaunchedBrowser;
    let node: ConsoleNode;

    beforeAll(async () => {
      node = await startNode({});
      launched = await launchBrowser();
    });
    afterAll(async () => {
      await launched?.close();
      await node?.stop();
    });

    it("flow 1: a bad token is refused with an alert; the right one signs in", {
      timeout: 120_000,
    }, async () => {
      const { page, context, cspViolations } = await openConsole(launched.browser, node, false);
      await expect.poll(() => page.title()).toContain("Sign in");
      await screenshot(page, "sign-in");
      await page.getByLabel("Admin token").fill("not-the-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toContain("refused");
      await screenshot(page, "sign-in-refused");
      await expectAccessible(page);
      await page.getByLabel("Admin token").fill(node.token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      for (const name of [
        "Dashboard",
        "APIs",
        "CORS policies",
        "Applications",
        "Explain",
        "Revisions",
        "Configuration",
      ]) {
        await page.getByRole("link", { name, exact: true }).waitFor();
      }
      // The token is in memory only: not in storage, not in a cookie.
      const stored = String(
        await page.evaluate(
          "JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie",
        ),
      );
      expect(stored).not.toContain(node.token);
      expect((await context.cookies()).length).toBe(0);
      await page.reload();
      await page.getByLabel("Admin token").waitFor();
      expect(cspViolations).toEqual([]);
      await context.close();
    });

    it("flow 2: * with credentials is a field error and stores nothing; fixed, Save makes a new revision", {
      timeout: 120_000,
    }, async () => {
      const { page, context, cspViolations } = await openConsole(launched.browser, node);
      const before = await revisionOf(node);
      await go(page, "CORS policies");
      await screenshot(page, "policies-empty");
      await page.getByRole("button", { name: "New policy" }).click();
      await page.getByLabel("Name", { exact: true }).fill("web");
      await page
        .getByLabel("Allowed origins")
        .fill("https://app.example.com\nhttps://*.example.com\n^https://[a-z0-9-]+\\.example\\.org$\n*");
      await page.getByLabel("Allowed methods").fill("GET\nPOST\nPUT");
      await page.getByLabel("Allowed headers").fill("Content-Type");
      await page.getByLabel("Allow credentials").check();
      await expect
        .poll(() => problemsNextTo(page, "Allowed origins"), { timeout: 10_000 })
        .toMatch(/credentials/i);
      expect(await page.getByLabel("Allowed origins").getAttribute("aria-invalid")).toBe("true");
      await screenshot(page, "policy-field-error");
      await page.getByRole("button", { name: "Save" }).click();
      await expect
        .poll(async () => (await page.getByRole("alert").allTextContents()).join(" "))
        .toContain("Not saved");
      expect((await node.admin("GET", "/admin/v1/cors-policies/web")).status).toBe(404);
      expect(await revisionOf(node)).toBe(before);

      await page
        .getByLabel("Allowed origins")
        .fill("https://app.example.com\nhttps://*.example.com\n^https://[a-z0-9-]+\\.example\\.org$");
      await expect
        .poll(() => problemsNextTo(page, "Allowed origins"), { timeout: 10_000 })
        .not.toMatch(/credentials/i);
      await page.getByRole("button", { name: "Save" }).click();
      const saved = page.getByRole("status").filter({ hasText: "Saved" });
      await saved.waitFor();
      expect(await saved.textContent()).toContain(`revision #${before + 1}`);
      expect(await revisionOf(node)).toBe(before + 1);
      const stored = await node.admin("GET", "/admin/v1/cors-policies/web");
      expect(stored.json).toEqual({
        name: "web",
        allowOrigins: ["https://app.example.com", "https://*.example.com"],
        allowOriginPatterns: ["^https://[a-z0-9-]+\\.example\\.org$"],
        allowMethods: ["GET", "POST", "PUT"],
        allowHeaders: ["Content-Type"],
        allowCredentials: true,
      });
      await screenshot(page, "policy-saved");
      expect(cspViolations).toEqual([]);
      await context.close();
    });

    it("flow 3: the origin tester names the rule that allows, and refuses the look-alikes", {
      timeout: 120_000,
    }, async () => {
      const { page, context } = await openConsole(launched.browser, node);
      await go(page, "CORS policies");
      await page.getByRole("link", { name: "web", exact: true }).click();
      const tester = page.getByLabel("Test origin");
      const verdict = page.getByRole("region", { name: "Origin tester" }).getByRole("status");
      const cases: [string, RegExp][] = [
        ["https://a.example.com", /allowed by https:\/\/\*\.example\.com/],
        ["https://app.example.com", /allowed by https:\/\/app\.example\.com/],
        ["https://shop.example.org", /allowed by \^https:\/\/\[a-z0-9-\]\+\\\.example\\\.org\$/],
        ["https://example.com", /refused.*ORIGIN_NOT_ALLOWED/],
        ["https://evil-example.com", /refused.*ORIGIN_NOT_ALLOWED/],
      ];
      for (const [origin, expected] of cases) {
        await tester.fill(origin);
        await expect.poll(() => verdict.textContent(), { timeout: 10_000 }).toMatch(expected);
      }
      await tester.fill("https://a.example.com");
      await page.getByRole("button", { name: "Test", exact: true }).click();
      await expect.poll(() => verdict.textContent()).toMatch(/^allowed/);
      // The preflight preview is the engine's answer for that origin.
      const preflight = page.getByRole("region", { name: "Preflight answer" });
      await expect.poll(() => preflight.textContent()).toContain("https://a.example.com");
      expect(await preflight.textContent()).toContain("Access-Control-Allow-Credentials");
      await screenshot(page, "policy-tester");
      await expectAccessible(page);
      await context.close();
    });

    it("flow 10: an application's JavaScript origin is admitted by the policy via the application", {
      timeout: 120_000,
    }, async () => {
      const made = await node.admin("POST", "/admin/v1/apis", {
        name: "orders",
        method: "POST",
        path: "/orders",
        corsPolicy: "web",
        backend: { type: "mock", status: 201 },
      });
      expect(made.status).toBe(201);
      const { page, context } = await openConsole(launched.browser, node);
      await go(page, "Applications");
      await screenshot(page, "apps-empty");
      await page.getByRole("button", { name: "New application" }).click();
      await page.getByLabel("Name", { exact: true }).fill("storefront");
      await page.getByLabel("JavaScript origins").fill("http://test2.com");
      await page.getByRole("checkbox", { name: /orders/ }).check();
      await page.getByRole("button", { name: "Save" }).click();
      const key = page.getByRole("textbox", { name: "New API key" });
      await key.waitFor();
      expect(await key.inputValue()).toMatch(/^cgk_/);
      await screenshot(page, "apps-key-once");
      const row = page.getByRole("row", { name: /storefront/ });
      expect(await row.textContent()).toContain("web");

      await go(page, "CORS policies");
      await page.getByRole("link", { name: "web", exact: true }).click();
      await page.getByLabel("Test origin").fill("http://test2.com");
      const verdict = page.getByRole("region", { name: "Origin tester" }).getByRole("status");
      await expect
        .poll(() => verdict.textContent(), { timeout: 10_000 })
        .toMatch(/allowed via application storefront/);
      const effective = page.getByRole("region", { name: "Effective origins" });
      expect(await effective.textContent()).toContain("http://test2.com");
      expect(await effective.textContent()).toContain("application storefront");
      expect(await page.getByRole("region", { name: "Bound APIs" }).textContent()).toContain("orders");
      await screenshot(page, "policy-application-origin");
      // And the gateway agrees.
      const res = await node.data("OPTIONS", "/orders", {
        origin: "http://test2.com",
        "access-control-request-method": "POST",
      });
      expect(res.status).toBe(200);
      expect(res.headers["access-control-allow-origin"]).toBe("http://test2.com");
      await context.close();
    });

    it("an opened policy is checked as loaded: no check of the empty form the page starts from", {
      timeout: 120_000,
    }, async () => {
      const made = await node.admin("POST", "/admin/v1/cors-policies", {
        name: "as-loaded",
        allowOrigins: ["https://as-loaded.example.com"],
        maxAge: 30,
      });
      expect(made.status).toBe(201);
      const { page, context } = await openConsole(launched.browser, node);
      const checked: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/admin/v1/preview/cors-policies")) {
          checked.push(JSON.parse(request.postData() ?? "{}").item?.name ?? "(none)");
        }
      });
      await go(page, "CORS policies");
      await page.getByRole("link", { name: "as-loaded", exact: true }).click();
      await page.getByLabel("Max age").waitFor();
      // Watched for a second (long enough for a check of a stale draft to be sent and answered): the
      // Name field never shows the empty form's "name is required".
      const name = page.getByLabel("Name", { exact: true });
      const invalid: string[] = [];
      for (const until = Date.now() + 1000; Date.now() < until; ) {
        const state = await name.getAttribute("aria-invalid");
        if (state !== null) invalid.push(state);
      }
      expect(invalid).toEqual([]);
      expect(checked.length).toBeGreaterThan(0);
      expect(checked).toEqual(checked.map(() => "as-loaded"));
      await context.close();
    });

    it("flow 12: two editors save one policy: the second Save explains the 412 and loses neither edit", {
      timeout: 120_000,
    }, async () => {
      const a = await openConsole(launched.browser, node);
      const b = await openConsole(launched.browser, node);
      for (const { page } of [a, b]) {
        await go(page, "CORS policies");
        await page.getByRole("link", { name: "web", exact: true }).click();
        await page.getByLabel("Max age").waitFor();
      }
      await a.page.getByLabel("Max age").fill("600");
      await b.page.getByLabel("Allowed headers").fill("Content-Type\nX-Sdk-Date");
      await a.page.getByRole("button", { name: "Save" }).click();
      await a.page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

      await b.page.getByRole("button", { name: "Save" }).click();
      const conflict = b.page.getByRole("alert").filter({ hasText: "412" });
      await conflict.waitFor();
      expect(await conflict.textContent()).toMatch(/changed while you were editing/);
      expect(await b.page.getByLabel("Allowed headers").inputValue()).toContain("X-Sdk-Date");
      await screenshot(b.page, "policy-412");
      await b.page.getByRole("button", { name: "Merge my changes into theirs" }).click();
      await expect.poll(() => b.page.getByLabel("Max age").inputValue()).toBe("600");
      expect(await b.page.getByLabel("Allowed headers").inputValue()).toContain("X-Sdk-Date");
      await b.page.getByRole("button", { name: "Save" }).click();
      await b.page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
      const stored = await node.admin("GET", "/admin/v1/cors-policies/web");
      expect(stored.json.maxAge).toBe(600);
      expect(stored.json.allowHeaders).toEqual(["Content-Type", "X-Sdk-Date"]);
      await a.context.close();
      await b.context.close();
    });
  },
);
