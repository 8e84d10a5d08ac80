import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { fixture, notesAt } from "../../test/openapi/support.js";
import { compileConfig } from "../config/compile.js";
import type { ApiConfig, Config } from "../config/schema.js";
import { ImportError, type ImportOptions, importOpenApi } from "./import.js";

const api = (config: Config, name: string): ApiConfig => {
  const found = config.apis?.find((a) => a.name === name);
  if (!found) throw new Error(`no API ${name} in ${JSON.stringify(config.apis?.map((a) => a.name))}`);
  return found;
};

/** Every imported configuration (but the refusal cases) must pass the same checks crossgate validate runs. */
function expectValid(config: Config): void {
  const built = compileConfig(config);
  if (!built.ok) throw new Error(built.problems.map((p) => `${p.path}: ${p.reason}`).join("\n"));
}

const mockIntegration = (headers: Record<string, string>, body?: string) => ({
  type: "mock",
  requestTemplates: { "application/json": '{"statusCode": 200}' },
  responses: {
    default: {
      statusCode: "200",
      responseParameters: Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [`method.response.header.${k}`, `'${v}'`]),
      ),
      ...(body !== undefined && { responseTemplates: { "application/json": body } }),
    },
  },
});

describe("crossgate import: Amazon's enable-CORS document (seed 004)", () => {
  const doc = fixture("amazon-enable-cors.yaml");

  it("turns the OPTIONS mock into one policy bound to the path's APIs, by default", () => {
    const { config, notes } = importOpenApi(doc);
    expectValid(config);
    // The stage is not applied (Amazon's import default) and the execute-api host is not a domain.
    expect(config.groups).toEqual([{ name: "petstore-cors" }]);
    expect(config.corsPolicies).toEqual([
      {
        name: "petstore-cors-preflight",
        allowOrigins: ["https://www.example.com"],
        allowMethods: ["OPTIONS", "POST", "GET"],
        allowHeaders: ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key"],
      },
    ]);
    expect(config.apis?.map((a) => [a.name, a.method, a.path, a.corsPolicy])).toEqual([
      ["listPets", "GET", "/pets", "petstore-cors-preflight"],
      ["createPet", "POST", "/pets", "petstore-cors-preflight"],
    ]);
    // The uri ends with the API's path: the gateway appends it to the rest.
    expect(api(config, "createPet").backend).toEqual({
      type: "http",
      url: "http://petstore.example.com/petstore",
      timeoutMs: 29000,
    });
    expect(notesAt(notes, "/paths/~1pets/options/x-amazon-apigateway-integration")[0]).toMatch(
      /^info: the OPTIONS mock \("Enable CORS"\) became CORS policy petstore-cors-preflight, bound to GET \/pets, POST \/pets.*--keep-options-mocks/,
    );
    expect(notesAt(notes, "/servers/0/variables/basePath")[0]).toMatch(
      /^info: stage base path \/prod is not applied .*--keep-base-path/,
    );
    expect(notes.filter((n) => n.severity === "warning")).toEqual([]);
  });

  it("with keepOptionsMocks and keepBasePath, keeps the OPTIONS method as an OPTIONS API under the stage", () => {
    const { config } = importOpenApi(doc, { keepOptionsMocks: true, keepBasePath: true });
    expectValid(config);
    expect(config.groups).toEqual([{ name: "petstore-cors", basePath: "/prod" }]);
    expect(config.corsPolicies).toBeUndefined();
    expect(api(config, "options-pets")).toEqual({
      name: "options-pets",
      group: "petstore-cors",
      method: "OPTIONS",
      path: "/pets",
      backend: {
        type: "mock",
        status: 200,
        headers: {
          "Access-Control-Allow-Headers": "Content-Type,X-Amz-Date,Authorization,X-Api-Key",
          "Access-Control-Allow-Methods": "OPTIONS,POST,GET",
          "Access-Control-Allow-Origin": "https://www.example.com",
        },
      },
    });
    expect(api(config, "listPets").backend).toEqual({
      type: "mock",
      status: 200,
      headers: {
        "Access-Control-Allow-Origin": "https://www.example.com",
        "Content-Type": "application/json",
      },
      body: '[{"id":1,"type":"dog"}]',
    });
  });

  it("keeps a mock's header whatever its name, __proto__ and toString included, through YAML too", () => {
    const sent = [
      ["__proto__", "p"],
      ["toString", "t"],
      ["X-A", "a"],
    ];
    const { config } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "names" },
      paths: {
        "/n": { get: { "x-amazon-apigateway-integration": mockIntegration(Object.fromEntries(sent), "n") } },
      },
    });
    expectValid(config);
    const backend = api(config, "get-n").backend as { headers?: Record<string, string> };
    // The body's template adds its media type.
    const headers = [...sent, ["Content-Type", "application/json"]];
    expect(Object.entries(backend.headers ?? {})).toEqual(headers);
    expect(Object.getPrototypeOf(backend.headers)).toBe(Object.prototype);
    const again = parseYaml(stringifyYaml(config)) as Config;
    expect(Object.entries((api(again, "get-n").backend as { headers?: object }).headers ?? {})).toEqual(
      headers,
    );
  });

  it("shares one policy among paths with the same headers, one per distinct set, and drops OPTIONS-only paths", () => {
    const cors = {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": "GET,OPTIONS",
      "Access-Control-Max-Age": "600",
    };
    const { config, notes } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "two" },
      paths: {
        "/a": {
          get: { "x-amazon-apigateway-integration": mockIntegration({}, "a") },
          options: { "x-amazon-apigateway-integration": mockIntegration(cors) },
        },
        "/b/{id}": {
          get: { "x-amazon-apigateway-integration": mockIntegration({}, "b") },
          options: { "x-amazon-apigateway-integration": mockIntegration({ ...cors, "X-Extra": "1" }) },
        },
        "/d": {
          get: { "x-amazon-apigateway-integration": mockIntegration({}, "d") },
          options: {
            "x-amazon-apigateway-integration": mockIntegration({
              ...cors,
              "Access-Control-Allow-Origin": "https://d.example",
            }),
          },
        },
        "/c": { options: { "x-amazon-apigateway-integration": mockIntegration(cors) } },
      },
    });
    expectValid(config);
    expect(config.corsPolicies).toEqual([
      { name: "two-preflight", allowOrigins: ["*"], allowMethods: ["GET", "OPTIONS"], maxAge: 600 },
      {
        name: "two-preflight-2",
        allowOrigins: ["https://d.example"],
        allowMethods: ["GET", "OPTIONS"],
        maxAge: 600,
      },
    ]);
    expect(config.apis?.map((a) => `${a.method} ${a.path} ${a.corsPolicy ?? "-"}`)).toEqual([
      "GET /a two-preflight",
      "GET /b/{id} two-preflight",
      "GET /d two-preflight-2",
    ]);
    expect(notesAt(notes, "/paths/~1b~1{id}/options/x-amazon-apigateway-integration")[0]).toMatch(
      /^info: the OPTIONS mock also sent x-extra: not part of a CORS policy, dropped/,
    );
    expect(notesAt(notes, "/paths/~1c/options")[0]).toMatch(
      /^info: an OPTIONS mock on \/c, which has no other method/,
    );
  });

  it("binds the mock to the path's methods by the route parser, whatever the parameter names", () => {
    const { config } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "params" },
      paths: {
        "/items/{id}": { get: { "x-amazon-apigateway-integration": mockIntegration({}, "x") } },
        "/items/{itemId}": {
          options: {
            "x-amazon-apigateway-integration": mockIntegration({
              "Access-Control-Allow-Origin": "https://a.example",
            }),
          },
        },
      },
    });
    expect(config.apis?.map((a) => [a.path, a.corsPolicy])).toEqual([["/items/{id}", "params-preflight"]]);
  });
});

