/**
 * Exact CORS on the wire (SPEC section 4; issue 10, part 3): every answer to a preflight varies on
 * Origin, Access-Control-Request-Method and Access-Control-Request-Headers, refusals included, and an
 * OPTIONS whose Access-Control-Request-Method is empty is an ordinary request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { headerLines, send, startTestGateway } from "../support/gateway.js";

const FULL = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    corsPolicies: [
      {
        name: "web",
        allowOrigins: ["https://app.test"],
        allowMethods: ["GET", "PUT"],
        allowHeaders: ["X-Sdk-Date"],
      },
      { name: "any", allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"] },
      { name: "pna", allowOrigins: ["https://app.test"], allowPrivateNetwork: true },
    ],
    apis: [
      { name: "web", method: "ANY", path: "/web", corsPolicy: "web", backend: { type: "mock", body: "web" } },
      { name: "any", method: "ANY", path: "/any", corsPolicy: "any", backend: { type: "mock", body: "any" } },
      { name: "pna", method: "GET", path: "/pna", corsPolicy: "pna", backend: { type: "mock" } },
      { name: "toggle", method: "GET", path: "/toggle", cors: true, backend: { type: "mock" } },
      { name: "plain", method: "GET", path: "/plain", backend: { type: "mock" } },
    ],
  });
});
afterAll(() => gw.close());

function preflight(path: string, origin: string, method: string, headers?: string) {
  return send(gw.url, "OPTIONS", path, {
    origin,
    "access-control-request-method": method,
    ...(headers === undefined ? {} : { "access-control-request-headers": headers }),
  });
}

describe("every answer to a preflight carries the full Vary", () => {
  const cases: [string, () => ReturnType<typeof preflight>, number][] = [
    ["an allowed preflight", () => preflight("/web", "https://app.test", "PUT", "x-sdk-date"), 200],
    ["a disallowed origin (403)", () => preflight("/web", "https://evil.test", "PUT"), 403],
    ["a disallowed method (405)", () => preflight("/web", "https://app.test", "DELETE"), 405],
    ["a disallowed header (403)", () => preflight("/web", "https://app.test", "PUT", "x-other"), 403],
    [
      "an over-long Access-Control-Request-Headers (403)",
      () => preflight("/web", "https://app.test", "PUT", `x-sdk-date,${"x-a,".repeat(3000)}x-b`),
      403,
    ],
    [
      "a * policy that varies on nothing else (200)",
      () => preflight("/any", "https://any.test", "PURGE", "x-custom"),
      200,
    ],
    ["the toggle (200)", () => preflight("/toggle", "https://any.test", "GET", "x-custom"), 200],
    [
      "a path no API serves (404, no CORS headers)",
      () => preflight("/nowhere", "https://app.test", "PUT"),
      404,
    ],
    ["an API without CORS (405, no CORS headers)", () => preflight("/plain", "https://app.test", "GET"), 405],
  ];
  for (const [name, ask, status] of cases) {
    it(name, async () => {
      const r = await ask();
      expect(r.status).toBe(status);
      expect(headerLines(r, "vary")).toEqual([FULL]);
    });
  }

  it("adds Access-Control-Request-Private-Network for a policy that answers Private Network Access", async () => {
    const r = await send(gw.url, "OPTIONS", "/pna", {
      origin: "https://evil.test",
      "access-control-request-method": "GET",
      "access-control-request-private-network": "true",
    });
    expect(r.status).toBe(403);
    expect(r.headers.vary).toBe(`${FULL}, Access-Control-Request-Private-Network`);
  });
});

describe("an OPTIONS with an empty Access-Control-Request-Method is not a preflight", () => {
  it("reaches the API as an ordinary OPTIONS request, with the actual-request CORS headers", async () => {
    const r = await send(gw.url, "OPTIONS", "/web", {
      origin: "https://app.test",
      "access-control-request-method": "",
    });
    expect(r.status).toBe(200);
    expect(r.body).toBe("web");
    expect(r.headers["access-control-allow-origin"]).toBe("https://app.test");
    expect(r.headers["access-control-allow-methods"]).toBeUndefined();
    expect(r.headers.vary).toBe("Origin");
  });

  it("is refused as an ordinary request from a disallowed origin (403), not as a preflight", async () => {
    const r = await send(gw.url, "OPTIONS", "/web", {
      origin: "https://evil.test",
      "access-control-request-method": "",
    });
    expect(r.status).toBe(403);
    expect(r.headers.vary).toBe("Origin");
  });
});
