import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import type { ProblemCode } from "../../problems.js";

/** What the gateway, lint and the admin API tell about a certificate: never the key, never the PEM. */
export interface CertificateInfo {
  /** The leaf's subject, e.g. `CN=api.shop.test`. */
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  /** DNS names of the subjectAltName extension, lowercase, in the certificate's order. */
  readonly dnsNames: readonly string[];
  /** IP addresses of the subjectAltName extension. */
  readonly ipAddresses: readonly string[];
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** SHA-256 of the leaf certificate (DER), colon-separated uppercase hex, as browsers and openssl show it. */
  readonly fingerprint256: string;
  /** Certificates in the file: the leaf and its intermediates. */
  readonly chainLength: number;
}

/** One finding about a certificate/key pair; `field` says which of the two it is about. */
export interface PemFinding {
  readonly severity: "error" | "warning";
  readonly code: ProblemCode;
  readonly field: "cert" | "key";
  readonly reason: string;
}

/** A certificate chain and key that passed inspection, ready for a TLS context. */
export interface InspectedPair {
  readonly info: CertificateInfo;
  readonly findings: readonly PemFinding[];
  /** Null when an error was found: such a pair is never served. */
  readonly usable: boolean;
}

/** Warn this long before a certificate expires (SPEC: `crossgate lint` warns within 14 days). */
export const EXPIRY_WARNING_MS = 14 * 24 * 60 * 60 * 1000;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificate blocks of a file, in order. */
export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERTIFICATE) ?? [];
}

/**
 * Splits `subjectAltName` as node:crypto prints it (`DNS:a.test, IP Address:127.0.0.1`). Values that
 * contain a comma are printed quoted as JSON strings by Node 20; DNS names and addresses never do.
 */
function altNames(x509: X509Certificate): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const item of (x509.subjectAltName ?? "").split(", ")) {
    if (item.startsWith("DNS:")) dns.push(item.slice(4).toLowerCase());
    else if (item.startsWith("IP Address:")) ip.push(item.slice(11));
  }
  return { dns, ip };
}

