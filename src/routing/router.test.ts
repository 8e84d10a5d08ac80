import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { Snapshot } from "../../src/config/snapshot.js";

function snapshotOf(config: unknown): Snapshot {
  const r = compileConfig(config);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.reason}`).join("\n"));
  return r.snapshot;
}

const mock = { type: "mock" };
const routes = snapshotOf({
  groups: [
    { name: "shop", domains: ["api.shop.test"], basePath: "/v1" },
    { name: "wild", domains: ["*.wild.test"] },
    { name: "any" },
  ],
  apis: [
    { name: "users-exact", group: "shop", method: "GET", path: "/users/{id}", backend: mock },
    { name: "users-me", group: "shop", method: "ANY", path: "/users/me", backend: mock },
    { name: "users-prefix", group: "shop", method: "GET", path: "/users", match: "prefix", backend: mock },
    {
      name: "users-any-prefix",
      group: "shop",
      method: "ANY",
      path: "/users",
      match: "prefix",
      backend: mock,
    },
    { name: "files", group: "shop", method: "GET", path: "/files/{rest+}", backend: mock },
    { name: "deep-prefix", group: "shop", method: "POST", path: "/a/b", match: "prefix", backend: mock },
    { name: "shallow-prefix", group: "shop", method: "POST", path: "/a", match: "prefix", backend: mock },
    { name: "colon", group: "shop", method: "POST", path: "/items:batchGet", backend: mock },
    { name: "wild-root", group: "wild", method: "GET", path: "/", match: "prefix", backend: mock },
    { name: "fallback", group: "any", method: "ANY", path: "/", match: "prefix", backend: mock },
  ],
});

function routeName(host: string, method: string, path: string): string {
  const r = routes.router.route(host, method, path);
  return r.found ? r.match.api.name : String(r.status);
}

describe("routing, SPEC section 3 step 2", () => {
  const cases: [string, string, string, string, string][] = [
    ["a {param} segment matches one segment", "api.shop.test", "GET", "/v1/users/42", "users-exact"],
    [
      "a literal segment beats a {param} segment even under ANY",
      "api.shop.test",
      "GET",
      "/v1/users/me",
      "users-me",
    ],
    ["exact beats prefix", "api.shop.test", "GET", "/v1/users/7", "users-exact"],
    ["a prefix API matches its own path", "api.shop.test", "GET", "/v1/users", "users-prefix"],
    ["a prefix API matches deeper paths", "api.shop.test", "GET", "/v1/users/7/orders", "users-prefix"],
    [
      "a specific method beats ANY on the same prefix",
      "api.shop.test",
      "GET",
      "/v1/users/7/x",
      "users-prefix",
    ],
    [
      "ANY catches the methods nobody else claims",
      "api.shop.test",
      "DELETE",
      "/v1/users/7/x",
      "users-any-prefix",
    ],
    [
      "a greedy {rest+} takes every remaining segment",
      "api.shop.test",
      "GET",
      "/v1/files/a/b/c.txt",
      "files",
    ],
    ["the longer prefix beats the shorter", "api.shop.test", "POST", "/v1/a/b/c", "deep-prefix"],
    ["the shorter prefix still serves its own subtree", "api.shop.test", "POST", "/v1/a/x", "shallow-prefix"],
    ["a prefix matches on segment boundaries only", "api.shop.test", "POST", "/v1/abc", "fallback"],
    ["a literal colon in a path is not a parameter", "api.shop.test", "POST", "/v1/items:batchGet", "colon"],
    [
      "the Host decides the group: another host falls to the any-host group",
      "other.test",
      "GET",
      "/v1/users/42",
      "fallback",
    ],
    ["HEAD is served by the GET API", "api.shop.test", "HEAD", "/v1/users/42", "users-exact"],
    ["a *. domain matches a subdomain", "x.wild.test", "GET", "/anything", "wild-root"],
    ["a *. domain matches any depth", "a.b.wild.test", "GET", "/anything", "wild-root"],
    ["a *. domain does not match the bare domain", "wild.test", "GET", "/anything", "fallback"],
    ["without the base path the group's APIs do not match", "api.shop.test", "GET", "/users/42", "fallback"],
    ["trailing slashes are ignored", "api.shop.test", "GET", "/v1/users/42/", "users-exact"],
  ];
  for (const [name, host, method, path, expected] of cases) {
    it(name, () => expect(routeName(host, method, path)).toBe(expected));
  }

  it("passes on the normalized path after a prefix API's path, reserved characters still encoded", () => {
    const r = routes.router.route("api.shop.test", "GET", "/v1/users/7/a%3ab/%7e");
    expect(r.found && r.match.remainder).toBe("/7/a%3Ab/~");
  });

  it("matches nothing for a path the normalization refuses (the gateway answers 400 before routing)", () => {
    expect(routes.router.route("api.shop.test", "GET", "/v1/users/7/a%2Fb")).toEqual({
      found: false,
      status: 404,
      allow: [],
    });
  });

  it("passes on the path after the group's base path for exact APIs", () => {
    const r = routes.router.route("api.shop.test", "GET", "/v1/users/42");
    expect(r.found && r.match.remainder).toBe("/users/42");
    expect(r.found && r.match.params).toEqual({ id: "42" });
  });

  it("answers 405 with the allowed methods when the path exists for other methods", () => {
    const only = snapshotOf({ apis: [{ name: "a", method: "POST", path: "/a", backend: mock }] });
    expect(only.router.route("x", "GET", "/a")).toEqual({ found: false, status: 405, allow: ["POST"] });
    expect(only.router.route("x", "GET", "/b")).toEqual({ found: false, status: 404, allow: [] });
  });
});

describe("regressions", () => {
  it("a preflight goes to the OPTIONS API even when an exact ANY API without CORS serves the path (found by the browser suite)", async () => {
    const { preflightTarget } = await import("./preflight-target.js");
    const s = snapshotOf({
      apis: [
        {
          name: "options",
          method: "OPTIONS",
          path: "/",
          match: "prefix",
          cors: true,
          backend: { type: "mock" },
        },
        { name: "own-any", method: "ANY", path: "/own-any", backend: { type: "mock" } },
      ],
    });
    const target = preflightTarget(s.router, "api.test", "/own-any", "PUT");
    expect(target.kind).toBe("options-api");
    expect(target.kind === "options-api" && target.match.api.name).toBe("options");
  });

  it("reports an exact and a prefix API whose paths differ only in parameter names as a conflict, not a crash (found by import)", () => {
    const r = compileConfig({
      apis: [
        { name: "x", method: "GET", path: "/a/{x}", backend: { type: "mock" } },
        { name: "y", method: "GET", path: "/a/{y}", match: "prefix", backend: { type: "mock" } },
      ],
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => `${p.path}: ${p.code}`)).toEqual(["apis[1].path: API_CONFLICT"]);
  });
});
