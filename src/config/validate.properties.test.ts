/**
 * Properties of validation over arbitrary input (issue 10, part 2): for any JSON value, and for a
 * rich valid configuration with random parts replaced, removed or added, validateConfig and
 * buildSnapshot never throw, every problem is well formed, whatever the schema refuses has an error,
 * and a configuration without errors builds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryConfigInput, VALID_CONFIG } from "../../test/support/config-arbitrary.js";
import { compileConfig } from "./compile.js";
import { ConfigSchema } from "./schema.js";
import { checkSchema } from "./schema-errors.js";
import { validateConfig } from "./validate.js";

function checkInput(input: unknown): void {
  const problems = validateConfig(input);
  for (const p of problems) {
    expect(["error", "warning"]).toContain(p.severity);
    expect(p.code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(typeof p.path).toBe("string");
    expect(p.reason.length).toBeGreaterThan(0);
  }
  const hasErrors = problems.some((p) => p.severity === "error");
  // What the schema refuses, validation refuses: nothing ill-typed reaches the compiler.
  if (!checkSchema(ConfigSchema, input)) expect(hasErrors).toBe(true);
  const built = compileConfig(input);
  expect(built.ok).toBe(!hasErrors);
}

describe("validation never throws, whatever it is given", () => {
  it("the valid base configuration is valid", () => {
    expect(validateConfig(VALID_CONFIG).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("property: any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), checkInput), { numRuns: 2000 });
  });

  it("property: a valid configuration with random parts replaced, removed or added", () => {
    fc.assert(fc.property(arbitraryConfigInput(), checkInput), { numRuns: 3000 });
  });
});
