import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

// Issue 5, item 3: every resource kind through its whole life over real HTTP, each write a new
// revision, each change live on the data plane.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const mock = (body: string) => ({ type: "mock", headers: { "Content-Type": "text/plain" }, body });

interface LifeCase {
  readonly kind: string;
  readonly create: Record<string, unknown>;
  readonly replace: Record<string, unknown>;
  /** A second one, created by PUT without a name in the body. */
  readonly second: Record<string, unknown>;
}

const LIVES: LifeCase[] = [
  {
    kind: "groups",
    create: { name: "life-group", domains: ["life.test"] },
    replace: { name: "life-group", domains: ["life.test"], basePath: "/v2" },
    second: { domains: ["life2.test"] },
  },
  {
    kind: "apis",
    create: { name: "life-api", method: "GET", path: "/life", backend: mock("one") },
    replace: { name: "life-api", method: "GET", path: "/life", backend: mock("two") },
    second: { method: "GET", path: "/life-2", backend: mock("three") },
  },
  {
    kind: "cors-policies",
    create: { name: "life-policy", allowOrigins: ["https://one.example"] },
    replace: { name: "life-policy", allowOrigins: ["https://two.example"], maxAge: 60 },
    second: { allowOrigins: ["https://three.example"] },
  },
  {
    kind: "apps",
    create: { name: "life-app", javascriptOrigins: ["https://one.example"] },
    replace: { name: "life-app", keyHashes: [], javascriptOrigins: ["https://two.example"] },
    second: { keyHashes: [] },
  },
];

describe("every resource kind through its whole life", () => {
  for (const c of LIVES) {
    it(`${c.kind}: create, read, list, replace, create by PUT, delete, each a new revision`, async () => {
      const start = h.plane.revision;
      const created = await h.call("POST", `/admin/v1/${c.kind}`, { body: c.create });
      expect(created.status, created.text).toBe(201);
      expect(created.json.revision).toBe(start + 1);
      expect(created.headers.get("etag")).toBe(`"${start + 1}"`);
      expect(created.headers.get("location")).toBe(`/admin/v1/${c.kind}/${c.create.name}`);

      const again = await h.call("POST", `/admin/v1/${c.kind}`, { body: c.create });
      expect(again.status).toBe(409);
      expect(again.json.error_code).toBe("ADMIN_NAME_EXISTS");

      const read = await h.call("GET", `/admin/v1/${c.kind}/${c.create.name}`);
      expect(read.status).toBe(200);
      expect(read.headers.get("etag")).toBe(`"${start + 1}"`);
      expect(read.json.name).toBe(c.create.name);

      const list = await h.call("GET", `/admin/v1/${c.kind}`);
      expect(list.status).toBe(200);
      expect(list.json.revision).toBe(start + 1);
      expect(list.json.items.map((i: { name: string }) => i.name)).toContain(c.create.name);

      const replaced = await h.call("PUT", `/admin/v1/${c.kind}/${c.create.name}`, { body: c.replace });
      expect(replaced.status, replaced.text).toBe(200);
      expect(replaced.json.revision).toBe(start + 2);
      const reread = await h.call("GET", `/admin/v1/${c.kind}/${c.create.name}`);
      expect(reread.json).toEqual(c.replace);

      const second = await h.call("PUT", `/admin/v1/${c.kind}/${c.create.name}-2`, {
        body: c.second,
      });
      expect(second.status, second.text).toBe(201);
      expect(second.json.item.name).toBe(`${c.create.name}-2`);
      expect(second.json.revision).toBe(start + 3);

      const mismatch = await h.call("PUT", `/admin/v1/${c.kind}/${c.create.name}`, {
        body: { ...c.replace, name: "other-name" },
      });
      expect(mismatch.status).toBe(400);
      // Relative to the resource sent (issue 10).
      expect(mismatch.json.problems).toEqual([
        expect.objectContaining({ code: "NAME_MISMATCH", path: "name", value: "other-name" }),
      ]);

      for (const name of [c.create.name, `${c.create.name}-2`]) {
        const deleted = await h.call("DELETE", `/admin/v1/${c.kind}/${name}`);
        expect(deleted.status, deleted.text).toBe(204);
        expect(deleted.text).toBe("");
      }
      expect(h.plane.revision).toBe(start + 5);
      expect((await h.call("GET", `/admin/v1/${c.kind}/${c.create.name}`)).status).toBe(404);
      const gone = await h.call("DELETE", `/admin/v1/${c.kind}/${c.create.name}`);
      expect(gone.status).toBe(404);
      expect(gone.json.error_code).toBe("ADMIN_NOT_FOUND");

      const history = await h.call("GET", `/admin/v1/revisions?limit=5`);
      expect(history.json.revisions.map((r: { summary: string }) => r.summary)).toEqual([
        `delete ${c.kind}/${c.create.name}-2`,
        `delete ${c.kind}/${c.create.name}`,
        `create ${c.kind}/${c.create.name}-2`,
        `replace ${c.kind}/${c.create.name}`,
        `create ${c.kind}/${c.create.name}`,
      ]);
      expect(history.json.revisions.every((r: { actor: string }) => r.actor === "admin")).toBe(true);
    });
  }

  it("records the X-Crossgate-Actor header as the revision's actor", async () => {
    const res = await h.call("PUT", "/admin/v1/groups/by-alice", {
      body: {},
      headers: { "x-crossgate-actor": "alice@example.com" },
    });
    expect(res.status).toBe(201);
    const rev = await h.call("GET", `/admin/v1/revisions/${res.json.revision}`);
    expect(rev.json).toMatchObject({ actor: "alice@example.com", summary: "create groups/by-alice" });
    expect((await h.call("DELETE", "/admin/v1/groups/by-alice")).status).toBe(204);
  });

  it("serializes concurrent writes of one node: none is lost", async () => {
    const start = h.plane.revision;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => h.call("PUT", `/admin/v1/groups/burst-${i}`, { body: {} })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(answers.map((a) => a.json.revision).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 8 }, (_, i) => start + 1 + i),
    );
    const names = (await h.call("GET", "/admin/v1/groups")).json.items.map((g: { name: string }) => g.name);
    for (let i = 0; i < 8; i++) {
      expect(names).toContain(`burst-${i}`);
      expect((await h.call("DELETE", `/admin/v1/groups/burst-${i}`)).status).toBe(204);
    }
  });
});

