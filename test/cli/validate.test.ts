import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

interface Problem {
  readonly path: string;
  readonly code: string;
}

const bin = fileURLToPath(new URL("../../bin/crossgate.js", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

function validate(
  file: string,
  ...flags: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, "validate", file, ...flags], (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

describe("crossgate validate", () => {
  const refusals: [string, string, RegExp][] = [
    [
      "refuses * together with credentials",
      "star-with-credentials.yaml",
      /^error {3}corsPolicies\[0\]\.allowOrigins\[0\]: '\*' cannot be combined with allowCredentials/m,
    ],
    [
      "refuses an origin with a path",
      "origin-with-path.yaml",
      /^error {3}corsPolicies\[0\]\.allowOrigins\[0\]: an origin has no path/m,
    ],
    [
      "refuses a regular expression it cannot run in linear time",
      "backtracking-pattern.yaml",
      /^error {3}corsPolicies\[0\]\.allowOriginPatterns\[0\]: .*backreference/m,
    ],
    [
      "refuses an unknown field and names the field it resembles",
      "unknown-field.yaml",
      /^error {3}corsPolicies\[0\]\.allowOrigin: unknown field: did you mean `allowOrigins`\?$/m,
    ],
    [
      "refuses arrays where a policy and an API are expected, with their paths (not a TypeError)",
      "arrays-in-apis.json",
      /^error {3}corsPolicies\[0\]: must be an object with fields, not an array\nerror {3}apis\[0\]: must be an object with fields, not an array$/m,
    ],
    [
      "refuses a YAML alias bomb as a syntax problem at the alias, with line and column",
      "alias-bomb.yaml",
      /^error {3}\(root\): invalid YAML at line 5, column 10: aliases expand beyond the limit of 100 uses/m,
    ],
    [
      "reports an invalid regular expression as invalid, with the parser's reason, not as unanchored",
      "invalid-pattern.yaml",
      /^error {3}corsPolicies\[0\]\.allowOriginPatterns\[0\]: is not a valid regular expression: unterminated group at position 0$/m,
    ],
    [
      "reports a valid but unanchored regular expression as unanchored",
      "invalid-pattern.yaml",
      /^error {3}corsPolicies\[0\]\.allowOriginPatterns\[1\]: an origin pattern must be anchored/m,
    ],
    [
      "refuses a binding to a missing policy",
      "missing-policy.yaml",
      /^error {3}apis\[0\]\.corsPolicy: no policy named "web"/m,
    ],
  ];
  for (const [name, file, expected] of refusals) {
    it(name, async () => {
      const r = await validate(fixture(file));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(expected);
    });
  }

  it("lists every problem of a file that has several", async () => {
    const r = await validate(fixture("several-problems.yaml"));
    expect(r.code).toBe(1);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error"));
    const paths = errors.map((l) => l.slice(8).split(": ")[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        "listen.gateway",
        "apis[1].method",
        "apis[2].name",
        "groups[0].corsPolicy",
        "apis[1].group",
        "apis[2].corsPolicy",
        "apis[2].backend.url",
        "corsPolicies[0].allowOrigins[0]",
        "corsPolicies[0].allowOrigins[1]",
        "corsPolicies[0].allowOrigins[2]",
        "corsPolicies[0].maxAge",
      ]),
    );
    expect(errors.length).toBeGreaterThanOrEqual(11);
    expect(r.stderr).toMatch(/several-problems\.yaml: \d+ errors/);
  });

  it("lists schema errors and semantic errors of the same items in one pass", async () => {
    const r = await validate(fixture("all-at-once.yaml"), "--json");
    expect(r.code).toBe(1);
    const { valid, problems } = JSON.parse(r.stdout) as { valid: boolean; problems: Problem[] };
    expect(valid).toBe(false);
    expect(problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual([
      "apis[0].backend.url BACKEND_URL",
      "apis[0].method SCHEMA",
      "corsPolicies[0].allowOrigin SCHEMA",
      "corsPolicies[0].allowOrigins[0] CORS_WILDCARD_WITH_CREDENTIALS",
      "corsPolicies[0].allowOrigins[1] CORS_ORIGIN_HAS_PATH",
      "corsPolicies[0].allowOrigins[2] CORS_WILDCARD_PUBLIC_SUFFIX",
    ]);
  });

  // Files that are not JSON at all are written here rather than kept as fixtures, which biome parses.
  async function validateText(name: string, text: string) {
    const dir = mkdtempSync(join(tmpdir(), "crossgate-validate-"));
    try {
      const file = join(dir, name);
      writeFileSync(file, text);
      return await validate(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("refuses a JSON syntax error with its line and column", async () => {
    const r = await validateText(
      "trailing-comma.json",
      '{\n  "apis": [\n    {"name": "a", "method": "GET", "path": "/a", "backend": {"type": "mock"}},\n  ]\n}\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error {3}\(root\): invalid JSON at line 4, column 3: a trailing comma/m);
  });

  it("refuses JSON nested 100,000 deep with a syntax problem, without exhausting the stack", async () => {
    const r = await validateText("deep.json", `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error {3}\(root\): invalid JSON at line 1, column 65: nested deeper than 64 levels/m,
    );
  });

  it("accepts a valid file with exit 0 and still prints its lint warnings", async () => {
    const r = await validate(fixture("valid-with-warnings.yaml"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^warning corsPolicies\[0\]\.allowOrigins\[0\]: a plain-http origin with credentials/m,
    );
    expect(r.stderr).toMatch(
      /^warning corsPolicies\[0\]\.maxAge: Chromium caps preflight caching at 7200 seconds/m,
    );
    expect(r.stderr).toMatch(/valid \(2 warnings\)/);
  });

  it("accepts the demo configuration", async () => {
    const r = await validate(fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url)));
    expect(r.code).toBe(0);
  });

  it("reports a YAML syntax error with its line", async () => {
    const r = await validate(fixture("../validate.test.ts"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid YAML at line \d+/);
  });
});
