/**
 * `websocket` and `websocketOrigins` on APIs: the schema, the errors (settings that can never work)
 * and the lint warnings (handshakes left unguarded, or always refused), each at its path.
 */
import { describe, expect, it } from "vitest";
import { compileConfig } from "./compile.js";
import { validateConfig } from "./validate.js";

const http = { type: "http", url: "http://127.0.0.1:9000" };
const policies = [
  { name: "web", allowOrigins: ["https://app.test"] },
  { name: "star", allowOrigins: ["*"] },
  { name: "rollout", allowOrigins: ["https://app.test"], mode: "report" },
];

function findings(apis: unknown[], groups: unknown[] = []): string[] {
  return validateConfig({ groups, corsPolicies: policies, apis })
    .filter((p) => p.code.includes("WEBSOCKET") || p.code === "SCHEMA")
    .map((p) => `${p.severity} ${p.path}: ${p.code}`);
}

const ws = (extra: Record<string, unknown>) => ({
  name: "chat",
  method: "GET",
  path: "/chat",
  websocket: true,
  backend: http,
  ...extra,
});

describe("websocket settings", () => {
  it("accepts a guarded WebSocket API, with the one note that programs without Origin pass", () => {
    expect(findings([ws({ corsPolicy: "web" })])).toEqual([
      "warning apis[0].websocket: LINT_WEBSOCKET_NO_ORIGIN",
    ]);
    expect(findings([ws({ corsPolicy: "web", auth: "app" })])).toEqual([]);
    expect(findings([ws({ corsPolicy: "web", websocketOrigins: "policy", auth: "app" })])).toEqual([]);
  });

  it("refuses a mock or function backend: only an http backend can take an upgrade", () => {
    expect(findings([ws({ corsPolicy: "web", auth: "app", backend: { type: "mock" } })])).toEqual([
      "error apis[0].backend.type: WEBSOCKET_BACKEND",
    ]);
    const problems = validateConfig({
      corsPolicies: policies,
      apis: [ws({ corsPolicy: "web", auth: "app", backend: { type: "function", module: "./h.mjs" } })],
    });
    const problem = problems.find((p) => p.code === "WEBSOCKET_BACKEND");
    expect(problem?.reason).toBe(
      "a function backend cannot take a WebSocket upgrade: websocket: true needs an http backend",
    );
  });

  it("refuses a method other than GET or ANY: a handshake is a GET", () => {
    expect(findings([ws({ corsPolicy: "web", auth: "app", method: "POST" })])).toEqual([
      "error apis[0].method: WEBSOCKET_METHOD",
    ]);
    expect(findings([ws({ corsPolicy: "web", auth: "app", method: "ANY" })])).toEqual([]);
  });

  it("refuses websocketOrigins: any beside a CORS policy, the API's own or its group's", () => {
    expect(findings([ws({ corsPolicy: "web", websocketOrigins: "any" })])).toEqual([
      "error apis[0].websocketOrigins: WEBSOCKET_ORIGINS_WITH_POLICY",
    ]);
    const grouped = findings(
      [ws({ group: "g", websocketOrigins: "any" })],
      [{ name: "g", corsPolicy: "web" }],
    );
    expect(grouped).toEqual(["error apis[0].websocketOrigins: WEBSOCKET_ORIGINS_WITH_POLICY"]);
    const reason = validateConfig({
      groups: [{ name: "g", corsPolicy: "web" }],
      corsPolicies: policies,
      apis: [ws({ group: "g", websocketOrigins: "any" })],
    }).find((p) => p.code === "WEBSOCKET_ORIGINS_WITH_POLICY")?.reason;
    expect(reason).toContain("group g's default corsPolicy web");
  });

  it("warns that websocketOrigins: any leaves the handshake open to every site", () => {
    expect(findings([ws({ websocketOrigins: "any" })])).toEqual([
      "warning apis[0].websocketOrigins: LINT_WEBSOCKET_ANY_ORIGIN",
    ]);
    expect(findings([ws({ cors: true, websocketOrigins: "any" })])).toEqual([
      "warning apis[0].websocketOrigins: LINT_WEBSOCKET_ANY_ORIGIN",
    ]);
  });

  it("warns that every handshake will be refused without a policy, the toggle included", () => {
    expect(findings([ws({})])).toEqual(["warning apis[0].websocket: LINT_WEBSOCKET_NO_POLICY"]);
    const toggle = validateConfig({ corsPolicies: policies, apis: [ws({ cors: true })] }).find(
      (p) => p.code === "LINT_WEBSOCKET_NO_POLICY",
    );
    expect(toggle?.reason).toContain("cors: true admits no WebSocket handshake");
  });

  it("warns about a policy that allows any origin, or only reports", () => {
    expect(findings([ws({ corsPolicy: "star", auth: "app" })])).toEqual([
      "warning apis[0].websocket: LINT_WEBSOCKET_ANY_ORIGIN",
    ]);
    expect(findings([ws({ corsPolicy: "rollout", auth: "app" })])).toEqual([
      "warning apis[0].websocket: LINT_WEBSOCKET_REPORT_MODE",
    ]);
  });

  it("warns that websocketOrigins does nothing without websocket: true", () => {
    expect(findings([ws({ corsPolicy: "web", websocket: undefined, websocketOrigins: "policy" })])).toEqual([
      "warning apis[0].websocketOrigins: LINT_WEBSOCKET_ORIGINS_UNUSED",
    ]);
  });

  it("refuses values the schema does not know", () => {
    const problems = validateConfig({ apis: [ws({ websocket: "yes", websocketOrigins: "all" })] });
    expect(problems.filter((p) => p.severity === "error").map((p) => p.path)).toEqual(
      expect.arrayContaining(["apis[0].websocket", "apis[0].websocketOrigins"]),
    );
  });

  it("keeps the settings through the snapshot, and refuses to build one with an error", () => {
    const built = compileConfig({ corsPolicies: policies, apis: [ws({ corsPolicy: "web", auth: "app" })] });
    expect(built.ok).toBe(true);
    if (built.ok) expect(built.snapshot.apis[0]?.config.websocket).toBe(true);
    expect(compileConfig({ apis: [ws({ backend: { type: "mock" } })] }).ok).toBe(false);
  });
});
