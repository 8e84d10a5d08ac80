/**
 * explain predicts what the gateway sends: for requests that reach no backend (refused paths, routing
 * misses, preflights), its status and CORS headers equal the gateway's answer on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { Snapshot } from "../../src/config/snapshot.js";
import { explain } from "../../src/explain/explain.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { send } from "../support/gateway.js";

const CONFIG = {
  groups: [{ name: "shop", domains: ["api.test"], corsPolicy: "web" }],
  corsPolicies: [
    {
      name: "web",
      allowOrigins: ["https://app.test"],
      allowMethods: ["GET", "PUT"],
      allowHeaders: ["X-Sdk-Date"],
    },
  ],
  apis: [
    {
      name: "items",
      group: "shop",
      method: "GET",
      path: "/items/{id}",
      backend: { type: "mock", body: "item" },
    },
    { name: "plain", method: "GET", path: "/plain", backend: { type: "mock" } },
  ],
};

let snapshot: Snapshot;
let gw: RunningGateway;
beforeAll(async () => {
  const built = compileConfig(CONFIG);
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  snapshot = built.snapshot;
  gw = await startGateway(snapshot, { host: "127.0.0.1", port: 0 });
});
afterAll(() => gw.close());

/** The response headers explain and the wire must agree on: CORS, Vary, the content type. */
function compared(headers: Iterable<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith("access-control-") || name === "vary" || name === "content-type") out[name] = value;
  }
  return out;
}

const cases: [string, { method: string; path: string; headers?: string[] }][] = [
  ["a preflight for an encoded slash: 400 with the preflight Vary", { method: "PUT", path: "/items/a%2Fb" }],
  [
    "an actual request for a '..' above the root: 400 with the group default's CORS",
    { method: "GET", path: "/../x" },
  ],
  ["an actual request for a ';' parameter", { method: "GET", path: "/items/1;x=1" }],
  ["a preflight for a path no API serves: 404 with the preflight Vary", { method: "PUT", path: "/nowhere" }],
  [
    "an actual request for a path no API serves: 404 under the group default",
    { method: "GET", path: "/nowhere" },
  ],
  ["an allowed preflight", { method: "PUT", path: "/items/1", headers: ["X-Sdk-Date"] }],
  ["a preflight refused for its header", { method: "PUT", path: "/items/1", headers: ["X-Other"] }],
  ["a dot segment resolved to an API", { method: "GET", path: "/plain/../items/%31" }],
];

describe("explain's prediction equals the gateway's answer", () => {
  for (const [name, c] of cases) {
    it(name, async () => {
      const e = explain(snapshot, {
        origin: "https://app.test",
        method: c.method,
        path: c.path,
        host: "api.test",
        headers: (c.headers ?? []).map((h) => ({ name: h, value: "1" })),
      });
      const stage = e.stages[0];
      if (stage === undefined) throw new Error("no stage");
      const requestHeaders: Record<string, string> = { host: "api.test" };
      for (const [k, v] of stage.request.headers) requestHeaders[k] = v;
      const r = await send(gw.url, stage.request.method, c.path, requestHeaders);
      if (stage.status !== null) expect(r.status).toBe(stage.status);
      const wire: [string, string][] = Object.entries(r.headers).map(([k, v]) => [k, String(v)]);
      expect(compared(wire)).toEqual(compared(stage.headers));
    });
  }
});
