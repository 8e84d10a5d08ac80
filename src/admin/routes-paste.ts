import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { toCurl } from "../explain/curl.js";
import { MAX_PASTE_LENGTH, parsePaste } from "../explain/parse-paste.js";
import { AdminError } from "./admin-error.js";
import { BEARER, errorResponses } from "./route-docs.js";
import { ExplainInputSchema, ref } from "./schemas.js";

export function registerPasteRoutes(app: FastifyInstance): void {
  app.post(
    "/admin/v1/explain/parse",
    {
      config: { auth: true, body: "input" },
      schema: {
        tags: ["explain"],
        summary: "Turn a pasted Chromium console error or curl command into a request to explain",
        description:
          "400 ADMIN_BAD_REQUEST says what was expected when the text is neither. `notes` say what was assumed (a method the message does not name).",
        security: BEARER,
        body: T.Object({ text: T.String({ maxLength: MAX_PASTE_LENGTH }) }),
        response: {
          200: T.Object(
            {
              kind: T.Union([T.Literal("chromium"), T.Literal("curl")]),
              request: ref("ExplainInput"),
              notes: T.Array(T.String()),
            },
            { description: "The request to explain." },
          ),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const body = request.body as { text?: unknown } | undefined;
      if (typeof body?.text !== "string") {
        throw new AdminError(
          "ADMIN_BAD_REQUEST",
          'send { "text": "...the pasted error or curl command..." }',
        );
      }
      const parsed = parsePaste(body.text);
      if (!parsed.ok) throw new AdminError("ADMIN_BAD_REQUEST", parsed.reason);
      return { kind: parsed.kind, request: parsed.request, notes: parsed.notes };
    },
  );

  app.post(
    "/admin/v1/explain/curl",
    {
      config: { auth: true, body: "input" },
      schema: {
        tags: ["explain"],
        summary: "The curl command of a request to explain (the actual request a page on `origin` sends)",
        security: BEARER,
        body: ExplainInputSchema,
        response: {
          200: T.Object({ curl: T.String() }, { description: "A POSIX shell command." }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const body = request.body as { origin?: unknown; method?: unknown; path?: unknown } | undefined;
      if (
        typeof body?.origin !== "string" ||
        typeof body.method !== "string" ||
        typeof body.path !== "string"
      ) {
        throw new AdminError("ADMIN_BAD_REQUEST", "send an explain request: origin, method and path");
      }
      return { curl: toCurl(request.body as never) };
    },
  );
}
