import { InvalidArgumentError } from "commander";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { originOption } from "./origin-option.js";

describe("--origin (explain, check)", () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));

  it("accepts every scheme://host[:port] origin as given (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("http", "https"),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        (scheme, name, port) => {
          const origin = port === undefined ? `${scheme}://${name}` : `${scheme}://${name}:${port}`;
          expect(originOption(origin)).toBe(origin);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses anything without a scheme, suggesting https:// before a bare host (fast-check)", () => {
    fc.assert(
      fc.property(host, (name) => {
        expect(() => originOption(name)).toThrow(InvalidArgumentError);
        expect(() => originOption(name)).toThrow(`--origin https://${name} `);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((s) => !s.includes("://") && s !== "null"),
        (value) => {
          expect(() => originOption(value)).toThrow(
            /is not an origin: .*An origin is scheme:\/\/host\[:port\]/,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("accepts null, the opaque origin", () => {
    expect(originOption("null")).toBe("null");
  });
});
