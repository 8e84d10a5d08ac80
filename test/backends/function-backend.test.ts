import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { request } from "undici";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from "vitest";
import { GatewayError } from "../../src/errors.js";
import { buildBackends } from "../../src/gateway/backends/registry.js";
import { expectGatewayError, gatewayLog, Resources, rawRequest, snapshotOf, startWith } from "./support.js";

const resources = new Resources();
let dir: string;
let errors: MockInstance<typeof console.error>;

/** Handler modules, written to a temporary directory: name to source. */
const HANDLERS: Record<string, string> = {
  "echo.mjs": `export async function handler(event, context) {
    return { statusCode: 200, headers: { "content-type": "application/json" },
      body: JSON.stringify({ event, remaining: context.getRemainingTimeInMillis() > 0 }) };
  }`,
  "throws.mjs": `export function handler() { throw new Error("database password is hunter2"); }`,
  "rejects.mjs": `export async function handler() { throw new TypeError("cannot read x of undefined"); }`,
  "hangs.mjs": `export function handler(_event, context) {
    return new Promise((resolve) => context.signal.addEventListener("abort", () => resolve({ statusCode: 200 })));
  }`,
  "binary.mjs": `export function handler() {
    return { statusCode: 200, headers: { "content-type": "image/png" },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString("base64"), isBase64Encoded: true };
  }`,
  "own-cors.mjs": `export function handler() {
    return { statusCode: 200,
      headers: { "Access-Control-Allow-Origin": "https://app.example.com",
        "Access-Control-Allow-Methods": "GET,OPTIONS", "Access-Control-Allow-Headers": "Content-Type",
        "Content-Type": "application/json" },
      body: '{"message":"hello"}' };
  }`,
  "cookies.mjs": `export function handler() {
    return { statusCode: 201, headers: { "x-one": "1", "set-cookie": "ignored=1" },
      multiValueHeaders: { "set-cookie": ["a=1", "b=2"] }, body: "made" };
  }`,
  "malformed.mjs": `export function handler(event) {
    const cases = {
      "no-status": { body: "x" },
      "string-status": { statusCode: "200" },
      "fractional-status": { statusCode: 200.5 },
      "status-600": { statusCode: 600 },
      "status-99": { statusCode: 99 },
      "object-body": { statusCode: 200, body: { a: 1 } },
      "object-header": { statusCode: 200, headers: { "x-a": { b: 1 } } },
      "newline-header": { statusCode: 200, headers: { "x-a": "a\\r\\nx-injected: 1" } },
      "bad-header-name": { statusCode: 200, headers: { "x a": "1" } },
      "multi-not-array": { statusCode: 200, multiValueHeaders: { "x-a": "1" } },
      "base64-flag-string": { statusCode: 200, body: "x", isBase64Encoded: "yes" },
      "bad-base64": { statusCode: 200, body: "%%%", isBase64Encoded: true },
      "null-result": null,
      "string-result": "200 OK",
    };
    return cases[event.queryStringParameters.case];
  }`,
  "proto-headers.mjs": `export function handler() {
    return JSON.parse('{"statusCode":200,"headers":{"__proto__":"x","toString":"y"},"multiValueHeaders":{"constructor":["a","b"],"__proto__":["p","q"]},"body":"ok"}');
  }`,
  "no-handler.mjs": `export const notAHandler = 1;`,
  "syntax-error.mjs": `export function handler( {`,
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "crossgate-fn-"));
  for (const [name, source] of Object.entries(HANDLERS)) writeFileSync(join(dir, name), source);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  errors = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(async () => {
  await resources.closeAll();
  vi.restoreAllMocks();
});

const healthy = { name: "healthy", method: "GET", path: "/healthy", backend: { type: "mock", body: "fine" } };

async function expectHealthy(url: string): Promise<void> {
  const r = await request(`${url}/healthy`);
  expect(r.statusCode).toBe(200);
  expect(await r.body.text()).toBe("fine");
}

function fnApi(name: string, file: string, extra: Record<string, unknown> = {}, backend = {}) {
  return {
    name,
    method: "ANY",
    path: `/${name}`,
    ...extra,
    backend: { type: "function", module: join(dir, file), ...backend },
  };
}

