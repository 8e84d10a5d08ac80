import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { TlsCertificateConfig } from "../schema.js";

/** A certificate chain and key as PEM text, and the files they came from (watched for rotation). */
export interface CertificateMaterial {
  readonly cert: string;
  readonly key: string;
  /** Absolute paths; empty for stored certificates. */
  readonly files: readonly string[];
}

/** Certificates kept in the configuration store (store mode), by the id the admin API wrote. */
export interface StoredCertificates {
  getCertificate(id: string): Promise<{ readonly cert: string; readonly key: string } | null>;
}

/** Why a certificate could not be read: which field of the entry, and what to do. */
export class CertificateReadError extends Error {
  readonly field: "cert" | "key" | "stored";

  constructor(field: "cert" | "key" | "stored", message: string) {
    super(message);
    this.name = "CertificateReadError";
    this.field = field;
  }
}

/** Where the PEM of a `tls.certificates` entry comes from: files relative to `baseDir`, or the store. */
export interface CertificateSource {
  readonly baseDir: string;
  /** The absolute path of a file named in the configuration. */
  path(file: string): string;
  read(entry: TlsCertificateConfig): Promise<CertificateMaterial>;
}

async function readPem(path: string, field: "cert" | "key"): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "ENOENT"
        ? `no file at ${path}`
        : code === "EACCES"
          ? `${path} cannot be read by this process (permissions)`
          : `cannot read ${path}: ${(error as Error).message}`;
    throw new CertificateReadError(field, reason);
  }
}

/**
 * Reads entries' files relative to `baseDir` (the configuration file's directory in file mode, the
 * working directory in store mode) and stored entries from `stored` when there is a store.
 *
 * ```ts
 * const source = certificateSource(dirname(configFile));
 * const { cert, key } = await source.read({ cert: "tls/shop.crt", key: "tls/shop.key" });
 * ```
 */
export function certificateSource(baseDir: string, stored?: StoredCertificates): CertificateSource {
  const path = (file: string) => (isAbsolute(file) ? file : resolve(baseDir, file));
  return {
    baseDir,
    path,
    async read(entry) {
      if (entry.stored !== undefined) {
        if (stored === undefined) {
          throw new CertificateReadError(
            "stored",
            "a stored certificate needs store mode (crossgate start --store ...); in a file, give cert and key files",
          );
        }
        let found: { cert: string; key: string } | null;
        try {
          found = await stored.getCertificate(entry.stored);
        } catch (error) {
          throw new CertificateReadError("stored", `the store cannot be read: ${(error as Error).message}`);
        }
        if (found === null) {
          throw new CertificateReadError(
            "stored",
            `no certificate ${entry.stored} in the store: upload it with PUT /admin/v1/certificates/{name}`,
          );
        }
        return { cert: found.cert, key: found.key, files: [] };
      }
      if (entry.cert === undefined) throw new CertificateReadError("cert", "names no certificate file");
      if (entry.key === undefined) throw new CertificateReadError("key", "names no key file");
      const certPath = path(entry.cert);
      const keyPath = path(entry.key);
      // One after the other, so that when both are missing the certificate is always the one named.
      const cert = await readPem(certPath, "cert");
      const key = await readPem(keyPath, "key");
      return { cert, key, files: [certPath, keyPath] };
    },
  };
}
