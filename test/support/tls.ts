/**
 * Certificates for tests, made with the `openssl` command (no network, nothing checked in): a test
 * CA per directory, leaf certificates for any names with exact validity dates (expired ones too),
 * and mismatched keys. Everything lives in a temp directory the caller removes.
 */
import { execFileSync } from "node:child_process";
import { createHash, createPublicKey, randomBytes, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Dependency, describeWithDependency, type SuiteFactory } from "./dependency.js";

export function opensslDependency(): Dependency {
  let available = true;
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    available = false;
  }
  return {
    available,
    missingMessage: "the openssl command is not installed: `apt-get install -y openssl`",
  };
}

/** `describe` for suites that make certificates: fails in CI without openssl, skips elsewhere. */
export function describeWithOpenssl(name: string, fn: SuiteFactory): void {
  describeWithDependency(opensslDependency(), name, fn);
}

function openssl(args: readonly string[], cwd?: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** `YYYYMMDDHHMMSSZ`, as `openssl ca -startdate/-enddate` take it. */
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

const DAY = 86_400_000;

export interface IssuedPair {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
  /** Uppercase hex, as X509Certificate.serialNumber gives it. */
  readonly serialNumber: string;
  /** base64 SHA-256 of the public key (SPKI), for Chromium's --ignore-certificate-errors-spki-list. */
  readonly spkiHash: string;
}

export interface LeafOptions {
  /** DNS names (and `IP:` entries) of the subjectAltName. */
  readonly names: readonly string[];
  /** File name stem in the directory (default: the first name, sanitized). */
  readonly file?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Reuse this key file instead of making a new one. */
  readonly keyPath?: string;
  readonly commonName?: string;
}

/** A test CA in its own directory, issuing leaf certificates. */
export class TestCa {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.certPath = join(dir, "ca.crt");
    this.keyPath = join(dir, "ca.key");
    this.cert = "";
  }

  /** Makes a CA (EC P-256, valid a year) in `dir`. */
  static create(dir: string, name = "crossgate test CA"): TestCa {
    const ca = new TestCa(dir);
    mkdirSync(join(dir, "newcerts"), { recursive: true });
    writeFileSync(join(dir, "index.txt"), "");
    writeFileSync(
      join(dir, "ca.cnf"),
      `[ ca ]
default_ca = testca
[ testca ]
dir = ${dir}
database = ${join(dir, "index.txt")}
new_certs_dir = ${join(dir, "newcerts")}
serial = ${join(dir, "serial")}
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
`,
    );
    newKey(ca.keyPath);
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      ca.keyPath,
      "-subj",
      `/CN=${name}`,
      "-days",
      "365",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-out",
      ca.certPath,
    ]);
    (ca as { cert: string }).cert = readFileSync(ca.certPath, "utf8");
    return ca;
  }

  /** Issues a leaf for `names`, valid from yesterday for 90 days unless told otherwise. */
  issue(options: LeafOptions): IssuedPair {
    const stem = options.file ?? (options.names[0] ?? "leaf").replace(/[^A-Za-z0-9.-]/g, "_");
    const keyPath = options.keyPath ?? join(this.dir, `${stem}.key`);
    const certPath = join(this.dir, `${stem}.crt`);
    const csrPath = join(this.dir, `${stem}.csr`);
    const extPath = join(this.dir, `${stem}.ext`);
    if (options.keyPath === undefined) newKey(keyPath);
    const san = options.names.map((n) => (n.startsWith("IP:") ? n : `DNS:${n}`)).join(",");
    writeFileSync(
      extPath,
      `[v3]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${san}
`,
    );
    openssl([
      "req",
      "-new",
      "-key",
      keyPath,
      "-subj",
      `/CN=${options.commonName ?? options.names[0] ?? "leaf"}`,
      "-out",
      csrPath,
    ]);
    writeFileSync(join(this.dir, "serial"), `${randomBytes(8).toString("hex").toUpperCase()}\n`);
    const now = Date.now();
    openssl([
      "ca",
      "-config",
      join(this.dir, "ca.cnf"),
      "-batch",
      "-notext",
      "-cert",
      this.certPath,
      "-keyfile",
      this.keyPath,
      "-in",
      csrPath,
      "-out",
      certPath,
      "-startdate",
      asn1Time(options.notBefore ?? new Date(now - DAY)),
      "-enddate",
      asn1Time(options.notAfter ?? new Date(now + 90 * DAY)),
      "-extfile",
      extPath,
      "-extensions",
      "v3",
    ]);
    return pairAt(certPath, keyPath);
  }
}

/** A new EC P-256 private key in PKCS#8 PEM. */
export function newKey(path: string): void {
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path]);
}

/** Reads an issued pair back. */
export function pairAt(certPath: string, keyPath: string): IssuedPair {
  const cert = readFileSync(certPath, "utf8");
  const x509 = new X509Certificate(cert);
  return {
    certPath,
    keyPath,
    cert,
    key: readFileSync(keyPath, "utf8"),
    serialNumber: x509.serialNumber,
    spkiHash: spkiHash(cert),
  };
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo (DER). */
export function spkiHash(certPem: string): string {
  const der = createPublicKey(certPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64");
}

/** A temp directory for a suite's certificates, and its removal. */
export async function tempDir(prefix = "crossgate-tls-"): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export { DAY };
