/**
 * Every code a user can meet is documented: each configuration problem code (src/problems.ts) in
 * docs/configuration.md, each error code (src/errors.ts) and import finding code in docs/errors.md.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS, IMPORT_FINDINGS } from "../../src/errors.js";
import { PROBLEMS } from "../../src/problems.js";

const configurationDoc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
const errorsDoc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** A code is documented when a table row of the page names it: `| \`CODE\` |`. */
function documented(doc: string, code: string): boolean {
  return doc.includes(`| \`${code}\` |`);
}

describe("every code is documented", () => {
  it("each configuration problem code has its row in docs/configuration.md", () => {
    expect(Object.keys(PROBLEMS).filter((c) => !documented(configurationDoc, c))).toEqual([]);
  });

  it("each error code has its row in docs/errors.md", () => {
    expect(Object.keys(ERRORS).filter((c) => !documented(errorsDoc, c))).toEqual([]);
  });

  it("each import finding code has its row in docs/errors.md", () => {
    expect(Object.keys(IMPORT_FINDINGS).filter((c) => !documented(errorsDoc, c))).toEqual([]);
  });

  it("the problem table's severity is the one the docs give", () => {
    for (const [code, { severity }] of Object.entries(PROBLEMS)) {
      const row = configurationDoc.split("\n").find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, code).toContain(`| ${severity} |`);
    }
  });
});
