import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { DecisionSource } from "../observability/decisions.js";
import { AdminError } from "./admin-error.js";
import { BEARER, errorResponses } from "./route-docs.js";

const Counts = T.Record(T.String(), T.Integer(), { description: "Reason code to count." });

const TrafficSchema = T.Object(
  {
    bucketSeconds: T.Integer({ description: "Seconds per bucket." }),
    buckets: T.Array(
      T.Object({
        start: T.Integer({ description: "The bucket's start, ms since the epoch." }),
        requests: T.Integer(),
        refused: Counts,
        wouldRefuse: T.Record(T.String(), T.Integer(), {
          description: "Report mode (mode: report): what would have been refused, by reason.",
        }),
      }),
      { description: "Oldest first, empty buckets included." },
    ),
    totals: T.Object({ requests: T.Integer(), refused: Counts, wouldRefuse: Counts }),
    topRefusedOrigins: T.Array(T.Object({ origin: T.String(), count: T.Integer(), reasons: Counts }), {
      description: "Most refused first.",
    }),
    nodes: T.Integer({ description: "Gateway processes that contributed (workers)." }),
  },
  { description: "CORS decisions of this node's gateway over the window, by reason." },
);

const DecisionSchema = T.Object({
  time: T.Integer({ description: "ms since the epoch." }),
  requestId: T.String(),
  method: T.String(),
  host: T.String(),
  path: T.String(),
  origin: T.Optional(T.String()),
  requestMethod: T.Optional(T.String({ description: "Preflights: Access-Control-Request-Method." })),
  requestHeaders: T.Optional(T.String({ description: "Preflights: Access-Control-Request-Headers." })),
  api: T.String({ description: "The API that matched; empty when none." }),
  status: T.Integer(),
  preflight: T.Optional(T.Boolean()),
  verdict: T.Union(["allowed", "refused", "report-only", "none"].map((v) => T.Literal(v))),
  reason: T.String({ description: "The engine's reason code; empty when no CORS rules applied." }),
});

function boundedInt(value: unknown, name: string, max: number, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AdminError("ADMIN_BAD_REQUEST", `${name} must be an integer from 1 to ${max}`);
  }
  return n;
}

/**
 * The dashboard's data: CORS decisions by reason over time, the top refused origins, and the most
 * recent decisions, from the gateway's bounded in-memory window (src/observability/decisions.ts).
 */
export function registerTrafficRoutes(app: FastifyInstance, source: DecisionSource | undefined): void {
  const window = () => {
    if (!source) throw new AdminError("ADMIN_NOT_FOUND", "this node records no decisions (no gateway here)");
    return source;
  };

  app.get(
    "/admin/v1/traffic",
    {
      config: { auth: true },
      schema: {
        tags: ["traffic"],
        summary: "Requests and CORS refusals by reason over time; the top refused origins",
        description:
          "From a bounded in-memory window per node (default: 60 one-minute buckets); with --workers, every worker's window merged.",
        security: BEARER,
        querystring: T.Object({
          top: T.Optional(
            T.Integer({ minimum: 1, maximum: 100, default: 10, description: "Origins listed." }),
          ),
        }),
        response: { 200: TrafficSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const top = boundedInt((request.query as { top?: unknown }).top, "top", 100, 10);
      return window().summary(top);
    },
  );

  app.get(
    "/admin/v1/decisions",
    {
      config: { auth: true },
      schema: {
        tags: ["traffic"],
        summary: "The most recent decisions of the gateway, newest first",
        description:
          "A bounded log (default 500 per node): each row can be explained with POST /admin/v1/explain.",
        security: BEARER,
        querystring: T.Object({
          limit: T.Optional(T.Integer({ minimum: 1, maximum: 500, default: 100 })),
          verdict: T.Optional(
            T.Union(
              ["allowed", "refused", "report-only", "none"].map((v) => T.Literal(v)),
              {
                description: "Only decisions with this verdict.",
              },
            ),
          ),
        }),
        response: {
          200: T.Object({ decisions: T.Array(DecisionSchema) }, { description: "Newest first." }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const query = request.query as { limit?: unknown; verdict?: unknown };
      const limit = boundedInt(query.limit, "limit", 500, 100);
      const verdict = query.verdict;
      if (verdict !== undefined && !["allowed", "refused", "report-only", "none"].includes(String(verdict))) {
        throw new AdminError("ADMIN_BAD_REQUEST", "verdict must be allowed, refused, report-only or none");
      }
      const recent = await window().recent(verdict === undefined ? limit : 500);
      const decisions =
        verdict === undefined ? recent : recent.filter((d) => d.verdict === verdict).slice(0, limit);
      return { decisions };
    },
  );
}
