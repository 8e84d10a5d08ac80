import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { compileConfig } from "../config/compile.js";
import { parseConfigText } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { exportOpenApi } from "../openapi/export.js";
import { formatNote } from "../openapi/findings.js";
import { ImportError, importOpenApi } from "../openapi/import.js";
import { AdminError } from "./admin-error.js";
import type { AdminContext } from "./context.js";
import { diffConfigs } from "./diff.js";
import { itemsOf, KINDS, withItems } from "./kinds.js";
import { BEARER, errorResponses } from "./route-docs.js";
import { ref } from "./schemas.js";

/** The current configuration with every imported resource added, replacing one of the same name. */
export function mergeImported(current: Config, imported: Config): Config {
  let next = current;
  for (const kind of KINDS) {
    const incoming = itemsOf(imported, kind);
    if (incoming.length === 0) continue;
    const names = new Set(incoming.map((i) => i.name));
    next = withItems(next, kind, [...itemsOf(next, kind).filter((i) => !names.has(i.name)), ...incoming]);
  }
  return next;
}

export function registerOpenApiRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.post(
    "/admin/v1/import/openapi",
    {
      config: { auth: true, body: "input" },
      schema: {
        tags: ["config"],
        summary:
          "Preview an OpenAPI 3 / Swagger 2 import: the configuration it would make, merged into the current one",
        description:
          "Nothing is applied: the answer holds the merged configuration (imported resources replace those of the same name), what changes, the problems and the notes (what could not be carried over). Apply it with PUT /admin/v1/config and If-Match.",
        security: BEARER,
        body: T.Object({
          document: T.String({ description: "The OpenAPI or Swagger document, YAML or JSON." }),
          group: T.Optional(T.String()),
          backendUrl: T.Optional(T.String()),
          keepOptionsMocks: T.Optional(
            T.Boolean({
              description:
                "Copy Amazon's \"enable CORS\" OPTIONS mocks as OPTIONS APIs with their static headers, instead of turning them into CORS policies bound to the path's APIs (the default).",
            }),
          ),
        }),
        response: {
          200: T.Object(
            {
              source: T.Union([T.Literal("openapi"), T.Literal("swagger")]),
              imported: ref("Config"),
              config: ref("Config"),
              diff: ref("ConfigDiff"),
              valid: T.Boolean(),
              problems: T.Array(ref("Problem")),
              notes: T.Array(T.String()),
              stubs: T.Array(T.String(), {
                description:
                  "Modules the imported function backends name (Lambda, FunctionGraph): create them beside the gateway before applying (crossgate import writes 501 stubs).",
              }),
            },
            { description: "The preview." },
          ),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        document?: unknown;
        group?: unknown;
        backendUrl?: unknown;
        keepOptionsMocks?: unknown;
      };
      if (typeof body?.document !== "string") {
        throw new AdminError(
          "ADMIN_BAD_REQUEST",
          'send { "document": "...the OpenAPI document as text..." }',
        );
      }
      let parsed: ReturnType<typeof parseConfigText>;
      try {
        parsed = parseConfigText(body.document, "openapi.yaml");
      } catch (error) {
        throw new AdminError("ADMIN_BAD_REQUEST", `the document does not parse: ${(error as Error).message}`);
      }
      if (!parsed.ok) {
        throw new AdminError("ADMIN_BAD_REQUEST", "the document does not parse", {
          problems: parsed.problems,
        });
      }
      let result: ReturnType<typeof importOpenApi>;
      try {
        result = importOpenApi(parsed.value, {
          ...(typeof body.group === "string" && body.group !== "" ? { group: body.group } : {}),
          ...(typeof body.backendUrl === "string" && body.backendUrl !== ""
            ? { backendUrl: body.backendUrl }
            : {}),
          keepOptionsMocks: body.keepOptionsMocks === true,
        });
      } catch (error) {
        if (error instanceof ImportError) throw new AdminError("ADMIN_BAD_REQUEST", error.message);
        throw error;
      }
      const { config: current, revision } = ctx.current();
      ctx.tagRead(reply, revision);
      const merged = mergeImported(current, result.config);
      const built = compileConfig(merged);
      return {
        source: result.source,
        imported: result.config,
        config: merged,
        diff: { from: revision ?? 0, to: 0, ...diffConfigs(current, merged) },
        valid: built.ok,
        problems: built.ok ? built.warnings : built.problems,
        notes: result.notes.map(formatNote),
        stubs: result.stubs.map((stub) => stub.module),
      };
    },
  );

  app.get(
    "/admin/v1/export/openapi",
    {
      config: { auth: true },
      schema: {
        tags: ["config"],
        summary: "The configuration's APIs as an OpenAPI 3.0 (or Swagger 2.0) document",
        security: BEARER,
        querystring: T.Object({
          format: T.Optional(T.Union([T.Literal("openapi"), T.Literal("swagger")])),
          group: T.Optional(T.String()),
        }),
        response: {
          200: T.Object(
            { document: T.Unknown(), notes: T.Array(T.String()) },
            { description: "The document and what it cannot carry." },
          ),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const query = request.query as { format?: string; group?: string };
      if (query.format !== undefined && query.format !== "openapi" && query.format !== "swagger") {
        throw new AdminError("ADMIN_BAD_REQUEST", "format must be openapi or swagger");
      }
      const { config, revision } = ctx.current();
      ctx.tagRead(reply, revision);
      try {
        const result = exportOpenApi(config, {
          ...(query.format ? { format: query.format } : {}),
          ...(query.group ? { group: query.group } : {}),
        });
        return { document: result.document, notes: result.notes.map(formatNote) };
      } catch (error) {
        throw new AdminError("ADMIN_BAD_REQUEST", (error as Error).message);
      }
    },
  );
}
