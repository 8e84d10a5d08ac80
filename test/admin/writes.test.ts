import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("a refused write lists every problem; a single resource's paths are relative to it", () => {
  it("a policy with '*' and credentials and an origin with a path: two errors, nothing applied", async () => {
    await h.call("PUT", "/admin/v1/cors-policies/first", { body: { allowOrigins: ["https://a.example"] } });
    await h.call("PUT", "/admin/v1/cors-policies/second", { body: { allowOrigins: ["https://b.example"] } });
    const before = h.plane.revision;
    const res = await h.call("POST", "/admin/v1/cors-policies", {
      body: { name: "bad", allowOrigins: ["*", "https://a.example/path"], allowCredentials: true },
    });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe("CONFIG_INVALID");
    expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get("x-request-id")).toBe(res.json.request_id);
    const errors = res.json.problems.filter((p: { severity: string }) => p.severity === "error");
    expect(errors).toEqual([
      expect.objectContaining({ code: "CORS_WILDCARD_WITH_CREDENTIALS", path: "allowOrigins[0]" }),
      expect.objectContaining({ code: "CORS_ORIGIN_HAS_PATH", path: "allowOrigins[1]" }),
    ]);
    expect(h.plane.revision).toBe(before);
    expect((await h.call("GET", "/admin/v1/cors-policies/bad")).status).toBe(404);
  });

  it("schema errors and unknown fields come all at once, the same shape as `crossgate validate --json`", async () => {
    const res = await h.call("POST", "/admin/v1/apis", {
      body: {
        name: "x",
        method: "FETCH",
        path: "nope",
        corsPolicy: "missing",
        backend: { type: "mock" },
        extra: 1,
      },
    });
    expect(res.status).toBe(400);
    const paths = res.json.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["method", "path", "extra", "corsPolicy"]));
    for (const p of res.json.problems)
      expect(Object.keys(p).sort()).toEqual(["code", "path", "reason", "severity", "value"]);
  });

  it("a body that does not parse is CONFIG_INVALID with a SYNTAX problem; an unknown media type is 415", async () => {
    const json = await h.call("PUT", "/admin/v1/config", {
      body: '{"apis": [',
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(400);
    expect(json.json.problems[0]).toMatchObject({ code: "SYNTAX", path: "" });
    const yaml = await h.call("PUT", "/admin/v1/config", {
      body: "apis: [ { name: broken",
      headers: { "content-type": "application/yaml" },
    });
    expect(yaml.status).toBe(400);
    expect(yaml.json.problems[0].code).toBe("SYNTAX");
    const form = await h.call("PUT", "/admin/v1/config", {
      body: "a=b",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(form.json.error_code).toBe("ADMIN_UNSUPPORTED_MEDIA_TYPE");
  });

  it("API keys sent in clear are never echoed, not even in a refusal", async () => {
    const res = await h.call("POST", "/admin/v1/apps", {
      body: { name: "leaky", keys: ["short-key"], apis: ["nothing-here"] },
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain("short-key");
    expect(res.json.problems).toContainEqual(expect.objectContaining({ path: "keys[0]", value: "(hidden)" }));
  });
});

describe("If-Match guards concurrent edits", () => {
  it("412 STALE_REVISION on a stale If-Match, and the write is not applied", async () => {
    const read = await h.call("GET", "/admin/v1/config");
    const etag = read.headers.get("etag") as string;
    expect(etag).toMatch(/^"\d+"$/);
    const n = Number(etag.slice(1, -1));

    const first = await h.call("PUT", "/admin/v1/groups/alpha", { body: {}, headers: { "if-match": etag } });
    expect(first.status).toBe(201);
    expect(first.json.revision).toBe(n + 1);

    const late = await h.call("PUT", "/admin/v1/groups/beta", { body: {}, headers: { "if-match": etag } });
    expect(late.status).toBe(412);
    expect(late.json).toMatchObject({ error_code: "STALE_REVISION", current: n + 1 });
    expect(late.headers.get("etag")).toBe(`"${n + 1}"`);
    expect((await h.call("GET", "/admin/v1/groups/beta")).status).toBe(404);
    expect(h.plane.revision).toBe(n + 1);

    const whole = await h.call("PUT", "/admin/v1/config", { body: read.json, headers: { "if-match": etag } });
    expect(whole.status).toBe(412);
    const del = await h.call("DELETE", "/admin/v1/groups/alpha", { headers: { "if-match": `${n}` } });
    expect(del.status).toBe(412);
    const restore = await h.call("POST", "/admin/v1/revisions/1/restore", {
      headers: { "if-match": 'W/"1"' },
    });
    expect(restore.status).toBe(412);
    expect((await h.call("GET", "/admin/v1/groups/alpha")).status).toBe(200);

    // The current revision, quoted or not, or *, is accepted.
    const ok = await h.call("DELETE", "/admin/v1/groups/alpha", { headers: { "if-match": `${n + 1}` } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("etag")).toBe(`"${n + 2}"`);
    const star = await h.call("PUT", "/admin/v1/groups/gamma", { body: {}, headers: { "if-match": "*" } });
    expect(star.status).toBe(201);
    const garbage = await h.call("PUT", "/admin/v1/groups/delta", {
      body: {},
      headers: { "if-match": '"abc"' },
    });
    expect(garbage.status).toBe(412);
  });

  it("a write without If-Match after another node's commit is rebased, not lost", async () => {
    const head = h.plane.revision;
    // Another node commits straight to the store; this node has not synced yet.
    const other = {
      ...h.plane.config,
      groups: [...(h.plane.config.groups ?? []), { name: "from-elsewhere" }],
    };
    await h.plane.store.commit(other, { actor: "node-2", summary: "create groups/from-elsewhere" }, head);
    const res = await h.call("PUT", "/admin/v1/groups/from-here", { body: {} });
    expect(res.status).toBe(201);
    expect(res.json.revision).toBe(head + 2);
    const names = (await h.call("GET", "/admin/v1/groups")).json.items.map((g: { name: string }) => g.name);
    expect(names).toEqual(expect.arrayContaining(["from-elsewhere", "from-here"]));
  });
});

describe("the whole configuration, JSON or YAML", () => {
  it("PUT in YAML, GET in YAML and JSON: the same configuration", async () => {
    const yaml = `
corsPolicies:
  - name: web
    allowOrigins: ["https://app.example.com"]
apis:
  - name: yaml-api
    method: GET
    path: /from-yaml
    corsPolicy: web
    backend: { type: mock, headers: { Content-Type: text/plain }, body: "from yaml" }
`;
    const put = await h.call("PUT", "/admin/v1/config", {
      body: yaml,
      headers: { "content-type": "application/yaml" },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json.revision).toBe(h.plane.revision);
    expect(put.headers.get("etag")).toBe(`"${put.json.revision}"`);
    const rev = await h.call("GET", `/admin/v1/revisions/${put.json.revision}`);
    expect(rev.json.summary).toContain("create apis/yaml-api");
    expect(rev.json.summary).toContain("delete apis/ping");

    const asYaml = await h.call("GET", "/admin/v1/config", { headers: { accept: "application/yaml" } });
    expect(asYaml.status).toBe(200);
    expect(asYaml.headers.get("content-type")).toMatch(/^application\/yaml/);
    expect(asYaml.headers.get("etag")).toBe(`"${put.json.revision}"`);
    const asJson = await h.call("GET", "/admin/v1/config");
    expect(asJson.headers.get("content-type")).toMatch(/^application\/json/);
    expect(parseYaml(asYaml.text)).toEqual(asJson.json);
    expect(asJson.json).toEqual(parseYaml(yaml));

    const live = await h.data("GET", "/from-yaml", { origin: "https://app.example.com" });
    expect([live.status, live.body]).toEqual([200, "from yaml"]);
    expect(live.headers["access-control-allow-origin"]).toBe("https://app.example.com");
  });

  it("an invalid whole configuration is refused with every problem and nothing changes", async () => {
    const before = await h.call("GET", "/admin/v1/config");
    const res = await h.call("PUT", "/admin/v1/config", {
      body: {
        corsPolicies: [{ name: "p", allowOrigins: ["https://*.com"] }],
        apis: [{ name: "a", method: "GET", path: "/a", corsPolicy: "nope", backend: { type: "mock" } }],
        unknownTopLevel: true,
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(["unknownTopLevel", "corsPolicies[0].allowOrigins[0]", "apis[0].corsPolicy"]),
    );
    expect((await h.call("GET", "/admin/v1/config")).json).toEqual(before.json);
  });
});