/** The parts of the echo handler's event the name tests read. */
interface EchoEvent {
  readonly queryStringParameters: Record<string, string>;
  readonly multiValueQueryStringParameters: Record<string, string[]>;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
}

/** GETs `target` from the echo handler with extra header lines; its status and the event it saw. */
async function echoEvent(
  port: number,
  target: string,
  headerLines: readonly string[],
): Promise<{ status: number; event: EchoEvent }> {
  const r = await rawRequest(
    port,
    [`GET ${target} HTTP/1.1`, "Host: fn.test", ...headerLines, "Connection: close", "", ""].join("\r\n"),
  );
  return { status: r.status, event: r.status === 200 ? JSON.parse(r.body).event : ({} as EchoEvent) };
}

function logged(): string {
  return gatewayLog();
}

describe("function backend: the proxy event", () => {
  it("gives the handler method, path, parameters, query, lowercase joined headers, body and request id", async () => {
    const gw = await startWith(resources, {
      groups: [{ name: "shop", basePath: "/v1" }],
      apis: [
        {
          name: "item",
          group: "shop",
          method: "POST",
          path: "/users/{id}/files/{key+}",
          backend: { type: "function", module: join(dir, "echo.mjs") },
        },
      ],
    });
    const r = await rawRequest(
      gw.address.port,
      [
        "POST /v1/users/42/files/a/b.txt?x=1&x=2&y=%20z HTTP/1.1",
        "Host: shop.test",
        "X-Multi: one",
        "X-Multi: two",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Length: 6",
        "Connection: close",
        "",
        "héllo",
      ].join("\r\n"),
    );
    expect(r.status).toBe(200);
    const { event, remaining } = JSON.parse(Buffer.from(r.body, "latin1").toString("utf8"));
    const requestId = r.headerLines.find(([n]) => n === "x-request-id")?.[1];
    expect(remaining).toBe(true);
    expect(event).toMatchObject({
      resource: "/v1/users/{id}/files/{key+}",
      httpMethod: "POST",
      path: "/v1/users/42/files/a/b.txt",
      pathParameters: { id: "42", key: "a/b.txt" },
      queryStringParameters: { x: "2", y: " z" },
      multiValueQueryStringParameters: { x: ["1", "2"], y: [" z"] },
      body: "héllo",
      isBase64Encoded: false,
      requestContext: { requestId, httpMethod: "POST", path: "/v1/users/42/files/a/b.txt" },
    });
    expect(event.headers["x-multi"]).toBe("one, two");
    expect(event.multiValueHeaders["x-multi"]).toEqual(["one", "two"]);
    expect(event.headers.host).toBe("shop.test");
    expect(event.headers).not.toHaveProperty("X-Multi");
  });

  it("gives header and query names like toString, constructor and __proto__ as the client sent them (they once answered 500)", async () => {
    const gw = await startWith(resources, { apis: [fnApi("echo", "echo.mjs")] });
    const { status, event } = await echoEvent(
      gw.address.port,
      "/echo?toString=1&constructor=2&__proto__=3&hasOwnProperty=4&toString=5",
      ["toString: a", "Constructor: b", "__proto__: c", "valueOf: d", "toString: e"],
    );
    expect(status).toBe(200);
    expect(Object.entries(event.queryStringParameters)).toEqual([
      ["toString", "5"],
      ["constructor", "2"],
      ["__proto__", "3"],
      ["hasOwnProperty", "4"],
    ]);
    expect(Object.keys(event.multiValueQueryStringParameters)).toEqual([
      "toString",
      "constructor",
      "__proto__",
      "hasOwnProperty",
    ]);
    expect(event.multiValueQueryStringParameters.toString).toEqual(["1", "5"]);
    expect(event.headers).toMatchObject({ tostring: "a, e", constructor: "b", valueof: "d" });
    expect(Object.getOwnPropertyDescriptor(event.headers, "__proto__")?.value).toBe("c");
    expect(event.multiValueHeaders.tostring).toEqual(["a", "e"]);
  });

  it("gives any header and query names, in any order and repetition, as the client sent them (property)", async () => {
    const gw = await startWith(resources, { apis: [fnApi("echo", "echo.mjs")] });
    const name = fc.oneof(
      fc.constantFrom("toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"),
      fc.stringMatching(/^x-[a-z_]{1,6}$/),
    );
    const value = fc.stringMatching(/^[a-z0-9]{0,6}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(name, value), { maxLength: 8 }),
        fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 8 }),
        async (headers, query) => {
          const search = new URLSearchParams(query).toString();
          const { status, event } = await echoEvent(
            gw.address.port,
            `/echo?${search}`,
            headers.map(([n, v]) => `${n}: ${v}`),
          );
          expect(status).toBe(200);
          const expectedQuery = new Map<string, string[]>();
          for (const [n, v] of query) expectedQuery.set(n, [...(expectedQuery.get(n) ?? []), v]);
          expect(Object.entries(event.multiValueQueryStringParameters)).toEqual([...expectedQuery]);
          const expectedHeaders = new Map<string, string[]>();
          for (const [n, v] of headers)
            expectedHeaders.set(n.toLowerCase(), [...(expectedHeaders.get(n.toLowerCase()) ?? []), v]);
          for (const [n, values] of expectedHeaders) {
            expect(Object.getOwnPropertyDescriptor(event.multiValueHeaders, n)?.value).toEqual(values);
            expect(Object.getOwnPropertyDescriptor(event.headers, n)?.value).toBe(values.join(", "));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("gives a GET without a body or query null body and null query maps", async () => {
    const gw = await startWith(resources, { apis: [fnApi("echo", "echo.mjs")] });
    const { event } = (await (await request(`${gw.url}/echo`)).body.json()) as {
      event: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      body: null,
      isBase64Encoded: false,
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
  });

  it("base64-encodes a request body that is not UTF-8 text", async () => {
    const gw = await startWith(resources, { apis: [fnApi("echo", "echo.mjs")] });
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]);
    const r = await request(`${gw.url}/echo`, { method: "PUT", body: bytes });
    const { event } = (await r.body.json()) as { event: { body: string; isBase64Encoded: boolean } };
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, "base64")).toEqual(bytes);
  });

  it("refuses a declared body over maxBodyBytes with 413, then serves the next request", async () => {
    const gw = await startWith(resources, {
      apis: [fnApi("echo", "echo.mjs", { cors: true }, { maxBodyBytes: 1024 }), healthy],
    });
    const r = await request(`${gw.url}/echo`, { method: "POST", body: Buffer.alloc(2048, 0x61) });
    expect(r.statusCode).toBe(413);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "PAYLOAD_TOO_LARGE");
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    await expectHealthy(gw.url);
  });

  it("refuses a chunked body that grows over maxBodyBytes with 413", async () => {
    const gw = await startWith(resources, {
      apis: [fnApi("echo", "echo.mjs", {}, { maxBodyBytes: 1024 }), healthy],
    });
    async function* chunks() {
      for (let i = 0; i < 4; i++) yield Buffer.alloc(512, 0x61);
    }
    const r = await request(`${gw.url}/echo`, { method: "POST", body: Readable.from(chunks()) });
    expect(r.statusCode).toBe(413);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "PAYLOAD_TOO_LARGE");
    await expectHealthy(gw.url);
  });

  it("never reads more than the gateway-wide limit, whatever the backend allows", async () => {
    const snapshot = snapshotOf({
      apis: [
        {
          name: "big",
          method: "POST",
          path: "/big",
          backend: { type: "function", module: join(dir, "echo.mjs"), maxBodyBytes: 4096 },
        },
      ],
    });
    const [backend] = buildBackends(snapshot.apis, { maxBodyBytes: 100 });
    const req = { headers: { "content-length": "200" } } as unknown as IncomingMessage;
    const call = backend?.call({
      req,
      requestId: "b".repeat(32),
      path: "/",
      params: {},
      remainder: "",
      query: "",
      signal: new AbortController().signal,
    });
    await expect(call).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413 });
  });

  it("accepts a body of exactly maxBodyBytes", async () => {
    const gw = await startWith(resources, { apis: [fnApi("echo", "echo.mjs", {}, { maxBodyBytes: 1024 })] });
    const r = await request(`${gw.url}/echo`, { method: "POST", body: Buffer.alloc(1024, 0x61) });
    expect(r.statusCode).toBe(200);
    const { event } = (await r.body.json()) as { event: { body: string } };
    expect(event.body.length).toBe(1024);
  });
});

