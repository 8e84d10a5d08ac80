import { randomBytes } from "node:crypto";
import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.js";
import { redactKeys } from "../config/snapshot.js";
import { AdminError, invalid, notAnObjectBody, notFound } from "./admin-error.js";
import type { AdminContext } from "./context.js";
import { itemsOf, KINDS, type Kind, type Resource, withItems } from "./kinds.js";
import { BEARER, errorResponses, writeHeaders } from "./route-docs.js";
import { ref } from "./schemas.js";

/** A new application API key: `cgk_` and 32 random bytes in base64url. Shown once, stored as a hash. */
export function generateApiKey(): string {
  return `cgk_${randomBytes(32).toString("base64url")}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Applications written without keys get one generated key (returned once as `apiKey`). */
function withGeneratedKey(
  kind: Kind,
  body: Record<string, unknown>,
): { body: Record<string, unknown>; apiKey?: string } {
  if (kind.kind !== "apps" || "keys" in body || "keyHashes" in body) return { body };
  const apiKey = generateApiKey();
  return { body: { ...body, keys: [apiKey] }, apiKey };
}

/** The resource as stored: API keys in clear replaced by their hashes. */
function stored(config: Config, kind: Kind, name: string): Resource | undefined {
  return itemsOf(redactKeys(config), kind).find((item) => item.name === name);
}

const NameParams = T.Object({ name: T.String({ description: "The resource's name." }) });

export function registerResourceRoutes(app: FastifyInstance, ctx: AdminContext): void {
  for (const kind of KINDS) {
    const base = `/admin/v1/${kind.kind}`;
    const tags = [kind.kind];
    const item = ref(kind.schemaId);
    const keyNote =
      kind.kind === "apps"
        ? " Keys are never returned: `keys` sent in clear are stored as `keyHashes`; without `keys` and `keyHashes` one key is generated and returned once as `apiKey`."
        : "";

    app.get(
      base,
      {
        config: { auth: true },
        schema: {
          tags,
          summary: `List the ${kind.kind}`,
          security: BEARER,
          response: {
            200: T.Object(
              { revision: T.Optional(T.Integer()), items: T.Array(item) },
              { description: `The ${kind.kind} in configuration order; ETag: the revision.` },
            ),
            ...errorResponses(401),
          },
        },
      },
      async (_request, reply) => {
        const { config, revision } = ctx.current();
        ctx.tagRead(reply, revision);
        return { ...(revision !== undefined ? { revision } : {}), items: itemsOf(config, kind) };
      },
    );

    app.get(
      `${base}/:name`,
      {
        config: { auth: true },
        schema: {
          tags,
          summary: `Read a ${kind.singular}`,
          security: BEARER,
          params: NameParams,
          response: {
            200: ref(kind.schemaId, `The ${kind.singular}; ETag: the revision.`),
            ...errorResponses(401, 404),
          },
        },
      },
      async (request, reply) => {
        const { name } = request.params as { name: string };
        const { config, revision } = ctx.current();
        const found = itemsOf(config, kind).find((i) => i.name === name);
        if (!found) throw notFound(`${kind.singular} ${name}`);
        ctx.tagRead(reply, revision);
        return found;
      },
    );

    app.post(
      base,
      {
        config: { auth: true, body: "config" },
        schema: {
          tags,
          summary: `Create a ${kind.singular}`,
          description: `201 with the new revision; 409 when the name exists; 400 with every problem.${keyNote}`,
          security: BEARER,
          headers: writeHeaders(),
          consumes: ["application/json", "application/yaml"],
          body: item,
          response: {
            201: ref("WriteResult", "Created: the new revision."),
            ...errorResponses(400, 401, 409, 412, 503),
          },
        },
      },
      async (request, reply) => {
        ctx.writable();
        if (!isObject(request.body)) throw notAnObjectBody(request.body, `the ${kind.singular}`);
        const { body, apiKey } = withGeneratedKey(kind, request.body);
        const name = typeof body.name === "string" ? body.name : undefined;
        const committed = await ctx.write(request, (current) => {
          const items = itemsOf(current, kind);
          if (name !== undefined && items.some((i) => i.name === name)) {
            throw new AdminError(
              "ADMIN_NAME_EXISTS",
              `${kind.singular} ${name} already exists: PUT ${base}/${name} replaces it`,
            );
          }
          return {
            config: withItems(current, kind, [...items, body]),
            summary: `create ${kind.kind}/${name ?? "?"}`,
            focus: `${kind.field}[${items.length}]`,
          };
        });
        const n = committed.revision.number;
        reply.code(201).header("etag", `"${n}"`);
        if (name !== undefined) reply.header("location", `${base}/${encodeURIComponent(name)}`);
        return {
          revision: n,
          warnings: committed.warnings,
          item: name === undefined ? undefined : stored(committed.prepared.config, kind, name),
          ...(apiKey !== undefined ? { apiKey } : {}),
        };
      },
    );

    app.put(
      `${base}/:name`,
      {
        config: { auth: true, body: "config" },
        schema: {
          tags,
          summary: `Create or replace a ${kind.singular}`,
          description: `201 when created, 200 when replaced, with the new revision; the body's name, when given, must be the URL's.${keyNote}`,
          security: BEARER,
          params: NameParams,
          headers: writeHeaders(),
          consumes: ["application/json", "application/yaml"],
          body: item,
          response: {
            200: ref("WriteResult", "Replaced: the new revision."),
            201: ref("WriteResult", "Created: the new revision."),
            ...errorResponses(400, 401, 409, 412, 503),
          },
        },
      },
      async (request, reply) => {
        ctx.writable();
        const { name } = request.params as { name: string };
        if (!isObject(request.body)) throw notAnObjectBody(request.body, `the ${kind.singular}`);
        const generated = withGeneratedKey(kind, request.body);
        const body = "name" in generated.body ? generated.body : { name, ...generated.body };
        if (body.name !== name) {
          throw invalid([
            {
              severity: "error",
              code: "NAME_MISMATCH",
              path: "name",
              value: body.name,
              reason: `must be ${JSON.stringify(name)}, the name in the URL (to rename, create the new name and delete the old)`,
            },
          ]);
        }
        let created = false;
        const committed = await ctx.write(request, (current) => {
          const items = itemsOf(current, kind);
          const index = items.findIndex((i) => i.name === name);
          created = index < 0;
          const next = created ? [...items, body] : items.map((i, j) => (j === index ? body : i));
          return {
            config: withItems(current, kind, next),
            summary: `${created ? "create" : "replace"} ${kind.kind}/${name}`,
            focus: `${kind.field}[${created ? items.length : index}]`,
          };
        });
        const n = committed.revision.number;
        reply.code(created ? 201 : 200).header("etag", `"${n}"`);
        return {
          revision: n,
          warnings: committed.warnings,
          item: stored(committed.prepared.config, kind, name),
          ...(generated.apiKey !== undefined ? { apiKey: generated.apiKey } : {}),
        };
      },
    );

    app.delete(
      `${base}/:name`,
      {
        config: { auth: true },
        schema: {
          tags,
          summary: `Delete a ${kind.singular}`,
          description:
            "204 with the new revision in ETag; 404 when unknown; 400 with the problems when something still refers to it.",
          security: BEARER,
          params: NameParams,
          headers: writeHeaders(),
          response: {
            204: T.Null({ description: "Deleted; ETag holds the new revision." }),
            ...errorResponses(400, 401, 404, 409, 412, 503),
          },
        },
      },
      async (request: FastifyRequest, reply) => {
        const { name } = request.params as { name: string };
        const committed = await ctx.write(request, (current) => {
          const items = itemsOf(current, kind);
          if (!items.some((i) => i.name === name)) throw notFound(`${kind.singular} ${name}`);
          return {
            config: withItems(
              current,
              kind,
              items.filter((i) => i.name !== name),
            ),
            summary: `delete ${kind.kind}/${name}`,
          };
        });
        reply.code(204).header("etag", `"${committed.revision.number}"`);
        return reply.send();
      },
    );
  }
}