describe("crossgate import: Amazon mock integrations", () => {
  it("send the template's media type as Content-Type, as Amazon does, unless a parameter sets it", () => {
    const { config } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "mocks" },
      paths: {
        "/json": { get: { "x-amazon-apigateway-integration": mockIntegration({}, '{"ok":true}') } },
        "/text": {
          get: {
            "x-amazon-apigateway-integration": mockIntegration(
              { "Content-Type": "text/plain; charset=utf-8" },
              "ok",
            ),
          },
        },
      },
    });
    expect(config.apis?.map((a) => a.backend)).toEqual([
      { type: "mock", status: 200, headers: { "Content-Type": "application/json" }, body: '{"ok":true}' },
      { type: "mock", status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "ok" },
    ]);
  });
});

describe("crossgate import: x-amazon-apigateway-cors (HTTP APIs)", () => {
  const httpApi = (cors: Record<string, unknown>) => ({
    openapi: "3.0.1",
    info: { title: "Orders HTTP API" },
    servers: [{ url: "https://api.orders.example.com/v1" }],
    "x-amazon-apigateway-cors": cors,
    paths: {
      "/orders": {
        get: {
          operationId: "listOrders",
          "x-amazon-apigateway-integration": {
            type: "http_proxy",
            httpMethod: "GET",
            uri: "https://backend.example.com/orders",
            payloadFormatVersion: "1.0",
          },
        },
      },
      "/api/{proxy+}": {
        "x-amazon-apigateway-any-method": {
          "x-amazon-apigateway-integration": {
            type: "http_proxy",
            httpMethod: "ANY",
            uri: "https://backend.example.com/{proxy}",
            payloadFormatVersion: "1.0",
          },
        },
      },
      $default: {
        "x-amazon-apigateway-any-method": {
          "x-amazon-apigateway-integration": {
            type: "http_proxy",
            httpMethod: "ANY",
            uri: "https://fallback.example.com",
          },
        },
      },
    },
  });

  it("becomes a policy that is the group's default", () => {
    const { config, notes } = importOpenApi(
      httpApi({
        allowOrigins: ["https://app.example.com", "https://*.example.org"],
        allowMethods: ["GET", "POST"],
        allowHeaders: ["content-type", "x-amz-date"],
        exposeHeaders: ["x-request-id"],
        allowCredentials: true,
        maxAge: 3600,
      }),
    );
    expectValid(config);
    // An Amazon document: its stage and host are named in findings, not applied.
    expect(config.groups).toEqual([{ name: "orders-http-api", corsPolicy: "orders-http-api-cors" }]);
    expect(config.corsPolicies).toEqual([
      {
        name: "orders-http-api-cors",
        allowOrigins: ["https://app.example.com", "https://*.example.org"],
        allowMethods: ["GET", "POST"],
        allowHeaders: ["content-type", "x-amz-date"],
        exposeHeaders: ["x-request-id"],
        allowCredentials: true,
        maxAge: 3600,
      },
    ]);
    expect(notes.filter((n) => n.severity === "warning")).toEqual([]);
  });

  it("maps the proxy resource and the $default route so that backends get the same paths", () => {
    const { config } = importOpenApi(httpApi({ allowOrigins: ["https://app.example.com"] }));
    expect(config.apis?.map((a) => [a.name, a.method, a.path, a.match ?? "exact", a.backend])).toEqual([
      ["listOrders", "GET", "/orders", "exact", { type: "http", url: "https://backend.example.com" }],
      // Only the part below /api reaches https://backend.example.com/{proxy}: a prefix API on /api.
      ["any-api-proxy", "ANY", "/api", "prefix", { type: "http", url: "https://backend.example.com" }],
      ["any-default", "ANY", "/", "prefix", { type: "http", url: "https://fallback.example.com" }],
    ]);
  });

  it("keeps a path's own {proxy+} greedy segment when the backend receives the whole path", () => {
    const { config } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "files" },
      paths: {
        "/files/{proxy+}": {
          get: {
            "x-amazon-apigateway-integration": {
              type: "http_proxy",
              uri: "http://files.internal/files/{proxy}",
            },
          },
          options: {
            "x-amazon-apigateway-integration": mockIntegration({ "Access-Control-Allow-Origin": "*" }),
          },
        },
      },
    });
    expectValid(config);
    expect(
      config.apis?.map((a) => [a.method, a.path, a.match ?? "exact", a.backend.type, a.corsPolicy]),
    ).toEqual([["GET", "/files/{proxy+}", "exact", "http", "files-preflight"]]);
    expect(api(config, "get-files-proxy").backend).toEqual({ type: "http", url: "http://files.internal" });
  });
});

