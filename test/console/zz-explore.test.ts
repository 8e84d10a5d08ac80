import { test } from "vitest";
import { launchBrowser } from "../support/chromium.js";
import { go, openConsole, screenshot, startNode } from "./support.js";

test("explore", async () => {
  const node = await startNode({ groups: [{ name: "huawei", domains: ["www.test.com"] }] });
  const b = await launchBrowser();
  try {
    const { page } = await openConsole(b.browser, node);
    await go(page, "APIs");
    await page.getByRole("button", { name: "New API" }).click();
    await page.getByLabel("Name", { exact: true }).fill("simple");
    await page.getByLabel("Group").selectOption("huawei");
    await page.getByLabel("Method").selectOption("GET");
    await page.getByLabel("Path").fill("/simple");
    await page.getByLabel("Match").selectOption("exact");
    await page.getByLabel("Backend type").selectOption("mock");
    await page.getByLabel("Status").fill("200");
    await page.getByLabel("CORS toggle").check();
    await page.getByLabel("Body").fill('{"status":"200"}');
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await screenshot(page, "zz-after-save");
    console.log(await page.locator(".sticky-actions").textContent(), page.url());
    console.log(await page.getByTitle("The API as YAML").textContent());
    console.log(JSON.stringify((await node.admin("GET", "/admin/v1/apis/simple")).json));
    await go(page, "APIs");
    await page.waitForTimeout(1500);
    await screenshot(page, "zz-after-go");
    console.log("dialog", await page.getByRole("dialog").count(), page.url());
  } finally {
    await b.close();
    await node.stop();
  }
}, 120000);
