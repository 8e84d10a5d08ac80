import { isDeepStrictEqual } from "node:util";
import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { stringify as toYaml } from "yaml";
import type { CorsPolicyConfig } from "../config/schema.js";
import { AdminError, notFound } from "./admin-error.js";
import { checkConfigText } from "./config-check.js";
import type { AdminContext } from "./context.js";
import { itemsOf, KINDS } from "./kinds.js";
import { diffLines, hunks } from "./line-diff.js";
import { policyInsight } from "./policy-insight.js";
import { previewDraft } from "./preview.js";
import { BEARER, errorResponses } from "./route-docs.js";
import { ref } from "./schemas.js";

const LineSchema = T.Object({
  op: T.Union([T.Literal(" "), T.Literal("-"), T.Literal("+"), T.Literal("…")]),
  text: T.Optional(T.String()),
  old: T.Optional(T.Integer()),
  new: T.Optional(T.Integer()),
  skipped: T.Optional(T.Integer({ description: "`…` rows: unchanged lines left out." })),
});
const LinesSchema = T.Array(LineSchema, {
  description: "A line diff of the YAML, changed lines with 3 lines of context (`…` rows for the gaps).",
});

const InsightSchema = T.Object(
  {
    boundApis: T.Array(T.Object({ name: T.String(), via: T.String(), method: T.String(), path: T.String() })),
    effectiveOrigins: T.Array(
      T.Object({
        value: T.String(),
        kind: T.Union(["exact", "wildcard", "pattern", "any", "null"].map((k) => T.Literal(k))),
        source: T.String({ description: "allowOrigins[1], allowOriginPatterns[0] or application NAME." }),
      }),
      { description: "The policy's origins with the authorized applications' JavaScript origins merged in." },
    ),
    preflight: T.Optional(
      T.Object({
        origin: T.String(),
        requestMethod: T.String(),
        requestHeaders: T.String(),
        status: T.Integer(),
        headers: T.Array(T.Tuple([T.String(), T.String()])),
      }),
    ),
    test: T.Optional(
      T.Object({
        origin: T.String(),
        allowed: T.Boolean(),
        reason: T.String({ description: "The engine's reason code." }),
        rule: T.Optional(
          T.Object({
            source: T.String(),
            value: T.String(),
            via: T.Union([T.Literal("policy"), T.Literal("application")]),
          }),
        ),
        summary: T.String({ description: "e.g. `allowed by https://*.example.com (allowOrigins[1])`." }),
        trace: T.Array(T.Object({ check: T.String(), verdict: T.String(), detail: T.String() })),
      }),
    ),
  },
  { description: "CORS policies only: bindings, effective origins, a preflight's headers, the origin test." },
);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `value` with its keys in the order `like` has them (new keys after), at every depth: a draft's YAML
 * then differs from the stored one's only where a value differs, not where a form wrote keys in
 * another order.
 */
export function orderLike(value: unknown, like: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => orderLike(v, Array.isArray(like) ? like[i] : undefined));
  }
  if (!isObject(value)) return value;
  const template = isObject(like) ? like : {};
  const first = Object.keys(template).filter((key) => Object.hasOwn(value, key));
  const placed = new Set(first);
  const rest = Object.keys(value).filter((key) => !placed.has(key));
  // Built from entries: an own "__proto__" key stays a key (assigning it would set the prototype).
  return Object.fromEntries([
    ...first.map((key) => [key, orderLike(value[key], template[key])]),
    ...rest.map((key) => [key, orderLike(value[key], undefined)]),
  ]);
}

/**
 * Drafts checked while the user types: the console's inline lint, duplicate-route check, YAML view
 * and origin tester all come from here (the same validator and engine as a real write), and the
 * whole configuration typed in the console's YAML editor.
 */
