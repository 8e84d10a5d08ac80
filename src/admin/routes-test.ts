import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { schemaProblems } from "../config/schema-errors.js";
import { AdminError } from "./admin-error.js";
import { MAX_BODY, testThroughGateway } from "./browser-test.js";
import type { AdminContext } from "./context.js";
import { BEARER, errorResponses } from "./route-docs.js";
import { ExplainInputSchema, ref } from "./schemas.js";

const HeaderPairs = T.Array(T.Tuple([T.String(), T.String()]));

export const TestInputSchema = T.Object(
  {
    ...ExplainInputSchema.properties,
    body: T.Optional(T.String({ maxLength: MAX_BODY, description: "The actual request's body." })),
  },
  {
    additionalProperties: false,
    description: "A request a page on `origin` makes; sent to this node's own gateway listener only.",
  },
);

const ExchangeSchema = T.Object({
  stage: T.Union([T.Literal("preflight"), T.Literal("actual")]),
  request: T.Object({ method: T.String(), path: T.String(), headers: HeaderPairs }),
  response: T.Object({
    status: T.Integer(),
    statusText: T.String(),
    headers: HeaderPairs,
    body: T.String({ description: "The body's first 2048 characters." }),
    bodyTruncated: T.Boolean(),
  }),
  requestId: T.Optional(T.String({ description: "The gateway's X-Request-Id." })),
  durationMs: T.Number(),
  browser: T.Object({
    ok: T.Boolean(),
    detail: T.Optional(T.String()),
    message: T.Optional(T.String({ description: "Chromium's console message when blocked." })),
    cacheSeconds: T.Optional(T.Integer()),
  }),
});

export function registerTestRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  gatewayUrl: string | undefined,
): void {
  app.post(
    "/admin/v1/test",
    {
      config: { auth: true, body: "input" },
      schema: {
        tags: ["explain"],
        summary: "Send a request through the real gateway as a browser would",
        description:
          "The preflight first when the browser would send one, then the actual request (unless the preflight fails), to this node's own gateway listener with the given Host header: both exchanges with their request ids and timings, what Chromium does with each real answer, and explain's prediction. Never another server.",
        security: BEARER,
        body: TestInputSchema,
        response: {
          200: T.Object(
            {
              exchanges: T.Array(ExchangeSchema),
              outcome: T.Object({ ok: T.Boolean(), summary: T.String() }),
              explanation: ref("Explanation"),
              agreesWithExplain: T.Boolean({
                description: "Whether the real exchanges ended as explain predicted.",
              }),
            },
            { description: "Both exchanges and the verdict." },
          ),
          ...errorResponses(400, 401, 503),
        },
      },
    },
    async (request) => {
      const problems = schemaProblems(TestInputSchema, request.body);
      if (problems.length > 0) {
        throw new AdminError("ADMIN_BAD_REQUEST", "the request to test is malformed", { problems });
      }
      if (gatewayUrl === undefined) {
        throw new AdminError("GATEWAY_UNAVAILABLE", "this node serves no gateway listener to test through");
      }
      try {
        return await testThroughGateway(gatewayUrl, ctx.snapshot(), request.body as never);
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? "");
        // Node refuses a header name or value it cannot send (a control character, say) before
        // anything is sent: that is the request's fault, not the gateway's.
        if (code.startsWith("ERR_INVALID_") || code.startsWith("ERR_HTTP_INVALID_")) {
          throw new AdminError(
            "ADMIN_BAD_REQUEST",
            `the request cannot be sent: ${(error as Error).message}`,
          );
        }
        throw new AdminError(
          "GATEWAY_UNAVAILABLE",
          `the gateway at ${gatewayUrl} did not answer: ${(error as Error).message}`,
        );
      }
    },
  );
}
