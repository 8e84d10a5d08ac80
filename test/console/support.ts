/**
 * The console's browser tests: a real crossgate (the CLI from dist/, store mode on a temporary SQLite
 * file, seeded explicitly) and Debian's Chromium driven by playwright-core. Controls are found by role
 * and accessible name, as CONSOLE.md names them.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { stringify } from "yaml";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";
import { send, type TestResponse } from "../support/gateway.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SCREENSHOTS = join(ROOT, ".tmp", "console-screenshots");

export interface AdminAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected field by field
  readonly json: any;
  readonly headers: Headers;
}

export interface ConsoleNode {
  readonly gatewayUrl: string;
  readonly adminUrl: string;
  readonly token: string;
  readonly process: GatewayProcess;
  /** Calls the admin API with the token. */
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<AdminAnswer>;
  /** A request to the data plane. */
  data(method: string, path: string, headers?: Record<string, string>): Promise<TestResponse>;
  stop(): Promise<void>;
}

/** Starts `crossgate start` on a new SQLite store seeded with `seed` (an empty configuration by default). */
export async function startNode(seed: unknown = {}): Promise<ConsoleNode> {
  const dir = mkdtempSync(join(tmpdir(), "crossgate-console-"));
  const seedFile = join(dir, "seed.yaml");
  writeFileSync(seedFile, stringify(seed));
  const token = randomBytes(24).toString("hex");
  const proc = await spawnGateway(
    [
      "--store",
      `sqlite:${join(dir, "crossgate.db")}`,
      "--seed",
      seedFile,
      "--listen",
      "127.0.0.1:0",
      "--admin",
      "127.0.0.1:0",
      "--no-access-log",
    ],
    { CROSSGATE_ADMIN_TOKEN: token },
  );
  const line = await proc.waitFor(/admin API on (http:\/\/[0-9.:]+)/);
  const adminUrl = (/http:\/\/[0-9.:]+/.exec(line) as RegExpExecArray)[0];
  return {
    gatewayUrl: proc.url,
    adminUrl,
    token,
    process: proc,
    async admin(method, path, body, headers = {}) {
      const res = await fetch(new URL(path, adminUrl), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text === "" ? undefined : JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json, headers: res.headers };
    },
    data: (method, path, headers = {}) => send(proc.url, method, path, headers),
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console messages that report a Content-Security-Policy violation (there must be none). */
  readonly cspViolations: string[];
}

/** A 1280x800 page on the console, signed in unless told otherwise. */
export async function openConsole(browser: Browser, node: ConsoleNode, signIn = true): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(`${node.adminUrl}/console/`);
  if (signIn) {
    await page.getByLabel("Admin token").fill(node.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Dashboard" }).waitFor();
  }
  return { context, page, cspViolations };
}

/** Goes to a console page through its navigation link (the console keeps the token in memory only). */
export async function go(page: Page, link: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link, exact: true }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

const AXE = readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP, which
 * forbids injected scripts, stays on) and returns its serious and critical violations.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = (await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the evaluated source defined
    const axe = (globalThis as any).axe;
    // biome-ignore lint/suspicious/noExplicitAny: the page's document (this runs in the browser)
    const result = await axe.run((globalThis as any).document, { resultTypes: ["violations"] });
    return result.violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}

export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

export const HERE = dirname(fileURLToPath(import.meta.url));
