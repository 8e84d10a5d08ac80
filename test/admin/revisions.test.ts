import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const mock = (body: string) => ({ type: "mock", body });

describe("revisions: history, diff and rollback", () => {
  it("restores revision 2 exactly after four more changes, as a new revision", async () => {
    // Revision 1 is the seed; revision 2:
    const two = await h.call("POST", "/admin/v1/cors-policies", {
      body: { name: "web", allowOrigins: ["https://a.example"], maxAge: 600 },
    });
    expect(two.json.revision).toBe(2);
    // Revisions 3 to 6.
    await h.call("PUT", "/admin/v1/apis/ping", {
      body: { method: "GET", path: "/ping", corsPolicy: "web", backend: mock("bound") },
    });
    await h.call("PUT", "/admin/v1/cors-policies/web", { body: { allowOrigins: ["https://b.example"] } });
    await h.call("POST", "/admin/v1/groups", { body: { name: "shop", domains: ["shop.test"] } });
    await h.call("PUT", "/admin/v1/config", {
      body: { ...(await h.call("GET", "/admin/v1/config")).json, gateway: { serverTiming: false } },
    });
    expect(h.plane.revision).toBe(6);

    const restored = await h.call("POST", "/admin/v1/revisions/2/restore");
    expect(restored.status, restored.text).toBe(200);
    expect(restored.json).toMatchObject({ revision: 7, restoredFrom: 2 });
    expect(restored.headers.get("etag")).toBe('"7"');

    const rev2 = await h.call("GET", "/admin/v1/revisions/2");
    expect(rev2.json).toMatchObject({ number: 2, actor: "admin", summary: "create cors-policies/web" });
    const now = await h.call("GET", "/admin/v1/config");
    expect(now.json).toEqual(rev2.json.config);
    expect(now.headers.get("etag")).toBe('"7"');
    const rev7 = await h.call("GET", "/admin/v1/revisions/7");
    expect(rev7.json.summary).toBe("restore revision 2");
    expect(rev7.json.config).toEqual(rev2.json.config);

    // Live: the API no longer has the policy, and its mock answers as in revision 2.
    const live = await h.data("GET", "/ping", { origin: "https://b.example" });
    expect([live.status, live.body]).toEqual([200, "pong"]);
    expect(live.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("lists revisions newest first, in pages", async () => {
    const page1 = await h.call("GET", "/admin/v1/revisions?limit=3");
    expect(page1.status).toBe(200);
    expect(page1.json.revisions.map((r: { number: number }) => r.number)).toEqual([7, 6, 5]);
    expect(page1.json.next).toBe(5);
    const page2 = await h.call("GET", `/admin/v1/revisions?limit=3&before=${page1.json.next}`);
    expect(page2.json.revisions.map((r: { number: number }) => r.number)).toEqual([4, 3, 2]);
    const page3 = await h.call("GET", `/admin/v1/revisions?limit=3&before=${page2.json.next}`);
    expect(page3.json.revisions.map((r: { number: number }) => r.number)).toEqual([1]);
    expect(page3.json.next).toBeUndefined();
    for (const r of page1.json.revisions)
      expect(Object.keys(r).sort()).toEqual(["actor", "createdAt", "number", "summary"]);
    expect((await h.call("GET", "/admin/v1/revisions?limit=0")).status).toBe(400);
    expect((await h.call("GET", "/admin/v1/revisions?before=x")).status).toBe(400);
    expect((await h.call("GET", "/admin/v1/revisions/99")).status).toBe(404);
    expect((await h.call("GET", "/admin/v1/revisions/abc")).status).toBe(400);
    expect((await h.call("POST", "/admin/v1/revisions/99/restore")).status).toBe(404);
  });

  it("diffs two revisions by kind and name, and settings by path", async () => {
    const res = await h.call("GET", "/admin/v1/revisions/2/diff?against=6");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      from: 2,
      to: 6,
      identical: false,
      resources: {
        groups: { added: ["shop"], removed: [], changed: [] },
        apis: { added: [], removed: [], changed: [{ name: "ping", fields: ["backend", "corsPolicy"] }] },
        "cors-policies": {
          added: [],
          removed: [],
          changed: [{ name: "web", fields: ["allowOrigins", "maxAge"] }],
        },
        apps: { added: [], removed: [], changed: [] },
      },
      settings: [{ path: "gateway", to: { serverTiming: false } }],
    });
    const back = await h.call("GET", "/admin/v1/revisions/6/diff?against=1");
    expect(back.json.resources["cors-policies"]).toEqual({ added: [], removed: ["web"], changed: [] });
    expect(back.json.resources.groups.removed).toEqual(["shop"]);

    // Default: against the current head (revision 7, a copy of 2).
    const head = await h.call("GET", "/admin/v1/revisions/2/diff");
    expect(head.json).toMatchObject({ from: 2, to: 7, identical: true, settings: [] });
    expect((await h.call("GET", "/admin/v1/revisions/2/diff?against=42")).status).toBe(404);
  });
});
