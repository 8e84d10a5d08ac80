import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithDependency } from "../support/dependency.js";
import { corsHeaders, headerLines, type TestResponse } from "../support/gateway.js";
import { type GatewayOver, startOver, TRANSPORTS, transportDependency } from "../support/gateway-over.js";

// SPEC section 9, scenarios 3, 4 and the mock half of 5, through real HTTP: over HTTP/1.1, and
// (SPEC section 10) over HTTP/1.1 with TLS and HTTP/2, with the same answers.
const JSON_200 = '{"status":"200"}';
const config = {
  groups: [
    { name: "huawei", domains: ["www.test.com"] },
    { name: "webmethods", domains: ["webmethods.test"] },
    { name: "amazon", domains: ["amazon.test"] },
  ],
  corsPolicies: [
    {
      name: "wm-policy",
      allowOrigins: ["http://test2.com"],
      allowMethods: ["POST", "GET", "PUT"],
      allowHeaders: ["test1", "test2"],
      exposeHeaders: ["header1", "header2"],
      allowCredentials: true,
      maxAge: 100,
    },
    {
      name: "wm-app-policy",
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
      group: "huawei",
      method: "OPTIONS",
      path: "/",
      match: "prefix",
      cors: true,
      backend: { type: "mock", headers: { "Content-Type": "application/json" }, body: JSON_200 },
    },
    {
      name: "simple",
      group: "huawei",
      method: "ANY",
      path: "/simple",
      cors: true,
      backend: { type: "mock", headers: { "Content-Type": "application/json" }, body: JSON_200 },
    },
    {
      name: "orders",
      group: "webmethods",
      method: "ANY",
      path: "/orders",
      corsPolicy: "wm-policy",
      backend: { type: "mock", body: "[]" },
    },
    {
      name: "partner-orders",
      group: "webmethods",
      method: "ANY",
      path: "/partner/orders",
      corsPolicy: "wm-app-policy",
      backend: { type: "mock", body: "[]" },
    },
    {
      name: "pets-options",
      group: "amazon",
      method: "OPTIONS",
      path: "/pets",
      backend: {
        type: "mock",
        headers: {
          "Access-Control-Allow-Headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
          "Access-Control-Allow-Methods": "OPTIONS,POST,GET",
          "Access-Control-Allow-Origin": "https://www.example.com",
        },
      },
    },
    {
      name: "pets",
      group: "amazon",
      method: "GET",
      path: "/pets",
      backend: {
        type: "mock",
        headers: {
          "Content-Type": "application/json",
          "Access-Control-Allow-Origin": "https://www.example.com",
        },
        body: "[]",
      },
    },
  ],
  apps: [{ name: "partner", javascriptOrigins: ["http://test2.com"], apis: ["partner-orders"] }],
};

const REQUEST_ID = /^[0-9a-f]{32}$/;

