import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { validateConfig } from "./validate.js";

const api = { name: "a", method: "GET", path: "/a", auth: "app", backend: { type: "mock" } };
const KEY = "a-key-of-at-least-16-chars";
const hash = `sha256:${createHash("sha256").update(KEY).digest("hex")}`;

function errors(config: unknown): string[] {
  return validateConfig(config)
    .filter((p) => p.severity === "error")
    .map((p) => `${p.path}: ${p.code}`);
}

describe("application keys", () => {
  it("refuses one clear key held by two applications", () => {
    expect(
      errors({
        apis: [api],
        apps: [
          { name: "x", keys: [KEY], apis: ["a"] },
          { name: "y", keys: [KEY], apis: ["a"] },
        ],
      }),
    ).toEqual(["apps[1].keys[0]: APP_KEY_DUPLICATE"]);
  });

  it("refuses a clear key equal to another application's stored hash (the admin API stores only hashes)", () => {
    expect(
      errors({
        apis: [api],
        apps: [
          { name: "x", keyHashes: [hash], apis: ["a"] },
          { name: "y", keys: [KEY], apis: ["a"] },
        ],
      }),
    ).toEqual(["apps[1].keys[0]: APP_KEY_DUPLICATE"]);
  });

  it("only warns when one application lists the same key as a clear key and as a hash", () => {
    const problems = validateConfig({
      apis: [api],
      apps: [{ name: "x", keyHashes: [hash], keys: [KEY], apis: ["a"] }],
    });
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(problems.map((p) => p.code)).toContain("LINT_DUPLICATE_KEY");
  });
});
