import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { RunningGateway } from "../../src/gateway/server.js";
import { corsHeaders, send, startTestGateway } from "../support/gateway.js";

// Issue 3, item 5: API keys in X-Api-Key, kept only as hashes; 401 for a missing or unknown key,
// 403 for an application not authorized for the API; preflights are never authenticated.
const KEY_A = "key-of-storefront-0001";
const KEY_B = "key-of-backoffice-0002";

const config = {
  corsPolicies: [
    {
      name: "web",
      allowOrigins: ["https://shop.example.com"],
      allowHeaders: ["X-Api-Key"],
      allowMethods: ["PUT"],
    },
  ],
  apis: [
    {
      name: "orders",
      method: "ANY",
      path: "/orders",
      auth: "app",
      corsPolicy: "web",
      backend: { type: "mock", body: "orders" },
    },
    {
      name: "admin",
      method: "GET",
      path: "/admin",
      auth: "app",
      cors: true,
      backend: { type: "mock", body: "admin" },
    },
  ],
  apps: [
    {
      name: "storefront",
      keys: [KEY_A],
      javascriptOrigins: ["https://partner.example.com"],
      apis: ["orders"],
    },
    { name: "backoffice", keys: [KEY_B], apis: ["admin"] },
  ],
};

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startTestGateway(config);
});
afterAll(async () => {
  await gw.close();
});

describe("applications and API keys", () => {
  it("lets a known key of an authorized application through", async () => {
    const res = await send(gw.url, "GET", "/orders", {
      "x-api-key": KEY_A,
      origin: "https://shop.example.com",
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe("orders");
  });

  it("answers 401 AUTH_KEY_MISSING without a key, with the CORS headers so that the page can read it", async () => {
    const res = await send(gw.url, "GET", "/orders", { origin: "https://shop.example.com" });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({
      error_code: "AUTH_KEY_MISSING",
      request_id: res.headers["x-request-id"],
    });
    expect(res.headers["access-control-allow-origin"]).toBe("https://shop.example.com");
  });

  it("answers 401 AUTH_KEY_INVALID for an unknown key", async () => {
    const res = await send(gw.url, "GET", "/orders", { "x-api-key": "not-a-key-of-anyone-000" });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error_code).toBe("AUTH_KEY_INVALID");
  });

  it("answers 403 AUTH_APP_NOT_AUTHORIZED for an application not authorized for the API", async () => {
    const res = await send(gw.url, "GET", "/orders", { "x-api-key": KEY_B });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error_code).toBe("AUTH_APP_NOT_AUTHORIZED");
  });

  it("carries the toggle's Access-Control-Allow-Origin: * on a 401 of a toggle API", async () => {
    const res = await send(gw.url, "GET", "/admin", { origin: "https://anyone.example.com" });
    expect(res.status).toBe(401);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
  });

  it("never authenticates a preflight", async () => {
    const res = await send(gw.url, "OPTIONS", "/orders", {
      origin: "https://shop.example.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "x-api-key",
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)["access-control-allow-origin"]).toBe("https://shop.example.com");
  });

  it("admits an application's JavaScript origin on the API it is authorized for", async () => {
    const res = await send(gw.url, "GET", "/orders", {
      "x-api-key": KEY_A,
      origin: "https://partner.example.com",
    });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://partner.example.com");
  });

  it("keeps API keys only as hashes in the compiled configuration", () => {
    const built = compileConfig(config);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const text = JSON.stringify(built.snapshot.config);
    expect(text).not.toContain(KEY_A);
    expect(text).not.toContain(KEY_B);
    expect(built.snapshot.config.apps?.[0]?.keyHashes?.[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The caller's object is not modified either.
    expect(config.apps[0]?.keys).toEqual([KEY_A]);
  });

  it("reads the key from a configurable header", async () => {
    const custom = await startTestGateway({ ...config, gateway: { apiKeyHeader: "X-Partner-Key" } });
    try {
      expect((await send(custom.url, "GET", "/orders", { "x-partner-key": KEY_A })).status).toBe(200);
      expect((await send(custom.url, "GET", "/orders", { "x-api-key": KEY_A })).status).toBe(401);
    } finally {
      await custom.close();
    }
  });

  it("reads a key header named like an Object member only from the request: missing is 401, never 500", async () => {
    const custom = await startTestGateway({ ...config, gateway: { apiKeyHeader: "constructor" } });
    try {
      const missing = await send(custom.url, "GET", "/orders");
      expect(missing.status).toBe(401);
      expect(JSON.parse(missing.body).error_code).toBe("AUTH_KEY_MISSING");
      expect((await send(custom.url, "GET", "/orders", { constructor: KEY_A })).status).toBe(200);
    } finally {
      await custom.close();
    }
  });

  it("refuses a key header name that is not a header name, saying what one is", () => {
    const built = compileConfig({ ...config, gateway: { apiKeyHeader: "X Api Key" } });
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.problems.map((p) => [p.path, p.reason])).toContainEqual([
      "gateway.apiKeyHeader",
      expect.stringMatching(/must be a header name/),
    ]);
  });
});
