/**
 * `crossgate explain` as a CI step: its exit code says what the browser does (0 allowed, 2 blocked, 1 a
 * usage or configuration error, as `check`), and an origin it cannot read is refused, not explained.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CROSSGATE_BIN } from "../support/cli-process.js";

const demo = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

function explain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CROSSGATE_BIN, "explain", ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const webmethods = ["--config", demo, "--host", "webmethods.test", "--path", "/orders"];

describe("crossgate explain exit codes", () => {
  it("exits 0 when the browser would allow the request", async () => {
    const r = await explain([
      ...webmethods,
      "--origin",
      "http://test2.com",
      "--method",
      "PUT",
      "--header",
      "test1",
    ]);
    expect(r.stdout).toMatch(/^ALLOWED: /m);
    expect(r.code).toBe(0);
  });

  it("exits 2 when the browser would block the request, and still prints why", async () => {
    const r = await explain([...webmethods, "--origin", "http://test2.com", "--method", "DELETE"]);
    expect(r.stdout).toMatch(/^BLOCKED: /m);
    expect(r.code).toBe(2);
  });

  it("exits 2 with --json too", async () => {
    const r = await explain([...webmethods, "--origin", "http://test.com", "--method", "POST", "--json"]);
    expect(JSON.parse(r.stdout).outcome.ok).toBe(false);
    expect(r.code).toBe(2);
  });

  it("exits 1 with every problem when the configuration is invalid", async () => {
    const r = await explain([
      "--config",
      fixture("star-with-credentials.yaml"),
      "--origin",
      "https://app.test",
      "--method",
      "GET",
      "--path",
      "/",
    ]);
    expect(r.code).toBe(1);
  });

  const refused: Array<[string, string]> = [
    ["app.test", "--origin https://app.test"],
    ["app.test:8443", "--origin https://app.test:8443"],
    ["https://app.test/", "remove the trailing '/'"],
    ["https://user@app.test", "no user information"],
    ["", "the origin is empty"],
  ];
  for (const [origin, says] of refused) {
    it(`refuses --origin ${JSON.stringify(origin)} with exit 1, saying ${JSON.stringify(says)}`, async () => {
      const r = await explain([...webmethods, "--origin", origin, "--method", "GET"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(says);
      expect(r.stderr).toContain("An origin is scheme://host[:port]");
    });
  }

  it("accepts the opaque origin null", async () => {
    const r = await explain([...webmethods, "--origin", "null", "--method", "GET"]);
    expect(r.stdout).toMatch(/^(ALLOWED|BLOCKED): /m);
    expect([0, 2]).toContain(r.code);
  });
});