describe("crossgate import: what crossgate refuses is imported as what browsers allowed, and reported", () => {
  const httpApi = (cors: Record<string, unknown>) => ({
    openapi: "3.0.1",
    info: { title: "narrowed" },
    "x-amazon-apigateway-cors": cors,
    paths: {
      "/x": {
        get: {
          "x-amazon-apigateway-integration": {
            type: "http_proxy",
            uri: "http://b.internal/x",
            payloadFormatVersion: "1.0",
          },
        },
      },
    },
  });
  const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    [
      "'*' with allowCredentials keeps '*' and drops the credentials (A2)",
      { allowOrigins: ["*"], allowCredentials: true, allowMethods: ["GET"] },
      { allowOrigins: ["*"], allowMethods: ["GET"] },
      /^warning: Access-Control-Allow-Origin '\*' together with credentials: .*imported as '\*' without credentials/,
    ],
    [
      "'*' headers with allowCredentials are left out (a literal name for browsers)",
      { allowOrigins: ["https://a.example.com"], allowHeaders: ["*", "x-b"], allowCredentials: true },
      { allowOrigins: ["https://a.example.com"], allowHeaders: ["x-b"], allowCredentials: true },
      /^warning: '\*' in allowHeaders with credentials is a literal name for browsers/,
    ],
    [
      "a max age above 86400 becomes 86400",
      { allowOrigins: ["https://a.example.com"], maxAge: 100000 },
      { allowOrigins: ["https://a.example.com"], maxAge: 86400 },
      /^warning: max age 100000 is more than any browser caches/,
    ],
    [
      "an origin with a path is left out, never widened",
      { allowOrigins: ["https://a.example.com/", "https://b.example.com"] },
      { allowOrigins: ["https://b.example.com"] },
      /^warning: allowed origin "https:\/\/a.example.com\/" is not an origin/,
    ],
  ];
  for (const [name, cors, policy, note] of cases) {
    it(name, () => {
      const { config, notes } = importOpenApi(httpApi(cors));
      const at = notes.filter((n) => n.source.startsWith("x-amazon-apigateway-cors"));
      expect(
        at.some((n) => note.test(`${n.severity}: ${n.message}`)),
        JSON.stringify(at, null, 2),
      ).toBe(true);
      expect(config.corsPolicies?.[0]).toEqual({ name: "narrowed-cors", ...policy });
      expectValid(config);
    });
  }

  it("x-amazon-apigateway-cors in a REST API is ignored with a warning (A5)", () => {
    const { config, notes, kind } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "rest" },
      "x-amazon-apigateway-cors": { allowOrigins: ["*"] },
      paths: { "/x": { get: { "x-amazon-apigateway-integration": mockIntegration({}, "x") } } },
    });
    expect(kind).toBe("amazon-rest");
    expect(config.corsPolicies).toBeUndefined();
    expect(config.groups?.[0]?.corsPolicy).toBeUndefined();
    expect(notesAt(notes, "/x-amazon-apigateway-cors")[0]).toMatch(
      /^warning: x-amazon-apigateway-cors configures HTTP APIs only/,
    );
  });
});

