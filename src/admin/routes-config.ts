import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { stringify as toYaml } from "yaml";
import type { Config } from "../config/schema.js";
import { schemaProblems } from "../config/schema-errors.js";
import { isPlainObject } from "../config/well-typed.js";
import { type ExplainInput, explain } from "../explain/explain.js";
import { AdminError, notAnObjectBody, notFound } from "./admin-error.js";
import type { AdminContext } from "./context.js";
import { type ConfigDiff, diffConfigs } from "./diff.js";
import { KINDS } from "./kinds.js";
import { BEARER, errorResponses, writeHeaders } from "./route-docs.js";
import { ExplainInputSchema, ref } from "./schemas.js";

const YAML_TYPES = /^(application|text)\/(x-)?yaml$/;

/** Whether the Accept header prefers YAML over JSON (`Accept: application/yaml`). */
export function wantsYaml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let yaml = 0;
  let json = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2)) || 0;
    if (YAML_TYPES.test(type)) yaml = Math.max(yaml, weight);
    else if (type === "application/json") json = Math.max(json, weight);
  }
  return yaml > 0 && yaml >= json;
}

/** A revision summary naming what changed: `replace config: create apis/x, replace cors-policies/web`. */
export function summarize(prefix: string, diff: ConfigDiff, limit = 300): string {
  const parts: string[] = [];
  for (const k of KINDS) {
    const d = diff.resources[k.kind];
    for (const n of d.added) parts.push(`create ${k.kind}/${n}`);
    for (const c of d.changed) parts.push(`replace ${k.kind}/${c.name}`);
    for (const n of d.removed) parts.push(`delete ${k.kind}/${n}`);
  }
  for (const s of diff.settings) parts.push(`set ${s.path}`);
  if (parts.length === 0) return `${prefix} (no change)`;
  const text = `${prefix}: ${parts.join(", ")}`;
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function positiveInt(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n =
    typeof value === "number" ? value : /^[0-9]{1,15}$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AdminError("ADMIN_BAD_REQUEST", `${name} must be a whole number from 1 to ${max}`);
  }
  return n;
}

const RevisionParams = T.Object({ n: T.Integer({ minimum: 1, description: "A revision number." }) });

