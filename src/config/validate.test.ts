/**
 * Configuration input that must be refused, and refused clearly (issue 10, part 2): non-objects where
 * an object is expected, every problem in one pass, did-you-mean for unknown fields, one wording for
 * one problem. Each case is a regression test of validateConfig and buildSnapshot.
 */
import { describe, expect, it } from "vitest";
import { compilePolicy } from "../cors/index.js";
import type { Problem } from "../problems.js";
import { compileConfig } from "./compile.js";
import { validateConfig } from "./validate.js";

const mock = { type: "mock" };
const api = (extra: Record<string, unknown> = {}) => ({
  name: "a",
  method: "GET",
  path: "/a",
  backend: mock,
  ...extra,
});

function errorsOf(config: unknown): Problem[] {
  return validateConfig(config).filter((p) => p.severity === "error");
}

function at(problems: readonly Problem[], path: string): Problem[] {
  return problems.filter((p) => p.path === path);
}

describe("an array, or any other non-object, where an object is expected is refused with its path", () => {
  const cases: [name: string, config: unknown, path: string, found: string][] = [
    ["the whole configuration as an array", [1, 2], "", "an array"],
    ["the whole configuration as a string", "apis", "", "a string"],
    ["the whole configuration as null", null, "", "null"],
    ["no configuration at all", undefined, "", "nothing"],
    ["an item of groups as an array", { groups: [[1]] }, "groups[0]", "an array"],
    ["an item of apis as an array", { apis: [[1, 2]] }, "apis[0]", "an array"],
    ["an item of corsPolicies as an array", { corsPolicies: [[1, 2]] }, "corsPolicies[0]", "an array"],
    ["an item of apps as an array", { apps: [[]] }, "apps[0]", "an array"],
    ["an item of apis as a number", { apis: [7] }, "apis[0]", "a number"],
    ["a backend as an array", { apis: [api({ backend: [1] })] }, "apis[0].backend", "an array"],
    ["gateway.limits as an array", { gateway: { limits: [1] } }, "gateway.limits", "an array"],
    ["gateway as an array", { gateway: [] }, "gateway", "an array"],
    ["listen as an array", { listen: ["127.0.0.1:8080"] }, "listen", "an array"],
    [
      "a mock backend's headers as an array",
      { apis: [api({ backend: { type: "mock", headers: ["a"] } })] },
      "apis[0].backend.headers",
      "an array",
    ],
  ];
  for (const [name, config, path, found] of cases) {
    it(`${name}: an error at ${path === "" ? "(root)" : path}, never a TypeError`, () => {
      const problems = errorsOf(config);
      expect(at(problems, path)).toEqual([
        expect.objectContaining({ code: "SCHEMA", reason: `must be an object with fields, not ${found}` }),
      ]);
      const built = compileConfig(config);
      expect(built.ok).toBe(false);
    });
  }
});