describe("function backend: the result", () => {
  it("decodes a base64 body byte-exact", async () => {
    const gw = await startWith(resources, { apis: [fnApi("binary", "binary.mjs")] });
    const r = await request(`${gw.url}/binary`);
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("image/png");
    expect(Buffer.from(await r.body.arrayBuffer())).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]),
    );
  });

  it("passes the function's own CORS headers unchanged under no CORS rules (seed 004 proxy integration)", async () => {
    const gw = await startWith(resources, { apis: [fnApi("own", "own-cors.mjs")] });
    const r = await rawRequest(
      gw.address.port,
      "GET /own HTTP/1.1\r\nHost: gw.test\r\nOrigin: https://app.example.com\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(200);
    const cors = r.headerLines.filter(([n]) => n.startsWith("access-control-"));
    expect(cors).toEqual([
      ["access-control-allow-origin", "https://app.example.com"],
      ["access-control-allow-methods", "GET,OPTIONS"],
      ["access-control-allow-headers", "Content-Type"],
    ]);
    expect(r.body).toBe('{"message":"hello"}');
  });

  it("merges multiValueHeaders over headers, sending repeated fields as separate lines", async () => {
    const gw = await startWith(resources, { apis: [fnApi("cookies", "cookies.mjs")] });
    const r = await rawRequest(
      gw.address.port,
      "GET /cookies HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(201);
    expect(r.headerLines.filter(([n]) => n === "set-cookie")).toEqual([
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
    ]);
    expect(r.headerLines).toContainEqual(["x-one", "1"]);
    expect(r.body).toBe("made");
  });
});

