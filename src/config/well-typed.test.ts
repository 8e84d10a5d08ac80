import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { wellTyped } from "./well-typed.js";

describe("wellTyped: the well-typed part of a configuration", () => {
  it("keeps a record's entries whatever their keys, __proto__ and toString included, and drops the ill-typed", () => {
    const headers = Type.Record(Type.String(), Type.String());
    const value = JSON.parse('{"__proto__":"p","toString":"t","X-Bad":5,"X-A":"a"}');
    const kept = wellTyped(headers, value) as object;
    expect(Object.entries(kept)).toEqual([
      ["__proto__", "p"],
      ["toString", "t"],
      ["X-A", "a"],
    ]);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
  });

  it("keeps an object's well-typed properties and leaves holes for ill-typed list items", () => {
    const schema = Type.Object({ name: Type.String(), origins: Type.Array(Type.String()) });
    expect(wellTyped(schema, { name: 5, origins: ["a", 7, "b"] })).toEqual({
      origins: ["a", undefined, "b"],
    });
  });
});