describe("every problem in one pass: semantic checks run on every well-typed part, schema-valid or not", () => {
  it("a policy with an unknown field also reports * with credentials, an origin with a path and *.com", () => {
    const problems = errorsOf({
      corsPolicies: [
        {
          name: "web",
          allowOrigin: ["https://typo.example"],
          allowOrigins: ["*", "https://a.example/path", "https://*.com"],
          allowCredentials: true,
        },
      ],
    });
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      "corsPolicies[0].allowOrigin SCHEMA",
      "corsPolicies[0].allowOrigins[0] CORS_WILDCARD_WITH_CREDENTIALS",
      "corsPolicies[0].allowOrigins[1] CORS_ORIGIN_HAS_PATH",
      "corsPolicies[0].allowOrigins[2] CORS_WILDCARD_PUBLIC_SUFFIX",
    ]);
  });

  it("an ill-typed origin does not hide the problems of the origins beside it", () => {
    const problems = errorsOf({
      corsPolicies: [{ name: "web", allowOrigins: ["*", 5], allowCredentials: true }],
    });
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      "corsPolicies[0].allowOrigins[0] CORS_WILDCARD_WITH_CREDENTIALS",
      "corsPolicies[0].allowOrigins[1] SCHEMA",
    ]);
  });

  it("an API with a wrong method also reports its bad path, its backend URL and its missing policy", () => {
    const problems = errorsOf({
      apis: [
        api({
          method: "FETCH",
          path: "/a/{id}/{id}",
          corsPolicy: "nope",
          backend: { type: "http", url: "ftp://x" },
        }),
      ],
    });
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      "apis[0].backend.url BACKEND_URL",
      "apis[0].corsPolicy REF_POLICY",
      "apis[0].method SCHEMA",
      "apis[0].path API_PATH",
    ]);
  });

  it("a group and an application with unknown fields still get their domains and origins checked", () => {
    const problems = errorsOf({
      groups: [{ name: "g", domain: "x", domains: ["a:80"] }],
      apps: [{ name: "app", origins: [], javascriptOrigins: ["https://*.example.com"] }],
    });
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      "apps[0].javascriptOrigins[0] CORS_ORIGIN_INVALID",
      "apps[0].origins SCHEMA",
      "groups[0].domain SCHEMA",
      "groups[0].domains[0] GROUP_DOMAIN",
    ]);
  });

  it("two APIs with an unknown field each still conflict", () => {
    const problems = errorsOf({
      apis: [api({ name: "a", extra: 1 }), api({ name: "b", extra: 2 })],
    });
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      "apis[0].extra SCHEMA",
      "apis[1].extra SCHEMA",
      "apis[1].path API_CONFLICT",
    ]);
  });

  it("a value that fails the schema is reported once, not again by the semantic checks", () => {
    const problems = errorsOf({
      apis: [api({ path: "nope" })],
      groups: [{ name: "g", basePath: "v1" }],
      corsPolicies: [{ name: "p", allowOrigins: ["https://a.example"], maxAge: -1 }],
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      "apis[0].path",
      "corsPolicies[0].maxAge",
      "groups[0].basePath",
    ]);
  });

  it("an ill-typed allowOrigins gives its error, not also the warning that the policy lists no origin", () => {
    const problems = validateConfig({
      corsPolicies: [{ name: "p", allowOrigins: "https://a.example" }],
      groups: [{ name: "g", corsPolicy: "p" }],
    });
    expect(problems.map((p) => `${p.severity} ${p.path} ${p.code}`)).toEqual([
      "error corsPolicies[0].allowOrigins SCHEMA",
    ]);
  });

  it("an application whose apis is not a list does not make its APIs warn that no application may call them", () => {
    const problems = validateConfig({
      apis: [api({ auth: "app" })],
      apps: [{ name: "app", apis: "a", keys: ["a-key-of-at-least-16-chars"] }],
    });
    expect(problems.map((p) => `${p.severity} ${p.path} ${p.code}`)).toEqual(["error apps[0].apis SCHEMA"]);
  });
});

describe("an unknown field gets the closest known field of its object, when one is close", () => {
  const cases: [config: unknown, path: string, suggestion: string | null][] = [
    [{ corsPolicies: [{ name: "p", allowOrigin: [] }] }, "corsPolicies[0].allowOrigin", "allowOrigins"],
    [{ corsPolicies: [{ name: "p", alloworigins: [] }] }, "corsPolicies[0].alloworigins", "allowOrigins"],
    [{ corsPolicies: [{ name: "p", max_age: 5 }] }, "corsPolicies[0].max_age", "maxAge"],
    [
      { corsPolicies: [{ name: "p", AllowCredential: true }] },
      "corsPolicies[0].AllowCredential",
      "allowCredentials",
    ],
    [{ api: [] }, "api", "apis"],
    [{ apis: [api({ mehtod: "GET" })] }, "apis[0].mehtod", "method"],
    [
      { apis: [api({ backend: { type: "http", url: "http://x", timeout: 5 } })] },
      "apis[0].backend.timeout",
      "timeoutMs",
    ],
    [{ gateway: { limits: { maxHeadersBytes: 5 } } }, "gateway.limits.maxHeadersBytes", "maxHeaderBytes"],
    [{ corsPolicies: [{ name: "p", colour: "blue" }] }, "corsPolicies[0].colour", null],
    [{ groups: [{ name: "g", x: 1 }] }, "groups[0].x", null],
  ];
  for (const [config, path, suggestion] of cases) {
    it(`${path}: ${suggestion === null ? "no suggestion" : `did you mean \`${suggestion}\`?`}`, () => {
      const [problem] = at(errorsOf(config), path);
      expect(problem?.code).toBe("SCHEMA");
      if (suggestion === null) {
        expect(problem?.reason).toBe(
          "unknown field (check its spelling against the configuration reference)",
        );
      } else {
        expect(problem?.reason).toBe(`unknown field: did you mean \`${suggestion}\`?`);
      }
    });
  }
});

