import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const AMAZON = readFileSync(new URL("../openapi/fixtures/amazon-enable-cors.yaml", import.meta.url), "utf8");

describe("POST /admin/v1/import/openapi and GET /admin/v1/export/openapi", () => {
  it("previews an import merged into the current configuration, applying nothing", async () => {
    const before = (await h.call("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number;
    const answer = await h.call("POST", "/admin/v1/import/openapi", {
      body: { document: AMAZON },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.source).toBe("openapi");
    expect(answer.json.valid).toBe(true);
    expect(answer.json.config.apis.map((a: { name: string }) => a.name)).toContain("ping");
    expect(answer.json.diff.resources.apis.added.length).toBeGreaterThan(0);
    expect(answer.json.diff.resources["cors-policies"].added.length).toBe(1);
    expect((await h.call("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number).toBe(before);
    // Applying is a PUT of the previewed configuration.
    const applied = await h.call("PUT", "/admin/v1/config", {
      body: answer.json.config,
      headers: { "if-match": `"${before}"` },
    });
    expect(applied.status).toBe(200);
    const exported = await h.call("GET", "/admin/v1/export/openapi");
    expect(exported.status).toBe(200);
    expect(exported.json.document.openapi).toMatch(/^3\./);
    expect(Object.keys(exported.json.document.paths)).toContain("/pets");
  });

  it("refuses what is not an OpenAPI document, or does not parse", async () => {
    const notOpenApi = await h.call("POST", "/admin/v1/import/openapi", {
      body: { document: "hello: world" },
    });
    expect(notOpenApi.status).toBe(400);
    expect(notOpenApi.json.error_code).toBe("ADMIN_BAD_REQUEST");
    const broken = await h.call("POST", "/admin/v1/import/openapi", { body: { document: "openapi: [" } });
    expect(broken.status).toBe(400);
    expect(broken.json.problems[0].code).toBe("SYNTAX");
    expect((await h.call("GET", "/admin/v1/export/openapi?format=pdf")).status).toBe(400);
  });
});
