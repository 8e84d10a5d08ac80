import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { registerExport } from "../../src/cli/export.js";
import { registerImport } from "../../src/cli/import.js";
import { CROSSGATE_BIN } from "../support/cli-process.js";
import { fixturePath } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-openapi-"));
const demo = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));

afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs `crossgate import|export ...` in this process (the commands as main.ts registers them). */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command().name("crossgate").exitOverride();
  registerImport(program);
  registerExport(program);
  try {
    await program.parseAsync(["node", "crossgate", ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

/** The real `crossgate validate`, as a user runs it. */
function validate(file: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CROSSGATE_BIN, "validate", file], (error, _stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stderr });
    });
  });
}

describe("crossgate import", () => {
  it("writes a configuration crossgate validate accepts, and lists its notes on stderr", async () => {
    const out = join(dir, "pets.yaml");
    const r = await run("import", fixturePath("amazon-enable-cors.yaml"), "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^info {4}\/paths\/~1pets\/options: 1 OPTIONS mock with static CORS headers/m);
    expect(r.stderr).toMatch(/: 3 APIs, 0 CORS policies; 0 not translated exactly; written to /);
    const config = parse(readFileSync(out, "utf8"));
    expect(config.apis.map((a: { name: string }) => a.name)).toEqual([
      "listPets",
      "createPet",
      "options-pets",
    ]);
    const v = await validate(out);
    expect(v.code, v.stderr).toBe(0);
  });

  it("writes YAML to stdout without --out", async () => {
    const r = await run("import", fixturePath("huawei-apig.yaml"), "--group", "cors-demo");
    expect(r.code).toBe(0);
    const config = parse(r.stdout);
    expect(config.groups[0].name).toBe("cors-demo");
    expect(r.stderr).toMatch(
      /^warning \/paths\/~1fg\/post\/x-apigateway-backend\/type: a FunctionGraph backend/m,
    );
  });

  it("reports '*' with credentials and leaves it for crossgate validate to explain", async () => {
    const doc = join(dir, "star.json");
    writeFileSync(
      doc,
      JSON.stringify({
        openapi: "3.0.1",
        info: { title: "star" },
        "x-amazon-apigateway-cors": { allowOrigins: ["*"], allowCredentials: true },
        paths: { "/x": { get: { "x-amazon-apigateway-integration": { type: "mock" } } } },
      }),
    );
    const out = join(dir, "star.yaml");
    const r = await run("import", doc, "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^warning \/x-amazon-apigateway-cors: '\*' in allowOrigins together with allowCredentials: true is refused by crossgate/m,
    );
    expect(r.stderr).toMatch(/^error {3}corsPolicies\[0\]\.allowOrigins\[0\]: '\*' cannot be combined/m);
    const v = await validate(out);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(
      /^error {3}corsPolicies\[0\]\.allowOrigins\[0\]: '\*' cannot be combined with allowCredentials/m,
    );
  });

  it("refuses what is not an OpenAPI document, and a bad --backend-url", async () => {
    const notOpenApi = join(dir, "not.yaml");
    writeFileSync(notOpenApi, "apis: []\n");
    const r = await run("import", notOpenApi);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not an OpenAPI 3\.x or Swagger 2\.0 document/);
    const bad = await run("import", fixturePath("swagger2-petstore.json"), "--backend-url", "ftp://x");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--backend-url ftp:\/\/x: must be an http/);
  });
});

describe("crossgate export", () => {
  it("writes OpenAPI 3.0 as JSON when --out ends in .json, with its notes on stderr", async () => {
    const out = join(dir, "demo.json");
    const r = await run("export", "--config", demo, "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning \/apis\/7\/backend: function backend/m);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.openapi).toBe("3.0.1");
    expect(doc.paths["/pets"].options.operationId).toBe("amazon-pets-options");
  });

  it("writes Swagger 2.0 for one group, and imports back", async () => {
    const r = await run("export", "--config", demo, "--format", "swagger", "--group", "amazon");
    expect(r.code).toBe(0);
    const doc = parse(r.stdout);
    expect(doc.swagger).toBe("2.0");
    expect(doc.host).toBe("amazon.test");
    const file = join(dir, "amazon-swagger.yaml");
    writeFileSync(file, r.stdout);
    const back = await run("import", file);
    expect(parse(back.stdout).apis.map((a: { name: string }) => a.name)).toEqual([
      "amazon-pets-options",
      "amazon-pets",
      "amazon-hello",
    ]);
  });

  it("refuses an invalid configuration and an unknown group", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "apis: [{ name: x, method: GET, path: nope, backend: { type: mock } }]\n");
    const r = await run("export", "--config", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/apis\[0\]\.path/);
    const g = await run("export", "--config", demo, "--group", "nope");
    expect(g.code).toBe(1);
    expect(g.stderr).toMatch(/no group named "nope"/);
  });
});
