import { describe, expect, it } from "vitest";
import { checkResult } from "./function.js";
import { connectionTokens, dropHopByHop, endToEndRequestHeaders } from "./hop-by-hop.js";
import { joinPath } from "./http.js";
import { acquirePool, poolStats } from "./pool-cache.js";

describe("joinPath", () => {
  it.each([
    ["a root URL path and a remainder give the remainder", "/", "/a/b", "/a/b"],
    ["an empty URL path and a remainder give the remainder", "", "/a/b", "/a/b"],
    ["a URL path without a trailing slash gets one slash", "/api", "/a", "/api/a"],
    ["a URL path with a trailing slash gets no second one", "/api/", "/a", "/api/a"],
    ["no remainder gives the URL path as it is", "/api/", "", "/api/"],
    ["no remainder and a root URL path give /", "/", "", "/"],
    ["no remainder and an empty URL path give /", "", "", "/"],
    ["a remainder without its slash gets one", "/api", "a", "/api/a"],
    ["a remainder that is only a slash keeps it", "/api", "/", "/api/"],
  ])("%s", (_name, base, remainder, expected) => {
    expect(joinPath(base, remainder)).toBe(expected);
  });
});

describe("hop-by-hop fields", () => {
  it("parses Connection tolerantly: case, spaces, empty items, several lines", () => {
    expect([...connectionTokens(["Close, , X-A ", "x-b,KEEP-ALIVE"])]).toEqual([
      "close",
      "x-a",
      "x-b",
      "keep-alive",
    ]);
    expect(connectionTokens(undefined).size).toBe(0);
  });

  it("keeps end-to-end request fields in order, repeated ones separate, dropping Host and the replaced ones", () => {
    const raw = [
      "Host",
      "a.test",
      "Connection",
      "X-A",
      "connection",
      "x-b",
      "X-A",
      "1",
      "X-B",
      "2",
      "Accept",
      "text/html",
      "Accept",
      "application/json",
      "TE",
      "trailers",
      "X-Request-Id",
      "spoofed",
    ];
    expect(endToEndRequestHeaders(raw, new Set(["x-request-id"]))).toEqual([
      "Accept",
      "text/html",
      "Accept",
      "application/json",
    ]);
  });

  it("drops hop-by-hop response fields and those the response's Connection names, in place", () => {
    const headers = {
      connection: "x-private, close",
      "x-private": "1",
      "keep-alive": "timeout=5",
      "transfer-encoding": "chunked",
      "proxy-authenticate": "Basic",
      trailer: "x-checksum",
      "content-type": "text/plain",
      "set-cookie": ["a=1", "b=2"],
    };
    expect(dropHopByHop(headers)).toEqual({ "content-type": "text/plain", "set-cookie": ["a=1", "b=2"] });
  });
});

describe("checkResult", () => {
  it("converts a well-formed result, lowercasing header names and stringifying numbers and booleans", () => {
    const checked = checkResult({ statusCode: 204, headers: { "X-Count": 3, "X-Flag": true } });
    expect(checked).toEqual({
      ok: true,
      response: { status: 204, headers: { "x-count": "3", "x-flag": "true" }, body: Buffer.alloc(0) },
    });
  });

  it("drops hop-by-hop fields a handler sets", () => {
    const checked = checkResult({
      statusCode: 200,
      headers: { Connection: "close", "Transfer-Encoding": "chunked" },
    });
    expect(checked.ok && checked.response.headers).toEqual({});
  });

  it("refuses a non-finite number as a header value", () => {
    expect(checkResult({ statusCode: 200, headers: { "x-a": Number.NaN } }).ok).toBe(false);
  });
});

describe("pool cache", () => {
  it("shares one pool per origin and settings, and forgets it when the last holder releases it", async () => {
    const origin = "http://127.0.0.1:9";
    const a = acquirePool({ origin, connectTimeoutMs: 1000 });
    const b = acquirePool({ origin, connectTimeoutMs: 1000 });
    const c = acquirePool({ origin, connectTimeoutMs: 2000 });
    expect(a.pool).toBe(b.pool);
    expect(c.pool).not.toBe(a.pool);
    const mine = () => poolStats().filter((p) => p.origin.startsWith(origin));
    expect(mine().map((p) => p.refs)).toEqual([2, 1]);
    await a.release();
    await a.release();
    expect(mine().map((p) => p.refs)).toEqual([1, 1]);
    await b.release();
    await c.release();
    expect(mine()).toEqual([]);
    expect(a.pool.closed).toBe(true);
  });
});