for (const over of TRANSPORTS) {
  describeWithDependency(transportDependency(over), `over ${over}`, () => {
    let gw: GatewayOver;
    beforeAll(async () => {
      gw = await startOver(over, config);
    });
    afterAll(async () => {
      await gw?.close();
    });
    const send = (...args: Parameters<GatewayOver["send"]>) => gw.send(...args);
    /** webMethods' reason phrase on HTTP/1.1; HTTP/2 has no reason phrase (RFC 9113 section 8.3.2). */
    const expectReason = (res: TestResponse, reason: string) =>
      expect(res.statusMessage).toBe(over === "HTTP/2" ? "" : reason);

    describe("seed 000, scenario 3: an OPTIONS API with a mock backend and the toggle", () => {
      it("answers the preflight with the permissive profile, header for header", async () => {
        const res = await send(gw.url, "OPTIONS", "/", {
          host: "www.test.com",
          origin: "http://www.cors.com",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "X-Sdk-Date",
        });
        expect(res.status).toBe(200);
        expect(res.headers["content-type"]).toBe("application/json");
        expect(res.headers["x-request-id"]).toMatch(REQUEST_ID);
        expect(corsHeaders(res)).toEqual({
          "access-control-allow-origin": "*",
          "access-control-allow-headers":
            "X-Stage,X-Sdk-Date,X-Sdk-Nonce,X-Proxy-Signed-Headers,X-Sdk-Content-Sha256,X-Forwarded-For,Authorization,Content-Type,Accept,Accept-Ranges,Cache-Control,Range",
          "access-control-expose-headers": "X-Request-Id,Server-Timing",
          "access-control-allow-methods": "GET,POST,PUT,DELETE,HEAD,OPTIONS,PATCH",
          "access-control-max-age": "172800",
        });
        expect(res.body).toBe(JSON_200);
      });

      it("adds a requested header that is not in the default list to Allow-Headers", async () => {
        const res = await send(gw.url, "OPTIONS", "/anything/below", {
          host: "www.test.com",
          origin: "http://www.cors.com",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "x-custom-one, X-Sdk-Date",
        });
        expect(res.status).toBe(200);
        expect(res.headers["access-control-allow-headers"]).toMatch(/,Range,x-custom-one$/);
      });

      it("then answers the PUT with Access-Control-Allow-Origin: * and the backend's body", async () => {
        const res = await send(gw.url, "PUT", "/simple", {
          host: "www.test.com",
          origin: "http://www.cors.com",
        });
        expect(res.status).toBe(200);
        expect(headerLines(res, "access-control-allow-origin")).toEqual(["*"]);
        expect(res.headers.vary).toBeUndefined();
        expect(res.headers["x-request-id"]).toMatch(REQUEST_ID);
        expect(res.body).toBe(JSON_200);
      });
    });

    describe("seed 003: the webMethods preflight table", () => {
      const preflight = (path: string, origin: string, method: string, headers: string) =>
        send(gw.url, "OPTIONS", path, {
          host: "webmethods.test",
          origin,
          "access-control-request-method": method,
          "access-control-request-headers": headers,
        });

      it("row 1: an origin the policy does not list gets 403 Specified Origin is not allowed", async () => {
        const res = await preflight("/orders", "http://test.com", "POST", "test1,test2");
        expect(res.status).toBe(403);
        expectReason(res, "Specified Origin is not allowed");
        expect(corsHeaders(res)).toEqual({});
        const body = JSON.parse(res.body);
        expect(body).toEqual({
          error_code: "CORS_ORIGIN_NOT_ALLOWED",
          error_msg: "Specified Origin is not allowed",
          request_id: res.headers["x-request-id"],
        });
      });

      it("row 2: a method the policy does not list gets 405 Method Not Allowed", async () => {
        const res = await preflight("/orders", "http://test2.com", "DELETE", "test1,test2");
        expect(res.status).toBe(405);
        expectReason(res, "Method Not Allowed");
        expect(JSON.parse(res.body).error_code).toBe("CORS_METHOD_NOT_ALLOWED");
        expect(corsHeaders(res)).toEqual({});
      });

      it("row 3: a header the policy does not list gets 403 Header Not Supported", async () => {
        const res = await preflight("/orders", "http://test2.com", "POST", "test3");
        expect(res.status).toBe(403);
        expectReason(res, "Header Not Supported");
        expect(JSON.parse(res.body).error_code).toBe("CORS_HEADER_NOT_SUPPORTED");
      });

      it("row 4: everything allowed gets 200 with origin, methods, headers, max age and credentials", async () => {
        const res = await preflight("/orders", "http://test2.com", "POST", "test1");
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({
          "access-control-allow-origin": "http://test2.com",
          "access-control-allow-methods": "POST,GET,PUT",
          "access-control-allow-headers": "test1,test2",
          "access-control-max-age": "100",
          "access-control-allow-credentials": "true",
        });
        expect(res.headers.vary).toBe(
          "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        );
        expect(res.body).toBe("");
      });

      it("row 5: an origin only an authorized application lists gets the same 200", async () => {
        const res = await preflight("/partner/orders", "http://test2.com", "POST", "test1");
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({
          "access-control-allow-origin": "http://test2.com",
          "access-control-allow-methods": "POST,GET,PUT",
          "access-control-allow-headers": "test1,test2",
          "access-control-max-age": "100",
          "access-control-allow-credentials": "true",
        });
      });

      it("row 5, reversed: the application's origin does not open APIs it is not authorized for", async () => {
        const res = await preflight("/partner/orders", "http://test3.com", "POST", "test1");
        expect(res.status).toBe(403);
      });
    });

    describe("seed 003: the webMethods actual-request table", () => {
      it("row 1: an origin the policy does not list gets 403 Specified Origin is not allowed", async () => {
        const res = await send(gw.url, "GET", "/orders", {
          host: "webmethods.test",
          origin: "http://test.com",
        });
        expect(res.status).toBe(403);
        expectReason(res, "Specified Origin is not allowed");
        expect(corsHeaders(res)).toEqual({});
        expect(res.headers.vary).toBe("Origin");
      });

      it("row 2: an allowed origin gets 200 with origin, credentials and expose headers", async () => {
        const res = await send(gw.url, "GET", "/orders", {
          host: "webmethods.test",
          origin: "http://test2.com",
        });
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({
          "access-control-allow-origin": "http://test2.com",
          "access-control-allow-credentials": "true",
          "access-control-expose-headers": "header1,header2",
        });
        expect(res.headers.vary).toBe("Origin");
        expect(res.body).toBe("[]");
      });

      it("row 3: an application's JavaScript origin is allowed on the API it is authorized for", async () => {
        const res = await send(gw.url, "POST", "/partner/orders", {
          host: "webmethods.test",
          origin: "http://test2.com",
        });
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({
          "access-control-allow-origin": "http://test2.com",
          "access-control-allow-credentials": "true",
          "access-control-expose-headers": "header1,header2",
        });
      });

      it("a request without Origin is not a CORS request: no CORS headers, still Vary: Origin", async () => {
        const res = await send(gw.url, "GET", "/orders", { host: "webmethods.test" });
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({});
        expect(res.headers.vary).toBe("Origin");
      });

      it("a request whose Origin is the gateway's own origin is same-origin and never rejected", async () => {
        const res = await send(gw.url, "GET", "/orders", {
          host: "webmethods.test",
          origin: `${gw.scheme}://webmethods.test`,
        });
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({});
      });
    });

    describe("seed 004, mock half of scenario 5: Amazon's OPTIONS method on a mock", () => {
      it("the mock's static CORS headers are the whole preflight answer", async () => {
        const res = await send(gw.url, "OPTIONS", "/pets", {
          host: "amazon.test",
          origin: "https://www.example.com",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        });
        expect(res.status).toBe(200);
        expect(corsHeaders(res)).toEqual({
          "access-control-allow-headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
          "access-control-allow-methods": "OPTIONS,POST,GET",
          "access-control-allow-origin": "https://www.example.com",
        });
        expect(res.headers["x-request-id"]).toMatch(REQUEST_ID);
      });

      it("the GET method returns its own Access-Control-Allow-Origin, once", async () => {
        const res = await send(gw.url, "GET", "/pets", {
          host: "amazon.test",
          origin: "https://www.example.com",
        });
        expect(res.status).toBe(200);
        expect(headerLines(res, "access-control-allow-origin")).toEqual(["https://www.example.com"]);
        expect(res.body).toBe("[]");
      });
    });

    describe("gateway errors", () => {
      it("a path no API serves is a JSON 404 with the request id", async () => {
        const res = await send(gw.url, "GET", "/nowhere", { host: "webmethods.test" });
        expect(res.status).toBe(404);
        const body = JSON.parse(res.body);
        expect(body.error_code).toBe("ROUTE_NOT_FOUND");
        expect(body.request_id).toBe(res.headers["x-request-id"]);
        expect(res.headers["x-request-id"]).toMatch(REQUEST_ID);
      });

      it("a method the path does not serve is a JSON 405 with an Allow header", async () => {
        const res = await send(gw.url, "DELETE", "/pets", { host: "amazon.test" });
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe("GET, OPTIONS, HEAD");
        expect(JSON.parse(res.body).error_code).toBe("METHOD_NOT_ALLOWED");
      });

      it("a preflight for a path no API serves is a 404 without CORS headers", async () => {
        const res = await send(gw.url, "OPTIONS", "/nowhere", {
          host: "webmethods.test",
          origin: "http://test2.com",
          "access-control-request-method": "GET",
        });
        expect(res.status).toBe(404);
        expect(corsHeaders(res)).toEqual({});
      });

      it("a preflight for an API without CORS is a 405 without CORS headers", async () => {
        const res = await send(gw.url, "OPTIONS", "/pets", {
          host: "amazon.test",
          origin: "https://www.example.com",
          "access-control-request-method": "GET",
        });
        // The OPTIONS method of Amazon's seed answers it: it has no CORS rules, its mock decides.
        expect(res.status).toBe(200);
        const noCors = await startOver(over, {
          apis: [{ name: "plain", method: "GET", path: "/plain", backend: { type: "mock", body: "x" } }],
        });
        try {
          const refused = await noCors.send(noCors.url, "OPTIONS", "/plain", {
            origin: "https://www.example.com",
            "access-control-request-method": "GET",
          });
          expect(refused.status).toBe(405);
          expect(corsHeaders(refused)).toEqual({});
        } finally {
          await noCors.close();
        }
      });

      it("an OPTIONS request without Access-Control-Request-Method is an ordinary request", async () => {
        const res = await send(gw.url, "OPTIONS", "/simple", {
          host: "www.test.com",
          origin: "http://www.cors.com",
        });
        // The OPTIONS API on "/" (prefix) serves it through its mock, with the toggle's actual-request header.
        expect(res.status).toBe(200);
        expect(headerLines(res, "access-control-allow-origin")).toEqual(["*"]);
        expect(res.body).toBe(JSON_200);
      });
    });
  });
}
