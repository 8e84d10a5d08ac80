import { type Problem, type ProblemCode, problem } from "../problems.js";
import type { ApiConfig, CorsPolicyConfig, GroupConfig } from "./schema.js";

/** The CORS rules an API's handshakes are checked against, as buildSnapshot resolves them. */
type Rules =
  | { readonly kind: "policy"; readonly name: string; readonly source: string }
  | { readonly kind: "toggle" }
  | { readonly kind: "none" };

function rulesOf(api: ApiConfig, groups: ReadonlyMap<string, GroupConfig>): Rules {
  if (api.corsPolicy !== undefined) {
    return { kind: "policy", name: api.corsPolicy, source: `its corsPolicy ${api.corsPolicy}` };
  }
  if (api.cors === true) return { kind: "toggle" };
  const group = api.group === undefined ? undefined : groups.get(api.group);
  if (group?.corsPolicy !== undefined) {
    return {
      kind: "policy",
      name: group.corsPolicy,
      source: `group ${group.name}'s default corsPolicy ${group.corsPolicy}`,
    };
  }
  return { kind: "none" };
}

/**
 * The WebSocket settings of the APIs (`websocket`, `websocketOrigins`, docs/configuration.md):
 * errors for what can never work, lint warnings for what is legal but leaves handshakes unguarded
 * or always refused. `apis`, `groups` and `policies` are the schema-valid items with their index.
 */
export function websocketProblems(
  apis: readonly (readonly [number, ApiConfig])[],
  groups: readonly (readonly [number, GroupConfig])[],
  policies: readonly (readonly [number, CorsPolicyConfig])[],
): Problem[] {
  const problems: Problem[] = [];
  // The severity of each code is the problem table's (src/problems.ts).
  const add = (code: ProblemCode, path: string, value: unknown, reason: string) => {
    problems.push(problem(code, path, value, reason));
  };
  const groupByName = new Map(groups.map(([, g]) => [g.name, g]));
  const policyByName = new Map(policies.map(([, p]) => [p.name, p]));

  for (const [i, api] of apis) {
    const path = `apis[${i}]`;
    if (api.websocket !== true) {
      if (api.websocketOrigins !== undefined) {
        add(
          "LINT_WEBSOCKET_ORIGINS_UNUSED",
          `${path}.websocketOrigins`,
          api.websocketOrigins,
          "has no effect without websocket: true",
        );
      }
      continue;
    }
    if (api.backend.type !== "http") {
      add(
        "WEBSOCKET_BACKEND",
        `${path}.backend.type`,
        api.backend.type,
        `a ${api.backend.type} backend cannot take a WebSocket upgrade: websocket: true needs an http backend`,
      );
    }
    if (api.method !== "GET" && api.method !== "ANY") {
      add(
        "WEBSOCKET_METHOD",
        `${path}.method`,
        api.method,
        "a WebSocket handshake is a GET request (RFC 6455): websocket: true needs method GET or ANY",
      );
    }
    const rules = rulesOf(api, groupByName);
    if (api.websocketOrigins === "any") {
      if (rules.kind === "policy") {
        add(
          "WEBSOCKET_ORIGINS_WITH_POLICY",
          `${path}.websocketOrigins`,
          "any",
          `websocketOrigins: any is for APIs without a CORS policy, and this API's handshakes are checked against ${rules.source}: remove websocketOrigins, or the policy`,
        );
      } else {
        add(
          "LINT_WEBSOCKET_ANY_ORIGIN",
          `${path}.websocketOrigins`,
          "any",
          "pages of every site can open this WebSocket with the user's cookies and read it (Cross-Site WebSocket Hijacking): for browser clients, bind a corsPolicy listing their origins instead",
        );
      }
      continue;
    }
    if (rules.kind !== "policy") {
      add(
        "LINT_WEBSOCKET_NO_POLICY",
        `${path}.websocket`,
        true,
        rules.kind === "toggle"
          ? "cors: true admits no WebSocket handshake (it is the permissive profile for fetch, and would guard nothing): every handshake will be refused; bind a corsPolicy listing the pages' origins, or set websocketOrigins: any"
          : "the API has no CORS policy: every WebSocket handshake will be refused; bind a corsPolicy listing the pages' origins, or set websocketOrigins: any",
      );
      continue;
    }
    const policy = policyByName.get(rules.name);
    if (policy?.allowOrigins?.includes("*")) {
      add(
        "LINT_WEBSOCKET_ANY_ORIGIN",
        `${path}.websocket`,
        true,
        `${rules.source} allows any origin ('*'): pages of every site can open this WebSocket with the user's cookies and read it (Cross-Site WebSocket Hijacking)`,
      );
    }
    if (policy?.mode === "report") {
      add(
        "LINT_WEBSOCKET_REPORT_MODE",
        `${path}.websocket`,
        true,
        `${rules.source} is in report mode: handshakes from origins it does not allow are logged, counted and proxied`,
      );
    }
    if (api.auth !== "app") {
      add(
        "LINT_WEBSOCKET_NO_ORIGIN",
        `${path}.websocket`,
        true,
        "handshakes without an Origin (programs, not browsers) pass the Origin check, which stops other sites' pages only: set auth: app if only your applications may connect",
      );
    }
  }
  return problems;
}