describe("crossgate import: Huawei APIG extensions (seed 000)", () => {
  const { config, notes } = importOpenApi(fixture("huawei-apig.yaml"));

  it("translates the toggle, the SWA OPTIONS API, HTTP and MOCK backends and APP authentication", () => {
    expectValid(config);
    // Huawei's own import ignores host: no group domain, and a finding names it.
    expect(config.groups).toEqual([{ name: "apigroup_cors" }]);
    expect(notesAt(notes, "/host")[0]).toMatch(/^info: host "www.test.com" is not used as a group domain/);
    expect(api(config, "simple")).toEqual({
      name: "simple",
      group: "apigroup_cors",
      method: "GET",
      path: "/simple",
      auth: "app",
      cors: true,
      backend: { type: "http", url: "http://127.0.0.1:3000", timeoutMs: 5000 },
    });
    expect(api(config, "cors-options")).toEqual({
      name: "cors-options",
      group: "apigroup_cors",
      method: "OPTIONS",
      path: "/",
      match: "prefix",
      cors: true,
      backend: { type: "mock", status: 200, body: '{"status":"200"}' },
    });
    // AppSigv1 signs requests with the Authorization header: it is not taken as the API key header.
    expect(config.gateway).toBeUndefined();
    expect(notesAt(notes, "/securityDefinitions/apig-auth-app/x-apigateway-auth-type")[0]).toMatch(
      /^warning: Huawei APP authentication \(AppSigv1 request signatures\) becomes auth: app; .*not AppSigv1 signatures/,
    );
  });

  it("notes what it cannot translate, each at its JSON pointer", () => {
    expect(notesAt(notes, "/paths/~1simple/get/x-apigateway-request-type")).toEqual([
      "info: the request type (public or private): no crossgate equivalent is needed; do: nothing",
    ]);
    expect(notesAt(notes, "/paths/~1users~1{userId}/get/x-apigateway-backend/httpEndpoints/path")[0]).toMatch(
      /^warning: backend path \/users cannot be expressed: .* sent to http:\/\/example.com\/users\/users\/\{userId\}/,
    );
    expect(notesAt(notes, "/paths/~1users~1{userId}/get/security")[0]).toMatch(
      /^warning: requires Huawei IAM authentication, which crossgate cannot check: imported as auth: app/,
    );
    expect(api(config, "getUser").auth).toBe("app");
    expect(notesAt(notes, "/paths/~1fg/post/x-apigateway-backend")[0]).toMatch(
      /^warning: FunctionGraph function hello \(urn:fss:cn-north-4:0123:function:default:hello:latest\) became a function backend on .\/functions\/hello.mjs/,
    );
    expect(api(config, "fg").backend).toEqual({ type: "function", module: "./functions/hello.mjs" });
    expect(api(config, "fg").description).toBe(
      "FunctionGraph function urn:fss:cn-north-4:0123:function:default:hello:latest",
    );
  });
});

