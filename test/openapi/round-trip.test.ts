import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { compileConfig } from "../../src/config/compile.js";
import { parseConfigText } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { isRecord } from "../../src/openapi/common.js";
import { exportOpenApi } from "../../src/openapi/export.js";
import { importOpenApi } from "../../src/openapi/import.js";
import { normalizedApi, notesAt } from "./support.js";

const demoPath = new URL("../../examples/demo.yaml", import.meta.url);

function demo(): Config {
  const parsed = parseConfigText(readFileSync(demoPath, "utf8"), "demo.yaml");
  if (!parsed.ok) throw new Error("examples/demo.yaml does not parse");
  return parsed.value as Config;
}

describe("export then import gives the same APIs (examples/demo.yaml)", () => {
  for (const format of ["openapi", "swagger"] as const) {
    it(`through ${format === "openapi" ? "OpenAPI 3.0" : "Swagger 2.0"} written as YAML`, () => {
      const original = demo();
      const exported = exportOpenApi(original, { format });
      // Through text, as the CLI writes and reads it.
      const document = parse(stringify(exported.document));
      const { config, notes } = importOpenApi(document);

      expect(config.apis?.map(normalizedApi)).toEqual(original.apis?.map(normalizedApi));
      expect(config.groups).toEqual(original.groups);
      expect(config.corsPolicies).toEqual(original.corsPolicies);
      expect(notes.filter((n) => n.severity === "warning")).toEqual([]);

      const built = compileConfig(config);
      expect(built.ok, built.ok ? "" : JSON.stringify(built.problems, null, 2)).toBe(true);
    });
  }

  it("says what the document cannot carry: the function backend, the applications, the listen address", () => {
    const { notes } = exportOpenApi(demo());
    expect(notesAt(notes, "/apis/7/backend")[0]).toMatch(
      /^warning: function backend \.\/handlers\/hello-cors\.mjs has no OpenAPI integration/,
    );
    expect(notesAt(notes, "/apps")[0]).toMatch(/^info: applications are not exported/);
    expect(notesAt(notes, "/listen")).toEqual(["info: listen addresses are not exported; do: nothing"]);
  });
});

describe("APIs without a group", () => {
  it("stay without a group through export and import", () => {
    const config: Config = {
      apis: [
        { name: "hello", method: "GET", path: "/hello", cors: true, backend: { type: "mock", body: "hi" } },
        {
          name: "proxy",
          method: "ANY",
          path: "/",
          match: "prefix",
          backend: { type: "http", url: "http://b" },
        },
      ],
    };
    const { config: back } = importOpenApi(parse(stringify(exportOpenApi(config).document)));
    expect(back.groups).toBeUndefined();
    expect(back.apis?.map(normalizedApi)).toEqual(config.apis?.map(normalizedApi));
  });
});

