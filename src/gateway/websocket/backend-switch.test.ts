/**
 * The check of a backend's answer to a WebSocket handshake: a 101 to websocket always, and for a
 * handshake the gateway made itself (HTTP/2 clients, RFC 8441) what RFC 6455 section 4.1 has a client
 * check. A table of answers refused and why, and properties over arbitrary keys, accepts and choices.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acceptFor, listItems, type OwnHandshake, switchProblem } from "./backend-switch.js";

const RUNS = 1000;
const KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 section 1.3's sample
const own: OwnHandshake = {
  key: KEY,
  protocols: "chat, superchat",
  extensions: "permessage-deflate; client_max_window_bits",
};
const switched = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-accept": acceptFor(KEY) };

describe("acceptFor", () => {
  it("computes RFC 6455 section 1.3's example", () => {
    expect(acceptFor(KEY)).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

describe("switchProblem", () => {
  it("accepts a 101 to websocket; without a handshake of its own, it checks nothing more", () => {
    expect(switchProblem({ statusCode: 101, headers: switched }, own)).toBeUndefined();
    expect(switchProblem({ statusCode: 101, headers: { upgrade: "WebSocket" } })).toBeUndefined();
    expect(
      switchProblem(
        {
          statusCode: 101,
          headers: {
            ...switched,
            "sec-websocket-protocol": "superchat",
            "sec-websocket-extensions": "permessage-deflate; server_no_context_takeover",
          },
        },
        own,
      ),
    ).toBeUndefined();
  });

  const refusals: [string, { statusCode?: number; headers: Record<string, string> }, RegExp][] = [
    ["a 200", { statusCode: 200, headers: {} }, /answered 200 with Upgrade: undefined, not a switch/],
    ["a switch to another protocol", { statusCode: 101, headers: { upgrade: "h2c" } }, /Upgrade: h2c/],
    [
      "no Sec-WebSocket-Accept",
      { statusCode: 101, headers: { upgrade: "websocket" } },
      /Sec-WebSocket-Accept "undefined"/,
    ],
    [
      "an Accept for another key",
      {
        statusCode: 101,
        headers: { ...switched, "sec-websocket-accept": acceptFor("AAAAAAAAAAAAAAAAAAAAAA==") },
      },
      /not the one for the gateway's key/,
    ],
    [
      "a subprotocol the client did not offer",
      { statusCode: 101, headers: { ...switched, "sec-websocket-protocol": "evil" } },
      /subprotocol "evil"/,
    ],
    [
      "two subprotocols",
      { statusCode: 101, headers: { ...switched, "sec-websocket-protocol": "chat, superchat" } },
      /subprotocol "chat, superchat"/,
    ],
    [
      "an extension the client did not offer",
      { statusCode: 101, headers: { ...switched, "sec-websocket-extensions": "x-webkit-deflate-frame" } },
      /extension "x-webkit-deflate-frame"/,
    ],
  ];
  for (const [name, response, message] of refusals) {
    it(`refuses ${name}`, () => {
      expect(switchProblem(response, own)).toMatch(message);
    });
  }

  it("accepts exactly the Accept of the key sent, for any key", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (a, b) => {
          const key = Buffer.from(a).toString("base64");
          const other = Buffer.from(b).toString("base64");
          const answer = (k: string) => ({
            statusCode: 101,
            headers: { upgrade: "websocket", "sec-websocket-accept": acceptFor(k) },
          });
          const mine = { key, protocols: undefined, extensions: undefined };
          expect(switchProblem(answer(key), mine)).toBeUndefined();
          expect(switchProblem(answer(other), mine) === undefined).toBe(key === other);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("accepts a chosen subprotocol exactly when it is one of the offered list's items", () => {
    const token = fc.oneof(fc.constantFrom("chat", "superchat", "v2.chat", ""), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(token, { maxLength: 5 }), token, (offered, chosen) => {
        const offer = offered.join(", ");
        const problem = switchProblem(
          { statusCode: 101, headers: { ...switched, "sec-websocket-protocol": chosen } },
          { key: KEY, protocols: offer, extensions: undefined },
        );
        expect(problem === undefined).toBe(listItems(offer).includes(chosen));
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws on arbitrary statuses and field values", () => {
    const value = fc.option(fc.string({ maxLength: 80 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
        value,
        value,
        value,
        value,
        (status, upgrade, accept, protocol, extensions) => {
          const headers: Record<string, string> = {};
          if (upgrade !== undefined) headers.upgrade = upgrade;
          if (accept !== undefined) headers["sec-websocket-accept"] = accept;
          if (protocol !== undefined) headers["sec-websocket-protocol"] = protocol;
          if (extensions !== undefined) headers["sec-websocket-extensions"] = extensions;
          const problem = switchProblem({ statusCode: status, headers }, own);
          // A problem's message echoes at most 64 characters of any field.
          if (problem !== undefined) expect(problem.length).toBeLessThan(250);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
