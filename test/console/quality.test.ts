/**
 * CONSOLE.md flow 13 in headless Chromium against a real crossgate: a no-op save makes no revision,
 * leaving unsaved changes asks first, the admin API going away shows a banner, markup from the
 * configuration or from requests renders as text, and a whole flow works with the keyboard alone.
 */
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium, type LaunchedBrowser, launchBrowser } from "../support/chromium.js";
import { type ConsoleNode, expectAccessible, go, openConsole, screenshot, startNode } from "./support.js";

const MARKUP = `<img src=x onerror="globalThis.__xss=1"><b>bold</b>`;

const SEED = {
  corsPolicies: [{ name: "web", allowOrigins: ["https://app.example.com"], maxAge: 60 }],
  apis: [
    {
      name: "items",
      description: MARKUP,
      method: "GET",
      path: "/items",
      corsPolicy: "web",
      backend: { type: "mock", body: "[]" },
    },
  ],
};

async function head(node: ConsoleNode): Promise<number> {
  return (await node.admin("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number;
}

/** Presses Tab until `target` has the focus (at most `max` times); fails when it never gets it. */
async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`${target} never got the focus with Tab`);
}

async function focusRing(target: Locator): Promise<string> {
  return target.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).outlineStyle ?? "none");
}

describeWithChromium(
  "console flow 13: no-op saves, unsaved changes, lost connection, markup, keyboard",
  () => {
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

    it("a no-op save makes no revision", { timeout: 120_000 }, async () => {
      const before = await head(node);
      const { page, context } = await openConsole(launched.browser, node);
      await go(page, "CORS policies");
      await page.getByRole("link", { name: "web", exact: true }).click();
      await page.getByText("No unsaved changes").waitFor();
      await page.getByRole("button", { name: "Save" }).click();
      const status = page.getByRole("status").filter({ hasText: "No changes" });
      await status.waitFor();
      expect(await status.textContent()).toContain("no revision was made");
      // A change and its undoing is no change either.
      await page.getByLabel("Max age").fill("61");
      await page.getByText("Saving makes it live").waitFor();
      await page.getByLabel("Max age").fill("60");
      await page.getByText("No unsaved changes").waitFor();
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").filter({ hasText: "No changes" }).waitFor();
      expect(await head(node)).toBe(before);
      await context.close();
    });

    it("leaving with unsaved changes asks first, in a dialog", { timeout: 120_000 }, async () => {
      const { page, context } = await openConsole(launched.browser, node);
      await go(page, "CORS policies");
      await page.getByRole("link", { name: "web", exact: true }).click();
      await page.getByLabel("Max age").fill("120");
      await page.getByText("Saving makes it live").waitFor();
      await go(page, "APIs");
      const dialog = page.getByRole("dialog", { name: "Leave without saving?" });
      await dialog.waitFor();
      await screenshot(page, "unsaved-changes-dialog");
      await expectAccessible(page);
      await dialog.getByRole("button", { name: "Stay" }).click();
      expect(await page.getByLabel("Max age").inputValue()).toBe("120");
      expect(await page.getByRole("heading", { name: "CORS policy web" }).count()).toBe(1);
      await go(page, "APIs");
      await page.getByRole("dialog").getByRole("button", { name: "Leave" }).click();
      await page.getByRole("heading", { name: "APIs" }).waitFor();
      expect((await node.admin("GET", "/admin/v1/cors-policies/web")).json.maxAge).toBe(60);
      await context.close();
    });

    it("leaving right after a keystroke, before the draft's check answers, asks too", {
      timeout: 120_000,
    }, async () => {
      const { page, context } = await openConsole(launched.browser, node);
      await go(page, "CORS policies");
      await page.getByRole("link", { name: "web", exact: true }).click();
      await page.getByText("No unsaved changes").waitFor();
      // From now on every draft check answers after 2 s: the edit below is not yet checked when leaving.
      await page.route("**/admin/v1/preview/**", async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await route.continue().catch(() => {});
      });
      await page.getByLabel("Max age").fill("7");
      await go(page, "APIs");
      const dialog = page.getByRole("dialog", { name: "Leave without saving?" });
      await dialog.waitFor();
      expect(await page.getByText("Checking…").count()).toBeGreaterThan(0);
      await dialog.getByRole("button", { name: "Stay" }).click();
      expect(await page.getByLabel("Max age").inputValue()).toBe("7");
      await context.close();
    });

    it("markup in the configuration and in requests renders as text, never as HTML", {
      timeout: 120_000,
    }, async () => {
      const evil = `"><script>globalThis.__xss=2</script><img src=y onerror="globalThis.__xss=3">`;
      expect((await node.data("GET", "/items", { origin: evil })).status).toBe(403);
      const { page, context, cspViolations } = await openConsole(launched.browser, node);
      await go(page, "APIs");
      await page.getByText(MARKUP, { exact: true }).waitFor();
      await go(page, "Dashboard");
      const origins = page.getByRole("region", { name: "Top refused origins" });
      await expect.poll(() => origins.textContent(), { timeout: 10_000 }).toContain(evil);
      await page.getByRole("region", { name: "Recent decisions" }).getByText(evil).first().waitFor();
      expect(await page.locator("img[src='x'], img[src='y'], main script").count()).toBe(0);
      expect(await page.evaluate("globalThis.__xss")).toBeUndefined();
      await screenshot(page, "markup-as-text");
      expect(cspViolations).toEqual([]);
      await context.close();
    });

    it("a whole flow works with the keyboard alone, with a visible focus", { timeout: 120_000 }, async () => {
      const before = await head(node);
      const { page, context } = await openConsole(launched.browser, node, false);
      await tabTo(page, page.getByLabel("Admin token"));
      await page.keyboard.type(node.token);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      const policies = page.getByRole("link", { name: "CORS policies", exact: true });
      await tabTo(page, policies);
      expect(await focusRing(policies)).not.toBe("none");
      await page.keyboard.press("Enter");
      const create = page.getByRole("button", { name: "New policy" });
      await tabTo(page, create);
      expect(await focusRing(create)).not.toBe("none");
      await page.keyboard.press("Enter");
      await tabTo(page, page.getByLabel("Name", { exact: true }));
      await page.keyboard.type("keyboard");
      await tabTo(page, page.getByLabel("Allowed origins"));
      await page.keyboard.type("https://kb.example.com");
      await page.keyboard.press("Enter");
      await page.keyboard.type("https://*.kb.example.com");
      const credentials = page.getByLabel("Allow credentials");
      await tabTo(page, credentials);
      await page.keyboard.press("Space");
      expect(await credentials.isChecked()).toBe(true);
      await tabTo(page, page.getByLabel("Test origin"));
      await page.keyboard.type("https://a.kb.example.com");
      await expect
        .poll(() => page.getByRole("region", { name: "Origin tester" }).getByRole("status").textContent(), {
          timeout: 10_000,
        })
        .toContain("allowed by https://*.kb.example.com");
      const save = page.getByRole("button", { name: "Save" });
      await tabTo(page, save, 120);
      expect(await focusRing(save)).not.toBe("none");
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
      expect(await head(node)).toBe(before + 1);
      expect((await node.admin("GET", "/admin/v1/cors-policies/keyboard")).json.allowCredentials).toBe(true);
      // A dialog is answered with the keyboard too: Escape stays.
      await page.getByRole("heading", { name: "CORS policy keyboard" }).waitFor();
      await page.getByLabel("Max age").fill("5");
      await page.getByText("Saving makes it live").waitFor();
      await go(page, "Revisions");
      await page.getByRole("dialog").waitFor();
      await page.keyboard.press("Escape");
      expect(await page.getByRole("dialog").count()).toBe(0);
      await context.close();
    });

    it("the admin API going away shows a banner", { timeout: 120_000 }, async () => {
      const other = await startNode({});
      const { page, context } = await openConsole(launched.browser, other);
      expect(await page.getByRole("alert").count()).toBe(0);
      await other.stop();
      const banner = page.getByRole("alert").filter({ hasText: "not answering" });
      await banner.waitFor({ timeout: 15_000 });
      await screenshot(page, "connection-lost");
      await context.close();
    });
  },
);
