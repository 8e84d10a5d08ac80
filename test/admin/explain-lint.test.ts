import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    corsPolicies: [
      {
        name: "web",
        allowOrigins: ["https://app.example.com"],
        allowMethods: ["GET", "PUT"],
        allowHeaders: ["X-Sdk-Date"],
      },
      { name: "unused", allowOrigins: ["https://other.example.com"] },
    ],
    apis: [
      {
        name: "users",
        method: "ANY",
        path: "/users",
        corsPolicy: "web",
        backend: { type: "mock", body: "{}" },
      },
    ],
  });
});
afterAll(async () => {
  await h?.close();
});

describe("explain and lint", () => {
  it("explains a preflighted request: the API, the policy, the headers, the browser's verdict", async () => {
    const res = await h.call("POST", "/admin/v1/explain", {
      body: {
        origin: "https://app.example.com",
        method: "PUT",
        path: "/users",
        headers: [{ name: "X-Sdk-Date" }],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.preflightNeeded).toBe(true);
    expect(res.json.outcome.ok).toBe(true);
    expect(res.json.stages.map((s: { stage: string }) => s.stage)).toEqual(["preflight", "actual"]);
    expect(res.json.stages[0]).toMatchObject({ api: "users", corsRules: expect.stringContaining("web") });
    expect(res.json.stages[0].headers).toContainEqual([
      "access-control-allow-origin",
      "https://app.example.com",
    ]);

    const refused = await h.call("POST", "/admin/v1/explain", {
      body: { origin: "https://evil.example", method: "PUT", path: "/users" },
    });
    expect(refused.json.outcome.ok).toBe(false);
    expect(refused.json.outcome.summary).toMatch(/blocked at preflight/);
  });

  it("a malformed request to explain lists every problem", async () => {
    const res = await h.call("POST", "/admin/v1/explain", {
      body: { method: "GET", path: "users", color: "red" },
    });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("ADMIN_BAD_REQUEST");
    expect(res.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "color",
      "origin",
      "path",
    ]);
  });

  it("lint answers the warnings of the current configuration, and follows changes", async () => {
    const res = await h.call("GET", "/admin/v1/lint");
    expect(res.status).toBe(200);
    expect(res.json.revision).toBe(1);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(res.json.warnings).toContainEqual(
      expect.objectContaining({ severity: "warning", code: "LINT_UNUSED_POLICY", path: "corsPolicies[1]" }),
    );
    expect((await h.call("DELETE", "/admin/v1/cors-policies/unused")).status).toBe(204);
    const after = await h.call("GET", "/admin/v1/lint");
    expect(after.json.warnings.map((w: { code: string }) => w.code)).not.toContain("LINT_UNUSED_POLICY");
  });
});
