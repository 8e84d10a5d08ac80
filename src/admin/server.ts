import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import { parseJsonText } from "../config/parse-json.js";
import { parseYamlText } from "../config/parse-yaml.js";
import type { ConfigSource } from "../control/config-source.js";
import { ERRORS } from "../errors.js";
import type { Logger } from "../logger.js";
import type { DecisionSource } from "../observability/decisions.js";
import type { MetricsSource } from "../observability/metrics.js";
import type { Problem } from "../problems.js";
import { AdminError } from "./admin-error.js";
import { API_CSP, defaultConsoleDir, registerConsole } from "./console-static.js";
import { AdminContext } from "./context.js";
import { registerCertificateRoutes } from "./routes-certificates.js";
import { registerConfigRoutes } from "./routes-config.js";
import { registerHealthRoutes } from "./routes-health.js";
import { registerOpenApiRoutes } from "./routes-openapi-io.js";
import { registerPasteRoutes } from "./routes-paste.js";
import { registerPreviewRoutes } from "./routes-preview.js";
import { registerResourceRoutes } from "./routes-resources.js";
import { type NodeInfo, registerStatusRoutes } from "./routes-status.js";
import { registerTestRoutes } from "./routes-test.js";
import { registerTrafficRoutes } from "./routes-traffic.js";
import { componentSchemas } from "./schemas.js";
import { bearerMatches } from "./token.js";

export interface AdminOptions {
  /** Where to listen; port 0 picks a free port. Loopback (127.0.0.1) unless told otherwise. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Where the configuration comes from: a store's control plane (reads, writes), or a file (reads). */
  readonly source: ConfigSource;
  readonly metrics: MetricsSource;
  readonly logger: Logger;
  /** The sha256 (hex) of the bearer token (see resolveAdminToken). */
  readonly token: { readonly hash: string };
  /** The gateway's window of recent CORS decisions, for the console's dashboard. */
  readonly decisions?: DecisionSource;
  /** This node's gateway listener and store, for the console's Test tab and status page. */
  readonly node?: NodeInfo;
  /** The built console (default: dist/console); null serves none. */
  readonly consoleDir?: string | null;
}

export interface RunningAdmin {
  /** `http://host:port` of the listener. */
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Largest request body: a whole configuration of many thousand APIs fits. */
const BODY_LIMIT = 32 * 1024 * 1024;

const OPENAPI_INFO = {
  title: "crossgate admin API",
  version: "v1",
  description:
    "Manage the gateway's configuration: groups, APIs, CORS policies and applications, the whole " +
    "configuration, its revisions, explain and lint. Every call under /admin/v1 needs " +
    "`Authorization: Bearer <token>`. Writes answer with the new revision (JSON `revision`, `ETag`) " +
    'and take `If-Match: "N"` (412 STALE_REVISION when the configuration moved on). See docs/admin-api.md.',
};

declare module "fastify" {
  interface FastifyContextConfig {
    /** Needs the bearer token. */
    auth?: boolean;
    /** How an unparsable body is reported: as a configuration (CONFIG_INVALID) or as input. */
    body?: "config" | "input";
  }
}

/** A body that does not parse (or nests too deep, or is a YAML alias bomb): 400 with its SYNTAX problems. */
function syntaxError(request: FastifyRequest, problems: readonly Problem[]): AdminError {
  return request.routeOptions.config.body === "config"
    ? new AdminError("CONFIG_INVALID", "the body does not parse; nothing was applied", { problems })
    : new AdminError("ADMIN_BAD_REQUEST", "the body does not parse", { problems });
}

function errorBody(request: FastifyRequest, error: AdminError): Record<string, unknown> {
  return { error_code: error.code, error_msg: error.message, ...error.extra, request_id: request.id };
}

/** Maps fastify's own errors (media type, body size, bad URLs) onto the admin API's codes. */
function fromFastify(error: FastifyError): AdminError | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AdminError("ADMIN_UNSUPPORTED_MEDIA_TYPE");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AdminError("PAYLOAD_TOO_LARGE", `the body exceeds ${BODY_LIMIT} bytes`);
    default:
      return error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? new AdminError("ADMIN_BAD_REQUEST", error.message)
        : undefined;
  }
}

/**
 * Builds the admin API (not yet listening): the resource, configuration, revision, explain and lint
 * calls under /admin/v1 (bearer token), health, readiness, metrics, and the OpenAPI document with its
 * browsable reference at /admin/docs. Request bodies are validated by the configuration's own
 * validator, which lists every problem; the route schemas document them.
 */