describe("crossgate import: Swagger 2.0", () => {
  it("takes the group's base path and domain from basePath and host, and the API key header from the scheme", () => {
    const { config, notes } = importOpenApi(fixture("swagger2-petstore.json"));
    expectValid(config);
    expect(config.groups).toEqual([
      { name: "swagger-petstore", domains: ["petstore.swagger.io"], basePath: "/v2" },
    ]);
    expect(config.gateway).toEqual({ apiKeyHeader: "api_key" });
    expect(config.apis?.map((a) => [a.name, a.method, a.path, a.auth ?? "none"])).toEqual([
      ["getPetById", "GET", "/pet/{petId}", "app"],
      ["deletePet", "DELETE", "/pet/{petId}", "app"],
      ["get-store-inventory", "GET", "/store/inventory", "none"],
    ]);
    // No integration: the operations forward to the document's server, base path included.
    expect(api(config, "getPetById").backend).toEqual({
      type: "http",
      url: "https://petstore.swagger.io/v2",
    });
    expect(notesAt(notes, "/host")[0]).toMatch(/^info: operations without a gateway integration forward to/);
    expect(notesAt(notes, "/paths/~1pet~1{petId}/delete/security")[0]).toMatch(
      /^warning: requires oauth2 authentication, which crossgate cannot check/,
    );
  });

  it("--group and --backend-url override the title and the server", () => {
    const { config } = importOpenApi(fixture("swagger2-petstore.json"), {
      group: "pets",
      backendUrl: "http://127.0.0.1:9000/",
    });
    expect(config.groups?.[0]?.name).toBe("pets");
    expect(config.apis?.every((a) => a.group === "pets")).toBe(true);
    expect(api(config, "getPetById").backend).toEqual({ type: "http", url: "http://127.0.0.1:9000" });
  });
});

