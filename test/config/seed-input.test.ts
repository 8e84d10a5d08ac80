/**
 * A seed file is read before it is validated (the control plane validates it before storing it):
 * reading it must not throw on input of the wrong shape, so that it is refused with its problems
 * rather than with a TypeError that start reports as the store being unreachable (issue 10).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/validate.js";
import { readSeed } from "../../src/control/seed.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readSeed passes a malformed configuration on, to be refused with its problems", () => {
  const cases: [name: string, config: unknown, path: string][] = [
    ["an array as an API", { apis: [[1, 2]] }, "apis[0]"],
    ["null as an API", { apis: [null] }, "apis[0]"],
    ["an API without a backend", { apis: [{ name: "a", method: "GET", path: "/a" }] }, "apis[0].backend"],
    ["apis as a string", { apis: "all" }, "apis"],
    ["the configuration as an array", [1], ""],
  ];
  cases.forEach(([name, config, path], i) => {
    it(name, async () => {
      const file = join(dir, `seed-${i}.json`);
      writeFileSync(file, JSON.stringify(config));
      const seed = await readSeed(file, dir);
      expect(validateConfig(seed)).toContainEqual(expect.objectContaining({ severity: "error", path }));
    });
  });

  it("still rewrites a function module's path relative to the working directory", async () => {
    const file = join(dir, "fn.json");
    const api = { name: "f", method: "GET", path: "/f", backend: { type: "function", module: "./h.mjs" } };
    writeFileSync(file, JSON.stringify({ apis: [api] }));
    const seed = await readSeed(file, join(dir, ".."));
    expect(seed.apis?.[0]?.backend).toEqual({
      type: "function",
      module: `./${join(dir.split("/").pop() as string, "h.mjs")}`,
    });
  });
});
