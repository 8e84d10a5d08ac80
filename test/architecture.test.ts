import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The layers of docs/architecture.md hold: src/ folders import without a cycle (the CORS engine and the
 * routing below everything else), and the graph the page prints is the one the code has.
 */
describe("the folder import graph of src/", () => {
  const printed = execFileSync(process.execPath, ["scripts/import-graph.mjs"], { encoding: "utf8" }).trim();

  it("has no cycle between folders", () => {
    expect(printed.split("\n").at(-1)).toBe("no cycle between folders");
  });

  it("keeps the CORS engine and the routing free of the data plane, the stores and the admin API", () => {
    const edges = new Map(
      printed
        .split("\n")
        .filter((line) => line.includes(" -> "))
        .map((line) => {
          const [from, to] = line.split(" -> ") as [string, string];
          return [from, to.split(", ")];
        }),
    );
    expect(edges.get("cors") ?? []).toEqual(["problems"]);
    for (const layer of ["cors", "routing", "config", "plan"]) {
      for (const above of ["gateway", "admin", "cli", "store", "control"]) {
        expect(edges.get(layer) ?? [], `${layer} imports ${above}`).not.toContain(above);
      }
    }
  });

  it("is the graph docs/architecture.md shows", () => {
    const page = readFileSync("docs/architecture.md", "utf8");
    const block = /```text\n([\s\S]*?)```/.exec(page)?.[1]?.trim();
    expect(block).toBe(printed);
  });
});
