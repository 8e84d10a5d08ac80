import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdmin, startAdmin } from "../../src/admin/server.js";
import { sha256Hex } from "../../src/admin/token.js";
import { compileConfig } from "../../src/config/compile.js";
import { StaticSource } from "../../src/control/static-source.js";
import { silentLogger } from "../../src/logger.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";

/** A built console as Vite lays it out: index.html and hashed assets. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), "crossgate-console-build-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><html><head><script type="module" crossorigin src="/console/assets/index-AbCdEf12.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dir, "assets", "index-AbCdEf12.js"), "console.log('console')");
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  return dir;
}

async function start(consoleDir: string | null): Promise<RunningAdmin> {
  const built = compileConfig({});
  if (!built.ok) throw new Error("empty configuration refused");
  return startAdmin({
    listen: { host: "127.0.0.1", port: 0 },
    source: new StaticSource(built.snapshot, "crossgate.yaml"),
    metrics: new GatewayMetrics(),
    logger: silentLogger,
    token: { hash: sha256Hex("t") },
    consoleDir,
  });
}

let dir: string;
let admin: RunningAdmin;
let unbuilt: RunningAdmin;
beforeAll(async () => {
  dir = fakeBuild();
  admin = await start(dir);
  unbuilt = await start(null);
});
afterAll(async () => {
  await admin.close();
  await unbuilt.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (base: string, path: string) => fetch(`${base}${path}`, { redirect: "manual" });

describe("the console on the admin listener", () => {
  it("redirects / and /console to /console/", async () => {
    for (const path of ["/", "/console"]) {
      const res = await get(admin.url, path);
      expect([301, 302]).toContain(res.status);
      expect(res.headers.get("location")).toBe("/console/");
    }
  });

  it("serves index.html uncached, with a policy that allows no inline script", async () => {
    const res = await get(admin.url, "/console/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("caches hashed assets for a year, and answers an unknown asset 404 rather than HTML", async () => {
    const asset = await get(admin.url, "/console/assets/index-AbCdEf12.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await asset.text()).toBe("console.log('console')");
    const unhashed = await get(admin.url, "/console/favicon.svg");
    expect(unhashed.headers.get("cache-control")).toBe("no-cache");
    const missing = await get(admin.url, "/console/assets/index-Old00000.js");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("answers the console's own routes with index.html (client-side routing)", async () => {
    const res = await get(admin.url, "/console/cors-policies/web");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    // Path traversal finds nothing outside the build.
    const outside = await get(admin.url, "/console/..%2f..%2fpackage.json");
    expect(await outside.text()).not.toContain('"name"');
  });

  it("says how to build it when it is not built", async () => {
    const res = await get(unbuilt.url, "/console/");
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/npm run build/);
  });

  it("sends the admin API's answers with a policy that loads nothing", async () => {
    const res = await get(admin.url, "/healthz");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe("the built console (dist/console, from npm run build)", () => {
  it("has no inline script, so the policy above lets it run", async () => {
    const { defaultConsoleDir } = await import("../../src/admin/console-static.js");
    const built = defaultConsoleDir();
    expect(built, "run npm run build first").toBeDefined();
    const html = (await import("node:fs")).readFileSync(join(built as string, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