export async function createAdminApp(options: Omit<AdminOptions, "listen">): Promise<FastifyInstance> {
  const ctx = new AdminContext(options);
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    genReqId: () => randomBytes(16).toString("hex"),
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Schemas document; the configuration's validator validates (every problem, paths in the file's
  // shape), and responses are plain JSON. Fastify's ajv would stop at the first error and strip fields.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const [id, schema] of Object.entries(componentSchemas())) app.addSchema({ ...schema, $id: id });

  app.removeContentTypeParser(["application/json", "text/plain"]);
  // Bodies are parsed here, not by fastify's parsers, so that every refusal is the admin API's 400
  // with a SYNTAX problem (line, column) and JSON nested deeper than the limit never reaches a handler.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    const parsed = parseJsonText(text);
    if (parsed.ok) return done(null, parsed.value);
    done(syntaxError(request, [parsed.problem]), undefined);
  });
  app.addContentTypeParser(
    ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"],
    { parseAs: "string" },
    (request, body, done) => {
      const text = String(body);
      if (text.trim() === "") return done(null, undefined);
      const parsed = parseYamlText(text);
      if (parsed.ok) return done(null, parsed.value);
      done(syntaxError(request, parsed.problems), undefined);
    },
  );

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // The console's pages set their own policy; the API's answers may load and frame nothing.
    if (!request.url.startsWith("/admin/docs")) reply.header("content-security-policy", API_CSP);
    const path = request.url.split("?")[0] ?? "";
    // By route (the router decodes %-escapes) and by prefix (unknown calls do not reveal they are unknown).
    if (
      !(path === "/admin/v1" || path.startsWith("/admin/v1/") || request.routeOptions.config.auth === true)
    ) {
      return;
    }
    reply.header("cache-control", "no-store");
    if (!bearerMatches(request.headers.authorization, options.token.hash)) {
      throw new AdminError(
        "ADMIN_UNAUTHORIZED",
        undefined,
        {},
        { "www-authenticate": 'Bearer realm="crossgate"' },
      );
    }
  });

  app.setErrorHandler((error: FastifyError | AdminError, request, reply) => {
    const known = error instanceof AdminError ? error : fromFastify(error);
    if (known) {
      return reply.code(known.status).headers(known.headers).send(errorBody(request, known));
    }
    options.logger.error(
      { err: error, requestId: request.id, url: request.url },
      "admin API: internal error",
    );
    return reply.code(500).send({
      error_code: "INTERNAL_ERROR",
      error_msg: ERRORS.INTERNAL_ERROR.message,
      request_id: request.id,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new AdminError(
      "ADMIN_NOT_FOUND",
      `no admin API call ${request.method} ${request.url.split("?")[0]}`,
    );
    return reply.code(404).send(errorBody(request, error));
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: OPENAPI_INFO,
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
      tags: [
        { name: "groups", description: "Groups of APIs sharing host names and a base path" },
        { name: "apis", description: "APIs: route, security, CORS and backend" },
        { name: "cors-policies", description: "Named, reusable CORS policies" },
        { name: "apps", description: "Applications: API keys, JavaScript origins, authorized APIs" },
        {
          name: "certificates",
          description:
            "TLS certificates of an https gateway, uploaded as PEM into the store (never returned)",
        },
        { name: "config", description: "The whole configuration, JSON or YAML" },
        { name: "revisions", description: "History, diff and rollback" },
        { name: "explain", description: "The engine's trace for a described request; lint findings" },
        {
          name: "traffic",
          description: "The gateway's recent CORS decisions: by reason over time, top refused origins",
        },
        { name: "health", description: "Liveness, readiness and Prometheus metrics (no token)" },
      ],
    },
    // OpenAPI 3.1 is JSON Schema 2020-12: the configuration's schemas go in unchanged.
    convertConstToEnum: false,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/admin/docs" });

  app.get("/admin/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  registerHealthRoutes(app, ctx, options.metrics);
  registerResourceRoutes(app, ctx);
  registerCertificateRoutes(app, ctx);
  registerConfigRoutes(app, ctx);
  registerTrafficRoutes(app, options.decisions);
  registerTestRoutes(app, ctx, options.node?.gatewayUrl);
  registerPreviewRoutes(app, ctx);
  registerPasteRoutes(app);
  registerOpenApiRoutes(app, ctx);
  registerStatusRoutes(app, ctx, options.node ?? {});
  registerConsole(app, options.consoleDir === null ? undefined : (options.consoleDir ?? defaultConsoleDir()));
  await app.ready();
  return app;
}

/**
 * Starts the admin API listener.
 *
 * @example
 * const admin = await startAdmin({ listen: { host: "127.0.0.1", port: 9876 }, plane, metrics, logger, token });
 * logger.info(`crossgate admin API on ${admin.url}`);
 * await admin.close();
 */
export async function startAdmin(options: AdminOptions): Promise<RunningAdmin> {
  const app = await createAdminApp(options);
  await app.listen({ host: options.listen.host, port: options.listen.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    app,
    close: () => app.close(),
  };
}
