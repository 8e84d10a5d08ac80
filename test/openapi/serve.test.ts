import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { importOpenApi } from "../../src/openapi/import.js";
import { corsHeaders, headerLines, send, startTestGateway } from "../support/gateway.js";
import { fixture } from "./support.js";

// Imported documents served by a real gateway, through HTTP.
const REQUEST_ID = /^[0-9a-f]{32}$/;
const ORIGIN = "https://www.example.com";

describe("seed 004 imported by default: the gateway answers preflights from the policy", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startTestGateway(importOpenApi(fixture("amazon-enable-cors.yaml")).config);
  });
  afterAll(async () => {
    await gw.close();
  });

  it("allows the origin, method and header the mock listed", async () => {
    const res = await send(gw.url, "OPTIONS", "/pets", {
      origin: ORIGIN,
      "access-control-request-method": "POST",
      "access-control-request-headers": "x-amz-date",
    });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(res.headers["access-control-allow-methods"]).toBe("OPTIONS,POST,GET");
    expect(res.headers["access-control-allow-headers"]).toBe(
      "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
    );
  });

  it("refuses an origin the mock did not list, which the static mock could not", async () => {
    const res = await send(gw.url, "OPTIONS", "/pets", {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(res.status).toBe(403);
    expect(corsHeaders(res)).toEqual({});
  });

  it("sends one Access-Control-Allow-Origin on the actual request", async () => {
    const res = await send(gw.url, "GET", "/pets", { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(headerLines(res, "access-control-allow-origin")).toEqual([ORIGIN]);
  });
});

describe("seed 004 imported with keepOptionsMocks: the OPTIONS mock answers the preflight", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startTestGateway(
      importOpenApi(fixture("amazon-enable-cors.yaml"), { keepOptionsMocks: true }).config,
    );
  });
  afterAll(async () => {
    await gw.close();
  });

  it("answers exactly the static headers of the Amazon mock, and nothing else CORS", async () => {
    const res = await send(gw.url, "OPTIONS", "/pets", {
      origin: ORIGIN,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      "access-control-allow-headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
      "access-control-allow-methods": "OPTIONS,POST,GET",
      "access-control-allow-origin": ORIGIN,
    });
    expect(res.headers["x-request-id"]).toMatch(REQUEST_ID);
  });

  it("the GET method's mock sends its own Access-Control-Allow-Origin, once, with its body", async () => {
    const res = await send(gw.url, "GET", "/pets", { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(headerLines(res, "access-control-allow-origin")).toEqual([ORIGIN]);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.body).toBe('[{"id":1,"type":"dog"}]');
  });
});

describe("seed 000 imported from Huawei's extensions: the OPTIONS API with the toggle", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startTestGateway(importOpenApi(fixture("huawei-apig.yaml")).config);
  });
  afterAll(async () => {
    await gw.close();
  });

  it("answers the seed's preflight with the permissive profile and the mock's body", async () => {
    const res = await send(gw.url, "OPTIONS", "/", {
      host: "www.test.com",
      origin: "http://www.cors.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "X-Sdk-Date",
    });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    expect(res.headers["access-control-allow-methods"]).toBe("GET,POST,PUT,DELETE,HEAD,OPTIONS,PATCH");
    expect(res.headers["access-control-max-age"]).toBe("172800");
    expect(res.body).toBe('{"status":"200"}');
  });
});
