import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

// Regression: YAML with an alias whose anchor is missing parses without errors and throws only when
// turned into values (parseConfigText throws); the admin API answered 500 INTERNAL_ERROR.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("YAML with an unresolved alias", () => {
  it("is a 400 that says what is wrong, not a 500, and nothing is applied", async () => {
    const before = (await h.call("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number;
    const put = await h.call("PUT", "/admin/v1/config", {
      body: "*-",
      headers: { "content-type": "application/yaml" },
    });
    expect(put.status).toBe(400);
    expect(put.json.error_code).toBe("CONFIG_INVALID");
    expect(put.json.problems[0].reason).toMatch(/alias/i);
    const post = await h.call("POST", "/admin/v1/cors-policies", {
      body: "name: *x",
      headers: { "content-type": "application/yaml" },
    });
    expect(post.status).toBe(400);
    expect((await h.call("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number).toBe(before);
  });

  it("is a problem of the console's YAML check and of an OpenAPI import preview", async () => {
    const check = await h.call("POST", "/admin/v1/config/check", { body: { text: "*-" } });
    expect(check.status).toBe(200);
    expect(check.json).toMatchObject({ valid: false, problems: [{ code: "SYNTAX" }] });
    const imported = await h.call("POST", "/admin/v1/import/openapi", {
      body: { document: "openapi: *nope" },
    });
    expect(imported.status).toBe(400);
    expect(imported.json.error_msg).toMatch(/does not parse/);
  });
});
