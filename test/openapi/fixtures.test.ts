import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { compileConfig } from "../../src/config/compile.js";
import type { Config } from "../../src/config/schema.js";
import { exportOpenApi } from "../../src/openapi/export.js";
import { type ImportOptions, importOpenApi } from "../../src/openapi/import.js";
import { type Check, FIXTURE_DIR, loadDocument, loadExpectations, scoreFixture } from "./fidelity.js";
import { normalizedApi } from "./support.js";

const files = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith(".expect.yaml"))
  .sort();

const tally: { name: string; held: number; total: number }[] = [];

afterAll(() => {
  const held = tally.reduce((n, t) => n + t.held, 0);
  const total = tally.reduce((n, t) => n + t.total, 0);
  const whole = tally.filter((t) => t.held === t.total).length;
  // The measurement docs/import-export.md quotes: field-level expectations held, documents fully right.
  process.stdout.write(
    `import fidelity: ${held}/${total} field-level expectations held; ${whole}/${tally.length} documents fully right\n`,
  );
});

describe("real-world exports import as their gateway's users expect (test/fixtures/import)", () => {
  it("has at least eight documents, each with its expectations", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    const e = loadExpectations(file);
    describe(e.document, () => {
      const result = importOpenApi(loadDocument(e.document), (e.options ?? {}) as ImportOptions);

      it("holds every field-level expectation (APIs, routes, backends, effective CORS, findings, probes)", () => {
        const checks: Check[] = scoreFixture(e, result.config, result.findings);
        tally.push({ name: e.document, held: checks.filter((c) => c.held).length, total: checks.length });
        const failed = checks.filter((c) => !c.held).map((c) => `${c.field} (got ${c.detail ?? "nothing"})`);
        expect(failed).toEqual([]);
      });

      it("writes a configuration crossgate validate accepts", () => {
        const built = compileConfig(result.config);
        expect(built.ok, built.ok ? "" : JSON.stringify(built.problems, null, 2)).toBe(true);
      });

      it("names a source path and an action in every finding", () => {
        for (const f of result.findings) {
          expect(f.code).toMatch(/^IMPORT_[A-Z_]+$/);
          expect(typeof f.source).toBe("string");
          expect(f.message).not.toBe("");
          expect(f.action).not.toBe("");
        }
      });

      it("round-trips: import(export(config)) gives the same configuration", () => {
        const config = result.config;
        const back = importOpenApi(parse(stringify(exportOpenApi(config).document))).config;
        expect(roundTripView(back)).toEqual(roundTripView(config));
      });
    });
  }
});

/** The configuration with mock defaults written out, so that `status: 200` and no status compare equal. */
function roundTripView(config: Config): Config {
  return { ...config, apis: (config.apis ?? []).map(normalizedApi) };
}
