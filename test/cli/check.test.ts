import { execFile } from "node:child_process";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/gateway/server.js";
import { CROSSGATE_BIN } from "../support/cli-process.js";
import { startTestGateway } from "../support/gateway.js";

// SPEC section 6: `crossgate check URL` probes a live server as a browser would.
let gw: RunningGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    groups: [{ name: "api", domains: ["api.test"] }],
    corsPolicies: [
      {
        name: "web",
        allowOrigins: ["https://app.example.com"],
        allowMethods: ["PUT"],
        allowHeaders: ["X-Sdk-Date"],
        allowCredentials: true,
      },
    ],
    apis: [
      {
        name: "a",
        group: "api",
        method: "ANY",
        path: "/a",
        corsPolicy: "web",
        backend: { type: "mock", body: "ok" },
      },
    ],
  });
});
afterAll(async () => {
  await gw.close();
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CROSSGATE_BIN, "check", ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run([`${gw.url}/a`, "--host", "api.test", ...args]);
}

/** A plain node:http server on loopback for the tests of one describe block; `base` is `path` on it. */
function plainServer(path: string, handler: RequestListener): { readonly base: string } {
  let server: Server | undefined;
  const served = { base: "" };
  beforeAll(async () => {
    const started = createServer(handler);
    server = started;
    await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
    served.base = `http://127.0.0.1:${(started.address() as AddressInfo).port}${path}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  return served;
}

describe("crossgate check", () => {
  it("reports an allowed preflighted, credentialed request with exit 0", async () => {
    const r = await check([
      "--origin",
      "https://app.example.com",
      "--method",
      "PUT",
      "--header",
      "X-Sdk-Date",
      "--credentials",
      "--send",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Preflight: OPTIONS/);
    expect(r.stdout).toMatch(/Request: PUT .*\n {2}200/);
    expect(r.stdout).toMatch(/< access-control-allow-origin: https:\/\/app\.example\.com/);
    expect(r.stdout).toMatch(/ALLOWED\n$/);
  });

  it("reports a refused origin with Chromium's message and exit 2", async () => {
    const r = await check(["--origin", "https://evil.example.net", "--method", "PUT"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    expect(r.stdout).toMatch(/BLOCKED\n$/);
  });

  it("sends no preflight for a simple request and prints JSON on request", async () => {
    const r = await check(["--origin", "https://app.example.com", "--json"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.preflight).toBeUndefined();
    expect(result.actual.status).toBe(200);
    expect(result.ok).toBe(true);
  });
});

// Not crossgate: a plain server that answers CORS itself and counts what reaches it, so the tests see which
// requests `check` really sent.
describe("crossgate check and unsafe methods", () => {
  let seen: string[] = [];
  const served = plainServer("/orders/1", (req, res) => {
    seen.push(req.method as string);
    const allowed = req.headers.origin === "https://app.example.com";
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        ...(allowed ? { "access-control-allow-origin": "https://app.example.com" } : {}),
        "access-control-allow-methods": "PUT, DELETE, POST",
        "access-control-allow-headers": "X-Sdk-Date",
      });
      res.end();
      return;
    }
    res.writeHead(200, allowed ? { "access-control-allow-origin": "https://app.example.com" } : {});
    res.end("done");
  });
  beforeEach(() => {
    seen = [];
  });

  it("sends only the preflight for PUT by default, says the request was not sent and how to send it", async () => {
    const r = await run([served.base, "--origin", "https://app.example.com", "--method", "PUT"]);
    expect(seen).toEqual(["OPTIONS"]);
    expect(r.stdout).toContain(
      "not sent: PUT is not a safe method and could change data on the server. Add --send to send it",
    );
    expect(r.stdout).toMatch(/ALLOWED by the preflight \(the actual request was not sent\)\n$/);
    expect(r.code).toBe(0);
  });

  it("sends the DELETE after its preflight with --send, and checks its response", async () => {
    const r = await run([served.base, "--origin", "https://app.example.com", "--method", "DELETE", "--send"]);
    expect(seen).toEqual(["OPTIONS", "DELETE"]);
    expect(r.stdout).toMatch(/Request: DELETE .*\n {2}200/);
    expect(r.stdout).toMatch(/ALLOWED\n$/);
    expect(r.code).toBe(0);
  });

  it("reports a refused preflight for a PUT with exit 2 and sends nothing more", async () => {
    const r = await run([served.base, "--origin", "https://evil.example.net", "--method", "PUT"]);
    expect(seen).toEqual(["OPTIONS"]);
    expect(r.stdout).toMatch(/BLOCKED\n$/);
    expect(r.code).toBe(2);
  });

  it("sends nothing for a simple POST without --send, and exits 1 saying nothing was checked", async () => {
    const r = await run([served.base, "--origin", "https://app.example.com", "--method", "POST", "--json"]);
    expect(seen).toEqual([]);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBeNull();
    expect(result.actual.sent).toBe(false);
    expect(result.actual.note).toMatch(/Add --send/);
    expect(r.code).toBe(1);
  });

  it("sends a simple POST with --send and judges its response", async () => {
    const r = await run([served.base, "--origin", "https://app.example.com", "--method", "POST", "--send"]);
    expect(seen).toEqual(["POST"]);
    expect(r.stdout).toMatch(/ALLOWED\n$/);
    expect(r.code).toBe(0);
  });

  it("refuses an origin without a scheme with exit 1, naming the expected form, before sending anything", async () => {
    const r = await run([served.base, "--origin", "app.example.com"]);
    expect(seen).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--origin https://app.example.com");
  });
});

describe("crossgate check --header: the headers given are the headers sent", () => {
  let received: string[] = [];
  const served = plainServer("/names", (req, res) => {
    const cors = { "access-control-allow-origin": "https://app.example.com" };
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...cors, "access-control-allow-headers": "*" });
      res.end();
      return;
    }
    received = req.rawHeaders;
    res.writeHead(200, cors);
    res.end("done");
  });

  it("sends names that are Object.prototype's members, __proto__ included", async () => {
    const r = await run([
      served.base,
      "--origin",
      "https://app.example.com",
      "--header",
      "__proto__: p",
      "--header",
      "constructor: c",
    ]);
    expect(r.stdout).toMatch(/ALLOWED\n$/);
    const pairs: string[][] = [];
    for (let i = 0; i < received.length; i += 2)
      pairs.push([received[i] as string, received[i + 1] as string]);
    expect(pairs.filter(([name]) => name === "__proto__" || name === "constructor")).toEqual([
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
  });
});
