/**
 * Admin API input that must be refused, and refused clearly (issue 10, part 2): bodies that are not
 * objects, arrays inside the configuration, YAML alias bombs, JSON nested 100,000 deep and JSON
 * syntax errors all answer 400 with `error_code` and the problem; a written resource's problems are
 * relative to it, and warnings about other objects are not repeated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAdmin, startAdmin } from "../../src/admin/server.js";
import { resolveAdminToken } from "../../src/admin/token.js";
import { ControlPlane } from "../../src/control/control-plane.js";
import { silentLogger } from "../../src/logger.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { openStore } from "../../src/store/index.js";
import { callAdmin, type Harness, SEED, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const KINDS = ["groups", "apis", "cors-policies", "apps"] as const;
const JSON_TYPE = { "content-type": "application/json" };
const YAML_TYPE = { "content-type": "application/yaml" };

/** A YAML "billion laughs": each anchor names the one before nine times. */
function aliasBomb(levels: number): string {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  let previous = "a";
  for (let i = 1; i <= levels; i++) {
    lines.push(`l${i}: &l${i} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    previous = `l${i}`;
  }
  return `${lines.join("\n")}\n`;
}

const DEEP_JSON = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;

describe("a body that is not an object is 400 ADMIN_BAD_REQUEST with the problem, never 201", () => {
  const bodies: [text: string, found: string][] = [
    ["[1,2]", "an array"],
    ['"a group"', "a string"],
    ["7", "a number"],
    ["null", "null"],
  ];
  for (const kind of KINDS) {
    for (const [text, found] of bodies) {
      it(`POST and PUT /admin/v1/${kind} with ${text}`, async () => {
        const before = h.plane.revision;
        for (const [method, path] of [
          ["POST", `/admin/v1/${kind}`],
          ["PUT", `/admin/v1/${kind}/x`],
        ] as const) {
          const res = await h.call(method, path, { body: text, headers: JSON_TYPE });
          expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
          expect(res.json).toMatchObject({
            error_code: "ADMIN_BAD_REQUEST",
            problems: [
              {
                severity: "error",
                code: "SCHEMA",
                path: "",
                reason: `must be an object with fields, not ${found}`,
              },
            ],
          });
          expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
        }
        expect(h.plane.revision).toBe(before);
      });
    }
  }

  it("PUT /admin/v1/config with an array", async () => {
    const res = await h.call("PUT", "/admin/v1/config", { body: "[1,2]", headers: JSON_TYPE });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error_code: "ADMIN_BAD_REQUEST",
      problems: [{ code: "SCHEMA", path: "" }],
    });
  });

  it("a write without a body says the body is missing", async () => {
    const res = await h.call("POST", "/admin/v1/groups", { body: "", headers: JSON_TYPE });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("ADMIN_BAD_REQUEST");
    expect(res.json.error_msg).toMatch(/no body/);
  });

  it("an explain input that is an array is 400 ADMIN_BAD_REQUEST, not 500", async () => {
    const res = await h.call("POST", "/admin/v1/explain", { body: "[1]", headers: JSON_TYPE });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error_code: "ADMIN_BAD_REQUEST",
      problems: [{ code: "SCHEMA", path: "" }],
    });
  });
});

describe("arrays inside the configuration are a client's mistake: 400 CONFIG_INVALID, never 503", () => {
  const cases: [name: string, body: unknown, path: string][] = [
    ["an array as an API", { apis: [[1, 2]] }, "apis[0]"],
    ["an array as a CORS policy", { corsPolicies: [[1]] }, "corsPolicies[0]"],
    ["an array as gateway.limits", { gateway: { limits: [1] } }, "gateway.limits"],
    [
      "an array as a backend",
      { apis: [{ name: "a", method: "GET", path: "/a", backend: [] }] },
      "apis[0].backend",
    ],
  ];
  for (const [name, body, path] of cases) {
    it(`PUT /admin/v1/config with ${name}`, async () => {
      const before = h.plane.revision;
      const res = await h.call("PUT", "/admin/v1/config", { body });
      expect(res.status, res.text).toBe(400);
      expect(res.json.error_code).toBe("CONFIG_INVALID");
      expect(res.json.problems).toContainEqual(expect.objectContaining({ code: "SCHEMA", path }));
      expect(h.plane.revision).toBe(before);
    });
  }
});

describe("text that does not parse, or would exhaust the server, is 400 with error_code and the problem", () => {
  it("a YAML alias bomb: CONFIG_INVALID with a SYNTAX problem at the alias, not 500", async () => {
    for (const [method, path] of [
      ["PUT", "/admin/v1/config"],
      ["POST", "/admin/v1/groups"],
    ] as const) {
      const res = await h.call(method, path, { body: aliasBomb(11), headers: YAML_TYPE });
      expect(res.status, res.text).toBe(400);
      expect(res.json.error_code).toBe("CONFIG_INVALID");
      expect(res.json.problems).toEqual([
        expect.objectContaining({ code: "SYNTAX", path: "", line: 4, column: 10 }),
      ]);
      expect(res.json.problems[0].reason).toMatch(/aliases expand beyond the limit of 100 uses/);
    }
  });

  it("JSON nested 100,000 deep: 400 with error_code and a SYNTAX problem, not an empty body", async () => {
    const answers = [
      ["PUT", "/admin/v1/config", "CONFIG_INVALID"],
      ["POST", "/admin/v1/apis", "CONFIG_INVALID"],
      ["POST", "/admin/v1/explain", "ADMIN_BAD_REQUEST"],
    ] as const;
    for (const [method, path, code] of answers) {
      const res = await h.call(method, path, { body: DEEP_JSON, headers: JSON_TYPE });
      expect(res.status, path).toBe(400);
      expect(res.json?.error_code, `${path}: ${res.text.slice(0, 200)}`).toBe(code);
      expect(res.json.problems).toEqual([
        expect.objectContaining({ code: "SYNTAX", path: "", line: 1, column: 65 }),
      ]);
      expect(res.json.problems[0].reason).toMatch(/nested deeper than 64 levels/);
    }
  });

  it("JSON nested 100,000 deep inside an object is refused the same way", async () => {
    const body = `{"apis": ${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
    const res = await h.call("PUT", "/admin/v1/config", { body, headers: JSON_TYPE });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("CONFIG_INVALID");
    expect(res.json.problems[0]).toMatchObject({ code: "SYNTAX", line: 1 });
  });

  it("a JSON syntax error carries its line and column", async () => {
    const res = await h.call("PUT", "/admin/v1/config", {
      body: '{\n  "apis": [\n    1,\n  ]\n}',
      headers: JSON_TYPE,
    });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("CONFIG_INVALID");
    expect(res.json.problems).toEqual([
      expect.objectContaining({ code: "SYNTAX", path: "", line: 4, column: 3 }),
    ]);
    expect(res.json.problems[0].reason).toMatch(/^invalid JSON at line 4, column 3: a trailing comma/);
  });
});

describe("a written resource's problems are relative to it; other objects' warnings are not repeated", () => {
  beforeAll(async () => {
    const res = await h.call("PUT", "/admin/v1/config", {
      body: {
        corsPolicies: [{ name: "unused", allowOrigins: ["https://a.example"] }],
        apis: [
          { name: "one", method: "GET", path: "/one", backend: { type: "mock" } },
          { name: "two", method: "GET", path: "/two", backend: { type: "mock" } },
          { name: "locked", method: "GET", path: "/locked", auth: "app", backend: { type: "mock" } },
        ],
        apps: [{ name: "client", keys: ["a-key-of-at-least-16-chars"], apis: ["locked"] }],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.warnings).toEqual([
      expect.objectContaining({ code: "LINT_UNUSED_POLICY", path: "corsPolicies[0]" }),
    ]);
  });

  it("a write elsewhere answers without the warning about the unused policy", async () => {
    const res = await h.call("POST", "/admin/v1/groups", { body: { name: "quiet" } });
    expect(res.status, res.text).toBe(201);
    expect(res.json.warnings).toEqual([]);
  });

  it("a written resource's own warnings come with paths relative to it", async () => {
    const res = await h.call("POST", "/admin/v1/cors-policies", {
      body: { name: "report-only", allowOrigins: ["https://b.example"], mode: "report" },
    });
    expect(res.status, res.text).toBe(201);
    expect(
      res.json.warnings.map((w: { path: string; code: string }) => `${w.path} ${w.code}`).sort(),
    ).toEqual([" LINT_UNUSED_POLICY", "mode LINT_REPORT_ONLY"]);
  });

  it("a refused write lists its own problems relative to it and an error it causes elsewhere with its full path", async () => {
    const res = await h.call("PUT", "/admin/v1/apis/one", {
      body: { method: "GET", path: "/two", extra: true, backend: { type: "mock" } },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.problems.map((p: { path: string; code: string }) => `${p.path} ${p.code}`)).toEqual([
      "extra SCHEMA",
      "apis[1].path API_CONFLICT",
    ]);
  });

  it("a warning the write causes on another object is kept, with its full path", async () => {
    const res = await h.call("PUT", "/admin/v1/apps/client", {
      body: { keys: ["a-key-of-at-least-16-chars"], apis: [] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.warnings).toEqual([
      expect.objectContaining({ code: "LINT_NO_APP", path: "apis[2].auth", severity: "warning" }),
    ]);
  });

  it("a name that differs from the URL's is reported at `name`", async () => {
    const res = await h.call("PUT", "/admin/v1/groups/quiet", { body: { name: "loud" } });
    expect(res.status).toBe(400);
    expect(res.json.problems).toEqual([expect.objectContaining({ code: "NAME_MISMATCH", path: "name" })]);
  });
});

describe("a failure while checking a write is not reported as the store being down", () => {
  let admin: RunningAdmin;
  let plane: ControlPlane;
  let dir: string;
  const TOKEN = "a-test-token-for-the-admin-api";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crossgate-admin-bug-"));
    const store = await openStore(`sqlite:${join(dir, "crossgate.db")}`);
    plane = await ControlPlane.start(store, {
      logger: silentLogger,
      seed: async () => SEED,
      onSnapshot: () => {},
    });
    // Stands in for a bug in validation: it throws on a group named "explode".
    const check = plane.check.bind(plane);
    plane.check = (config) => {
      if (config.groups?.some((g) => g.name === "explode")) throw new TypeError("a bug");
      return check(config);
    };
    admin = await startAdmin({
      listen: { host: "127.0.0.1", port: 0 },
      source: plane,
      metrics: new GatewayMetrics(),
      logger: silentLogger,
      token: await resolveAdminToken(store, { CROSSGATE_ADMIN_TOKEN: TOKEN }),
    });
  });
  afterAll(async () => {
    await admin?.close();
    await plane?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an exception while validating is 500 INTERNAL_ERROR, not 503 ADMIN_STORE_UNAVAILABLE", async () => {
    const res = await callAdmin(admin.url, TOKEN, "POST", "/admin/v1/groups", { body: { name: "explode" } });
    expect(res.status).toBe(500);
    expect(res.json.error_code).toBe("INTERNAL_ERROR");
    const fine = await callAdmin(admin.url, TOKEN, "POST", "/admin/v1/groups", { body: { name: "fine" } });
    expect(fine.status).toBe(201);
  });
});