describe("function backend: faults", () => {
  it.each([
    ["a handler that throws", "throws.mjs", "database password is hunter2"],
    ["a handler whose promise rejects", "rejects.mjs", "cannot read x of undefined"],
  ])("answers %s with a generic 502, the detail going to the log", async (_name, file, secret) => {
    const gw = await startWith(resources, { apis: [fnApi("fn", file, { cors: true }), healthy] });
    const r = await request(`${gw.url}/fn`, { headers: { origin: "http://www.cors.com" } });
    expect(r.statusCode).toBe(502);
    const text = await r.body.text();
    expectGatewayError(r.statusCode, r.headers, text, "BACKEND_ERROR");
    expect(text).not.toContain(secret);
    expect(text).not.toContain(file);
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    const log = logged();
    expect(log).toContain(String(r.headers["x-request-id"]));
    expect(log).toContain(join(dir, file));
    expect(log).toContain(secret);
    await expectHealthy(gw.url);
  });

  it("sends a handler's header named __proto__, toString or constructor like any other", async () => {
    const gw = await startWith(resources, { apis: [fnApi("proto", "proto-headers.mjs")] });
    const r = await rawRequest(
      gw.address.port,
      ["GET /proto HTTP/1.1", "Host: fn.test", "Connection: close", "", ""].join("\r\n"),
    );
    expect(r.status).toBe(200);
    expect(r.body).toBe("ok");
    const lines = r.headerLines.filter(([n]) => ["__proto__", "tostring", "constructor"].includes(n));
    // multiValueHeaders wins over headers for the same name, as API Gateway merges them.
    expect(lines).toEqual([
      ["__proto__", "p"],
      ["__proto__", "q"],
      ["tostring", "y"],
      ["constructor", "a"],
      ["constructor", "b"],
    ]);
  });

  it("answers a handler that outlives timeoutMs with 504, then serves the next request", async () => {
    const gw = await startWith(resources, {
      apis: [fnApi("hangs", "hangs.mjs", { cors: true }, { timeoutMs: 100 }), healthy],
    });
    const r = await request(`${gw.url}/hangs`);
    expect(r.statusCode).toBe(504);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "BACKEND_TIMEOUT");
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    await expectHealthy(gw.url);
  });

  const malformed: [string, string][] = [
    ["no-status", "statusCode undefined"],
    ["string-status", 'statusCode "200"'],
    ["fractional-status", "statusCode 200.5"],
    ["status-600", "statusCode 600"],
    ["status-99", "statusCode 99"],
    ["object-body", "body is a object"],
    ["object-header", "headers.x-a must be a string"],
    ["newline-header", "x-a"],
    ["bad-header-name", "x a"],
    ["multi-not-array", "multiValueHeaders.x-a is not an array"],
    ["base64-flag-string", "isBase64Encoded is not a boolean"],
    ["bad-base64", "body is not valid base64"],
    ["null-result", "the result is not an object"],
    ["string-result", "the result is not an object"],
  ];
  it.each(malformed)(
    "answers a malformed result (%s) with 502 and logs the problem",
    async (name, problem) => {
      const gw = await startWith(resources, { apis: [fnApi("bad", "malformed.mjs"), healthy] });
      const r = await request(`${gw.url}/bad?case=${name}`);
      expect(r.statusCode).toBe(502);
      const text = await r.body.text();
      expectGatewayError(r.statusCode, r.headers, text, "BACKEND_ERROR");
      expect(text).not.toContain("x-injected");
      expect(r.headers).not.toHaveProperty("x-injected");
      const log = logged();
      expect(log).toContain("malformed result");
      expect(log).toContain(problem);
      expect(log).toContain(String(r.headers["x-request-id"]));
      await expectHealthy(gw.url);
    },
  );

  it.each([
    ["a module that does not exist", "missing.mjs", "cannot be imported"],
    ["a module without a handler export", "no-handler.mjs", "does not export a handler function"],
    ["a module with a syntax error", "syntax-error.mjs", "cannot be imported"],
  ])("answers %s with 502 and logs why", async (_name, file, problem) => {
    const gw = await startWith(resources, { apis: [fnApi("broken", file), healthy] });
    const r = await request(`${gw.url}/broken`);
    expect(r.statusCode).toBe(502);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "BACKEND_ERROR");
    expect(logged()).toContain(problem);
    await expectHealthy(gw.url);
  });
});