describe("crossgate import: what cannot run here is noted, never dropped silently", () => {
  const op = (extension: Record<string, unknown>) => ({
    openapi: "3.0.1",
    info: { title: "t" },
    paths: { "/hello": { get: extension } },
  });
  const cases: [string, unknown, string, RegExp, Partial<ApiConfig["backend"]>][] = [
    [
      "a Lambda proxy integration becomes a function backend on a stub module",
      op({
        "x-amazon-apigateway-integration": {
          type: "aws_proxy",
          httpMethod: "POST",
          uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:hello/invocations",
        },
      }),
      "/paths/~1hello/get/x-amazon-apigateway-integration",
      /^warning: Lambda function hello \(arn:aws:lambda:us-east-1:123456789012:function:hello\) became a function backend on .\/functions\/hello.mjs/,
      { type: "function", module: "./functions/hello.mjs" },
    ],
    [
      "an AWS service integration becomes a 501 mock",
      op({
        "x-amazon-apigateway-integration": { type: "AWS", uri: "arn:aws:apigateway:us-east-1:sqs:path/q" },
      }),
      "/paths/~1hello/get/x-amazon-apigateway-integration/type",
      /^warning: an AWS service integration/,
      { type: "mock", status: 501 },
    ],
    [
      "a dynamic response header is left out of a mock",
      op({
        "x-amazon-apigateway-integration": {
          type: "mock",
          responses: {
            default: {
              statusCode: "200",
              responseParameters: {
                "method.response.header.Access-Control-Allow-Origin": "method.request.header.Origin",
              },
            },
          },
        },
      }),
      "/paths/~1hello/get/x-amazon-apigateway-integration/responses/default/responseParameters/method.response.header.Access-Control-Allow-Origin",
      /^warning: Access-Control-Allow-Origin maps "method.request.header.Origin", which is not a static value/,
      { type: "mock", status: 200 },
    ],
    [
      "a Velocity template is sent as written",
      op({
        "x-amazon-apigateway-integration": {
          type: "mock",
          responses: {
            default: {
              statusCode: "200",
              responseTemplates: { "application/json": '{"id":"$context.requestId"}' },
            },
          },
        },
      }),
      "/paths/~1hello/get/x-amazon-apigateway-integration/responses/default/responseTemplates/application~1json",
      /^warning: the template uses Velocity \(VTL\) expressions/,
      { type: "mock", body: '{"id":"$context.requestId"}' },
    ],
    [
      "a header mapping to the backend is not translated",
      op({
        "x-amazon-apigateway-integration": {
          type: "http_proxy",
          uri: "http://b.internal/hello",
          requestParameters: { "integration.request.header.X-Tenant": "'acme'" },
        },
      }),
      "/paths/~1hello/get/x-amazon-apigateway-integration/requestParameters/integration.request.header.X-Tenant",
      /^warning: request parameter mapping integration.request.header.X-Tenant = "'acme'" is not translated/,
      { type: "http", url: "http://b.internal" },
    ],
    [
      "a backend path that the gateway cannot produce keeps origin and prefix",
      op({ "x-amazon-apigateway-integration": { type: "http_proxy", uri: "http://b.internal/v2/greeting" } }),
      "/paths/~1hello/get/x-amazon-apigateway-integration/uri",
      /^warning: backend path \/v2\/greeting cannot be expressed: .* \/hello is sent to http:\/\/b.internal\/v2\/greeting\/hello/,
      { type: "http", url: "http://b.internal/v2/greeting" },
    ],
    [
      "an operation without an integration or a server serves 501",
      op({}),
      "/paths/~1hello/get",
      /^warning: no backend: .*; do: .*--backend-url/,
      { type: "mock", status: 501 },
    ],
    [
      "an unknown extension is named",
      op({
        "x-amazon-apigateway-something-new": "all",
        "x-amazon-apigateway-integration": { type: "mock" },
      }),
      "/paths/~1hello/get/x-amazon-apigateway-something-new",
      /^warning: x-amazon-apigateway-something-new is not translated/,
      { type: "mock" },
    ],
  ];
  for (const [name, doc, pointer, note, backend] of cases) {
    it(name, () => {
      const { config, notes } = importOpenApi(doc);
      expectValid(config);
      expect(
        notesAt(notes, pointer).some((n) => note.test(n)),
        JSON.stringify(notes, null, 2),
      ).toBe(true);
      expect(config.apis?.[0]?.backend).toMatchObject(backend);
    });
  }
});

