import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffLines, hunks } from "./line-diff.js";

/** Applies a diff: the old text is the unchanged and removed lines, the new one the unchanged and added. */
function sides(lines: ReturnType<typeof diffLines>): [string[], string[]] {
  return [
    lines.filter((l) => l.op !== "+").map((l) => l.text),
    lines.filter((l) => l.op !== "-").map((l) => l.text),
  ];
}

describe("diffLines", () => {
  it("shows a replaced line as removed, then added, between unchanged ones", () => {
    expect(diffLines("a\nb\nc\n", "a\nB\nc\n")).toEqual([
      { op: " ", text: "a", old: 1, new: 1 },
      { op: "-", text: "b", old: 2 },
      { op: "+", text: "B", new: 2 },
      { op: " ", text: "c", old: 3, new: 3 },
    ]);
  });

  it("gives back both texts, whatever they are (property)", () => {
    const text = fc
      .array(fc.constantFrom("a", "b", "c", "- x", ""), { maxLength: 30 })
      .map((l) => l.join("\n"));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const [before, after] = sides(diffLines(a, b));
        expect(before.join("\n")).toBe(a === "" ? "" : a.replace(/\n$/, ""));
        expect(after.join("\n")).toBe(b === "" ? "" : b.replace(/\n$/, ""));
      }),
    );
  });

  it("keeps three lines of context around a change and counts the rest", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const b = a.replace("line 10", "line ten");
    const h = hunks(diffLines(a, b));
    expect(h[0]).toEqual({ op: "…", skipped: 7 });
    expect(h.filter((l) => l.op === " ").length).toBe(6);
    expect(h.at(-1)).toEqual({ op: "…", skipped: 6 });
  });
});
