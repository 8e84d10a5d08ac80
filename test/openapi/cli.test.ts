import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { registerExport } from "../../src/cli/export.js";
import { registerImport } from "../../src/cli/import.js";
import { CROSSGATE_BIN, spawnGateway } from "../support/cli-process.js";
import { send } from "../support/gateway.js";
import { fixturePath } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-openapi-"));
const demo = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));
const realFixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

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
  it("writes a configuration crossgate validate accepts, and names each finding's source path and action", async () => {
    const out = join(dir, "pets.yaml");
    const r = await run("import", fixturePath("amazon-enable-cors.yaml"), "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^info {4}paths\.\/pets\.options\.x-amazon-apigateway-integration: the OPTIONS mock \("Enable CORS"\) became CORS policy petstore-cors-preflight.*; do: .*--keep-options-mocks.* \[IMPORT_OPTIONS_ROUTE\]$/m,
    );
    expect(r.stderr).toMatch(
      /^info {4}servers\.0\.variables\.basePath: stage base path \/prod is not applied/m,
    );
    expect(r.stderr).toMatch(/: 2 APIs, 1 CORS policy; 0 not translated exactly; written to /);
    const config = parse(readFileSync(out, "utf8"));
    expect(config.apis.map((a: { name: string }) => a.name)).toEqual(["listPets", "createPet"]);
    const v = await validate(out);
    expect(v.code, v.stderr).toBe(0);
  });

  it("writes YAML to stdout without --out", async () => {
    const r = await run("import", fixturePath("swagger2-petstore.json"), "--group", "pets");
    expect(r.code).toBe(0);
    const config = parse(r.stdout);
    expect(config.groups[0].name).toBe("pets");
    expect(r.stderr).toMatch(
      /^warning paths\.\/pet\/\{petId\}\.delete\.security: requires oauth2 authentication/m,
    );
  });

  it("--json prints the configuration and every finding with its severity, code, source, message and action", async () => {
    const report = join(dir, "report.json");
    const r = await run(
      "import",
      fixturePath("huawei-apig.yaml"),
      "--json",
      "--out",
      join(dir, "huawei.yaml"),
      "--report",
      report,
    );
    expect(r.code).toBe(0);
    const envelope = JSON.parse(r.stdout);
    expect(envelope.valid).toBe(true);
    expect(envelope.config.apis.map((a: { name: string }) => a.name)).toContain("simple");
    expect(envelope.findings).toContainEqual({
      severity: "warning",
      code: "IMPORT_FUNCTION_STUB",
      source: "paths./fg.post.x-apigateway-backend",
      message: expect.stringMatching(/^FunctionGraph function hello/),
      action: expect.stringMatching(/\.\/functions\/hello\.mjs/),
    });
    for (const f of envelope.findings)
      expect(Object.keys(f).sort()).toEqual(["action", "code", "message", "severity", "source"]);
    expect(JSON.parse(readFileSync(report, "utf8"))).toEqual(envelope);
    // The stub module was written beside the configuration.
    expect(envelope.stubs).toEqual(["./functions/hello.mjs"]);
    expect(readFileSync(join(dir, "functions", "hello.mjs"), "utf8")).toMatch(/statusCode: 501/);
  });

  it("exits 1 and prints every problem when the written configuration does not validate, and says the file was written", async () => {
    const doc = join(dir, "invalid.json");
    writeFileSync(
      doc,
      JSON.stringify({
        openapi: "3.0.1",
        info: { title: "bad" },
        "x-crossgate-groups": [],
        "x-crossgate-cors-policies": [{ name: "p", allowOrigins: ["*"], allowCredentials: true }],
        paths: {
          "/x": {
            get: {
              "x-crossgate-cors": {
                policy: { name: "p", allowOrigins: ["*"], allowCredentials: true },
                boundTo: "api",
              },
              "x-amazon-apigateway-integration": { type: "mock" },
            },
          },
        },
      }),
    );
    const out = join(dir, "invalid.yaml");
    const r = await run("import", doc, "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error {3}corsPolicies\[0\]\.allowOrigins\[0\]: '\*' cannot be combined/m);
    expect(r.stderr).toMatch(
      /the configuration does not validate \(1 error above\); .*invalid\.yaml was written anyway so that you can fix it/,
    );
    expect(existsSync(out)).toBe(true);
    const json = await run("import", doc, "--json");
    expect(json.code).toBe(1);
    const envelope = JSON.parse(json.stdout);
    expect(envelope.valid).toBe(false);
    expect(envelope.findings).toContainEqual(
      expect.objectContaining({
        severity: "error",
        code: "CORS_WILDCARD_WITH_CREDENTIALS",
        source: "configuration corsPolicies[0].allowOrigins[0]",
      }),
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

  it("Lambda functions are served from their stub modules by a real gateway, with the imported CORS policy", async () => {
    const work = mkdtempSync(join(dir, "sam-"));
    const out = join(work, "config.yaml");
    const r = await run("import", realFixture("aws-sam-shopping-cart.swagger.json"), "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect((await validate(out)).code).toBe(0);
    const gw = await spawnGateway(["--config", out, "--listen", "127.0.0.1:0"]);
    try {
      const res = await send(gw.url, "GET", "/product", { origin: "http://localhost:8080" });
      expect(res.status).toBe(501);
      expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:8080");
      expect(JSON.parse(res.body).error_msg).toMatch(
        /GetProductsFunction-c1359550 is not deployed on crossgate/,
      );
      const refused = await send(gw.url, "OPTIONS", "/product", {
        origin: "https://evil.example",
        "access-control-request-method": "GET",
      });
      expect(refused.status).toBe(403);
    } finally {
      await gw.stop();
    }
    // A stub the user has replaced is never overwritten by a later import.
    const stub = join(
      work,
      "functions",
      "aws-serverless-shopping-cart-produ-getproductsfunction-c1359550.mjs",
    );
    writeFileSync(stub, "export const handler = async () => ({ statusCode: 200, body: 'mine' });\n");
    await run("import", realFixture("aws-sam-shopping-cart.swagger.json"), "--out", out);
    expect(readFileSync(stub, "utf8")).toMatch(/'mine'/);
  });
});

describe("export then import through the command line keeps a function backend's module (issue 10)", () => {
  it("points at the same module file wherever the document and the configuration are written", async () => {
    const docDir = mkdtempSync(join(dir, "doc-"));
    const doc = join(docDir, "demo-openapi.yaml");
    const e = await run("export", "--config", demo, "--out", doc);
    expect(e.code).toBe(0);
    const outDir = mkdtempSync(join(dir, "conf-"));
    const out = join(outDir, "sub", "config.yaml");
    mkdirSync(dirname(out));
    const r = await run("import", doc, "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const config = parse(readFileSync(out, "utf8"));
    const hello = config.apis.find((a: { name: string }) => a.name === "amazon-hello");
    expect(resolve(dirname(out), hello.backend.module)).toBe(
      fileURLToPath(new URL("../../examples/handlers/hello-cors.mjs", import.meta.url)),
    );
    expect((await validate(out)).code).toBe(0);
  });
});

describe("crossgate export", () => {
  it("writes OpenAPI 3.0 as JSON when --out ends in .json, with its notes on stderr", async () => {
    const out = join(dir, "demo.json");
    const r = await run("export", "--config", demo, "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning apis\.7\.backend: function backend/m);
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