describe("crossgate import: paths and names", () => {
  it("names APIs from operationId or method and path, uniquely, and drops routes crossgate cannot tell apart", () => {
    const mock = { "x-amazon-apigateway-integration": { type: "mock" } };
    const { config, notes } = importOpenApi({
      openapi: "3.1.0",
      info: { title: "Paths & Names!" },
      paths: {
        "/items/{item-id}": { get: { ...mock, operationId: "get items" }, put: mock },
        "/items/{other}/": { get: mock },
        "/files/{name}.json": { get: mock },
        "/": { get: mock },
        "/dup": { get: { ...mock, operationId: "get-items" } },
        "/t": { trace: mock },
      },
    });
    expectValid(config);
    expect(config.groups?.[0]?.name).toBe("paths-names");
    expect(config.apis?.map((a) => `${a.name} ${a.method} ${a.path}`)).toEqual([
      "get-items GET /items/{item_id}",
      "put-items-item_id PUT /items/{item_id}",
      "get-files-name GET /files/{name}",
      "get-root GET /",
      "get-items-2 GET /dup",
    ]);
    expect(notesAt(notes, "/paths/~1items~1{other}~1/get")[0]).toMatch(
      /is the same route as .* not imported/,
    );
    expect(notesAt(notes, "/paths/~1files~1{name}.json")[0]).toMatch(
      /^warning: segment "\{name\}.json" mixes/,
    );
    expect(notesAt(notes, "/paths/~1t/trace")[0]).toMatch(/TRACE .* not imported/);
  });

  it("refuses what is not an OpenAPI 3 or Swagger 2 document", () => {
    expect(() => importOpenApi({ swagger: "1.2" })).toThrow(ImportError);
    expect(() => importOpenApi("openapi: 3.0.0")).toThrow(ImportError);
  });

  it("keeps an optional security requirement open and an API key requirement closed", () => {
    const options: ImportOptions = {};
    const { config } = importOpenApi(
      {
        openapi: "3.0.0",
        info: { title: "sec" },
        security: [{ key: [] }],
        components: { securitySchemes: { key: { type: "apiKey", in: "header", name: "X-Api-Key" } } },
        paths: {
          "/closed": { get: { "x-amazon-apigateway-integration": { type: "mock" } } },
          "/open": { get: { security: [], "x-amazon-apigateway-integration": { type: "mock" } } },
          "/either": {
            get: { security: [{}, { key: [] }], "x-amazon-apigateway-integration": { type: "mock" } },
          },
        },
      },
      options,
    );
    expect(config.apis?.map((a) => [a.path, a.auth ?? "none"])).toEqual([
      ["/closed", "app"],
      ["/open", "none"],
      ["/either", "none"],
    ]);
    expect(config.gateway).toBeUndefined();
  });
});

describe("crossgate import: a method's own Access-Control-Allow-Origin without an OPTIONS mock", () => {
  it("becomes a simple-request policy, and an origin browsers never matched is reported, not dropped silently", () => {
    const { config, notes } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "simple" },
      paths: {
        "/a": {
          get: {
            "x-amazon-apigateway-integration": mockIntegration(
              { "Access-Control-Allow-Origin": "https://a.example.com,https://b.example.com/" },
              "a",
            ),
          },
        },
      },
    });
    expectValid(config);
    expect(config.corsPolicies).toEqual([
      { name: "simple-simple", allowOrigins: ["https://a.example.com"], allowMethods: ["GET"] },
    ]);
    expect(notesAt(notes, "/paths/~1a/get/x-amazon-apigateway-integration").join("\n")).toMatch(
      /warning: Access-Control-Allow-Origin "https:\/\/b.example.com\/" is not an origin/,
    );
  });
});
