/**
 * .ci/run as CI runs it, with stand-ins for npm and apt-get on PATH: which npm commands it runs, its exit
 * code, and the closing `N passed, N failed` line when lint or the tests fail.
 */
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ciRun = join(import.meta.dirname, "..", ".ci", "run");

// Records each call, then behaves as told by FAKE_* variables: `npm run lint` exits FAKE_LINT_EXIT,
// `npm test` prints a Vitest summary line and exits FAKE_TEST_EXIT, anything else exits 0.
const fakeNpm = `#!/usr/bin/env bash
echo "npm $*" >>"$FAKE_CALLS"
case "$1 $2" in
  "run lint") exit "\${FAKE_LINT_EXIT:-0}" ;;
  "test "*|"test") echo "      Tests  \${FAKE_TEST_SUMMARY}"; exit "\${FAKE_TEST_EXIT:-0}" ;;
esac
exit 0
`;

let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossgate-ci-run-"));
  await mkdir(join(dir, ".ci"));
  await mkdir(join(dir, "bin"));
  await copyFile(ciRun, join(dir, ".ci", "run"));
  await writeFile(join(dir, "bin", "npm"), fakeNpm);
  await writeFile(join(dir, "bin", "apt-get"), "#!/usr/bin/env bash\nexit 0\n");
  await chmod(join(dir, "bin", "npm"), 0o755);
  await chmod(join(dir, "bin", "apt-get"), 0o755);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  lastLine: string;
  calls: string[];
}

async function runCi(env: Record<string, string>, name: string): Promise<Run> {
  const calls = join(dir, `${name}.calls`);
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      "bash",
      [join(dir, ".ci", "run")],
      {
        env: {
          ...process.env,
          ...env,
          CI: "true",
          FAKE_CALLS: calls,
          PATH: `${join(dir, "bin")}:${process.env.PATH}`,
        },
        timeout: 20_000,
      },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
  const lines = stdout.trimEnd().split("\n");
  const recorded = await readFile(calls, "utf8").catch(() => "");
  return { code, lastLine: lines[lines.length - 1] ?? "", calls: recorded.trimEnd().split("\n") };
}

describe(".ci/run", () => {
  it("installs with npm ci only, then runs lint and the tests", async () => {
    const run = await runCi({ FAKE_TEST_SUMMARY: "3 passed (3)" }, "green");
    expect(run.calls).toEqual(["npm ci --no-audit --no-fund", "npm run lint", "npm test"]);
    expect(run.lastLine).toBe("3 passed, 0 failed");
    expect(run.code).toBe(0);
  });

  it("fails, and counts one failure, when lint fails even though every test passed", async () => {
    const run = await runCi({ FAKE_TEST_SUMMARY: "3 passed (3)", FAKE_LINT_EXIT: "1" }, "lint-red");
    expect(run.calls).toContain("npm test");
    expect(run.lastLine).toBe("3 passed, 1 failed");
    expect(run.code).not.toBe(0);
  });

  it("adds a lint failure to the failed tests", async () => {
    const run = await runCi(
      { FAKE_TEST_SUMMARY: "2 failed | 3 passed (5)", FAKE_TEST_EXIT: "1", FAKE_LINT_EXIT: "1" },
      "both-red",
    );
    expect(run.lastLine).toBe("3 passed, 3 failed");
    expect(run.code).toBe(1);
  });
});