describe("the exported document, as Amazon API Gateway reads it", () => {
  const config: Config = {
    gateway: { apiKeyHeader: "X-Api-Key" },
    groups: [{ name: "shop", domains: ["api.shop.test", "*.shop.test"], basePath: "/v1", corsPolicy: "web" }],
    corsPolicies: [{ name: "web", allowOrigins: ["https://app.shop.test"], allowMethods: ["GET", "PUT"] }],
    apis: [
      {
        name: "get-item",
        group: "shop",
        method: "GET",
        path: "/items/{id}",
        auth: "app",
        backend: { type: "http", url: "http://items.internal/api/", timeoutMs: 3000, connectTimeoutMs: 500 },
      },
      {
        name: "static",
        group: "shop",
        method: "ANY",
        path: "/static",
        match: "prefix",
        backend: { type: "http", url: "http://cdn.internal/assets" },
      },
      {
        name: "preflight",
        group: "shop",
        method: "OPTIONS",
        path: "/legacy",
        backend: { type: "mock", status: 204, headers: { "Access-Control-Allow-Origin": "*" } },
      },
    ],
    apps: [{ name: "web", keys: ["0123456789abcdef0123"], apis: ["get-item"] }],
  };

  it("has servers, integrations, path parameters and the API key scheme", () => {
    const { document } = exportOpenApi(config);
    expect(document.servers).toEqual([{ url: "https://api.shop.test/v1" }]);
    expect(document["x-amazon-apigateway-api-key-source"]).toBe("HEADER");
    expect(document.components).toEqual({
      securitySchemes: { api_key: { type: "apiKey", name: "X-Api-Key", in: "header" } },
    });
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(paths)).toEqual(["/items/{id}", "/static/{proxy+}", "/legacy"]);
    const getItem = paths["/items/{id}"]?.get;
    expect(getItem?.operationId).toBe("get-item");
    expect(getItem?.security).toEqual([{ api_key: [] }]);
    expect(getItem?.["x-amazon-apigateway-integration"]).toEqual({
      type: "http_proxy",
      httpMethod: "GET",
      uri: "http://items.internal/api/items/{id}",
      passthroughBehavior: "when_no_match",
      connectionType: "INTERNET",
      requestParameters: { "integration.request.path.id": "method.request.path.id" },
      timeoutInMillis: 3000,
    });
    expect(getItem?.["x-crossgate-cors"]).toEqual({
      policy: { name: "web", allowOrigins: ["https://app.shop.test"], allowMethods: ["GET", "PUT"] },
      boundTo: "group",
    });
    const anyStatic = paths["/static/{proxy+}"]?.["x-amazon-apigateway-any-method"] ?? {};
    const integration = anyStatic["x-amazon-apigateway-integration"];
    expect(isRecord(integration) && integration.uri).toBe("http://cdn.internal/assets/{proxy}");
    expect(anyStatic["x-crossgate-match"]).toBe("prefix");
    expect(paths["/legacy"]?.options?.["x-amazon-apigateway-integration"]).toMatchObject({
      type: "mock",
      responses: {
        default: {
          statusCode: "204",
          responseParameters: { "method.response.header.Access-Control-Allow-Origin": "'*'" },
        },
      },
    });
  });

  it("comes back as the same APIs, group default policy and API key header included", () => {
    for (const format of ["openapi", "swagger"] as const) {
      const { config: back } = importOpenApi(parse(stringify(exportOpenApi(config, { format }).document)));
      expect(back.groups).toEqual(config.groups);
      expect(back.corsPolicies).toEqual(config.corsPolicies);
      expect(back.apis?.map(normalizedApi)).toEqual(
        config.apis?.map((a) =>
          normalizedApi(
            a.backend.type === "http"
              ? { ...a, backend: { ...a.backend, url: a.backend.url.replace(/\/$/, "") } }
              : a,
          ),
        ),
      );
    }
  });

  it("exports one group with --group", () => {
    const two: Config = {
      ...config,
      groups: [...(config.groups ?? []), { name: "other", domains: ["other.test"] }],
      apis: [
        ...(config.apis ?? []),
        {
          name: "other-items",
          group: "other",
          method: "GET",
          path: "/items/{id}",
          backend: { type: "mock" },
        },
      ],
      apps: [],
    };
    const all = exportOpenApi(two);
    expect(all.document.servers).toEqual([{ url: "/" }]);
    expect(notesAt(all.notes, "/apis/3")[0]).toMatch(/already in the document .* --group/);
    const one = exportOpenApi(two, { group: "other" });
    expect(one.document.servers).toEqual([{ url: "https://other.test" }]);
    expect(Object.keys(one.document.paths as object)).toEqual(["/items/{id}"]);
  });
});

describe("a mock's header names through export and import", () => {
  it("keeps names that are Object.prototype's members, __proto__ included, documented and mapped", () => {
    const headers = Object.fromEntries([
      ["__proto__", "p"],
      ["constructor", "c"],
      ["X-A", "a"],
    ]);
    const config: Config = {
      apis: [{ name: "names", method: "GET", path: "/names", backend: { type: "mock", headers, body: "n" } }],
    };
    const document = parse(stringify(exportOpenApi(config).document));
    const response = document.paths["/names"].get.responses["200"];
    expect(Object.keys(response.headers)).toEqual(["__proto__", "constructor", "X-A"]);
    const back = importOpenApi(document).config;
    const backend = back.apis?.[0]?.backend as { headers?: object };
    expect(Object.entries(backend.headers ?? {}).filter(([name]) => name !== "Content-Type")).toEqual(
      Object.entries(headers),
    );
  });
});
