import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN_SETTING, resolveAdminToken } from "../../src/admin/token.js";
import { openStore } from "../../src/store/index.js";
import { type Harness, Sink, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("the bearer token", () => {
  const PROTECTED: [string, string][] = [
    ["GET", "/admin/v1/config"],
    ["GET", "/admin/v1/apis"],
    ["GET", "/admin/v1/apis/ping"],
    ["POST", "/admin/v1/groups"],
    ["DELETE", "/admin/v1/apis/ping"],
    ["GET", "/admin/v1/revisions"],
    ["POST", "/admin/v1/revisions/1/restore"],
    ["POST", "/admin/v1/explain"],
    ["GET", "/admin/v1/lint"],
    ["GET", "/admin/v1/no-such-call"],
  ];

  for (const [method, path] of PROTECTED) {
    it(`${method} ${path} answers 401 without a token, with a wrong one, and with another scheme`, async () => {
      for (const authorization of [undefined, "Bearer wrong-token", `Basic ${h.token}`, "Bearer"]) {
        const res = await h.call(method, path, {
          token: null,
          headers: authorization === undefined ? {} : { authorization },
          ...(method === "POST" ? { body: {} } : {}),
        });
        expect(res.status, `${authorization}`).toBe(401);
        expect(res.json).toMatchObject({ error_code: "ADMIN_UNAUTHORIZED" });
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      }
    });
  }

  it("the right token opens the API; health, readiness, metrics and the docs need none", async () => {
    expect((await h.call("GET", "/admin/v1/config")).status).toBe(200);
    expect(
      (
        await h.call("GET", "/admin/v1/config", {
          token: null,
          headers: { authorization: `bearer  ${h.token}` },
        })
      ).status,
    ).toBe(200);
    for (const path of ["/healthz", "/readyz", "/metrics", "/admin/openapi.json", "/admin/docs"]) {
      expect((await h.call("GET", path, { token: null })).status, path).toBe(200);
    }
    const unknown = await h.call("GET", "/nothing-here", { token: null });
    expect([unknown.status, unknown.json.error_code]).toEqual([404, "ADMIN_NOT_FOUND"]);
    // The router decodes %-escapes: the token check follows the route, not the raw URL.
    expect((await h.call("GET", "/admin/%761/config", { token: null })).status).toBe(401);
  });

  it("is generated once, printed once, and stored only as its sha256", async () => {
    expect(h.printed).toContain(h.token);
    expect(h.printed).toMatch(/shown only this once/);
    expect(h.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await h.plane.store.getSetting(ADMIN_TOKEN_SETTING);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).toBe(sha256(h.token));
    expect(stored).not.toContain(h.token);

    // A later start on the same store reuses the hash and prints nothing.
    const store = await openStore(h.storeUrl);
    try {
      const sink = new Sink();
      const again = await resolveAdminToken(store, {}, sink);
      expect(again).toEqual({ hash: stored, source: "store" });
      expect(sink.text).toBe("");
      // CROSSGATE_ADMIN_TOKEN wins, and is not stored.
      const fromEnv = await resolveAdminToken(store, { CROSSGATE_ADMIN_TOKEN: "chosen-token" }, sink);
      expect(fromEnv).toEqual({ hash: sha256("chosen-token"), source: "env" });
      expect(sink.text).toBe("");
      expect(await store.getSetting(ADMIN_TOKEN_SETTING)).toBe(stored);
    } finally {
      await store.close();
    }
  });

  it("without a store (file mode) a token is generated for the process and printed", async () => {
    const sink = new Sink();
    const token = await resolveAdminToken(null, {}, sink);
    expect(token.source).toBe("generated");
    const printed = /token for this process is (\S+)/.exec(sink.text)?.[1] as string;
    expect(sha256(printed)).toBe(token.hash);
  });
});
