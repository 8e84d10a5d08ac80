import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IMPORT_FINDINGS } from "../errors.js";
import { templateOrigins } from "./amazon-cors.js";
import { pointer } from "./common.js";
import { sourcePath } from "./findings.js";
import { importOpenApi } from "./import.js";

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const host = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join("."));
const origin = fc.tuple(fc.constantFrom("http", "https"), host).map(([s, h]) => `${s}://${h}`);

describe("multi-origin mapping templates (A7)", () => {
  it('CDK\'s $origin == "O" template gives back exactly its origins', () => {
    fc.assert(
      fc.property(fc.uniqueArray(origin, { minLength: 1, maxLength: 5 }), (origins) => {
        const template = `#set($origin = $input.params().header.get("Origin"))\n#if($origin == "") #set($origin = $input.params().header.get("origin")) #end\n#if(${origins.map((o) => `$origin == "${o}"`).join(" || ")})\n  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n#end`;
        const found = templateOrigins(template);
        expect(found).toEqual({ origins, patterns: [], recognized: true });
      }),
    );
  });

  it('the Serverless Framework\'s $origin.matches("R") gives back its origins and https://*. wildcards', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(origin, fc.boolean()), { minLength: 1, maxLength: 5, selector: ([o]) => o }),
        (list) => {
          const globs = list.map(([o, wild]) => (wild ? o.replace("://", "://*.") : o));
          // The framework's regexifyWildcards: dots as [.], the wildcard as .+
          const regexes = globs.map((g) => g.replace(/\./g, "[.]").replace("*", ".+"));
          const template = `#set($origin = $input.params("Origin"))\n#if($origin == "") #set($origin = $input.params("origin")) #end\n#if(${regexes.map((r) => `$origin.matches("${r}")`).join(" || ")}) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end`;
          expect(templateOrigins(template)).toEqual({ origins: globs, patterns: [], recognized: true });
        },
      ),
    );
  });

  it("refuses to guess: another regex becomes an anchored pattern, another template is not recognized", () => {
    expect(
      templateOrigins(
        '#if($origin.matches("https://(a|b)[.]example[.]com")) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end',
      ),
    ).toEqual({ origins: [], patterns: ["^https://(a|b)[.]example[.]com$"], recognized: true });
    expect(
      templateOrigins(
        '#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params("Origin"))',
      ).recognized,
    ).toBe(false);
    expect(templateOrigins('{"message": "$context.requestId"}').recognized).toBe(false);
    expect(templateOrigins("{}\n").recognized).toBe(true);
  });

  it("an unrecognized template in an OPTIONS mock is reported and only its static headers make the policy", () => {
    const { config, notes } = importOpenApi({
      openapi: "3.0.1",
      info: { title: "t" },
      paths: {
        "/a": {
          get: { "x-amazon-apigateway-integration": { type: "mock" } },
          options: {
            "x-amazon-apigateway-integration": {
              type: "mock",
              responses: {
                default: {
                  statusCode: "200",
                  responseParameters: {
                    "method.response.header.Access-Control-Allow-Origin": "'https://a.example.com'",
                  },
                  responseTemplates: {
                    "application/json":
                      '#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params("Origin"))',
                  },
                },
              },
            },
          },
        },
      },
    });
    expect(config.corsPolicies?.[0]?.allowOrigins).toEqual(["https://a.example.com"]);
    expect(notes.find((n) => n.code === "IMPORT_CORS_TEMPLATE")?.source).toBe(
      "paths./a.options.x-amazon-apigateway-integration.responses.default.responseTemplates.application/json",
    );
  });
});

describe("findings", () => {
  it("name their source path: a pointer's tokens come back from the dotted path", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 6 }), (tokens) => {
        const path = sourcePath(pointer("", ...tokens));
        const back: string[] = [];
        const re = /(?:^|\.)([^.[\]\s"]+)|\[("(?:[^"\\]|\\.)*")\]/gy;
        for (const m of path.matchAll(re)) back.push(m[1] ?? JSON.parse(m[2] as string));
        expect(back).toEqual(tokens);
      }),
    );
  });

  it("every finding code is documented in docs/errors.md", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    for (const code of Object.keys(IMPORT_FINDINGS)) expect(doc).toContain(`\`${code}\``);
  });
});

describe("any document (fuzz)", () => {
  const json = fc.jsonValue({ maxDepth: 5 });
  // Names of Object.prototype's members, as keys a document may carry anywhere: `__proto__` as an own
  // key (as JSON.parse and the YAML parser make it), built with Object.fromEntries.
  const objectNames = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"] as const;
  const objectOf = <T>(key: fc.Arbitrary<string>, value: fc.Arbitrary<T>) =>
    fc.array(fc.tuple(key, value), { maxLength: 6 }).map((entries) => Object.fromEntries(entries));
  const operation = objectOf(
    fc.constantFrom(
      "x-amazon-apigateway-integration",
      "x-apigateway-backend",
      "security",
      "operationId",
      "x-apigateway-cors",
      "x-apigateway-match-mode",
      "responses",
      "x-apigateway-plugins",
      ...objectNames,
    ),
    json,
  );
  const doc = fc
    .tuple(
      fc.record({
        openapi: fc.constantFrom("3.0.1", "3.1.0"),
        info: fc.record({ title: fc.string() }),
        paths: objectOf(
          fc.oneof(
            fc.constantFrom("/", "/a", "/a/{id}", "/{proxy+}", "$default", "/$default", ...objectNames),
            fc.string().map((s) => `/${s}`),
          ),
          objectOf(
            fc.constantFrom(
              "get",
              "post",
              "options",
              "x-amazon-apigateway-any-method",
              "parameters",
              ...objectNames,
            ),
            operation,
          ),
        ),
        "x-amazon-apigateway-cors": fc.option(json, { nil: undefined }),
        "x-amazon-apigateway-gateway-responses": fc.option(json, { nil: undefined }),
      }),
      objectOf(fc.constantFrom(...objectNames), json),
    )
    .map(([document, extra]) => Object.fromEntries([...Object.entries(document), ...Object.entries(extra)]));

  it("never throws, and every finding has a code, a source path, a message and an action", () => {
    fc.assert(
      fc.property(doc, (d) => {
        const { findings, config } = importOpenApi(d);
        expect(Array.isArray(config.apis)).toBe(true);
        for (const f of findings) {
          expect(Object.keys(IMPORT_FINDINGS)).toContain(f.code);
          expect(f.message.length).toBeGreaterThan(0);
          expect(f.action.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 100 },
    );
  });
});
