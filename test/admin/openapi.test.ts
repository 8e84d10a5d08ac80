import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminOpenApiDocument, adminOpenApiText } from "../../src/admin/openapi.js";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("the admin API's OpenAPI document", () => {
  it("matches the route schemas it is generated from (run `npm run openapi` after changing src/admin/)", async () => {
    const committed = readFileSync(new URL("../../schema/openapi.json", import.meta.url), "utf8");
    expect(committed).toBe(await adminOpenApiText());
  });

  it("documents every call of SPEC section 5 with the configuration's own schemas", async () => {
    const doc = (await adminOpenApiDocument()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const kind of ["groups", "apis", "cors-policies", "apps"]) {
      expect(Object.keys(doc.paths[`/admin/v1/${kind}`] ?? {}).sort()).toEqual(["get", "post"]);
      expect(Object.keys(doc.paths[`/admin/v1/${kind}/{name}`] ?? {}).sort()).toEqual([
        "delete",
        "get",
        "put",
      ]);
    }
    for (const path of [
      "/admin/v1/config",
      "/admin/v1/revisions",
      "/admin/v1/revisions/{n}",
      "/admin/v1/revisions/{n}/diff",
      "/admin/v1/revisions/{n}/restore",
      "/admin/v1/explain",
      "/admin/v1/lint",
      "/healthz",
      "/readyz",
      "/metrics",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(
      doc.paths["/admin/v1/cors-policies"]?.post?.requestBody?.content["application/json"]?.schema,
    ).toEqual({
      $ref: "#/components/schemas/CorsPolicy",
    });
    expect(doc.paths["/admin/v1/config"]?.put?.requestBody?.content["application/yaml"]).toBeDefined();
    expect(doc.paths["/admin/v1/config"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/healthz"]?.get?.security).toBeUndefined();
    // The resource schemas are the configuration's (src/config/schema.ts), field for field.
    const { CorsPolicySchema } = await import("../../src/config/schema.js");
    expect(doc.components.schemas.CorsPolicy).toEqual(JSON.parse(JSON.stringify(CorsPolicySchema)));
  });

  it("is served at /admin/openapi.json and browsable at /admin/docs, without a token", async () => {
    const json = await h.call("GET", "/admin/openapi.json", { token: null });
    expect(json.status).toBe(200);
    expect(json.json).toEqual(await adminOpenApiDocument());
    const res = await fetch(new URL("/admin/docs", h.admin.url), { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/swagger/i);
  });
});

describe("health, readiness and metrics", () => {
  it("healthz is 200, readyz is 200 with the revision from a reachable store, metrics is Prometheus text", async () => {
    const health = await h.call("GET", "/healthz", { token: null });
    expect([health.status, health.json]).toEqual([200, { status: "ok" }]);
    const ready = await h.call("GET", "/readyz", { token: null });
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({
      ready: true,
      revision: h.plane.revision,
      storeReachable: true,
      source: "store",
    });
    await h.data("GET", "/ping");
    const metrics = await h.call("GET", "/metrics", { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^crossgate_config_revision \d+$/m);
    expect(metrics.text).toMatch(/crossgate_requests_total\{api="ping",status="200"\} \d+/);
  });

  it("readyz is 503 with storeReachable false when the store is lost, the last good configuration serving", async () => {
    const revision = h.plane.revision;
    await h.plane.store.close();
    await h.plane.sync();
    const ready = await h.call("GET", "/readyz", { token: null });
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ ready: false, storeReachable: false, source: "store", revision });
    expect((await h.data("GET", "/ping")).status).toBe(200);
    const write = await h.call("PUT", "/admin/v1/groups/while-down", { body: {} });
    expect(write.status).toBe(503);
    expect(write.json.error_code).toBe("ADMIN_STORE_UNAVAILABLE");
    expect((await h.call("GET", "/admin/v1/revisions")).status).toBe(503);
    expect((await h.call("GET", "/admin/v1/config")).status).toBe(200);
  });
});
