import type { Problem } from "../problems.js";

/**
 * How deep configuration text may nest objects and lists. A configuration needs 6 levels
 * (root, apis, an API, its backend, its headers); the limit keeps hostile text (JSON nested
 * 100,000 deep) from exhausting the stack of everything that walks the parsed value.
 */
export const MAX_NESTING_DEPTH = 64;

/** How often a YAML anchor may be used, nested uses multiplied (the `yaml` package's maxAliasCount). */
export const MAX_ALIAS_COUNT = 100;

/** The 1-based line and column of `offset` in `text` (a line ends at \n). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A SYNTAX problem: the text does not parse, or would not be safe to use.
 *
 * @example
 * syntaxProblem("JSON", { line: 3, column: 3 }, "a trailing comma is not allowed in JSON")
 * // reason: "invalid JSON at line 3, column 3: a trailing comma is not allowed in JSON"
 */
export function syntaxProblem(
  format: "JSON" | "YAML",
  at: { line: number; column: number } | null,
  message: string,
): Problem {
  if (at === null)
    return { severity: "error", code: "SYNTAX", path: "", reason: `invalid ${format}: ${message}` };
  return {
    severity: "error",
    code: "SYNTAX",
    path: "",
    reason: `invalid ${format} at line ${at.line}, column ${at.column}: ${message}`,
    line: at.line,
    column: at.column,
  };
}

/** `nested deeper than 64 levels (...)`: one wording for JSON and YAML. */
export function tooDeep(): string {
  return `nested deeper than ${MAX_NESTING_DEPTH} levels (a configuration needs fewer than 10)`;
}
