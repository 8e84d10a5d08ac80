/**
 * The transport-independent handshake decision: its order (the same as any request's), and a fuzz
 * run over arbitrary request targets and header values (never a throw; a refusal always names a
 * documented code; an accepted handshake is exactly what routing and the Origin check allow).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileConfig } from "../config/compile.js";
import type { Snapshot } from "../config/snapshot.js";
import type { TraceStep } from "../cors/index.js";
import { ERRORS } from "../errors.js";
import { normalizePath } from "../routing/normalize-path.js";
import { decideHandshake } from "./websocket.js";

const KEY = "partner-key-0123456789";

function snapshot(): Snapshot {
  const built = compileConfig({
    groups: [{ name: "api", domains: ["api.test"], basePath: "/v1" }],
    corsPolicies: [{ name: "web", allowOrigins: ["https://app.test"] }],
    apps: [{ name: "partner", keys: [KEY], apis: ["secure"] }],
    apis: [
      {
        name: "chat",
        group: "api",
        method: "GET",
        path: "/chat",
        websocket: true,
        corsPolicy: "web",
        backend: { type: "http", url: "http://127.0.0.1:1/base" },
      },
      {
        name: "rooms",
        group: "api",
        method: "ANY",
        path: "/rooms",
        match: "prefix",
        websocket: true,
        corsPolicy: "web",
        backend: { type: "http", url: "http://127.0.0.1:1" },
      },
      {
        name: "secure",
        group: "api",
        method: "GET",
        path: "/secure",
        websocket: true,
        auth: "app",
        corsPolicy: "web",
        backend: { type: "http", url: "http://127.0.0.1:1" },
      },
      {
        name: "plain",
        group: "api",
        method: "GET",
        path: "/plain",
        corsPolicy: "web",
        backend: { type: "mock" },
      },
      {
        name: "posts",
        group: "api",
        method: "POST",
        path: "/posts",
        corsPolicy: "web",
        backend: { type: "mock" },
      },
    ],
  });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  return built.snapshot;
}

const snap = snapshot();
const ok = { host: "api.test", origin: "https://app.test" };

describe("decideHandshake", () => {
  it("accepts an allowed origin on a websocket API, with the remainder and query for the backend", () => {
    const trace: TraceStep[] = [];
    const d = decideHandshake(snap, { target: "/v1/rooms/./7/../8?x=1", headers: ok }, trace);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.api.name).toBe("rooms");
    expect(d.path.raw).toBe("/v1/rooms/8");
    expect(d.remainder).toBe("/8");
    expect(d.query).toBe("?x=1");
    expect(d.origin).toMatchObject({ outcome: "allowed", reason: "ORIGIN_ALLOWED" });
    expect(trace.map((s) => s.check)).toEqual(["path", "route", "origin", "verdict"]);
  });

  const refusals: [string, string, Record<string, string>, string][] = [
    ["a path above the root", "/v1/../../chat", ok, "PATH_ABOVE_ROOT"],
    ["an encoded slash", "/v1/chat%2Fx", ok, "PATH_ENCODED_SLASH"],
    ["no API on the path", "/v1/nothing", ok, "ROUTE_NOT_FOUND"],
    ["another host", "/v1/chat", { ...ok, host: "other.test" }, "ROUTE_NOT_FOUND"],
    ["a path served for POST only", "/v1/posts", ok, "METHOD_NOT_ALLOWED"],
    ["an API without websocket: true", "/v1/plain", ok, "WEBSOCKET_NOT_ALLOWED"],
    [
      "a disallowed origin",
      "/v1/chat",
      { ...ok, origin: "https://evil.test" },
      "WEBSOCKET_ORIGIN_NOT_ALLOWED",
    ],
    ["no key on auth: app", "/v1/secure", ok, "AUTH_KEY_MISSING"],
    [
      "a disallowed origin before a missing key",
      "/v1/secure",
      { ...ok, origin: "https://evil.test" },
      "WEBSOCKET_ORIGIN_NOT_ALLOWED",
    ],
  ];
  for (const [sentence, target, headers, code] of refusals) {
    it(`refuses ${sentence} with ${code}`, () => {
      const d = decideHandshake(snap, { target, headers });
      expect(d.ok).toBe(false);
      if (d.ok) return;
      expect(d.code).toBe(code);
      expect(d.message.length).toBeGreaterThan(0);
    });
  }

  it("names the methods a path allows on a 405, and the API and Origin verdict it decided on", () => {
    const d = decideHandshake(snap, { target: "/v1/posts", headers: ok });
    expect(d).toMatchObject({ ok: false, code: "METHOD_NOT_ALLOWED", headers: { allow: "POST" } });
    const o = decideHandshake(snap, { target: "/v1/chat", headers: { ...ok, origin: "https://evil.test" } });
    expect(o).toMatchObject({
      ok: false,
      api: { name: "chat" },
      origin: { outcome: "refused", reason: "ORIGIN_NOT_ALLOWED" },
    });
    if (!o.ok) expect(o.message).toContain("(ORIGIN_NOT_ALLOWED)");
  });

  it("takes the gateway's own origin as https:// for a handshake over TLS (wss://), as for fetch, and http:// otherwise", () => {
    // Regression: the handshake's own origin was always http://HOST, so a page served by the gateway
    // over https (Origin https://api.test) was refused unless the policy listed the gateway itself.
    const self = { host: "api.test", origin: "https://api.test" };
    const secure = decideHandshake(snap, { target: "/v1/chat", headers: self, secure: true });
    expect(secure).toMatchObject({ ok: true, origin: { outcome: "allowed", reason: "SAME_ORIGIN" } });
    const plain = decideHandshake(snap, { target: "/v1/chat", headers: self });
    expect(plain).toMatchObject({ ok: false, code: "WEBSOCKET_ORIGIN_NOT_ALLOWED" });
    const plainSelf = decideHandshake(snap, {
      target: "/v1/chat",
      headers: { host: "api.test", origin: "http://api.test" },
    });
    expect(plainSelf).toMatchObject({ ok: true, origin: { reason: "SAME_ORIGIN" } });
    // Over TLS, the http:// twin of the gateway's origin is another origin.
    const downgraded = decideHandshake(snap, {
      target: "/v1/chat",
      headers: { host: "api.test", origin: "http://api.test" },
      secure: true,
    });
    expect(downgraded).toMatchObject({ ok: false, code: "WEBSOCKET_ORIGIN_NOT_ALLOWED" });
  });

  it("accepts auth: app with an authorized application's key", () => {
    const d = decideHandshake(snap, { target: "/v1/secure", headers: { ...ok, "x-api-key": KEY } });
    expect(d).toMatchObject({ ok: true, app: "partner" });
  });

  it("never throws on arbitrary targets and header values, and refuses only with documented codes", () => {
    // Weighted toward the names that reach an acceptance, so that each run has some (the last assertion).
    const segment = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.constantFrom(
          "v1",
          "chat",
          "rooms",
          "secure",
          "plain",
          "..",
          ".",
          "%2e%2E",
          "%2F",
          "%5c",
          ";a=b",
          "%00",
          "%",
          "\\",
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    );
    const target = fc
      .tuple(
        fc.constantFrom("/v1", "/v1/", "", "/v2"),
        fc.array(segment, { maxLength: 6 }),
        fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      )
      .map(([base, segs, query]) => `${base}/${segs.join("/")}${query === undefined ? "" : `?${query}`}`);
    const anyTarget = fc.oneof(
      { weight: 4, arbitrary: target },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    );
    const header = (likely: string[]) =>
      fc.option(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...likely) },
          { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
        ),
        { nil: undefined, freq: 6 },
      );
    const hosts = header(["api.test", "API.test:8080", "other.test"]);
    const origins = header(["https://app.test", "https://evil.test", "null"]);
    const keys = header([KEY, "wrong-key-0123456789"]);
    let accepted = 0;
    fc.assert(
      fc.property(anyTarget, hosts, origins, keys, (t, host, origin, key) => {
        const headers: Record<string, string> = {};
        if (host !== undefined) headers.host = host;
        if (origin !== undefined) headers.origin = origin;
        if (key !== undefined) headers["x-api-key"] = key;
        const d = decideHandshake(snap, { target: t, headers });
        if (d.ok) accepted++;
        if (!d.ok) {
          expect(Object.keys(ERRORS)).toContain(d.code);
          return;
        }
        // Accepted: a websocket API, routed on the normalized path, from an Origin its policy allows.
        expect(d.api.config.websocket).toBe(true);
        const q = t.indexOf("?");
        const normalized = normalizePath(q < 0 ? t : t.slice(0, q));
        expect(normalized.ok && normalized.path).toBe(d.path.raw);
        expect(d.origin.outcome).not.toBe("refused");
        expect(headers.host?.toLowerCase().split(":")[0]).toBe("api.test");
      }),
      { numRuns: 3000 },
    );
    // The generators reach acceptances too, so the second half of the property is exercised.
    expect(accepted).toBeGreaterThan(0);
  });
});
