import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    corsPolicies: [{ name: "web", allowOrigins: ["http://app.test"], allowMethods: ["GET", "PUT"] }],
    apis: [
      {
        name: "items",
        method: "ANY",
        path: "/items",
        corsPolicy: "web",
        backend: { type: "mock", body: "[]" },
      },
    ],
  });
});
afterAll(async () => {
  await h.close();
});

describe("GET /admin/v1/traffic and /admin/v1/decisions", () => {
  it("count what the gateway decided, by reason, with the top refused origins and the recent decisions", async () => {
    await h.data("GET", "/items", { origin: "http://app.test" });
    await h.data("GET", "/items", { origin: "http://evil.test" });
    await h.data("OPTIONS", "/items", { origin: "http://evil.test", "access-control-request-method": "GET" });
    await h.data("OPTIONS", "/items", {
      origin: "http://app.test",
      "access-control-request-method": "DELETE",
    });
    await h.data("GET", "/nowhere");
    const traffic = await h.call("GET", "/admin/v1/traffic?top=5");
    expect(traffic.status).toBe(200);
    expect(traffic.json.totals).toEqual({
      requests: 5,
      refused: { ORIGIN_NOT_ALLOWED: 2, METHOD_NOT_ALLOWED: 1 },
      wouldRefuse: {},
    });
    expect(traffic.json.topRefusedOrigins).toEqual([
      { origin: "http://evil.test", count: 2, reasons: { ORIGIN_NOT_ALLOWED: 2 } },
      { origin: "http://app.test", count: 1, reasons: { METHOD_NOT_ALLOWED: 1 } },
    ]);
    expect(traffic.json.bucketSeconds).toBe(60);
    expect(traffic.json.buckets).toHaveLength(60);

    const decisions = await h.call("GET", "/admin/v1/decisions?limit=3");
    expect(decisions.status).toBe(200);
    const [last, preflight] = decisions.json.decisions;
    expect(last).toMatchObject({ method: "GET", path: "/nowhere", status: 404, verdict: "none", api: "" });
    expect(last.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(preflight).toMatchObject({
      method: "OPTIONS",
      origin: "http://app.test",
      requestMethod: "DELETE",
      preflight: true,
      verdict: "refused",
      reason: "METHOD_NOT_ALLOWED",
      status: 405,
      api: "items",
    });
    const refused = await h.call("GET", "/admin/v1/decisions?verdict=refused");
    expect(refused.json.decisions.map((d: { reason: string }) => d.reason)).toEqual([
      "METHOD_NOT_ALLOWED",
      "ORIGIN_NOT_ALLOWED",
      "ORIGIN_NOT_ALLOWED",
    ]);
  });

  it("refuse bad parameters with what is expected, and calls without the token", async () => {
    for (const path of [
      "/admin/v1/traffic?top=0",
      "/admin/v1/traffic?top=x",
      "/admin/v1/decisions?limit=501",
      "/admin/v1/decisions?verdict=maybe",
    ]) {
      const answer = await h.call("GET", path);
      expect(answer.status).toBe(400);
      expect(answer.json.error_code).toBe("ADMIN_BAD_REQUEST");
      expect(answer.json.error_msg).toMatch(/must be/);
    }
    expect((await h.call("GET", "/admin/v1/traffic", { token: null })).status).toBe(401);
    expect((await h.call("GET", "/admin/v1/decisions", { token: "wrong" })).status).toBe(401);
  });
});
