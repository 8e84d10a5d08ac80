import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Problem, ProblemCode } from "../problems.js";
import type { Config } from "./schema.js";
import { type CertificateInfo, inspectPair, nameCovers, pemCertificates } from "./tls/certificate.js";
import { CertificateReadError, type CertificateSource } from "./tls/sources.js";
import { isHttpsListen } from "./validate-tls.js";

export interface TlsMaterialOptions {
  /** Whether the gateway listens on https (listen.gateway, or --listen): then problems are errors. */
  readonly https: boolean;
  /** The clock, for expiry (tests). */
  readonly now?: number;
}

/** Whether the gateway serves https: the command line's --listen wins over listen.gateway. */
export function servesHttps(config: Config, listenOverride?: string): boolean {
  const address = listenOverride ?? config.listen?.gateway;
  return address !== undefined && isHttpsListen(address);
}

/**
 * The sections the certificate check reads (`tls`, `listen`, `groups`) of a configuration with
 * problems elsewhere, when those sections passed validation: the check can run on them alone (the
 * rest, `apis` included, may have any shape). Undefined when one of them has an error.
 */
export function soundTlsSections(raw: unknown, problems: readonly Problem[]): Config | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  if (problems.some((p) => p.severity === "error" && /^(tls|listen|groups)([.[]|$)/.test(p.path)))
    return undefined;
  const { tls, listen, groups } = raw as Config;
  return {
    ...(tls === undefined ? {} : { tls }),
    ...(listen === undefined ? {} : { listen }),
    ...(groups === undefined ? {} : { groups }),
  } as Config;
}

const CODES: Record<string, ProblemCode> = {
  cert: "TLS_CERT_MISSING",
  key: "TLS_KEY_MISSING",
  stored: "TLS_STORED_MISSING",
};

/**
 * Reads every certificate and key the configuration names, as the listener would, and every
 * backend's CA file: a missing file, a key of another certificate, an expired certificate, a
 * certificate that does not name its domains, and (on https) a group domain no certificate
 * answers. Problems carry their path (`tls.certificates[0].key`). While the gateway listens on
 * plain http the certificates are unused, so their problems are warnings.
 *
 * ```ts
 * const problems = await checkTlsMaterial(config, certificateSource(dirname(file)), { https: true });
 * ```
 */
export async function checkTlsMaterial(
  config: Config,
  source: CertificateSource,
  options: TlsMaterialOptions,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const severity = options.https ? "error" : "warning";
  const unused = options.https ? "" : " (unused while the gateway listens on plain http)";
  const now = options.now ?? Date.now();
  const names: string[] = [];
  let hasDefault = false;
  // An https gateway needs a certificate; validate-tls.ts says so when listen.gateway asks for
  // https, this when the command line does (--listen https://...).
  const certificates = config.tls?.certificates ?? [];
  const fromConfig = config.listen?.gateway !== undefined && isHttpsListen(config.listen.gateway);
  if (options.https && certificates.length === 0 && !fromConfig) {
    problems.push({
      severity: "error",
      code: "TLS_NO_CERTIFICATE",
      path: "tls.certificates",
      reason:
        "the gateway listens on https://: add tls.certificates, a certificate and key per domain (or one with default: true)",
    });
  }

  for (const [i, entry] of certificates.entries()) {
    const at = `tls.certificates[${i}]`;
    if (entry.default === true) hasDefault = true;
    let info: CertificateInfo | undefined;
    try {
      const material = await source.read(entry);
      const inspected = inspectPair(material.cert, material.key, now);
      const findings = inspected.ok ? inspected.pair.findings : inspected.findings;
      for (const f of findings) {
        const field = entry.stored !== undefined ? "stored" : f.field;
        const value = entry.stored ?? (f.field === "cert" ? entry.cert : entry.key);
        problems.push({
          severity: f.severity === "error" ? severity : "warning",
          code: f.code,
          path: `${at}.${field}`,
          value,
          reason: `${f.reason}${f.severity === "error" ? unused : ""}`,
        });
      }
      if (inspected.ok) info = inspected.pair.info;
    } catch (error) {
      if (!(error instanceof CertificateReadError)) throw error;
      const value = error.field === "stored" ? entry.stored : error.field === "cert" ? entry.cert : entry.key;
      problems.push({
        severity,
        code: CODES[error.field] ?? "TLS_CERT_MISSING",
        path: `${at}.${error.field}`,
        value,
        reason: `${error.message}${unused}`,
      });
    }
    if (entry.domains !== undefined) {
      names.push(...entry.domains);
      if (info !== undefined) {
        entry.domains.forEach((domain, j) => {
          if (info.dnsNames.some((n) => n === domain.toLowerCase() || nameCovers(n, domain))) return;
          problems.push({
            severity: "warning",
            code: "LINT_TLS_NAME_MISMATCH",
            path: `${at}.domains[${j}]`,
            value: domain,
            reason: `the certificate does not name ${domain} (it names ${info.dnsNames.join(", ") || "no DNS name"}): browsers will refuse it for that name`,
          });
        });
      }
    } else if (info !== undefined) {
      names.push(...info.dnsNames);
      if (info.dnsNames.length === 0 && entry.default !== true) {
        problems.push({
          severity,
          code: "TLS_NO_NAMES",
          path: at,
          reason: `the certificate names no DNS name (subjectAltName): list its domains, or make it the default${unused}`,
        });
      }
    }
  }

  if (options.https && !hasDefault) {
    (config.groups ?? []).forEach((group, i) => {
      group.domains?.forEach((domain, j) => {
        const host = domain.toLowerCase();
        const covered = names.some((n) => {
          const name = n.toLowerCase();
          return name === host || (!host.startsWith("*.") && nameCovers(name, host));
        });
        if (covered) return;
        problems.push({
          severity: "error",
          code: "TLS_DOMAIN_UNCOVERED",
          path: `groups[${i}].domains[${j}]`,
          value: domain,
          reason: `is served over https, but no certificate in tls.certificates answers ${domain} and none is the default: add one (domains: [${domain}]) or mark one default: true`,
        });
      });
    });
  }

  for (const [i, api] of (config.apis ?? []).entries()) {
    const backend = api.backend;
    if (backend.type !== "http" || backend.tls?.ca === undefined) continue;
    const path = source.path(backend.tls.ca);
    const problem = await caProblem(path);
    if (problem !== null) {
      problems.push({
        severity: "error",
        code: "BACKEND_TLS_CA",
        path: `apis[${i}].backend.tls.ca`,
        value: backend.tls.ca,
        reason: problem,
      });
    }
  }
  return problems;
}

/** Why a CA file cannot be used, or null. */
async function caProblem(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return (error as { code?: string }).code === "ENOENT"
      ? `no file at ${path}`
      : `cannot read ${path}: ${(error as Error).message}`;
  }
  const blocks = pemCertificates(text);
  if (blocks.length === 0) return `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
  for (const [k, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return `certificate ${k + 1} of ${path} does not parse: ${(error as Error).message}`;
    }
  }
  return null;
}