function isoDate(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

function describe(leaf: X509Certificate, chainLength: number): CertificateInfo {
  const { dns, ip } = altNames(leaf);
  return {
    subject: leaf.subject.replace(/\n/g, ", "),
    issuer: leaf.issuer.replace(/\n/g, ", "),
    serialNumber: leaf.serialNumber,
    dnsNames: dns,
    ipAddresses: ip,
    notBefore: isoDate(leaf.validFrom),
    notAfter: isoDate(leaf.validTo),
    fingerprint256: leaf.fingerprint256,
    chainLength,
  };
}

/** The first line of an OpenSSL error, without Node's prefix. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

export type Inspection =
  | { readonly ok: true; readonly pair: InspectedPair }
  | { readonly ok: false; readonly findings: readonly PemFinding[] };

/**
 * Checks a certificate chain and its key as the TLS listener would use them, at `now`:
 * the chain parses, the key parses and is not encrypted, the key belongs to the leaf, the leaf
 * has not expired (an error) or expires within 14 days or is not yet valid (warnings), and each
 * following certificate issued the one before it (a warning: some clients cope).
 *
 * ```ts
 * const r = inspectPair(readFileSync("shop.crt", "utf8"), readFileSync("shop.key", "utf8"));
 * if (r.ok) console.log(r.pair.info.notAfter, r.pair.info.dnsNames);
 * ```
 */
export function inspectPair(certPem: string, keyPem: string, now = Date.now()): Inspection {
  const findings: PemFinding[] = [];
  const error = (field: PemFinding["field"], code: ProblemCode, reason: string) =>
    findings.push({ severity: "error", code, field, reason });
  const warning = (field: PemFinding["field"], code: ProblemCode, reason: string) =>
    findings.push({ severity: "warning", code, field, reason });

  const blocks = pemCertificates(certPem);
  const chain: X509Certificate[] = [];
  if (blocks.length === 0) {
    error(
      "cert",
      "TLS_CERT_INVALID",
      "holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the certificate, then its intermediates",
    );
  }
  blocks.forEach((block, i) => {
    try {
      chain.push(new X509Certificate(block));
    } catch (e) {
      error("cert", "TLS_CERT_INVALID", `certificate ${i + 1} of the file does not parse: ${reasonOf(e)}`);
    }
  });

  let key: KeyObject | undefined;
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyPem)) {
    error(
      "key",
      "TLS_KEY_INVALID",
      "is encrypted with a passphrase: give the unencrypted key (`openssl pkey -in KEY -out PLAIN`) and protect the file by its permissions",
    );
  } else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) {
    error("key", "TLS_KEY_INVALID", "holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  } else {
    try {
      key = createPrivateKey(keyPem);
    } catch (e) {
      error("key", "TLS_KEY_INVALID", `the private key does not parse: ${reasonOf(e)}`);
    }
  }

  const leaf = chain[0];
  if (leaf === undefined || findings.some((f) => f.severity === "error" && f.field === "cert")) {
    return { ok: false, findings };
  }
  if (key !== undefined && !leaf.checkPrivateKey(key)) {
    error(
      "key",
      "TLS_KEY_MISMATCH",
      `is not the key of the certificate ${leaf.subject.replace(/\n/g, ", ")} (serial ${leaf.serialNumber}): the pair must be from the same issuance`,
    );
  }
  const notAfter = Date.parse(leaf.validTo);
  const notBefore = Date.parse(leaf.validFrom);
  if (notAfter <= now) {
    error("cert", "TLS_CERT_EXPIRED", `expired on ${isoDate(leaf.validTo)}: renew it`);
  } else if (notAfter - now < EXPIRY_WARNING_MS) {
    const days = Math.floor((notAfter - now) / 86_400_000);
    warning(
      "cert",
      "LINT_TLS_EXPIRES_SOON",
      `expires on ${isoDate(leaf.validTo)}, in ${days} day${days === 1 ? "" : "s"}: renew it (a replaced file is picked up without a restart)`,
    );
  }
  if (notBefore > now) {
    warning("cert", "LINT_TLS_NOT_YET_VALID", `is not valid before ${isoDate(leaf.validFrom)}`);
  }
  for (let i = 1; i < chain.length; i++) {
    const child = chain[i - 1] as X509Certificate;
    const parent = chain[i] as X509Certificate;
    if (!child.checkIssued(parent)) {
      warning(
        "cert",
        "LINT_TLS_CHAIN_ORDER",
        `certificate ${i + 1} of the file did not issue certificate ${i}: list the leaf first, then each issuer`,
      );
      break;
    }
  }
  const usable = !findings.some((f) => f.severity === "error");
  const pair: InspectedPair = { info: describe(leaf, chain.length), findings, usable };
  return usable ? { ok: true, pair } : { ok: false, findings };
}

/**
 * The store's id of a certificate and key as uploaded: `sha256:` and the hex SHA-256 of the chain
 * and the key, normalized (PEM blocks only, LF line ends), so that the same upload gets the same id
 * and anything different (a fixed chain, a new key) gets a new one.
 */
export function storedId(certPem: string, keyPem: string): string {
  return `sha256:${createHash("sha256").update(normalizePem(certPem)).update("\n").update(normalizePem(keyPem)).digest("hex")}`;
}

/** PEM blocks only, LF line ends, one trailing newline: what is stored and served. */
export function normalizePem(text: string): string {
  const blocks =
    text.replace(/\r\n?/g, "\n").match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g) ?? [];
  return `${blocks.map((b) => b.trim()).join("\n")}\n`;
}

/**
 * Whether a certificate name covers a host name: exact (case-insensitive), or `*.example.com`
 * covering exactly one more label (RFC 6125 section 6.4.3: `a.example.com`, not `a.b.example.com`
 * nor `example.com`).
 */
export function nameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith("*.")) return p === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}
