import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { RunningGateway } from "../../src/gateway/server.js";
import { startGateway } from "../../src/gateway/server.js";
import { Resources, startUpstream, type Upstream } from "../backends/support.js";
import { corsHeaders, headerLines, send } from "../support/gateway.js";

// SPEC section 9, all five scenarios, with real HTTP backends (and the seed's Lambda for scenario 5):
// exact headers, and the request id the client gets is the one the backend saw.
const JSON_200 = '{"status":"200"}';
const resources = new Resources();
let plain: Upstream;
let withCors: Upstream;
let gw: RunningGateway;

beforeAll(async () => {
  const answer =
    (extra: Record<string, string>) => (_req: unknown, res: import("node:http").ServerResponse) => {
      res.writeHead(200, { "Content-Type": "application/json", Server: "api-gateway", ...extra });
      res.end(JSON_200);
    };
  plain = await startUpstream(resources, answer({}));
  withCors = await startUpstream(resources, answer({ "Access-Control-Allow-Origin": "http://www.cors.com" }));
  const built = compileConfig({
    groups: [
      { name: "s1", domains: ["www.test.com"] },
      { name: "s2", domains: ["backend-cors.test"] },
      { name: "s4", domains: ["webmethods.test"] },
      { name: "s5", domains: ["amazon.test"] },
    ],
    corsPolicies: [
      {
        name: "wm",
        allowOrigins: ["http://test1.com"],
        allowMethods: ["POST", "GET", "PUT"],
        allowHeaders: ["test1", "test2"],
        exposeHeaders: ["header1", "header2"],
        allowCredentials: true,
        maxAge: 100,
      },
    ],
    apis: [
      {
        name: "options",
        group: "s1",
        method: "OPTIONS",
        path: "/",
        match: "prefix",
        cors: true,
        backend: { type: "mock", headers: { "Content-Type": "application/json" }, body: JSON_200 },
      },
      {
        name: "simple",
        group: "s1",
        method: "ANY",
        path: "/simple",
        cors: true,
        backend: { type: "http", url: plain.url },
      },
      {
        name: "simple2",
        group: "s2",
        method: "GET",
        path: "/simple",
        cors: true,
        backend: { type: "http", url: withCors.url },
      },
      {
        name: "orders",
        group: "s4",
        method: "ANY",
        path: "/orders",
        corsPolicy: "wm",
        backend: { type: "http", url: plain.url },
      },
      {
        name: "hello",
        group: "s5",
        method: "GET",
        path: "/hello",
        backend: {
          type: "function",
          module: fileURLToPath(new URL("fixtures/lambda-cors.mjs", import.meta.url)),
        },
      },
    ],
    apps: [{ name: "partner", javascriptOrigins: ["http://test2.com"], apis: ["orders"] }],
  });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  gw = await startGateway(built.snapshot, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await gw.close();
  await resources.closeAll();
});

function backendSawId(upstream: Upstream, id: unknown): boolean {
  return upstream.requests.some((r) => r.headers["x-request-id"] === id);
}

describe("the five seed scenarios over real HTTP backends", () => {
  it("1. toggle on, backend without CORS headers: the backend's 200 plus X-Request-Id and Access-Control-Allow-Origin: *", async () => {
    const res = await send(gw.url, "GET", "/simple", { host: "www.test.com", origin: "http://www.cors.com" });
    expect(res.status).toBe(200);
    expect(res.body).toBe(JSON_200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers.server).toBe("api-gateway");
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(corsHeaders(res)).toEqual({ "access-control-allow-origin": "*" });
    expect(backendSawId(plain, res.headers["x-request-id"])).toBe(true);
  });

  it("2. toggle on, backend answers its own Access-Control-Allow-Origin: the client sees exactly that value, once", async () => {
    const res = await send(gw.url, "GET", "/simple", {
      host: "backend-cors.test",
      origin: "http://www.cors.com",
    });
    expect(res.status).toBe(200);
    expect(headerLines(res, "access-control-allow-origin")).toEqual(["http://www.cors.com"]);
    expect(corsHeaders(res)).toEqual({ "access-control-allow-origin": "http://www.cors.com" });
    expect(backendSawId(withCors, res.headers["x-request-id"])).toBe(true);
  });

  it("3. the OPTIONS API answers the preflight, then the PUT reaches the backend with Access-Control-Allow-Origin: *", async () => {
    const before = plain.requests.length;
    const pre = await send(gw.url, "OPTIONS", "/", {
      host: "www.test.com",
      origin: "http://www.cors.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "X-Sdk-Date",
    });
    expect(pre.status).toBe(200);
    expect(corsHeaders(pre)["access-control-max-age"]).toBe("172800");
    expect(plain.requests.length).toBe(before);
    const res = await send(
      gw.url,
      "PUT",
      "/simple",
      { host: "www.test.com", origin: "http://www.cors.com" },
      "a=1",
    );
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({ "access-control-allow-origin": "*" });
    expect(plain.requests.at(-1)?.method).toBe("PUT");
    expect(backendSawId(plain, res.headers["x-request-id"])).toBe(true);
  });

  it("4. the webMethods policy with an application's JavaScript origin, in front of a real backend", async () => {
    const refused = await send(gw.url, "GET", "/orders", {
      host: "webmethods.test",
      origin: "http://test.com",
    });
    expect(refused.status).toBe(403);
    expect(backendSawId(plain, refused.headers["x-request-id"])).toBe(false);
    const res = await send(gw.url, "GET", "/orders", { host: "webmethods.test", origin: "http://test2.com" });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      "access-control-allow-origin": "http://test2.com",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "header1,header2",
    });
    expect(backendSawId(plain, res.headers["x-request-id"])).toBe(true);
  });

  it("5. a function backend returning its own CORS headers reaches the client unchanged", async () => {
    const res = await send(gw.url, "GET", "/hello", {
      host: "amazon.test",
      origin: "https://www.example.com",
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      "access-control-allow-headers": "Content-Type",
      "access-control-allow-origin": "https://www.example.com",
      "access-control-allow-methods": "OPTIONS,POST,GET",
    });
    expect(JSON.parse(res.body)).toBe("Hello from Lambda!");
  });
});
