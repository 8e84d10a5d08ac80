import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
let other: Server;
let otherHits = 0;
beforeAll(async () => {
  h = await startHarness({
    groups: [{ name: "shop", domains: ["api.shop.test"] }],
    corsPolicies: [
      {
        name: "web",
        allowOrigins: ["http://app.test"],
        allowMethods: ["GET", "PUT"],
        allowHeaders: ["X-Sdk-Date"],
      },
    ],
    apis: [
      {
        name: "items",
        group: "shop",
        method: "ANY",
        path: "/items",
        corsPolicy: "web",
        backend: { type: "mock", body: "[1]" },
      },
      { name: "open", method: "GET", path: "/open", cors: true, backend: { type: "mock", body: "hi" } },
    ],
  });
  // A server that must never be reached through the test endpoint.
  other = createServer((_req, res) => {
    otherHits++;
    res.end("other");
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((resolve) => other.close(() => resolve()));
});

describe("POST /admin/v1/test: a request through the real gateway, as a browser sends it", () => {
  it("sends the preflight, then the actual request, with request ids, headers and Chromium's verdict", async () => {
    const answer = await h.call("POST", "/admin/v1/test", {
      body: {
        origin: "http://app.test",
        method: "PUT",
        path: "/items",
        host: "api.shop.test",
        headers: [{ name: "X-Sdk-Date", value: "1" }],
        body: "{}",
      },
    });
    expect(answer.status).toBe(200);
    const [preflight, actual] = answer.json.exchanges;
    expect(preflight.stage).toBe("preflight");
    expect(preflight.request.method).toBe("OPTIONS");
    expect(preflight.request.headers).toEqual([
      ["host", "api.shop.test"],
      ["origin", "http://app.test"],
      ["access-control-request-method", "PUT"],
      ["access-control-request-headers", "x-sdk-date"],
    ]);
    expect(preflight.response.status).toBe(200);
    expect(preflight.response.headers).toContainEqual(["access-control-allow-origin", "http://app.test"]);
    expect(preflight.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(preflight.browser.ok).toBe(true);
    expect(actual.response.status).toBe(200);
    expect(actual.response.body).toBe("[1]");
    expect(actual.requestId).not.toBe(preflight.requestId);
    expect(actual.durationMs).toBeGreaterThanOrEqual(0);
    expect(answer.json.outcome.ok).toBe(true);
    expect(answer.json.agreesWithExplain).toBe(true);
    expect(answer.json.explanation.preflightNeeded).toBe(true);
    // Both exchanges went through the data plane: they are in its log of decisions.
    const recent = (await h.call("GET", "/admin/v1/decisions?limit=2")).json.decisions;
    expect(recent.map((d: { requestId: string }) => d.requestId)).toEqual([
      actual.requestId,
      preflight.requestId,
    ]);
  });

  it("stops at a refused preflight, with the gateway's answer and Chromium's sentence", async () => {
    const answer = await h.call("POST", "/admin/v1/test", {
      body: { origin: "http://evil.test", method: "PUT", path: "/items", host: "api.shop.test" },
    });
    expect(answer.json.exchanges).toHaveLength(1);
    const [preflight] = answer.json.exchanges;
    expect(preflight.response.status).toBe(403);
    expect(JSON.parse(preflight.response.body).error_code).toBe("CORS_ORIGIN_NOT_ALLOWED");
    expect(preflight.browser.message).toBe(
      "Access to fetch at 'http://api.shop.test/items' from origin 'http://evil.test' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    expect(answer.json.outcome).toEqual({
      ok: false,
      summary: `blocked at preflight: ${preflight.browser.message}`,
    });
    expect(answer.json.agreesWithExplain).toBe(true);
  });

  it("sends a simple request without a preflight", async () => {
    const answer = await h.call("POST", "/admin/v1/test", {
      body: { origin: "http://x.test", method: "GET", path: "/open" },
    });
    expect(answer.json.exchanges.map((e: { stage: string }) => e.stage)).toEqual(["actual"]);
    expect(answer.json.exchanges[0].response.headers).toContainEqual(["access-control-allow-origin", "*"]);
  });

  it("only ever reaches the gateway's own listener: a URL is refused, a Host header is only a header", async () => {
    const otherHost = `127.0.0.1:${(other.address() as AddressInfo).port}`;
    const withUrl = await h.call("POST", "/admin/v1/test", {
      body: { origin: "http://x.test", method: "GET", path: "/open", url: `http://${otherHost}/` },
    });
    expect(withUrl.status).toBe(400);
    expect(withUrl.json.problems.map((p: { path: string }) => p.path)).toContain("url");
    const absolute = await h.call("POST", "/admin/v1/test", {
      body: { origin: "http://x.test", method: "GET", path: `http://${otherHost}/` },
    });
    expect(absolute.status).toBe(400);
    const viaHost = await h.call("POST", "/admin/v1/test", {
      body: { origin: "http://x.test", method: "GET", path: "/open", host: otherHost },
    });
    expect(viaHost.status).toBe(200);
    expect(viaHost.json.exchanges[0].response.body).toBe("hi");
    expect(otherHits).toBe(0);
  });

  it("refuses a header it cannot send as a bad request, saying why", async () => {
    const answer = await h.call("POST", "/admin/v1/test", {
      body: {
        origin: "http://x.test",
        method: "GET",
        path: "/open",
        headers: [{ name: "X-A", value: "a\r\nInjected: 1" }],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error_code).toBe("ADMIN_BAD_REQUEST");
    expect(answer.json.error_msg).toMatch(/cannot be sent/);
  });

  it("refuses a malformed request with every problem", async () => {
    const answer = await h.call("POST", "/admin/v1/test", { body: { method: 7 } });
    expect(answer.status).toBe(400);
    expect(answer.json.error_code).toBe("ADMIN_BAD_REQUEST");
    expect(answer.json.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      "method",
      "origin",
      "path",
    ]);
  });
});

describe("POST /admin/v1/test: the headers asked for are the headers the backend receives", () => {
  let echo: Server;
  let echoed: Harness;
  beforeAll(async () => {
    // The backend answers with the request's header lines as it received them.
    echo = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.rawHeaders));
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const port = (echo.address() as AddressInfo).port;
    echoed = await startHarness({
      corsPolicies: [
        { name: "any", allowOrigins: ["http://app.test"], allowMethods: ["GET"], allowHeaders: ["*"] },
      ],
      apis: [
        {
          name: "echo",
          method: "GET",
          path: "/echo",
          corsPolicy: "any",
          backend: { type: "http", url: `http://127.0.0.1:${port}` },
        },
      ],
    });
  });
  afterAll(async () => {
    await echoed.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it("sends names that are Object.prototype's members, and a repeated name, as given", async () => {
    const asked = [
      ["constructor", "c"],
      ["__proto__", "p"],
      ["tostring", "t"],
      ["x-two", "1"],
      ["x-two", "2"],
    ];
    const answer = await echoed.call("POST", "/admin/v1/test", {
      body: {
        origin: "http://app.test",
        method: "GET",
        path: "/echo",
        headers: asked.map(([name, value]) => ({ name, value })),
      },
    });
    expect(answer.status).toBe(200);
    const actual = answer.json.exchanges.at(-1);
    expect(actual.response.status).toBe(200);
    const raw = JSON.parse(actual.response.body) as string[];
    const received: string[][] = [];
    for (let i = 0; i < raw.length; i += 2)
      received.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
    const names = new Set(asked.map(([name]) => name));
    expect(received.filter(([name]) => names.has(name as string))).toEqual(asked);
  });
  it("sends any list of headers, Object member names included, repeated names together (property)", async () => {
    // Names a page may set: Object.prototype's members among ordinary ones, repeated or not; values
    // of visible ASCII with inner spaces (what a header value keeps after the transport trims it).
    const name = fc.oneof(
      fc.constantFrom("constructor", "__proto__", "tostring", "hasownproperty", "valueof", "x-a"),
      fc.stringMatching(/^x-[a-z0-9_]{1,8}$/),
    );
    const value = fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 6 }), async (asked) => {
        const answer = await echoed.call("POST", "/admin/v1/test", {
          body: {
            origin: "http://app.test",
            method: "GET",
            path: "/echo",
            headers: asked.map(([n, v]) => ({ name: n, value: v })),
          },
        });
        expect(answer.status).toBe(200);
        const raw = JSON.parse(answer.json.exchanges.at(-1).response.body) as string[];
        const names = new Set(asked.map(([n]) => n));
        const received: [string, string][] = [];
        for (let i = 0; i < raw.length; i += 2) {
          const n = (raw[i] as string).toLowerCase();
          if (names.has(n)) received.push([n, raw[i + 1] as string]);
        }
        // Repeated names are sent together, at the place of the first: the request is built from a map.
        const expected = [...new Set(asked.map(([n]) => n))].flatMap((n) => asked.filter(([m]) => m === n));
        expect(received).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });
});
