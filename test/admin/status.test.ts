import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("GET /admin/v1/status", () => {
  it("names this node's gateway, its store and the revision it serves", async () => {
    await h.call("POST", "/admin/v1/cors-policies", {
      body: { name: "web", allowOrigins: ["https://a.test"] },
      headers: { "x-crossgate-actor": "alice" },
    });
    const answer = await h.call("GET", "/admin/v1/status");
    expect(answer.status).toBe(200);
    expect(answer.json.node).toMatchObject({ pid: process.pid, gatewayUrl: h.gateway.url, workers: 1 });
    expect(answer.json.store).toMatchObject({
      mode: "store",
      reachable: true,
      source: "store",
      location: h.storeUrl,
    });
    expect(answer.json.revision).toMatchObject({
      served: 2,
      head: 2,
      actor: "alice",
      summary: "create cors-policies/web",
    });
    expect(answer.json.counts).toEqual({ groups: 0, apis: 1, corsPolicies: 1, apps: 0 });
    expect((await h.call("GET", "/admin/v1/status", { token: null })).status).toBe(401);
  });
});
