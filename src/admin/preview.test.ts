import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Config } from "../config/schema.js";
import { checkConfigText, pathKeys } from "./config-check.js";
import { KINDS } from "./kinds.js";
import { previewDraft } from "./preview.js";
import { orderLike } from "./routes-preview.js";

const CONFIG: Config = {
  corsPolicies: [{ name: "web", allowOrigins: ["https://app.example.com"] }],
  apis: [{ name: "items", method: "GET", path: "/items", corsPolicy: "web", backend: { type: "mock" } }],
};

describe("draft previews take any input (property)", () => {
  // What a JSON body can hold (the admin API parses JSON or YAML into these).
  it("previewDraft never throws, and refuses what it cannot accept", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.jsonValue(),
        fc.option(fc.string(), { nil: undefined }),
        (kind, item, replaces) => {
          const p = previewDraft(CONFIG, kind, item, replaces);
          expect(typeof p.valid).toBe("boolean");
          expect(typeof p.yaml).toBe("string");
          if (p.valid) expect(p.problems.filter((x) => x.severity === "error")).toEqual([]);
          else expect([...p.problems, ...p.elsewhere].some((x) => x.severity === "error")).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  // Regression: found by the property below, an own "__proto__" key was lost (assigned as the prototype).
  it("orderLike keeps an own __proto__ key", () => {
    const value = JSON.parse('{"b": 1, "__proto__": {"x": 2}, "a": 3}');
    const ordered = orderLike(value, { a: 0, b: 0 }) as Record<string, unknown>;
    expect(Object.keys(ordered)).toEqual(["a", "b", "__proto__"]);
    expect(Object.hasOwn(ordered, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(ordered)).toBe(Object.prototype);
    expect(ordered).toEqual(value);
  });

  it("orderLike keeps every value and only reorders keys", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (value, like) => {
        const ordered = orderLike(value, like);
        expect(ordered).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it("checkConfigText never throws on any text, and locates problems inside it", () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom(
        "apis:\n  - name: x\n",
        "corsPolicies: [{ name: w, allowOrigins: ['*'], allowCredentials: true }]\n",
        ": :\n",
      ),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        const check = checkConfigText(text, CONFIG);
        expect(typeof check.valid).toBe("boolean");
        const lines = text.split("\n").length;
        for (const p of check.problems)
          if (p.line !== undefined) expect(p.line).toBeLessThanOrEqual(lines + 1);
      }),
      { numRuns: 500 },
    );
  });

  it("orderLike ignores keys a template inherits (regression: valueOf from Object.prototype)", () => {
    expect(orderLike({}, { valueOf: null, constructor: 1 })).toEqual({});
    expect(Object.keys(orderLike({ b: 1, a: 2 }, { a: 0, toString: 0 }) as object)).toEqual(["a", "b"]);
  });

  it("pathKeys reads problem paths", () => {
    expect(pathKeys("apis[3].backend.url")).toEqual(["apis", 3, "backend", "url"]);
    expect(pathKeys("")).toEqual([]);
  });
});
