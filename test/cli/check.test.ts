import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { CROSSGATE_BIN } from "../support/cli-process.js";
import { startTestGateway } from "../support/gateway.js";

// SPEC section 6: `crossgate check URL` probes a live server as a browser would.
let gw: RunningGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    groups: [{ name: "api", domains: ["api.test"] }],
    corsPolicies: [
      {
        name: "web",
        allowOrigins: ["https://app.example.com"],
        allowMethods: ["PUT"],
        allowHeaders: ["X-Sdk-Date"],
        allowCredentials: true,
      },
    ],
    apis: [
      {
        name: "a",
        group: "api",
        method: "ANY",
        path: "/a",
        corsPolicy: "web",
        backend: { type: "mock", body: "ok" },
      },
    ],
  });
});
afterAll(async () => {
  await gw.close();
});

function check(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CROSSGATE_BIN, "check", `${gw.url}/a`, "--host", "api.test", ...args],
      (error, stdout) => {
        resolve({ code: error ? (error.code as number) : 0, stdout });
      },
    );
  });
}

describe("crossgate check", () => {
  it("reports an allowed preflighted, credentialed request with exit 0", async () => {
    const r = await check([
      "--origin",
      "https://app.example.com",
      "--method",
      "PUT",
      "--header",
      "X-Sdk-Date",
      "--credentials",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Preflight: OPTIONS/);
    expect(r.stdout).toMatch(/< access-control-allow-origin: https:\/\/app\.example\.com/);
    expect(r.stdout).toMatch(/ALLOWED\n$/);
  });

  it("reports a refused origin with Chromium's message and exit 2", async () => {
    const r = await check(["--origin", "https://evil.example.net", "--method", "PUT"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    expect(r.stdout).toMatch(/BLOCKED\n$/);
  });

  it("sends no preflight for a simple request and prints JSON on request", async () => {
    const r = await check(["--origin", "https://app.example.com", "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.preflight).toBeUndefined();
    expect(result.actual.status).toBe(200);
    expect(result.ok).toBe(true);
  });
});
