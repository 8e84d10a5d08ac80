/**
 * The WebSocket Origin check: one sentence per case, and a differential property against the engine's
 * own decision for actual requests (the check must never admit an origin the policy refuses, and
 * never refuse one it admits).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileConfig } from "../config/compile.js";
import type { Snapshot } from "../config/snapshot.js";
import { decide } from "../cors/index.js";
import { HeaderView } from "./header-view.js";
import { checkWebSocketOrigin } from "./websocket-origin.js";

function snapshot(): Snapshot {
  const api = (name: string, extra: Record<string, unknown>) => ({
    name,
    method: "GET",
    path: `/${name}`,
    websocket: true,
    backend: { type: "http", url: "http://127.0.0.1:1" },
    ...extra,
  });
  const built = compileConfig({
    groups: [{ name: "g", corsPolicy: "web" }],
    corsPolicies: [
      { name: "web", allowOrigins: ["https://app.example.com", "https://*.example.org"] },
      { name: "patterns", allowOriginPatterns: ["^https://[a-z]+\\.example\\.net$"] },
      { name: "report", allowOrigins: ["https://app.example.com"], mode: "report" },
      { name: "omit", allowOrigins: ["https://app.example.com"], onDisallowedOrigin: "omit" },
      { name: "nulls", allowOrigins: ["https://app.example.com"], dangerouslyAllowNullOrigin: true },
    ],
    apps: [
      {
        name: "partner",
        keys: ["partner-key-0123456789"],
        javascriptOrigins: ["http://partner.test"],
        apis: ["web"],
      },
    ],
    apis: [
      api("web", { corsPolicy: "web" }),
      api("patterns", { corsPolicy: "patterns" }),
      api("report", { corsPolicy: "report" }),
      api("omit", { corsPolicy: "omit" }),
      api("nulls", { corsPolicy: "nulls" }),
      api("grouped", { group: "g" }),
      api("toggle", { cors: true }),
      api("toggle-any", { cors: true, websocketOrigins: "any" }),
      api("bare", {}),
      api("bare-any", { websocketOrigins: "any" }),
    ],
  });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  return built.snapshot;
}

const snap = snapshot();
function check(apiName: string, origin: string | undefined, host = "gateway.test") {
  const api = snap.apis.find((a) => a.name === apiName);
  if (api === undefined) throw new Error(apiName);
  const headers: Record<string, string> = { host };
  if (origin !== undefined) headers.origin = origin;
  return checkWebSocketOrigin(api, new HeaderView("GET", "/", headers));
}

describe("checkWebSocketOrigin", () => {
  const cases: [string, string, string | undefined, string, string][] = [
    ["a listed origin is allowed", "web", "https://app.example.com", "allowed", "ORIGIN_ALLOWED"],
    ["a wildcard's subdomain is allowed", "web", "https://a.b.example.org", "allowed", "ORIGIN_ALLOWED"],
    [
      "an origin matching a pattern is allowed",
      "patterns",
      "https://abc.example.net",
      "allowed",
      "ORIGIN_ALLOWED",
    ],
    [
      "an application's JavaScript origin is allowed",
      "web",
      "http://partner.test",
      "allowed",
      "ORIGIN_ALLOWED",
    ],
    ["an unlisted origin is refused", "web", "https://evil.example.com", "refused", "ORIGIN_NOT_ALLOWED"],
    [
      "the listed origin over http is refused",
      "web",
      "http://app.example.com",
      "refused",
      "ORIGIN_NOT_ALLOWED",
    ],
    ["a malformed origin is refused", "web", "https://app.example.com/x", "refused", "ORIGIN_MALFORMED"],
    ["null is refused", "web", "null", "refused", "NULL_ORIGIN_NOT_ALLOWED"],
    ["null is allowed with dangerouslyAllowNullOrigin", "nulls", "null", "allowed", "ORIGIN_ALLOWED"],
    ["the gateway's own origin is same-origin", "web", "http://gateway.test", "allowed", "SAME_ORIGIN"],
    ["no Origin (not a browser) passes under a policy", "web", undefined, "allowed", "NOT_CORS"],
    ["a group's default policy applies", "grouped", "https://app.example.com", "allowed", "ORIGIN_ALLOWED"],
    ["a group's default policy refuses", "grouped", "https://evil.test", "refused", "ORIGIN_NOT_ALLOWED"],
    [
      "report mode lets a refusal through, recorded",
      "report",
      "https://evil.test",
      "report-only",
      "ORIGIN_NOT_ALLOWED",
    ],
    [
      "omit still refuses: omitting headers stops nothing",
      "omit",
      "https://evil.test",
      "refused",
      "ORIGIN_NOT_ALLOWED",
    ],
    ["the toggle admits no handshake", "toggle", "https://app.example.com", "refused", "TOGGLE_ONLY"],
    ["the toggle admits no handshake without Origin either", "toggle", undefined, "refused", "TOGGLE_ONLY"],
    [
      "the toggle with websocketOrigins: any admits all",
      "toggle-any",
      "https://evil.test",
      "allowed",
      "WEBSOCKET_ORIGINS_ANY",
    ],
    ["no CORS rules refuse", "bare", "https://app.example.com", "refused", "NO_CORS_POLICY"],
    ["no CORS rules refuse without Origin", "bare", undefined, "refused", "NO_CORS_POLICY"],
    ["websocketOrigins: any admits all", "bare-any", "null", "allowed", "WEBSOCKET_ORIGINS_ANY"],
  ];
  for (const [sentence, api, origin, outcome, reason] of cases) {
    it(sentence, () => {
      const verdict = check(api, origin);
      expect(verdict.outcome).toBe(outcome);
      expect(verdict.reason).toBe(reason);
      expect(verdict.detail.length).toBeGreaterThan(0);
    });
  }

  it("refuses exactly the origins the engine refuses for an actual request under the same policy", () => {
    const host = fc.constantFrom(
      "app.example.com",
      "evil.example.com",
      "a.example.org",
      "example.org",
      "partner.test",
    );
    const origin = fc.oneof(
      fc
        .tuple(
          fc.constantFrom("http", "https", "HTTPS", "ftp"),
          host,
          fc.constantFrom("", ":443", ":80", ":8443"),
        )
        .map(([s, h, p]) => `${s}://${h}${p}`),
      fc.constantFrom("null", "", "https://", "https://app.example.com/", "https://app.example.com."),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.constantFrom("web", "patterns", "omit", "grouped"), origin, (apiName, value) => {
        const api = snap.apis.find((a) => a.name === apiName);
        if (api?.cors == null || api.cors.kind !== "policy") throw new Error(apiName);
        const view = new HeaderView("GET", "/", { host: "gateway.test", origin: value });
        const engine = decide(api.cors, view);
        const verdict = checkWebSocketOrigin(api, view);
        expect(verdict.outcome === "refused").toBe(!engine.allowed);
        if (!engine.allowed) expect(verdict.reason).toBe(engine.reason);
      }),
      { numRuns: 2000 },
    );
  });
});