describe("changes are live on the data plane", () => {
  it("a new API answers, a replaced API answers its new way, a deleted API is gone", async () => {
    expect((await h.data("GET", "/hello")).status).toBe(404);
    const created = await h.call("POST", "/admin/v1/apis", {
      body: { name: "hello", method: "GET", path: "/hello", backend: mock("hello one") },
    });
    expect(created.status).toBe(201);
    const first = await h.data("GET", "/hello");
    expect([first.status, first.body]).toEqual([200, "hello one"]);

    await h.call("PUT", "/admin/v1/apis/hello", {
      body: { method: "GET", path: "/hello", backend: mock("hello two") },
    });
    expect((await h.data("GET", "/hello")).body).toBe("hello two");

    expect((await h.call("DELETE", "/admin/v1/apis/hello")).status).toBe(204);
    expect((await h.data("GET", "/hello")).status).toBe(404);
  });

  it("a policy change alters Access-Control-Allow-Origin; deleting a policy in use is refused", async () => {
    await h.call("PUT", "/admin/v1/cors-policies/web", { body: { allowOrigins: ["https://a.example"] } });
    await h.call("PUT", "/admin/v1/apis/greet", {
      body: { method: "GET", path: "/greet", corsPolicy: "web", backend: mock("hi") },
    });
    const a = await h.data("GET", "/greet", { origin: "https://a.example" });
    expect(a.headers["access-control-allow-origin"]).toBe("https://a.example");
    expect((await h.data("GET", "/greet", { origin: "https://b.example" })).status).toBe(403);

    const changed = await h.call("PUT", "/admin/v1/cors-policies/web", {
      body: { allowOrigins: ["https://b.example"] },
    });
    expect(changed.status).toBe(200);
    const b = await h.data("GET", "/greet", { origin: "https://b.example" });
    expect(b.headers["access-control-allow-origin"]).toBe("https://b.example");
    expect((await h.data("GET", "/greet", { origin: "https://a.example" })).status).toBe(403);

    const before = h.plane.revision;
    const refused = await h.call("DELETE", "/admin/v1/cors-policies/web");
    expect(refused.status).toBe(400);
    expect(refused.json.error_code).toBe("CONFIG_INVALID");
    const apiIndex = (h.plane.config.apis ?? []).findIndex((api) => api.name === "greet");
    expect(refused.json.problems).toContainEqual(
      expect.objectContaining({ code: "REF_POLICY", path: `apis[${apiIndex}].corsPolicy`, value: "web" }),
    );
    expect(h.plane.revision).toBe(before);

    expect((await h.call("DELETE", "/admin/v1/apis/greet")).status).toBe(204);
    expect((await h.call("DELETE", "/admin/v1/cors-policies/web")).status).toBe(204);
  });

  it("a group's domains and base path route the APIs bound to it", async () => {
    await h.call("PUT", "/admin/v1/groups/shop", { body: { domains: ["shop.test"], basePath: "/v1" } });
    await h.call("PUT", "/admin/v1/apis/items", {
      body: { group: "shop", method: "GET", path: "/items", backend: mock("items") },
    });
    expect((await h.data("GET", "/v1/items", { host: "shop.test" })).body).toBe("items");
    await h.call("PUT", "/admin/v1/groups/shop", { body: { domains: ["shop.test"], basePath: "/v2" } });
    expect((await h.data("GET", "/v2/items", { host: "shop.test" })).body).toBe("items");
    expect((await h.data("GET", "/v1/items", { host: "shop.test" })).status).toBe(404);
    const refused = await h.call("DELETE", "/admin/v1/groups/shop");
    expect(refused.status).toBe(400);
    expect(refused.json.problems.map((p: { code: string }) => p.code)).toContain("REF_GROUP");
    expect((await h.call("DELETE", "/admin/v1/apis/items")).status).toBe(204);
    expect((await h.call("DELETE", "/admin/v1/groups/shop")).status).toBe(204);
  });
});
