import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { MetricsSource } from "../observability/metrics.js";
import type { AdminContext } from "./context.js";

export function registerHealthRoutes(app: FastifyInstance, ctx: AdminContext, metrics: MetricsSource): void {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness: 200 while the process is up",
        response: { 200: T.Object({ status: T.Literal("ok") }, { description: "The process is up." }) },
      },
    },
    async () => ({ status: "ok" }),
  );

  const Ready = T.Object({
    ready: T.Boolean(),
    revision: T.Integer({ description: "The revision served (0 in file mode)." }),
    storeReachable: T.Optional(T.Boolean()),
    source: T.String({ description: "store, cache (the last good configuration, cached on disk) or file." }),
    file: T.Optional(T.String()),
    lastError: T.Optional(T.String()),
  });
  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        summary: "Readiness: 200 when serving from a reachable store (or a file)",
        description:
          "503 when the store cannot be reached: the last good configuration keeps serving, and `source` says where it came from.",
        response: {
          200: { ...Ready, description: "Serving from a reachable store, or from a file." },
          503: { ...Ready, description: "The store is unreachable; the last good configuration is serving." },
        },
      },
    },
    async (_request, reply) => {
      const status = ctx.source.status();
      reply.code(status.ready ? 200 : 503);
      return status;
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        tags: ["health"],
        summary: "Prometheus metrics of the gateway",
        produces: ["text/plain"],
        response: { 200: T.String({ description: "The Prometheus text exposition format." }) },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()),
  );
}
