/**
 * Parsing configuration text (issue 10, part 2): YAML alias bombs, endless YAML structures and
 * nesting beyond the limit are SYNTAX problems with a line and column, never an exception; JSON
 * nested 100,000 deep does not exhaust the stack; JSON syntax errors say where they are.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Problem } from "../problems.js";
import { MAX_NESTING_DEPTH, parseConfigText } from "./load.js";

function refusal(text: string, fileName: string): Problem {
  const parsed = parseConfigText(text, fileName);
  if (parsed.ok) throw new Error(`expected a refusal of ${JSON.stringify(text.slice(0, 80))}`);
  expect(parsed.problems).toHaveLength(1);
  return parsed.problems[0] as Problem;
}

/** A YAML "billion laughs": each level names the one before nine times. */
function aliasBomb(levels: number): string {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  let previous = "a";
  for (let i = 1; i <= levels; i++) {
    lines.push(`l${i}: &l${i} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    previous = `l${i}`;
  }
  return `${lines.join("\n")}\n`;
}

describe("YAML that would exhaust memory or never end is a SYNTAX problem with its line and column", () => {
  it("an alias bomb is refused at the alias that goes over the limit", () => {
    const problem = refusal(aliasBomb(11), "bomb.yaml");
    // l3 is the first level whose aliases multiply past 100: its first alias, *l2, is blamed.
    expect(problem).toMatchObject({ severity: "error", code: "SYNTAX", path: "", line: 4, column: 10 });
    expect(problem.reason).toMatch(
      /^invalid YAML at line 4, column 10: aliases expand beyond the limit of 100 uses/,
    );
  });

  it("a few aliases are fine", () => {
    const parsed = parseConfigText("x: &x [1, 2]\ny: [*x, *x, *x]\n", "ok.yaml");
    expect(parsed).toEqual({
      ok: true,
      value: {
        x: [1, 2],
        y: [
          [1, 2],
          [1, 2],
          [1, 2],
        ],
      },
    });
  });

  it("an alias inside the node it names (an endless structure) is refused at the alias", () => {
    const problem = refusal("groups:\n  - &g\n    name: a\n    domains: *g\n", "loop.yaml");
    expect(problem).toMatchObject({ code: "SYNTAX", line: 4, column: 14 });
    expect(problem.reason).toMatch(/alias \*g is inside the node it names/);
  });

  it("an alias to an anchor that does not exist is refused at the alias, not thrown", () => {
    const problem = refusal("apis:\n  - *nothing\n", "unknown.yaml");
    expect(problem).toMatchObject({ code: "SYNTAX", line: 2, column: 5 });
    expect(problem.reason).toMatch(/nothing/);
  });

  it(`nesting deeper than ${MAX_NESTING_DEPTH} levels is refused at the first node too deep`, () => {
    const depth = MAX_NESTING_DEPTH + 5;
    const text = `a: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
    const problem = refusal(text, "deep.yaml");
    // The map is level 1, the k-th '[' (column 3 + k) is level k + 1.
    expect(problem).toMatchObject({ code: "SYNTAX", line: 1, column: 3 + MAX_NESTING_DEPTH });
    expect(problem.reason).toMatch(`nested deeper than ${MAX_NESTING_DEPTH} levels`);
  });

  it("nesting made deep by an alias is refused at the alias", () => {
    const half = MAX_NESTING_DEPTH - 10;
    const text = `a: &a ${"[".repeat(half)}${"]".repeat(half)}\nb: ${"[".repeat(half)}*a${"]".repeat(half)}\n`;
    const problem = refusal(text, "alias-deep.yaml");
    expect(problem).toMatchObject({ code: "SYNTAX", line: 2, column: 4 + half });
  });

  it("YAML nested 100,000 deep is a SYNTAX problem, not a crash", () => {
    const text = `a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    const problem = refusal(text, "very-deep.yaml");
    expect(problem.code).toBe("SYNTAX");
    expect(problem.line).toBe(1);
  });
});

describe("JSON", () => {
  it("nested 100,000 deep is refused without exhausting the stack, at the first level too deep", () => {
    const problem = refusal(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, "deep.json");
    expect(problem).toMatchObject({ code: "SYNTAX", line: 1, column: MAX_NESTING_DEPTH + 1 });
    expect(problem.reason).toBe(
      `invalid JSON at line 1, column ${MAX_NESTING_DEPTH + 1}: nested deeper than ${MAX_NESTING_DEPTH} levels (a configuration needs fewer than 10)`,
    );
  });

  it(`nested exactly ${MAX_NESTING_DEPTH} levels is accepted`, () => {
    const text = `${'{"a":'.repeat(MAX_NESTING_DEPTH)}1${"}".repeat(MAX_NESTING_DEPTH)}`;
    expect(parseConfigText(text, "limit.json").ok).toBe(true);
    const lists = `${"[".repeat(MAX_NESTING_DEPTH)}${"]".repeat(MAX_NESTING_DEPTH)}`;
    expect(parseConfigText(lists, "limit.json").ok).toBe(true);
    const deeper = `{"a": ${"[".repeat(MAX_NESTING_DEPTH)}${"]".repeat(MAX_NESTING_DEPTH)}}`;
    expect(refusal(deeper, "deeper.json")).toMatchObject({
      code: "SYNTAX",
      line: 1,
      column: 6 + MAX_NESTING_DEPTH,
    });
  });

  const syntax: [name: string, text: string, line: number, column: number, reason: RegExp][] = [
    ["a trailing comma in a list", '{"apis": [\n  1,\n  ]}', 3, 3, /trailing comma/],
    ["a trailing comma in an object", '{"a": 1,}', 1, 9, /trailing comma/],
    ["a missing colon", '{"a" 1}', 1, 6, /expected ':'/],
    ["a line break inside a string", '{"a": "x\n"}', 1, 9, /control character/],
    ["a comment", '{\n  // no comments\n  "a": 1\n}', 2, 3, /JSON has no comments/],
    ["a misspelt literal", '{"a": tru}', 1, 7, /unexpected/],
    ["an unfinished text", '{"a": 1', 1, 8, /unexpected end/],
    ["a number with a leading zero", '{"a": 01}', 1, 8, /expected ',' or '}'/],
    ["an unknown escape", '{"a": "\\x"}', 1, 8, /escape/],
    ["text after the value", "{} x", 1, 4, /after the end/],
    ["a single-quoted string", "{'a': 1}", 1, 2, /double quotes/],
  ];
  for (const [name, text, line, column, reason] of syntax) {
    it(`${name} is a SYNTAX problem at line ${line}, column ${column}`, () => {
      const problem = refusal(text, "bad.json");
      expect(problem).toMatchObject({ severity: "error", code: "SYNTAX", path: "", line, column });
      expect(problem.reason).toMatch(`invalid JSON at line ${line}, column ${column}: `);
      expect(problem.reason).toMatch(reason);
    });
  }

  it("a byte order mark before the JSON is accepted", () => {
    expect(parseConfigText('\uFEFF{"apis": []}', "bom.json")).toEqual({ ok: true, value: { apis: [] } });
  });

  it("property: valid and invalid JSON are told apart exactly as JSON.parse does, never by throwing", () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 2 }),
      insert: fc.string({ unit: fc.constantFrom(..."{}[],:\"\\ \n0-1.eEtrufalsn/*'"), maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), fc.array(edit, { maxLength: 3 }), (json, edits) => {
        let text = json;
        for (const e of edits) {
          const i = e.at % (text.length + 1);
          text = text.slice(0, i) + e.insert + text.slice(i + e.remove);
        }
        let expected: { ok: true; value: unknown } | { ok: false };
        try {
          expected = { ok: true, value: JSON.parse(text) };
        } catch {
          expected = { ok: false };
        }
        const parsed = parseConfigText(text, "fuzz.json");
        if (expected.ok) {
          expect(parsed).toEqual(expected);
          return;
        }
        expect(parsed.ok).toBe(false);
        if (parsed.ok) return;
        const [problem] = parsed.problems;
        const lines = text.split("\n");
        expect(problem?.code).toBe("SYNTAX");
        expect(problem?.line).toBeGreaterThanOrEqual(1);
        expect(problem?.line).toBeLessThanOrEqual(lines.length);
        expect(problem?.column).toBeGreaterThanOrEqual(1);
        expect(problem?.column).toBeLessThanOrEqual((lines[(problem?.line ?? 1) - 1]?.length ?? 0) + 1);
      }),
      { numRuns: 3000 },
    );
  });

  it("property: any text parses or is refused with problems, as JSON or YAML, never by throwing", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom("x.json", "x.yaml"), (text, name) => {
        const parsed = parseConfigText(text, name);
        if (!parsed.ok) {
          expect(parsed.problems.length).toBeGreaterThan(0);
          for (const p of parsed.problems) expect(p.code).toBe("SYNTAX");
        }
      }),
      { numRuns: 2000 },
    );
  });
});
