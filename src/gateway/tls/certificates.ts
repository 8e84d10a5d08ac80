import { createHash, randomBytes } from "node:crypto";
import { createSecureContext, type SecureContext } from "node:tls";
import type { TlsCertificateConfig, TlsConfig } from "../../config/schema.js";
import { type CertificateInfo, inspectPair } from "../../config/tls/certificate.js";
import {
  type CertificateMaterial,
  CertificateReadError,
  type CertificateSource,
} from "../../config/tls/sources.js";
import type { Logger } from "../../logger.js";
import { SniTable } from "./sni.js";
import { type FilesWatch, watchFiles } from "./watch.js";

/** A certificate being served: its context, what it is, and the content it was built from. */
interface Served {
  readonly entry: TlsCertificateConfig;
  /** `tls.certificates[i]`, for log lines. */
  readonly where: string;
  readonly identity: string;
  readonly context: SecureContext;
  readonly info: CertificateInfo;
  /** SHA-256 of the PEM text, to tell a changed file from a touched one. */
  readonly digest: string;
  readonly minVersion: string;
  readonly files: readonly string[];
  /** The PEM text, kept for the default certificate only (the listener's context for clients without SNI). */
  readonly pem: { readonly cert: string; readonly key: string } | undefined;
}

export interface TlsCertificatesOptions {
  readonly source: CertificateSource;
  readonly logger: Logger;
  /** Shared by every context, so a session resumes whichever certificate the client was given. */
  readonly ticketKeys?: Buffer;
  /** Called after the table changed (a load or a rotation), e.g. to update metrics. */
  readonly onChange?: (served: readonly { readonly name: string; readonly info: CertificateInfo }[]) => void;
  /** Debounce of file change events (default 200 ms). */
  readonly debounceMs?: number;
  /** A pair that fails after a file change is tried once more after this long (default 1000 ms). */
  readonly retryMs?: number;
}

/** What a load did: the entries that could not be served, with the reason. */
export interface LoadReport {
  readonly failures: readonly { readonly where: string; readonly field: string; readonly reason: string }[];
}

/** How an entry is recognized across configurations: the same files, or the same stored id. */
function identityOf(entry: TlsCertificateConfig, source: CertificateSource): string {
  if (entry.stored !== undefined) return `stored ${entry.stored}`;
  return `files ${entry.cert === undefined ? "" : source.path(entry.cert)} ${entry.key === undefined ? "" : source.path(entry.key)}`;
}

function digestOf(material: CertificateMaterial): string {
  return createHash("sha256").update(material.cert).update("\u0000").update(material.key).digest("hex");
}

/** The label of an entry in metrics and logs: its name, else its position. */
export function certificateLabel(entry: TlsCertificateConfig, index: number): string {
  return entry.name ?? `tls.certificates[${index}]`;
}

/**
 * The certificates of an https listener: loaded from files or the store, chosen by SNI, and
 * rotated without a restart. Files are watched; when one changes, the pair is read and checked
 * again and, if good, its new context serves every new handshake (SNICallback reads the current
 * table), while established connections and HTTP/2 sessions keep theirs. A bad new pair (half
 * written, a key from another issuance) is logged and the previous one keeps serving.
 */
export class TlsCertificates {
  readonly #options: TlsCertificatesOptions;
  readonly #ticketKeys: Buffer;
  #minVersion: "TLSv1.2" | "TLSv1.3" = "TLSv1.2";
  #served: Served[] = [];
  #table = new SniTable<Served>([]);
  #watch: FilesWatch | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** Loads run one after another, so a rotation never interleaves with a configuration change. */
  #queue: Promise<unknown> = Promise.resolve();
  #config: TlsConfig | undefined;
  #closed = false;

  constructor(options: TlsCertificatesOptions) {
    this.#options = options;
    this.#ticketKeys = options.ticketKeys ?? randomBytes(48);
  }

  get ticketKeys(): Buffer {
    return this.#ticketKeys;
  }

  get minVersion(): "TLSv1.2" | "TLSv1.3" {
    return this.#minVersion;
  }

  /** The context for a server name, or the default's; undefined when nothing answers it. */
  contextFor(serverName: string): SecureContext | undefined {
    return this.#table.lookup(serverName)?.context;
  }

  /** The default certificate's context, for clients that send no server name. */
  get defaultContext(): SecureContext | undefined {
    return this.#table.default?.context;
  }

  /** The default certificate and key, for the listener's own context (clients without SNI). */
  get defaultPem(): { readonly cert: string; readonly key: string } | undefined {
    return this.#table.default?.pem;
  }

