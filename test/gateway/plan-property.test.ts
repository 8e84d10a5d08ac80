/**
 * One request plan (issue 12): explain prints the plan the gateway executes, so for generated
 * configurations and requests, explain's predicted status and CORS headers equal what the gateway
 * sends on the wire, stage by stage (preflight, then the actual request).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { explain } from "../../src/explain/explain.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { send } from "../support/gateway.js";

const KEY = "key-0123456789abcdef";
const ORIGINS = ["https://app.test", "https://a.sub.test", "http://other.test", "null"];

const policy = fc.record({
  name: fc.constantFrom("p1", "p2", "p3"),
  allowOrigins: fc.subarray(["https://app.test", "https://*.sub.test", "*"], { minLength: 1 }),
  allowMethods: fc.subarray(["GET", "PUT", "DELETE", "PATCH"]),
  allowHeaders: fc.subarray(["X-Sdk-Date", "Content-Type", "X-Api-Key", "*"]),
  exposeHeaders: fc.subarray(["X-Request-Id", "X-Custom"]),
  allowCredentials: fc.boolean(),
  maxAge: fc.option(fc.constantFrom(0, 600), { nil: undefined }),
  onDisallowedOrigin: fc.constantFrom("reject", "omit"),
  mode: fc.constantFrom("enforce", "enforce", "report"),
  backendCorsHeaders: fc.constantFrom("override", "keep"),
});

const api = fc.record({
  method: fc.constantFrom("GET", "PUT", "ANY", "OPTIONS"),
  path: fc.constantFrom("/", "/items", "/items/{id}", "/files/{rest+}", "/a/b"),
  match: fc.constantFrom("exact", "prefix"),
  cors: fc.constantFrom("none", "toggle", "p1", "p2", "p3"),
  auth: fc.constantFrom("none", "none", "app"),
  group: fc.constantFrom(undefined, "g1", "g2"),
  status: fc.constantFrom(200, 201, 404),
  backendAcao: fc.constantFrom(undefined, "*", "https://app.test"),
});

const configArb = fc
  .record({
    policies: fc.uniqueArray(policy, { selector: (p) => p.name, maxLength: 3 }),
    apis: fc.array(api, { minLength: 1, maxLength: 6 }),
    g1Default: fc.constantFrom(undefined, "p1", "p2"),
    g2Domains: fc.boolean(),
    javascriptOrigin: fc.boolean(),
  })
  .map(({ policies, apis, g1Default, g2Domains, javascriptOrigin }) => {
    const names = new Set(policies.map((p) => p.name));
    const apiConfigs = apis.map((a, i) => ({
      name: `api${i}`,
      method: a.method,
      path: a.path,
      ...(a.path.includes("+}") ? {} : { match: a.match }),
      ...(a.group ? { group: a.group } : {}),
      ...(a.cors === "toggle"
        ? { cors: true }
        : names.has(a.cors as (typeof policies)[number]["name"])
          ? { corsPolicy: a.cors }
          : {}),
      auth: a.auth,
      backend: {
        type: "mock",
        status: a.status,
        headers: a.backendAcao ? { "Access-Control-Allow-Origin": a.backendAcao } : {},
        body: `api${i}`,
      },
    }));
    return {
      groups: [
        {
          name: "g1",
          basePath: "/v1",
          ...(g1Default && names.has(g1Default) ? { corsPolicy: g1Default } : {}),
        },
        { name: "g2", ...(g2Domains ? { domains: ["api.test"] } : {}) },
      ],
      corsPolicies: policies,
      apis: apiConfigs,
      apps: [
        {
          name: "client",
          keys: [KEY],
          apis: apiConfigs.filter((_, i) => i % 2 === 0).map((a) => a.name),
          ...(javascriptOrigin ? { javascriptOrigins: ["http://other.test"] } : {}),
        },
      ],
    };
  });

const requestArb = fc.record({
  method: fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "POST"),
  path: fc.constantFrom(
    "/items",
    "/items/7",
    "/v1/items/7",
    "/v1/a/b/c",
    "/files/x/y",
    "/a/b",
    "/",
    "/nowhere",
    "/v1/../items",
    "/items/%2e%2e/a/b",
    "/items/a%2Fb",
    "/items;x=1",
  ),
  origin: fc.constantFrom(...ORIGINS),
  host: fc.constantFrom("api.test", "other.host"),
  headers: fc.subarray(["X-Sdk-Date", "X-Api-Key", "X-Other"]),
  credentials: fc.boolean(),
});

let gateway: RunningGateway;
beforeAll(async () => {
  const initial = compileConfig({});
  if (!initial.ok) throw new Error("empty configuration refused");
  gateway = await startGateway(initial.snapshot, { host: "127.0.0.1", port: 0 });
});
afterAll(() => gateway.close());

function compared(headers: Iterable<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith("access-control-") || name === "vary" || name === "content-type" || name === "allow")
      out[name] = value;
  }
  return out;
}

describe("explain predicts the gateway (property over generated configurations and requests)", () => {
  it("the same status and the same CORS headers, stage by stage", async () => {
    let compiledConfigs = 0;
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        async (config, requests) => {
          const built = compileConfig(config);
          if (!built.ok) return; // a generated route conflict, or a * policy with credentials
          compiledConfigs++;
          gateway.swap(built.snapshot);
          for (const r of requests) {
            const e = explain(built.snapshot, {
              origin: r.origin,
              method: r.method,
              path: r.path,
              host: r.host,
              headers: r.headers.map((name) => ({ name, value: name === "X-Api-Key" ? KEY : "1" })),
              credentials: r.credentials,
            });
            for (const stage of e.stages) {
              const headers: Record<string, string> = { host: r.host };
              for (const [k, v] of stage.request.headers) headers[k] = v;
              const wire = await send(gateway.url, stage.request.method, r.path, headers);
              const label = `${stage.stage} ${stage.request.method} ${r.path} from ${r.origin} on ${r.host}`;
              expect(stage.status, label).not.toBeNull(); // every backend here is a mock
              expect(wire.status, label).toBe(stage.status);
              const onWire = Object.entries(wire.headers).map(([k, v]) => [k, String(v)] as const);
              expect(compared(onWire), label).toEqual(compared(stage.headers));
            }
          }
        },
      ),
      { numRuns: Number(process.env.PLAN_PROPERTY_RUNS ?? 150) },
    );
    // The generators must mostly produce valid configurations, or the property says little.
    expect(compiledConfigs).toBeGreaterThan(50);
  });
});
