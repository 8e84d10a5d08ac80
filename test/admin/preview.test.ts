import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    corsPolicies: [
      {
        name: "web",
        allowOrigins: ["https://app.example.com", "https://*.example.com"],
        allowMethods: ["GET", "PUT"],
        allowHeaders: ["X-Sdk-Date"],
      },
    ],
    apis: [
      { name: "items", method: "GET", path: "/items", corsPolicy: "web", backend: { type: "mock" } },
      { name: "orders", method: "POST", path: "/orders", corsPolicy: "web", backend: { type: "mock" } },
    ],
    apps: [{ name: "storefront", javascriptOrigins: ["http://test2.com"], apis: ["orders"] }],
  });
});
afterAll(async () => {
  await h.close();
});

async function revision(): Promise<number> {
  return (await h.call("GET", "/admin/v1/revisions?limit=1")).json.revisions[0].number;
}

describe("POST /admin/v1/preview/{kind}: drafts checked without saving", () => {
  it("lists a draft policy's problems at paths relative to it, and saves nothing", async () => {
    const before = await revision();
    const answer = await h.call("POST", "/admin/v1/preview/cors-policies", {
      body: {
        item: {
          name: "bad",
          allowOrigins: ["https://ok.example.com", "*"],
          allowCredentials: true,
          maxAge: 100000,
        },
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.valid).toBe(false);
    const paths = answer.json.problems.map((p: { path: string; code: string }) => `${p.path} ${p.code}`);
    expect(paths).toContain("allowOrigins[1] CORS_WILDCARD_WITH_CREDENTIALS");
    expect(paths.some((p: string) => p.startsWith("maxAge "))).toBe(true);
    expect(answer.json.insight).toBeUndefined();
    expect(await revision()).toBe(before);
  });

  it("flags a new name that exists, and says an unchanged draft is unchanged", async () => {
    const clash = await h.call("POST", "/admin/v1/preview/cors-policies", {
      body: { item: { name: "web" } },
    });
    expect(clash.json.problems[0]).toMatchObject({ path: "name", code: "NAME_EXISTS", severity: "error" });
    const stored = (await h.call("GET", "/admin/v1/cors-policies/web")).json;
    const same = await h.call("POST", "/admin/v1/preview/cors-policies", {
      body: { item: { ...stored, allowMethods: stored.allowMethods }, replaces: "web" },
    });
    expect(same.json).toMatchObject({ valid: true, unchanged: true, changes: [] });
    // Keys in another order are the same policy.
    const reordered = Object.fromEntries(Object.entries(stored).reverse());
    const again = await h.call("POST", "/admin/v1/preview/cors-policies", {
      body: { item: reordered, replaces: "web" },
    });
    expect(again.json).toMatchObject({ unchanged: true, changes: [] });
  });

  it("tests an origin against a draft policy, naming the rule, applications included", async () => {
    const stored = (await h.call("GET", "/admin/v1/cors-policies/web")).json;
    const test = async (origin: string) =>
      (
        await h.call("POST", "/admin/v1/preview/cors-policies", {
          body: { item: stored, replaces: "web", test: { origin } },
        })
      ).json.insight.test;
    expect(await test("https://a.example.com")).toMatchObject({
      allowed: true,
      reason: "ORIGIN_ALLOWED",
      rule: { source: "allowOrigins[1]", value: "https://*.example.com", via: "policy" },
      summary: "allowed by https://*.example.com (allowOrigins[1])",
    });
    expect(await test("http://test2.com")).toMatchObject({
      allowed: true,
      rule: { source: "application storefront", value: "http://test2.com", via: "application" },
      summary: "allowed via application storefront (http://test2.com)",
    });
    for (const origin of [
      "https://example.com",
      "https://evil-example.com",
      "https://example.com.evil.com",
    ]) {
      const verdict = await test(origin);
      expect(verdict.allowed).toBe(false);
      expect(verdict.summary).toMatch(/^refused: ORIGIN_NOT_ALLOWED/);
    }
    expect((await test("not an origin")).reason).toBe("ORIGIN_MALFORMED");
    const insight = (
      await h.call("POST", "/admin/v1/preview/cors-policies", { body: { item: stored, replaces: "web" } })
    ).json.insight;
    expect(insight.boundApis.map((a: { name: string }) => a.name)).toEqual(["items", "orders"]);
    expect(insight.effectiveOrigins).toContainEqual({
      value: "http://test2.com",
      kind: "exact",
      source: "application storefront",
    });
    expect(insight.preflight.headers).toContainEqual(["access-control-allow-methods", "GET,PUT"]);
    expect(insight.preflight.headers).toContainEqual(["access-control-allow-headers", "X-Sdk-Date"]);
  });

  it("flags a draft API whose route another API serves, at its path", async () => {
    const answer = await h.call("POST", "/admin/v1/preview/apis", {
      body: { item: { name: "items2", method: "GET", path: "/items", backend: { type: "mock" } } },
    });
    expect(answer.json.valid).toBe(false);
    expect(answer.json.problems.map((p: { path: string }) => p.path)).toContain("path");
    expect(answer.json.yaml).toContain("path: /items");
    const fine = await h.call("POST", "/admin/v1/preview/apis", {
      body: { item: { name: "items2", method: "GET", path: "/items2", backend: { type: "mock" } } },
    });
    expect(fine.json).toMatchObject({ valid: true, problems: [] });
  });

  it("refuses a body that is not a draft", async () => {
    const answer = await h.call("POST", "/admin/v1/preview/apis", { body: { name: "x" } });
    expect(answer.status).toBe(400);
    expect(answer.json.error_msg).toMatch(/item/);
  });
});

describe("POST /admin/v1/config/check and GET /admin/v1/revisions/{n}/lines", () => {
  it("locates each problem at its line and column, and diffs against the served configuration", async () => {
    const text = [
      "corsPolicies:",
      "  - name: web",
      "    allowOrigins:",
      '      - "*"',
      "    allowCredentials: true",
      "apis: []",
      "",
    ].join("\n");
    const answer = await h.call("POST", "/admin/v1/config/check", { body: { text } });
    expect(answer.json.valid).toBe(false);
    const problem = answer.json.problems.find(
      (p: { code: string }) => p.code === "CORS_WILDCARD_WITH_CREDENTIALS",
    );
    expect(problem).toMatchObject({ path: "corsPolicies[0].allowOrigins[0]", line: 4, column: 9 });
    expect(answer.json.diff.resources.apis.removed).toEqual(["items", "orders"]);
    const syntax = await h.call("POST", "/admin/v1/config/check", { body: { text: "apis: [\n" } });
    expect(syntax.json.problems[0]).toMatchObject({ code: "SYNTAX", line: expect.any(Number) });
  });

  it("diffs a revision's YAML against the current one, line by line", async () => {
    const write = await h.call("PUT", "/admin/v1/cors-policies/web", {
      body: {
        name: "web",
        allowOrigins: ["https://new.example.com"],
        allowMethods: ["GET", "PUT"],
        allowHeaders: ["X-Sdk-Date"],
      },
    });
    expect(write.status).toBe(200);
    const answer = await h.call("GET", "/admin/v1/revisions/1/lines");
    expect(answer.status).toBe(200);
    const changed = answer.json.lines.filter((l: { op: string }) => l.op === "-" || l.op === "+");
    expect(changed).toEqual([
      { op: "-", text: "      - https://app.example.com", old: 4 },
      { op: "-", text: "      - https://*.example.com", old: 5 },
      { op: "+", text: "      - https://new.example.com", new: 4 },
    ]);
    expect((await h.call("GET", "/admin/v1/revisions/99/lines")).status).toBe(404);
    expect((await h.call("GET", "/admin/v1/revisions/x/lines")).status).toBe(400);
  });
});