  /** What is being served, by entry: name (or position) and certificate details. */
  served(): { readonly name: string; readonly where: string; readonly info: CertificateInfo }[] {
    return this.#served.map((s) => ({
      name: certificateLabel(s.entry, Number(/\[(\d+)\]/.exec(s.where)?.[1] ?? 0)),
      where: s.where,
      info: s.info,
    }));
  }

  /**
   * Serves the certificates of `tls` (a new configuration): entries that are unchanged keep their
   * context; new or changed ones are read and checked. An entry that fails keeps its previous
   * context when it had one (same files or stored id), and is left out otherwise; the report lists
   * the failures.
   */
  load(tls: TlsConfig | undefined): Promise<LoadReport> {
    const run = this.#queue.then(() => this.#load(tls, false));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #load(tls: TlsConfig | undefined, rotation: boolean): Promise<LoadReport> {
    if (this.#closed) return { failures: [] };
    const { source, logger } = this.#options;
    this.#config = tls;
    this.#minVersion = tls?.minVersion ?? "TLSv1.2";
    const previous = new Map(this.#served.map((s) => [s.identity, s]));
    const next: Served[] = [];
    const failures: { where: string; field: string; reason: string }[] = [];
    const entries = tls?.certificates ?? [];
    for (const [index, entry] of entries.entries()) {
      const where = `tls.certificates[${index}]`;
      const identity = identityOf(entry, source);
      const before = previous.get(identity);
      try {
        const material = await source.read(entry);
        const digest = digestOf(material);
        const sameRole = (before?.pem !== undefined) === (entry.default === true);
        if (
          before !== undefined &&
          before.digest === digest &&
          before.minVersion === this.#minVersion &&
          sameRole
        ) {
          next.push({ ...before, entry, where });
          continue;
        }
        const inspected = inspectPair(material.cert, material.key);
        if (!inspected.ok) {
          const first = inspected.findings.find((f) => f.severity === "error") ?? inspected.findings[0];
          throw new CertificateReadError(first?.field ?? "cert", first?.reason ?? "is not usable");
        }
        const context = createSecureContext({
          cert: material.cert,
          key: material.key,
          minVersion: this.#minVersion,
          ticketKeys: this.#ticketKeys,
        });
        const served: Served = {
          entry,
          where,
          identity,
          context,
          info: inspected.pair.info,
          digest,
          minVersion: this.#minVersion,
          files: material.files,
          pem: entry.default === true ? { cert: material.cert, key: material.key } : undefined,
        };
        next.push(served);
        if (before !== undefined) {
          logger.info(
            {
              certificate: where,
              subject: served.info.subject,
              serialNumber: served.info.serialNumber,
              notAfter: served.info.notAfter,
              previousSerialNumber: before.info.serialNumber,
            },
            `${where}: new certificate in use for new connections (${rotation ? "file changed" : "configuration changed"})`,
          );
        }
      } catch (error) {
        const field = error instanceof CertificateReadError ? error.field : "cert";
        const reason = error instanceof Error ? error.message : String(error);
        failures.push({ where, field, reason });
        if (before !== undefined) next.push({ ...before, entry, where });
      }
    }
    if (next.length === 0 && this.#served.length > 0) {
      // A listener left without any certificate would refuse every handshake: the configuration
      // (often made on another node of the cluster, one that serves plain http) is not followed here.
      logger.error(
        { certificates: entries.length },
        "the new configuration leaves this https listener without a certificate; the previous ones keep serving",
      );
      return {
        failures: [
          ...failures,
          { where: "tls.certificates", field: "certificates", reason: "no certificate left to serve" },
        ],
      };
    }
    this.#install(next);
    this.#rewatch();
    if (failures.length > 0 && !rotation) {
      for (const f of failures)
        logger.error(
          { certificate: f.where, field: f.field, reason: f.reason },
          `${f.where}.${f.field}: ${f.reason}; ${previous.size > 0 ? "the previous certificate keeps serving" : "not served"}`,
        );
    }
    return { failures };
  }

  #install(served: Served[]): void {
    this.#served = served;
    const entries = served.map((s) => ({ names: s.entry.domains ?? s.info.dnsNames, value: s }));
    const fallback = served.find((s) => s.entry.default === true);
    this.#table = new SniTable(entries, fallback);
    this.#options.onChange?.(this.served());
  }

  /** Watches the files of every served entry, and of entries that failed to load (so a fix is seen). */
  #rewatch(): void {
    this.#watch?.close();
    const { source } = this.#options;
    const files = new Set<string>();
    for (const entry of this.#config?.certificates ?? []) {
      if (entry.cert !== undefined) files.add(source.path(entry.cert));
      if (entry.key !== undefined) files.add(source.path(entry.key));
    }
    this.#watch =
      files.size === 0 || this.#closed
        ? undefined
        : watchFiles([...files], () => this.#rotate(), this.#options.debounceMs ?? 200);
  }

  /** A watched file changed: reload; a failure is retried once (the other file of the pair may follow). */
  #rotate(retried = false): void {
    const run = this.#queue.then(async () => {
      const report = await this.#load(this.#config, true);
      if (report.failures.length === 0 || this.#closed) return;
      if (!retried) {
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.#rotate(true), this.#options.retryMs ?? 1000);
        this.#retry.unref();
        return;
      }
      for (const f of report.failures)
        this.#options.logger.error(
          { certificate: f.where, field: f.field, reason: f.reason },
          `${f.where}.${f.field}: ${f.reason}; the previous certificate keeps serving`,
        );
    });
    this.#queue = run.catch(() => {});
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#watch?.close();
    this.#watch = undefined;
  }
}
