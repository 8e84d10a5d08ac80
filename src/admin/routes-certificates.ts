import { Type as T } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config, TlsCertificateConfig } from "../config/schema.js";
import { checkSchema, schemaProblems } from "../config/schema-errors.js";
import { type CertificateInfo, inspectPair, normalizePem, storedId } from "../config/tls/certificate.js";
import { type CertificateSource, certificateSource } from "../config/tls/sources.js";
import type { Problem } from "../problems.js";
import { AdminError, invalid, notFound } from "./admin-error.js";
import { type CertificateUpload, CertificateUploadSchema } from "./certificate-schemas.js";
import type { AdminContext } from "./context.js";
import { BEARER, errorResponses, writeHeaders } from "./route-docs.js";
import { ref } from "./schemas.js";

/**
 * `/admin/v1/certificates` (SPEC section 10, store mode): certificates uploaded as PEM are kept in
 * the store, shared by every node of a cluster, and named by `tls.certificates[].stored` in the
 * configuration, so each change is a revision like any other (diff, restore). Reads never return a
 * key nor a PEM: the subject, names, validity and SHA-256 fingerprint instead.
 */

interface CertificateView {
  readonly name?: string;
  readonly position: string;
  readonly domains?: readonly string[];
  readonly default?: boolean;
  readonly source: "stored" | "files";
  readonly stored?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly certificate?: CertificateInfo;
  readonly problems?: readonly Problem[];
}

const NameParams = T.Object({ name: T.String({ description: "The certificate entry's name." }) });
const TAGS = ["certificates"];

function entriesOf(config: Config): readonly TlsCertificateConfig[] {
  return config.tls?.certificates ?? [];
}

function withEntries(config: Config, entries: readonly TlsCertificateConfig[]): Config {
  return { ...config, tls: { ...config.tls, certificates: [...entries] } };
}

/** What a configuration entry serves, read from its files or the store. */
async function viewOf(
  entry: TlsCertificateConfig,
  index: number,
  source: CertificateSource,
): Promise<CertificateView> {
  const position = `tls.certificates[${index}]`;
  const base: CertificateView = {
    ...(entry.name === undefined ? {} : { name: entry.name }),
    position,
    ...(entry.domains === undefined ? {} : { domains: entry.domains }),
    ...(entry.default === undefined ? {} : { default: entry.default }),
    ...(entry.stored !== undefined
      ? { source: "stored" as const, stored: entry.stored }
      : {
          source: "files" as const,
          ...(entry.cert === undefined ? {} : { cert: entry.cert }),
          ...(entry.key === undefined ? {} : { key: entry.key }),
        }),
  };
  try {
    const material = await source.read(entry);
    const inspected = inspectPair(material.cert, material.key);
    const findings = inspected.ok ? inspected.pair.findings : inspected.findings;
    const problems: Problem[] = findings.map((f) => ({
      severity: f.severity,
      code: f.code,
      path: `${position}.${entry.stored !== undefined ? "stored" : f.field}`,
      reason: f.reason,
    }));
    return {
      ...base,
      ...(inspected.ok ? { certificate: inspected.pair.info } : {}),
      ...(problems.length > 0 ? { problems } : {}),
    };
  } catch (error) {
    const field = (error as { field?: string }).field ?? "cert";
    return {
      ...base,
      problems: [
        {
          severity: "error",
          code: "TLS_CERT_MISSING",
          path: `${position}.${field}`,
          reason: (error as Error).message,
        },
      ],
    };
  }
}

/** Checks an upload's shape, then the pair itself; every problem at once, paths in the body. */
function checkUpload(body: unknown): { upload: CertificateUpload; problems: Problem[] } {
  if (!checkSchema(CertificateUploadSchema, body)) {
    throw invalid(
      schemaProblems(CertificateUploadSchema, body),
      "the certificate upload is invalid; nothing was stored",
    );
  }
  const upload = body as CertificateUpload;
  const inspected = inspectPair(upload.cert, upload.key);
  const findings = inspected.ok ? inspected.pair.findings : inspected.findings;
  const problems: Problem[] = findings.map((f) => ({
    severity: f.severity,
    code: f.code,
    path: f.field,
    reason: f.reason,
  }));
  if (problems.some((p) => p.severity === "error")) {
    throw invalid(problems, "the certificate or key cannot be served; nothing was stored");
  }
  return { upload, problems };
}

