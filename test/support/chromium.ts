/**
 * A real headless Chromium for tests, driven by playwright-core against the system's Chromium
 * (Debian's `chromium` package: /usr/bin/chromium), never a browser build that Playwright downloads.
 *
 * Playwright's default switches are all dropped (`ignoreDefaultArgs: true`): several of them change how the
 * browser treats cross-origin requests, and these tests exist to observe exactly that behaviour. Every
 * host name ending in `.test` resolves to 127.0.0.1, so a test serves its page from `http://app.test:PORT/`
 * and its API from `http://api.test:PORT2/` — two real, distinct origins — with servers bound to 127.0.0.1.
 */
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { type Dependency, describeWithDependency, type SuiteFactory } from "./dependency.js";

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function chromiumDependency(): Dependency {
  const path = chromiumPath();
  return {
    available: isExecutable(path),
    missingMessage:
      `Chromium not found at ${path}: install it with \`apt-get install -y chromium\` ` +
      "(or set CHROMIUM_PATH to a Chromium executable)",
  };
}

/** Returns the Chromium executable, or throws the install hint when it is missing. */
export function requireChromium(): string {
  const dependency = chromiumDependency();
  if (!dependency.available) throw new Error(dependency.missingMessage);
  return chromiumPath();
}

/**
 * `describe` for suites that need Chromium: runs when it is installed; when it is missing, fails every test
 * if `CI=true` and skips the suite otherwise.
 */
export function describeWithChromium(name: string, fn: SuiteFactory): void {
  describeWithDependency(chromiumDependency(), name, fn);
}

export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

/**
 * Launches Chromium; `extraArgs` are added to the required switches, e.g. for HTTPS tests
 * `--ignore-certificate-errors-spki-list=<base64 SHA-256 of the test key's SPKI>` (test/support/tls.ts
 * spkiHash), which makes Chromium trust certificates of that key as if a public CA had issued them.
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<LaunchedBrowser> {
  const executablePath = requireChromium();
  const userDataDir = await mkdtemp(join(tmpdir(), "crossgate-chromium-"));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath,
      ignoreDefaultArgs: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--remote-debugging-pipe",
        `--user-data-dir=${userDataDir}`,
        // One element, value unquoted: there is no shell here, and quotes would make Chromium ignore the rule.
        "--host-resolver-rules=MAP *.test 127.0.0.1",
        ...extraArgs,
      ],
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    browser,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await browser.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      }
    },
  };
}