export function registerConfigRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get(
    "/admin/v1/config",
    {
      config: { auth: true },
      schema: {
        tags: ["config"],
        summary: "Read the whole configuration",
        description: "JSON, or YAML with Accept: application/yaml. API keys appear only as keyHashes.",
        security: BEARER,
        produces: ["application/json", "application/yaml"],
        response: { 200: ref("Config", "The configuration; ETag: its revision."), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const { config, revision } = ctx.current();
      ctx.tagRead(reply, revision);
      if (wantsYaml(request.headers.accept)) {
        return reply.type("application/yaml; charset=utf-8").send(toYaml(config));
      }
      return config;
    },
  );

  app.put(
    "/admin/v1/config",
    {
      config: { auth: true, body: "config" },
      schema: {
        tags: ["config"],
        summary: "Replace the whole configuration",
        description:
          "JSON, or YAML with Content-Type: application/yaml. Applied whole or not at all: 400 lists every problem.",
        security: BEARER,
        headers: writeHeaders(),
        consumes: ["application/json", "application/yaml"],
        body: ref("Config"),
        response: {
          200: ref("WriteResult", "Applied: the new revision."),
          ...errorResponses(400, 401, 409, 412, 415, 503),
        },
      },
    },
    async (request, reply) => {
      ctx.writable();
      if (!isPlainObject(request.body)) throw notAnObjectBody(request.body, "the configuration");
      // Validated by ctx.write before anything is applied; diffConfigs only compares.
      const body = request.body as Config;
      const committed = await ctx.write(request, (current) => ({
        config: body,
        summary: summarize("replace config", diffConfigs(current, body)),
      }));
      reply.header("etag", `"${committed.revision.number}"`);
      return { revision: committed.revision.number, warnings: committed.warnings };
    },
  );

  const revisionsOnly = () => {
    return ctx.revisionsSource();
  };

  app.get(
    "/admin/v1/revisions",
    {
      config: { auth: true },
      schema: {
        tags: ["revisions"],
        summary: "List revisions, newest first",
        description: "Pages of `limit` (default 100); pass `next` as `before` for the following page.",
        security: BEARER,
        querystring: T.Object({
          limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          before: T.Optional(T.Integer({ minimum: 1, description: "Only revisions numbered below this." })),
        }),
        response: {
          200: T.Object(
            {
              revisions: T.Array(ref("RevisionMeta"), { description: "Newest first." }),
              next: T.Optional(
                T.Integer({ description: "The `before` of the next page; absent on the last." }),
              ),
            },
            { description: "A page of revisions." },
          ),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const plane = revisionsOnly();
      const query = request.query as Record<string, unknown>;
      const limit = positiveInt(query.limit, "limit", 1000) ?? 100;
      const before = positiveInt(query.before, "before");
      const revisions = await ctx.fromStore(() =>
        plane.store.listRevisions({ limit, ...(before !== undefined ? { before } : {}) }),
      );
      const last = revisions.at(-1);
      ctx.tagRead(reply, plane.revision);
      return {
        revisions,
        ...(revisions.length === limit && last !== undefined && last.number > 1 ? { next: last.number } : {}),
      };
    },
  );

  const loadRevision = async (n: number) => {
    const plane = revisionsOnly();
    const stored = await ctx.fromStore(() => plane.store.getRevision(n));
    if (stored === null) throw notFound(`revision ${n}`);
    return stored;
  };

  app.get(
    "/admin/v1/revisions/:n",
    {
      config: { auth: true },
      schema: {
        tags: ["revisions"],
        summary: "Read a revision: who, when, what, and its whole configuration",
        security: BEARER,
        params: RevisionParams,
        response: {
          200: T.Intersect([ref("RevisionMeta"), T.Object({ config: ref("Config") })], {
            description: "The revision's metadata and its whole configuration.",
          }),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request) => {
      const n = positiveInt((request.params as { n: string }).n, "n") as number;
      const stored = await loadRevision(n);
      return { ...stored.meta, config: stored.config };
    },
  );

  app.get(
    "/admin/v1/revisions/:n/diff",
    {
      config: { auth: true },
      schema: {
        tags: ["revisions"],
        summary: "What changed from revision n to another (default: the current one)",
        security: BEARER,
        params: RevisionParams,
        querystring: T.Object({
          against: T.Optional(
            T.Integer({ minimum: 1, description: "The other revision (default: the head)." }),
          ),
        }),
        response: {
          200: ref("ConfigDiff", "What changed from revision n to the other."),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const n = positiveInt((request.params as { n: string }).n, "n") as number;
      const against = positiveInt((request.query as { against?: unknown }).against, "against");
      const plane = revisionsOnly();
      const from = await loadRevision(n);
      let to: { number: number; config: Config };
      if (against === undefined) {
        to = { number: plane.revision, config: plane.config };
        ctx.tagRead(reply, plane.revision);
      } else {
        const other = await loadRevision(against);
        to = { number: other.meta.number, config: other.config };
      }
      return { from: n, to: to.number, ...diffConfigs(from.config, to.config) };
    },
  );

  app.post(
    "/admin/v1/revisions/:n/restore",
    {
      config: { auth: true },
      schema: {
        tags: ["revisions"],
        summary: "Restore a revision: a new revision with exactly its configuration",
        security: BEARER,
        params: RevisionParams,
        headers: writeHeaders(),
        response: {
          200: ref("WriteResult", "Restored: the new revision."),
          ...errorResponses(400, 401, 404, 409, 412, 503),
        },
      },
    },
    async (request, reply) => {
      ctx.writable();
      const n = positiveInt((request.params as { n: string }).n, "n") as number;
      const stored = await loadRevision(n);
      const committed = await ctx.write(request, () => ({
        config: stored.config,
        summary: `restore revision ${n}`,
      }));
      reply.header("etag", `"${committed.revision.number}"`);
      return { revision: committed.revision.number, warnings: committed.warnings, restoredFrom: n };
    },
  );

  app.post(
    "/admin/v1/explain",
    {
      config: { auth: true, body: "input" },
      schema: {
        tags: ["explain"],
        summary: "Explain what the gateway and a browser do with a described request",
        security: BEARER,
        body: ref("ExplainInput"),
        response: { 200: ref("Explanation", "The explanation."), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const problems = schemaProblems(ExplainInputSchema, request.body);
      if (problems.length > 0) {
        throw new AdminError("ADMIN_BAD_REQUEST", "the request to explain is malformed", { problems });
      }
      ctx.tagRead(reply, ctx.current().revision);
      return explain(ctx.snapshot(), request.body as ExplainInput);
    },
  );

  app.get(
    "/admin/v1/lint",
    {
      config: { auth: true },
      schema: {
        tags: ["explain"],
        summary: "The lint warnings of the current configuration",
        security: BEARER,
        response: {
          200: T.Object(
            { revision: T.Optional(T.Integer()), warnings: T.Array(ref("Problem")) },
            { description: "The lint warnings of the configuration being served." },
          ),
          ...errorResponses(401),
        },
      },
    },
    async (_request, reply) => {
      const revision = ctx.current().revision;
      ctx.tagRead(reply, revision);
      return { ...(revision !== undefined ? { revision } : {}), warnings: ctx.snapshot().warnings };
    },
  );
}