export function registerCertificateRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const base = "/admin/v1/certificates";
  const source = (): CertificateSource => certificateSource(ctx.source.baseDir, ctx.plane?.store);

  app.get(
    base,
    {
      config: { auth: true },
      schema: {
        tags: TAGS,
        summary: "List the certificates",
        description:
          "What each tls.certificates entry serves: subject, names, validity, SHA-256 fingerprint; never a key or PEM.",
        security: BEARER,
        response: {
          200: T.Object({ revision: T.Optional(T.Integer()), items: T.Array(ref("CertificateView")) }),
          ...errorResponses(401),
        },
      },
    },
    async (_request, reply) => {
      const { config, revision } = ctx.current();
      ctx.tagRead(reply, revision);
      const items = await Promise.all(entriesOf(config).map((e, i) => viewOf(e, i, source())));
      return { ...(revision !== undefined ? { revision } : {}), items };
    },
  );

  app.get(
    `${base}/:name`,
    {
      config: { auth: true },
      schema: {
        tags: TAGS,
        summary: "Read a certificate",
        security: BEARER,
        params: NameParams,
        response: {
          200: ref("CertificateView", "The certificate; ETag: the revision."),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const { config, revision } = ctx.current();
      const index = entriesOf(config).findIndex((e) => e.name === name);
      if (index < 0) throw notFound(`certificate ${name}`);
      ctx.tagRead(reply, revision);
      return viewOf(entriesOf(config)[index] as TlsCertificateConfig, index, source());
    },
  );

  /** Stores the upload, then commits the configuration naming it (one revision). */
  async function put(request: FastifyRequest, name: string, createOnly: boolean) {
    ctx.writable();
    const { upload, problems: uploadWarnings } = checkUpload(request.body);
    if (upload.name !== undefined && upload.name !== name) {
      throw invalid([
        {
          severity: "error",
          code: "NAME_MISMATCH",
          path: "name",
          value: upload.name,
          reason: `must be ${JSON.stringify(name)}, the name in the URL`,
        },
      ]);
    }
    const cert = normalizePem(upload.cert);
    const key = normalizePem(upload.key);
    const id = storedId(cert, key);
    const plane = ctx.writable();
    await ctx.fromStore(() => plane.store.putCertificate({ id, cert, key }));
    const entry: TlsCertificateConfig = {
      name,
      ...(upload.domains === undefined ? {} : { domains: upload.domains }),
      ...(upload.default === undefined ? {} : { default: upload.default }),
      stored: id,
    };
    let created = false;
    let position = 0;
    const committed = await ctx.write(request, (current) => {
      const entries = entriesOf(current);
      const index = entries.findIndex((e) => e.name === name);
      created = index < 0;
      if (!created && createOnly) {
        throw new AdminError(
          "ADMIN_NAME_EXISTS",
          `certificate ${name} already exists: PUT ${base}/${name} replaces it`,
        );
      }
      position = created ? entries.length : index;
      const next = created ? [...entries, entry] : entries.map((e, j) => (j === index ? entry : e));
      return {
        config: withEntries(current, next),
        summary: `${created ? "create" : "replace"} certificates/${name}`,
      };
    });
    const item = await viewOf(entry, position, source());
    return {
      created,
      result: {
        revision: committed.revision.number,
        warnings: [...uploadWarnings, ...committed.warnings],
        item,
      },
    };
  }

  const uploadDocs = (summary: string, description: string) => ({
    tags: TAGS,
    summary,
    description,
    security: BEARER,
    headers: writeHeaders(),
    consumes: ["application/json", "application/yaml"],
    body: ref("CertificateUpload"),
  });

  app.put(
    `${base}/:name`,
    {
      config: { auth: true, body: "config" },
      schema: {
        ...uploadDocs(
          "Upload a certificate (create or replace)",
          "Stores the PEM in the store (every node serves it) and names it in tls.certificates: one revision. 201 created, 200 replaced; 400 with every problem (a key of another certificate, an expired certificate).",
        ),
        params: NameParams,
        response: {
          200: ref("WriteResult", "Replaced: the new revision."),
          201: ref("WriteResult", "Created: the new revision."),
          ...errorResponses(400, 401, 409, 412, 503),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const { created, result } = await put(request, name, false);
      reply.code(created ? 201 : 200).header("etag", `"${result.revision}"`);
      return result;
    },
  );

  app.post(
    base,
    {
      config: { auth: true, body: "config" },
      schema: {
        ...uploadDocs(
          "Upload a new certificate",
          "As PUT, with the name in the body; 409 when the name exists.",
        ),
        response: {
          201: ref("WriteResult", "Created: the new revision."),
          ...errorResponses(400, 401, 409, 412, 503),
        },
      },
    },
    async (request, reply) => {
      ctx.writable();
      const body = request.body as { name?: unknown } | undefined;
      if (typeof body?.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(body.name)) {
        throw invalid([
          {
            severity: "error",
            code: "SCHEMA",
            path: "name",
            value: body?.name,
            reason: "is required: a name of letters, digits, '.', '_' and '-' (at most 64)",
          },
        ]);
      }
      const { result } = await put(request, body.name, true);
      reply
        .code(201)
        .header("etag", `"${result.revision}"`)
        .header("location", `${base}/${encodeURIComponent(body.name)}`);
      return result;
    },
  );

  app.delete(
    `${base}/:name`,
    {
      config: { auth: true },
      schema: {
        tags: TAGS,
        summary: "Remove a certificate from the configuration",
        description:
          "204 with the new revision in ETag. The upload stays in the store, so that earlier revisions can be restored; 400 when an https gateway would be left without a certificate for its domains.",
        security: BEARER,
        params: NameParams,
        headers: writeHeaders(),
        response: {
          204: T.Null({ description: "Removed; ETag holds the new revision." }),
          ...errorResponses(400, 401, 404, 409, 412, 503),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const committed = await ctx.write(request, (current) => {
        const entries = entriesOf(current);
        if (!entries.some((e) => e.name === name)) throw notFound(`certificate ${name}`);
        return {
          config: withEntries(
            current,
            entries.filter((e) => e.name !== name),
          ),
          summary: `delete certificates/${name}`,
        };
      });
      reply.code(204).header("etag", `"${committed.revision.number}"`);
      return reply.send();
    },
  );
}
