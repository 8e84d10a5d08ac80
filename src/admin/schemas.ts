import { Type as T, type TSchema } from "@sinclair/typebox";
import { ConfigSchema } from "../config/schema.js";
import { CertificateUploadSchema, CertificateViewSchema } from "./certificate-schemas.js";
import { KINDS } from "./kinds.js";

/**
 * The admin API's schemas for its OpenAPI document. The configuration's own schemas (src/config/schema.ts)
 * describe the resources; these describe the envelopes around them. Requests are validated by the
 * configuration's validator (every problem at once), not by these.
 */

/**
 * A reference to a component schema registered with `addSchema`, e.g. `ref("Problem")`; as a response,
 * `description` describes the response.
 */
export function ref(id: string, description?: string): TSchema {
  return T.Unsafe(description === undefined ? { $ref: `${id}#` } : { description, $ref: `${id}#` });
}

export const ProblemSchema = T.Object(
  {
    severity: T.Union([T.Literal("error"), T.Literal("warning")]),
    code: T.String({ description: "A stable code, e.g. CORS_WILDCARD_WITH_CREDENTIALS or REF_POLICY." }),
    path: T.String({
      description:
        "Where: rooted in the whole configuration (corsPolicies[2].allowOrigins[0]); in the answer to a write of one resource, relative to it (allowOrigins[0]) when inside it; '' for the whole body.",
    }),
    value: T.Optional(T.Unknown({ description: "The offending value (API keys are never echoed)." })),
    reason: T.String(),
    line: T.Optional(
      T.Integer({ minimum: 1, description: "SYNTAX problems: the line in the body, from 1." }),
    ),
    column: T.Optional(
      T.Integer({ minimum: 1, description: "SYNTAX problems: the column in the line, from 1." }),
    ),
  },
  { description: "A configuration finding: an error refuses the configuration, a warning does not." },
);

export const ErrorSchema = T.Object(
  {
    error_code: T.String({ description: "A stable code, listed in docs/errors.md." }),
    error_msg: T.String(),
    request_id: T.String({ description: "32 hex characters, also sent as X-Request-Id." }),
    problems: T.Optional(
      T.Array(ref("Problem"), {
        description: "CONFIG_INVALID: every problem; ADMIN_BAD_REQUEST: what is wrong with the body.",
      }),
    ),
    current: T.Optional(T.Integer({ description: "STALE_REVISION: the current revision." })),
  },
  { description: "Every refusal of the admin API." },
);

export const RevisionMetaSchema = T.Object(
  {
    number: T.Integer({ minimum: 1 }),
    createdAt: T.String({ format: "date-time" }),
    actor: T.String({ description: "admin, or the X-Crossgate-Actor header of the write." }),
    summary: T.String({ description: "What changed, e.g. create cors-policies/web." }),
  },
  { description: "Who made a revision, when, and what changed." },
);

const Warnings = T.Array(ref("Problem"), { description: "Lint warnings of the new configuration." });
const RevisionNumber = T.Integer({ minimum: 1, description: "The new revision (also sent as ETag)." });

export const WriteResultSchema = T.Object(
  {
    revision: RevisionNumber,
    warnings: Warnings,
    item: T.Optional(T.Unknown({ description: "The resource as stored (API keys as keyHashes)." })),
    apiKey: T.Optional(
      T.String({
        description:
          "Applications created without keys: the generated API key, shown this once and stored only as a hash.",
      }),
    ),
    restoredFrom: T.Optional(
      T.Integer({ description: "Restores: the revision whose configuration was restored." }),
    ),
  },
  { description: "The answer to every write." },
);

export const KindDiffSchema = T.Object({
  added: T.Array(T.String()),
  removed: T.Array(T.String()),
  changed: T.Array(T.Object({ name: T.String(), fields: T.Array(T.String()) })),
});

export const ConfigDiffSchema = T.Object(
  {
    from: T.Integer(),
    to: T.Integer(),
    identical: T.Boolean(),
    resources: T.Object(Object.fromEntries(KINDS.map((k) => [k.kind, KindDiffSchema]))),
    settings: T.Array(
      T.Object({ path: T.String(), from: T.Optional(T.Unknown()), to: T.Optional(T.Unknown()) }),
    ),
  },
  {
    description:
      "What changed from revision `from` to revision `to`: added = in `to` only, removed = in `from` only.",
  },
);

export const ExplainInputSchema = T.Object(
  {
    origin: T.String({ description: "The page's origin, e.g. https://app.example.com." }),
    method: T.String({ minLength: 1, description: "The method of the request the page makes." }),
    path: T.String({ pattern: "^/", description: "The request's path and query." }),
    host: T.Optional(
      T.String({ description: "The Host header (default: the first group domain, else localhost)." }),
    ),
    headers: T.Optional(
      T.Array(T.Object({ name: T.String({ minLength: 1 }), value: T.Optional(T.String()) }), {
        description: "Request headers the page sets.",
      }),
    ),
    credentials: T.Optional(T.Boolean({ description: "A credentialed request (cookies)." })),
    privateNetwork: T.Optional(
      T.Boolean({ description: "A public page calling a private-network gateway." }),
    ),
  },
  { additionalProperties: false, description: "A request a page would make, to explain." },
);

const HeaderPairs = T.Array(T.Tuple([T.String(), T.String()]));
const BrowserVerdictSchema = T.Object({
  ok: T.Boolean(),
  detail: T.Optional(T.String()),
  message: T.Optional(T.String({ description: "Chromium's console message when blocked." })),
  cacheSeconds: T.Optional(T.Integer()),
});

export const ExplanationSchema = T.Object(
  {
    url: T.String(),
    preflightNeeded: T.Boolean(),
    stages: T.Array(
      T.Object({
        stage: T.Union([T.Literal("preflight"), T.Literal("actual")]),
        request: T.Object({ method: T.String(), headers: HeaderPairs }),
        group: T.Optional(T.String()),
        api: T.Optional(T.String()),
        corsRules: T.String(),
        answeredBy: T.String(),
        trace: T.Array(
          T.Object({
            check: T.String(),
            verdict: T.Union(["pass", "fail", "skip", "info"].map((v) => T.Literal(v))),
            detail: T.String(),
          }),
        ),
        status: T.Union([T.Integer(), T.Null()]),
        headers: HeaderPairs,
        browser: BrowserVerdictSchema,
      }),
    ),
    outcome: T.Object({ ok: T.Boolean(), summary: T.String() }),
  },
  {
    description:
      "Which group, API and rules match, each check, the response headers, and what the browser does.",
  },
);

/** Every component schema of the OpenAPI document, by name. */
export function componentSchemas(): Record<string, TSchema> {
  const { $id: _id, ...config } = ConfigSchema;
  return {
    Config: { ...config, title: "Config" } as TSchema,
    ...Object.fromEntries(KINDS.map((k) => [k.schemaId, k.schema])),
    Problem: ProblemSchema,
    Error: ErrorSchema,
    RevisionMeta: RevisionMetaSchema,
    WriteResult: WriteResultSchema,
    ConfigDiff: ConfigDiffSchema,
    ExplainInput: ExplainInputSchema,
    Explanation: ExplanationSchema,
    CertificateUpload: CertificateUploadSchema,
    CertificateView: CertificateViewSchema,
  };
}