describe("function backend: loading", () => {
  it("imports an edited handler again on a configuration swap", async () => {
    const file = join(dir, "edited.mjs");
    writeFileSync(file, `export const handler = () => ({ statusCode: 200, body: "version one" });`);
    const config = { apis: [fnApi("edited", "edited.mjs")] };
    const gw = await startWith(resources, config);
    expect(await (await request(`${gw.url}/edited`)).body.text()).toBe("version one");
    writeFileSync(file, `export const handler = () => ({ statusCode: 200, body: "version two, longer" });`);
    gw.gateway.swap(snapshotOf(config));
    expect(await (await request(`${gw.url}/edited`)).body.text()).toBe("version two, longer");
  });

  it("reports failures to the logger it is given, with the request id and the module path as fields", async () => {
    const calls: { fields: Record<string, unknown>; message: string }[] = [];
    const snapshot = snapshotOf({ apis: [fnApi("gone", "gone.mjs")] });
    const [backend] = buildBackends(snapshot.apis, {
      logger: { error: (fields, message) => calls.push({ fields, message }) },
    });
    const requestId = "a".repeat(32);
    const call = backend?.call({
      req: {} as IncomingMessage, // never read: the module failed to load
      requestId,
      path: "/",
      params: {},
      remainder: "",
      query: "",
      signal: new AbortController().signal,
    });
    await expect(call).rejects.toMatchObject({ code: "BACKEND_ERROR", status: 502 });
    expect(calls).toContainEqual({
      fields: expect.objectContaining({ requestId, backend: "function", module: join(dir, "gone.mjs") }),
      message: expect.stringContaining("cannot be imported"),
    });
    expect(errors).not.toHaveBeenCalled();
  });

  it("resolves a relative module against baseDir", async () => {
    const snapshot = snapshotOf({
      apis: [
        { name: "rel", method: "GET", path: "/rel", backend: { type: "function", module: "./binary.mjs" } },
      ],
    });
    const [backend] = buildBackends(snapshot.apis, { baseDir: dir });
    // A bare node:http server calling the backend directly, as the gateway would.
    const server = createServer((req, res) => {
      const controller = new AbortController();
      backend
        ?.call({
          req,
          requestId: "0".repeat(32),
          path: "/",
          params: {},
          remainder: "",
          query: "",
          signal: controller.signal,
        })
        .then(
          (answer) => {
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          },
          (error: GatewayError) => {
            res.writeHead(error instanceof GatewayError ? error.status : 500);
            res.end(error.message);
          },
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    resources.add(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const r = await request(`http://127.0.0.1:${port}/rel`);
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toBe("image/png");
    await r.body.dump();
  });
});