export function registerPreviewRoutes(app: FastifyInstance, ctx: AdminContext): void {
  for (const kind of KINDS) {
    app.post(
      `/admin/v1/preview/${kind.kind}`,
      {
        config: { auth: true, body: "input" },
        schema: {
          tags: [kind.kind],
          summary: `Check a draft ${kind.singular} without saving it`,
          description:
            "Every problem of the draft (paths relative to it), problems it causes elsewhere, its YAML, whether it differs from the stored one, and a line diff against it." +
            (kind.kind === "cors-policies"
              ? " For CORS policies also the bound APIs, the effective origins (applications' included), the headers a preflight gets, and the verdict for `test.origin`, naming the rule."
              : ""),
          security: BEARER,
          body: T.Object({
            item: T.Unknown({ description: `The draft ${kind.singular}.` }),
            replaces: T.Optional(
              T.String({
                description: "The name of the stored resource the draft edits; absent for a new one.",
              }),
            ),
            ...(kind.kind === "cors-policies"
              ? {
                  test: T.Optional(
                    T.Object({
                      origin: T.String(),
                      method: T.Optional(T.String()),
                      requestHeaders: T.Optional(T.Array(T.String())),
                    }),
                  ),
                }
              : {}),
          }),
          response: {
            200: T.Object(
              {
                valid: T.Boolean({ description: "A save would be accepted." }),
                unchanged: T.Boolean({
                  description: "The draft equals the stored resource: saving changes nothing.",
                }),
                problems: T.Array(ref("Problem"), { description: "Paths relative to the draft." }),
                elsewhere: T.Array(ref("Problem")),
                yaml: T.String(),
                changes: LinesSchema,
                insight: T.Optional(InsightSchema),
              },
              { description: "The draft's check." },
            ),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request, reply) => {
        const body = request.body as { item?: unknown; replaces?: unknown; test?: unknown };
        if (!isObject(body) || !isObject(body.item)) {
          throw new AdminError("ADMIN_BAD_REQUEST", "send { item: {...the draft...}, replaces?: name }");
        }
        if (body.replaces !== undefined && typeof body.replaces !== "string") {
          throw new AdminError("ADMIN_BAD_REQUEST", "replaces must be the stored resource's name");
        }
        const { config, revision } = ctx.current();
        ctx.tagRead(reply, revision);
        const stored =
          body.replaces === undefined
            ? undefined
            : itemsOf(config, kind).find((i) => i.name === body.replaces);
        const item = orderLike(body.item, stored);
        const preview = previewDraft(config, kind, item, stored ? body.replaces : undefined);
        let insight: ReturnType<typeof policyInsight>;
        if (kind.kind === "cors-policies" && !preview.problems.some((p) => p.severity === "error")) {
          const test = isObject(body.test) && typeof body.test.origin === "string" ? body.test : undefined;
          insight = policyInsight(preview.config, item as CorsPolicyConfig, test as never);
        }
        return {
          valid: preview.valid,
          unchanged: stored !== undefined && isDeepStrictEqual(stored, item),
          problems: preview.problems,
          elsewhere: preview.elsewhere,
          yaml: preview.yaml,
          changes: hunks(diffLines(stored ? toYaml(stored) : "", preview.yaml)),
          ...(insight ? { insight } : {}),
        };
      },
    );
  }

  app.post(
    "/admin/v1/config/check",
    {
      config: { auth: true, body: "input" },
      schema: {
        tags: ["config"],
        summary: "Check a whole configuration typed as YAML, without applying it",
        description:
          "Every problem with the line and column of its field, and what would change against the configuration served. PUT /admin/v1/config applies it.",
        security: BEARER,
        body: T.Object({ text: T.String({ description: "The configuration as YAML or JSON." }) }),
        response: {
          200: T.Object(
            {
              valid: T.Boolean(),
              problems: T.Array(
                T.Intersect([
                  ref("Problem"),
                  T.Object({ line: T.Optional(T.Integer()), column: T.Optional(T.Integer()) }),
                ]),
              ),
              diff: T.Optional(ref("ConfigDiff")),
            },
            { description: "The check." },
          ),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { text?: unknown };
      if (!isObject(body) || typeof body.text !== "string") {
        throw new AdminError("ADMIN_BAD_REQUEST", 'send { text: "...the configuration as YAML..." }');
      }
      const { config, revision } = ctx.current();
      ctx.tagRead(reply, revision);
      const check = checkConfigText(body.text, config);
      return {
        valid: check.valid,
        problems: check.problems,
        ...(check.diff ? { diff: { from: revision ?? 0, to: 0, ...check.diff } } : {}),
      };
    },
  );

  app.get(
    "/admin/v1/revisions/:n/lines",
    {
      config: { auth: true },
      schema: {
        tags: ["revisions"],
        summary: "A line diff of revision n's YAML against the current configuration's",
        security: BEARER,
        params: T.Object({ n: T.Integer({ minimum: 1 }) }),
        response: {
          200: T.Object(
            { from: T.Integer(), to: T.Integer(), lines: LinesSchema },
            { description: "The diff." },
          ),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const raw = (request.params as { n: string }).n;
      if (!/^[0-9]{1,15}$/.test(raw) || Number(raw) < 1) {
        throw new AdminError("ADMIN_BAD_REQUEST", "n must be a revision number (an integer from 1)");
      }
      const n = Number(raw);
      const plane = ctx.revisionsSource();
      const stored = await ctx.fromStore(() => plane.store.getRevision(n));
      if (stored === null) throw notFound(`revision ${n}`);
      ctx.tagRead(reply, plane.revision);
      return {
        from: n,
        to: plane.revision,
        lines: hunks(diffLines(toYaml(stored.config), toYaml(plane.config))),
      };
    },
  );
}