describe("one wording for one problem", () => {
  it("maxAge out of range has one code and one reason, below 0 and above 86400, from a file or compilePolicy", () => {
    const policy = (maxAge: number) => ({ name: "p", allowOrigins: ["https://a.example"], maxAge });
    const low = at(errorsOf({ corsPolicies: [policy(-1)] }), "corsPolicies[0].maxAge");
    const high = at(errorsOf({ corsPolicies: [policy(86401)] }), "corsPolicies[0].maxAge");
    const direct = compilePolicy(policy(86401));
    const directProblems = direct.ok ? [] : direct.problems;
    expect(low).toHaveLength(1);
    expect(high).toHaveLength(1);
    expect(low[0]?.code).toBe("CORS_MAX_AGE_RANGE");
    expect(high[0]?.code).toBe("CORS_MAX_AGE_RANGE");
    expect(low[0]?.reason).toBe(high[0]?.reason);
    expect(directProblems.map((p) => [p.code, p.reason])).toEqual([["CORS_MAX_AGE_RANGE", high[0]?.reason]]);
  });

  it("a plain-http origin with credentials is one warning, whether exact or a wildcard", () => {
    const result = compilePolicy({
      name: "p",
      allowOrigins: ["http://a.example", "http://*.b.example"],
      allowCredentials: true,
    });
    const reasons = (result.ok ? result.warnings : []).map((w) => `${w.code}: ${w.reason}`);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toBe(reasons[1]);
  });

  it("a value listed twice is worded alike for origins, names and keys", () => {
    const problems = validateConfig({
      corsPolicies: [
        {
          name: "p",
          allowOrigins: ["https://a.example", "https://a.example"],
          allowHeaders: ["X-A", "x-a"],
        },
      ],
      groups: [{ name: "g", corsPolicy: "p" }],
      apps: [{ name: "app", keys: ["a-key-of-at-least-16-chars", "a-key-of-at-least-16-chars"] }],
    });
    const duplicates = problems.filter((p) => p.code.startsWith("LINT_DUPLICATE"));
    expect(duplicates).toHaveLength(3);
    for (const p of duplicates) expect(p.reason).toMatch(/ is listed more than once$/);
  });

  it("two APIs on one route are worded alike, whether validation or the router finds them", () => {
    const sameShape = validateConfig({ apis: [api({ name: "a" }), api({ name: "b" })] });
    // A greedy tail and a prefix API's subtree are one route: only the router sees it.
    const greedyAndPrefix = compileConfig({
      apis: [api({ name: "a", path: "/files/{rest+}" }), api({ name: "b", path: "/files", match: "prefix" })],
    });
    const reasons = [
      ...sameShape.filter((p) => p.code === "API_CONFLICT"),
      ...(greedyAndPrefix.ok ? [] : greedyAndPrefix.problems.filter((p) => p.code === "API_CONFLICT")),
    ].map((p) => p.reason);
    expect(reasons).toEqual([
      "GET /a (exact) is already served by apis[0] on the same hosts",
      "GET /files (prefix) is already served by apis[0] on the same hosts",
    ]);
  });

  it("a {__proto__} path parameter is refused with its reason: on a plain object it would be the prototype, and lost", () => {
    const problems = errorsOf({
      apis: [api({ path: "/users/{__proto__}" }), api({ name: "b", path: "/b/{constructor}" })],
    });
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual(["apis[0].path API_PATH"]);
    expect(problems[0]?.reason).toContain("{__proto__} cannot name a parameter");
  });

  it("the configuration that is not an object is worded like any other value that is not an object", () => {
    const [root] = errorsOf([1]);
    const [item] = errorsOf({ apis: [[1]] });
    expect(root?.reason).toBe(item?.reason);
  });
});
