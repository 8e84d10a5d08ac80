/**
 * A seed file is validated as it is read: input of the wrong shape is refused with its problems
 * (SeedRefusedError, naming the file and every problem), never with a TypeError that start would
 * report as the store being unreachable (issue 10).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSeed, SeedRefusedError } from "./seed.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readSeed refuses a malformed configuration with its problems", () => {
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
      const refusal = await readSeed(file, dir).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(SeedRefusedError);
      expect((refusal as Error).message).toContain(`${path === "" ? "(root)" : path}:`);
    });
  });

  it("still rewrites a function module's path relative to the working directory", async () => {
    const file = join(dir, "fn.json");
    const api = { name: "f", method: "GET", path: "/f", backend: { type: "function", module: "./h.mjs" } };
    writeFileSync(file, JSON.stringify({ apis: [api] }));
    writeFileSync(join(dir, "h.mjs"), "export const handler = async () => ({ statusCode: 200 });\n");
    const seed = await readSeed(file, join(dir, ".."));
    expect(seed.apis?.[0]?.backend).toEqual({
      type: "function",
      module: `./${join(dir.split("/").pop() as string, "h.mjs")}`,
    });
  });
});
