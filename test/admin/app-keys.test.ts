import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    apis: [
      {
        name: "orders",
        method: "GET",
        path: "/orders",
        auth: "app",
        backend: { type: "mock", headers: { "Content-Type": "text/plain" }, body: "orders" },
      },
    ],
  });
});
afterAll(async () => {
  await h?.close();
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function everywhere(): Promise<string> {
  const parts = [
    (await h.call("GET", "/admin/v1/apps")).text,
    (await h.call("GET", "/admin/v1/config")).text,
    (await h.call("GET", "/admin/v1/config", { headers: { accept: "application/yaml" } })).text,
  ];
  for (const r of (await h.call("GET", "/admin/v1/revisions")).json.revisions) {
    parts.push((await h.call("GET", `/admin/v1/revisions/${r.number}`)).text);
    parts.push(JSON.stringify(await h.plane.store.getRevision(r.number)));
  }
  return parts.join("\n");
}

describe("application API keys", () => {
  it("an app created without keys gets one, shown once, stored as a hash, working on the data plane", async () => {
    expect((await h.data("GET", "/orders")).status).toBe(401);
    const created = await h.call("POST", "/admin/v1/apps", {
      body: { name: "storefront", apis: ["orders"] },
    });
    expect(created.status, created.text).toBe(201);
    const key = created.json.apiKey as string;
    expect(key).toMatch(/^cgk_[A-Za-z0-9_-]{43}$/);
    expect(created.json.item).toEqual({
      name: "storefront",
      apis: ["orders"],
      keyHashes: [`sha256:${sha256(key)}`],
    });

    const read = await h.call("GET", "/admin/v1/apps/storefront");
    expect(read.json).toEqual({ name: "storefront", apis: ["orders"], keyHashes: [`sha256:${sha256(key)}`] });
    expect(read.json.apiKey).toBeUndefined();
    expect(await everywhere()).not.toContain(key);

    const ok = await h.data("GET", "/orders", { "x-api-key": key });
    expect([ok.status, ok.body]).toEqual([200, "orders"]);
    expect((await h.data("GET", "/orders", { "x-api-key": `${key}x` })).status).toBe(401);
  });

  it("keys sent in clear are hashed before storage and never echoed", async () => {
    const clear = "a-clear-key-of-enough-length-0001";
    const created = await h.call("PUT", "/admin/v1/apps/partner", {
      body: { keys: [clear], apis: ["orders"] },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toContain(clear);
    expect(created.json.apiKey).toBeUndefined();
    expect(created.json.item.keyHashes).toEqual([`sha256:${sha256(clear)}`]);
    expect(created.json.item.keys).toBeUndefined();
    expect(await everywhere()).not.toContain(clear);
    expect((await h.data("GET", "/orders", { "x-api-key": clear })).status).toBe(200);
  });

  it("a replace that keeps keyHashes keeps the keys; one without keys issues a new key and revokes the old", async () => {
    const app = (await h.call("GET", "/admin/v1/apps/storefront")).json;
    const kept = await h.call("PUT", "/admin/v1/apps/storefront", {
      body: { ...app, javascriptOrigins: ["https://shop.example"] },
    });
    expect(kept.status).toBe(200);
    expect(kept.json.apiKey).toBeUndefined();
    expect(kept.json.item.keyHashes).toEqual(app.keyHashes);

    const rotated = await h.call("PUT", "/admin/v1/apps/storefront", { body: { apis: ["orders"] } });
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.apiKey as string;
    expect(fresh).toMatch(/^cgk_/);
    expect(rotated.json.item.keyHashes).toEqual([`sha256:${sha256(fresh)}`]);
    expect((await h.data("GET", "/orders", { "x-api-key": fresh })).status).toBe(200);
  });
});
