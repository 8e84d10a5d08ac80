/**
 * The HTTP/1.1 handshake's form (RFC 6455 section 4.2.1), the HTTP/2 one's (RFC 8441) and the Upgrade
 * field's offer: a table of what is refused and why, and properties over arbitrary input (never a
 * throw, and exactly the well-formed inputs accepted).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { handshakeProblem, http2HandshakeProblem, offersWebSocket } from "./handshake-form.js";

const RUNS = 1000;
const KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 section 1.3's sample
const valid = { "sec-websocket-version": "13", "sec-websocket-key": KEY };

describe("handshakeProblem", () => {
  it("accepts RFC 6455's own example", () => {
    expect(handshakeProblem("GET", "1.1", valid)).toBeUndefined();
  });

  const refusals: [string, string | undefined, string, Record<string, string | undefined>, string, RegExp][] =
    [
      ["a POST", "POST", "1.1", valid, "WEBSOCKET_HANDSHAKE_INVALID", /must be a GET request, not POST/],
      ["no method", undefined, "1.1", valid, "WEBSOCKET_HANDSHAKE_INVALID", /GET/],
      ["HTTP/1.0", "GET", "1.0", valid, "WEBSOCKET_HANDSHAKE_INVALID", /needs HTTP\/1\.1, not HTTP\/1\.0/],
      [
        "no version",
        "GET",
        "1.1",
        { "sec-websocket-key": KEY },
        "WEBSOCKET_VERSION_NOT_SUPPORTED",
        /no Sec-WebSocket-Version/,
      ],
      [
        "version 8 (hybi drafts)",
        "GET",
        "1.1",
        { ...valid, "sec-websocket-version": "8" },
        "WEBSOCKET_VERSION_NOT_SUPPORTED",
        /Only WebSocket version 13/,
      ],
      [
        "two version lines (node joins them)",
        "GET",
        "1.1",
        { ...valid, "sec-websocket-version": "13, 13" },
        "WEBSOCKET_VERSION_NOT_SUPPORTED",
        /13/,
      ],
      [
        "no key",
        "GET",
        "1.1",
        { "sec-websocket-version": "13" },
        "WEBSOCKET_HANDSHAKE_INVALID",
        /Sec-WebSocket-Key is missing/,
      ],
      [
        "a key of 15 bytes",
        "GET",
        "1.1",
        { ...valid, "sec-websocket-key": Buffer.alloc(15, 7).toString("base64") },
        "WEBSOCKET_HANDSHAKE_INVALID",
        /16 random bytes/,
      ],
      [
        "two keys (node joins them)",
        "GET",
        "1.1",
        { ...valid, "sec-websocket-key": `${KEY}, ${KEY}` },
        "WEBSOCKET_HANDSHAKE_INVALID",
        /16 random bytes/,
      ],
    ];
  for (const [name, method, version, headers, code, message] of refusals) {
    it(`refuses ${name} with ${code}`, () => {
      const problem = handshakeProblem(method, version, headers);
      expect(problem?.code).toBe(code);
      expect(problem?.message).toMatch(message);
      if (code === "WEBSOCKET_VERSION_NOT_SUPPORTED") {
        expect(problem?.headers).toEqual({ "sec-websocket-version": "13", upgrade: "websocket" });
      }
    });
  }

  it("accepts every key of 16 bytes and refuses every other length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (bytes) => {
        const key = Buffer.from(bytes).toString("base64");
        const problem = handshakeProblem("GET", "1.1", { ...valid, "sec-websocket-key": key });
        expect(problem === undefined).toBe(bytes.length === 16);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws on arbitrary methods, versions and field values, and names only its own codes", () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.string({ maxLength: 10 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        (method, version, wsVersion, key) => {
          const problem = handshakeProblem(method, version, {
            "sec-websocket-version": wsVersion,
            "sec-websocket-key": key,
          });
          const ok =
            method === "GET" &&
            version === "1.1" &&
            wsVersion === "13" &&
            key !== undefined &&
            /^[A-Za-z0-9+/]{22}==$/.test(key);
          expect(problem === undefined).toBe(ok);
          if (problem !== undefined) {
            expect(["WEBSOCKET_HANDSHAKE_INVALID", "WEBSOCKET_VERSION_NOT_SUPPORTED"]).toContain(
              problem.code,
            );
            // Echoed input is bounded: a long method or version cannot make the message long.
            expect(problem.message.length).toBeLessThan(200);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("http2HandshakeProblem", () => {
  it("accepts RFC 8441's own example (section 5.1), whatever key a client adds", () => {
    const example = {
      ":method": "CONNECT",
      ":protocol": "websocket",
      ":scheme": "https",
      ":path": "/chat",
      ":authority": "server.example.com",
      "sec-websocket-protocol": "chat, superchat",
      "sec-websocket-extensions": "permessage-deflate",
      "sec-websocket-version": "13",
      origin: "http://www.example.com",
    };
    expect(http2HandshakeProblem(example)).toBeUndefined();
    expect(http2HandshakeProblem({ ...example, "sec-websocket-key": "not even base64" })).toBeUndefined();
    expect(http2HandshakeProblem({ ...example, ":protocol": "WebSocket" })).toBeUndefined();
  });

  const refusals: [string, Record<string, string | undefined>, string, RegExp][] = [
    [
      "another protocol",
      { ":protocol": "webtransport", "sec-websocket-version": "13" },
      "CONNECT_NOT_ALLOWED",
      /websocket protocol only, not "webtransport"/,
    ],
    ["no protocol", { "sec-websocket-version": "13" }, "CONNECT_NOT_ALLOWED", /not "undefined"/],
    [
      "no version",
      { ":protocol": "websocket" },
      "WEBSOCKET_VERSION_NOT_SUPPORTED",
      /no Sec-WebSocket-Version/,
    ],
    [
      "version 8",
      { ":protocol": "websocket", "sec-websocket-version": "8" },
      "WEBSOCKET_VERSION_NOT_SUPPORTED",
      /Only WebSocket version 13/,
    ],
  ];
  for (const [name, headers, code, message] of refusals) {
    it(`refuses ${name} with ${code}`, () => {
      const problem = http2HandshakeProblem(headers);
      expect(problem?.code).toBe(code);
      expect(problem?.message).toMatch(message);
      if (code === "WEBSOCKET_VERSION_NOT_SUPPORTED") {
        // No Upgrade field on HTTP/2 (RFC 9113 section 8.2.2), only the version.
        expect(problem?.headers).toEqual({ "sec-websocket-version": "13" });
      }
    });
  }

  it("never throws on arbitrary protocols and versions, accepts exactly websocket/13, and bounds what it echoes", () => {
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.constantFrom("websocket", "WEBSOCKET", "h2c"), fc.string({ maxLength: 200 })), {
          nil: undefined,
        }),
        fc.option(fc.oneof(fc.constant("13"), fc.string({ maxLength: 20 })), { nil: undefined }),
        (protocol, version) => {
          const problem = http2HandshakeProblem({ ":protocol": protocol, "sec-websocket-version": version });
          const ok = protocol !== undefined && protocol.toLowerCase() === "websocket" && version === "13";
          expect(problem === undefined).toBe(ok);
          if (problem !== undefined) {
            expect(["CONNECT_NOT_ALLOWED", "WEBSOCKET_VERSION_NOT_SUPPORTED"]).toContain(problem.code);
            expect(problem.message.length).toBeLessThan(200);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("offersWebSocket", () => {
  it("finds websocket among the offered protocols, any case and spacing, and nothing else", () => {
    expect(offersWebSocket("websocket")).toBe(true);
    expect(offersWebSocket("WebSocket")).toBe(true);
    expect(offersWebSocket("h2c, websocket")).toBe(true);
    expect(offersWebSocket(["h2c", " websocket "])).toBe(true);
    expect(offersWebSocket("h2c")).toBe(false);
    expect(offersWebSocket("websocket/13")).toBe(false);
    expect(offersWebSocket("websockets")).toBe(false);
    expect(offersWebSocket("")).toBe(false);
    expect(offersWebSocket(undefined)).toBe(false);
  });

  it("agrees with a reference over arbitrary comma-separated lists", () => {
    const token = fc.oneof(
      fc.constantFrom("websocket", "WEBSOCKET", "WebSocket", "h2c", "websocket/13", "tls/1.0", ""),
      fc.string({ maxLength: 12 }),
    );
    const padded = fc.tuple(fc.constantFrom("", " ", "\t", "  "), token, fc.constantFrom("", " ", "\t"));
    fc.assert(
      fc.property(fc.array(padded, { maxLength: 6 }), (items) => {
        const value = items.map(([a, t, b]) => `${a}${t}${b}`).join(",");
        const expected = value.split(",").some((item) => item.trim().toLowerCase() === "websocket");
        expect(offersWebSocket(value)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });
});
