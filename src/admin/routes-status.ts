import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AdminContext } from "./context.js";
import { BEARER, errorResponses } from "./route-docs.js";

export interface NodeInfo {
  /** The gateway listener's URL, when this node serves one. */
  readonly gatewayUrl?: string | undefined;
  /** Gateway processes (--workers); 1 for a single process. */
  readonly workers?: number | undefined;
  /** The store, credentials removed (sqlite:./crossgate.db, postgres://host/db). */
  readonly store?: string | undefined;
}

const started = Date.now();

export function registerStatusRoutes(app: FastifyInstance, ctx: AdminContext, node: NodeInfo): void {
  app.get(
    "/admin/v1/status",
    {
      config: { auth: true },
      schema: {
        tags: ["health"],
        summary: "This node: its gateway, its store, and the revision it serves (last propagation)",
        security: BEARER,
        response: {
          200: T.Object(
            {
              node: T.Object({
                pid: T.Integer(),
                startedAt: T.String({ format: "date-time" }),
                uptimeSeconds: T.Integer(),
                nodeVersion: T.String(),
                gatewayUrl: T.Optional(T.String()),
                workers: T.Integer(),
              }),
              store: T.Object({
                mode: T.Union([T.Literal("store"), T.Literal("file")]),
                location: T.Optional(T.String()),
                reachable: T.Boolean(),
                source: T.String({
                  description: "store, cache (last good configuration on disk), none or file.",
                }),
                lastError: T.Optional(T.String()),
              }),
              revision: T.Object({
                served: T.Integer({ description: "The revision this node serves (0 in file mode)." }),
                head: T.Optional(T.Integer({ description: "The store's newest revision." })),
                committedAt: T.Optional(T.String({ format: "date-time" })),
                actor: T.Optional(T.String()),
                summary: T.Optional(T.String()),
              }),
              counts: T.Object({
                groups: T.Integer(),
                apis: T.Integer(),
                corsPolicies: T.Integer(),
                apps: T.Integer(),
              }),
            },
            { description: "The node's status." },
          ),
          ...errorResponses(401),
        },
      },
    },
    async () => {
      const { config } = ctx.current();
      const counts = {
        groups: config.groups?.length ?? 0,
        apis: config.apis?.length ?? 0,
        corsPolicies: config.corsPolicies?.length ?? 0,
        apps: config.apps?.length ?? 0,
      };
      const nodeInfo = {
        pid: process.pid,
        startedAt: new Date(started).toISOString(),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        nodeVersion: process.version,
        ...(node.gatewayUrl ? { gatewayUrl: node.gatewayUrl } : {}),
        workers: node.workers ?? 1,
      };
      const plane = ctx.plane;
      if (!plane) {
        return {
          node: nodeInfo,
          store: {
            mode: "file" as const,
            location: ctx.source.status().file,
            reachable: true,
            source: "file",
          },
          revision: { served: 0 },
          counts,
        };
      }
      const status = plane.status();
      let head: { number: number; createdAt: string; actor: string; summary: string } | undefined;
      try {
        head = (await plane.store.listRevisions({ limit: 1 }))[0];
      } catch {
        head = undefined;
      }
      return {
        node: nodeInfo,
        store: {
          mode: "store" as const,
          ...(node.store ? { location: node.store } : {}),
          reachable: status.storeReachable,
          source: status.source,
          ...(status.lastError !== undefined ? { lastError: status.lastError } : {}),
        },
        revision: {
          served: status.revision,
          ...(head
            ? { head: head.number, committedAt: head.createdAt, actor: head.actor, summary: head.summary }
            : {}),
        },
        counts,
      };
    },
  );
}
