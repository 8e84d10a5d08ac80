import { type Static, Type as T } from "@sinclair/typebox";

/** The schemas of /admin/v1/certificates (routes-certificates.ts), for its OpenAPI document. */

const ProblemRef = T.Unsafe({ $ref: "Problem#" });

export const CertificateUploadSchema = T.Object(
  {
    name: T.Optional(T.String({ description: "The entry's name; PUT takes it from the URL." })),
    domains: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 253 }), {
        description:
          "Server names it answers (exact or *.example.com); default: the names in the certificate.",
      }),
    ),
    default: T.Optional(
      T.Boolean({
        description: "The certificate for clients without SNI and for names no other one answers.",
      }),
    ),
    cert: T.String({
      minLength: 1,
      description: "PEM text: the certificate, then its intermediates (not a file name).",
    }),
    key: T.String({ minLength: 1, description: "PEM text of the unencrypted private key. Never returned." }),
  },
  { additionalProperties: false, description: "A certificate to upload (PEM text)." },
);
export type CertificateUpload = Static<typeof CertificateUploadSchema>;

export const CertificateViewSchema = T.Object(
  {
    name: T.Optional(T.String()),
    position: T.String({ description: "Where it is in the configuration: tls.certificates[0]." }),
    domains: T.Optional(T.Array(T.String())),
    default: T.Optional(T.Boolean()),
    source: T.Union([T.Literal("stored"), T.Literal("files")]),
    stored: T.Optional(T.String({ description: "The store's id of the upload (sha256 of chain and key)." })),
    cert: T.Optional(T.String({ description: "Files: the certificate file's path." })),
    key: T.Optional(T.String({ description: "Files: the key file's path (never its content)." })),
    certificate: T.Optional(
      T.Object({
        subject: T.String(),
        issuer: T.String(),
        serialNumber: T.String(),
        dnsNames: T.Array(T.String()),
        ipAddresses: T.Array(T.String()),
        notBefore: T.String({ format: "date-time" }),
        notAfter: T.String({ format: "date-time" }),
        fingerprint256: T.String({
          description: "SHA-256 of the certificate, AB:CD:... as browsers show it.",
        }),
        chainLength: T.Integer(),
      }),
    ),
    problems: T.Optional(
      T.Array(ProblemRef, { description: "Why it cannot be served, or what to fix soon." }),
    ),
  },
  { description: "A certificate as served: never its key nor its PEM." },
);
