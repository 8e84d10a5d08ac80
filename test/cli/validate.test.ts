import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/crossgate.js", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

function validate(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, "validate", file], (error, stdout, stderr) => {
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
      "refuses an unknown field",
      "unknown-field.yaml",
      /^error {3}corsPolicies\[0\]\.allowOrigin: unknown field/m,
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
