/**
 * The certificates and gateways the TLS tests share: a test CA and leaf certificates made with
 * openssl in a temp directory, and https gateways on 127.0.0.1 port 0.
 */
import { type ClientHttp2Session, connect as h2connect } from "node:http2";
import { connect, type PeerCertificate, type TLSSocket } from "node:tls";
import { pino } from "pino";
import { compileConfig } from "../../src/config/compile.js";
import type { Snapshot } from "../../src/config/snapshot.js";
import { type RunningGateway, type StartGatewayOptions, startGateway } from "../../src/gateway/server.js";
import { AccessLog } from "../../src/observability/access-log.js";
import { CallbackSink } from "../../src/observability/line-sink.js";
import type { Resources } from "../backends/support.js";
import { type IssuedPair, TestCa, tempDir } from "../support/tls.js";

export interface TlsFixture {
  readonly dir: string;
  readonly ca: TestCa;
  /** api.test and IP 127.0.0.1. */
  readonly api: IssuedPair;
  /** *.shop.test */
  readonly shop: IssuedPair;
  /** default.test, the default certificate. */
  readonly fallback: IssuedPair;
  remove(): Promise<void>;
}

/** A CA and three leaf certificates in a fresh temp directory. */
export async function tlsFixture(): Promise<TlsFixture> {
  const { dir, remove } = await tempDir();
  const ca = TestCa.create(dir);
  return {
    dir,
    ca,
    api: ca.issue({ names: ["api.test", "IP:127.0.0.1"], file: "api" }),
    shop: ca.issue({ names: ["*.shop.test"], file: "shop" }),
    fallback: ca.issue({ names: ["default.test"], file: "default" }),
    remove,
  };
}

/** The `tls` section serving the fixture's three certificates (absolute paths). */
export function tlsSection(f: TlsFixture, withDefault = true): Record<string, unknown> {
  const certificates: Record<string, unknown>[] = [
    { name: "api", domains: ["api.test"], cert: f.api.certPath, key: f.api.keyPath },
    { name: "shop", domains: ["*.shop.test"], cert: f.shop.certPath, key: f.shop.keyPath },
  ];
  if (withDefault)
    certificates.push({ name: "default", default: true, cert: f.fallback.certPath, key: f.fallback.keyPath });
  return { certificates };
}

export function snapshotOrThrow(config: unknown): Snapshot {
  const built = compileConfig(config);
  if (!built.ok) throw new Error(`bad test configuration: ${JSON.stringify(built.problems, null, 2)}`);
  return built.snapshot;
}

export const logLines: Record<string, unknown>[] = [];
const lineSink = { write: (line: string) => logLines.push(JSON.parse(line)) };
export const testLogger = pino({ level: "debug" }, lineSink);
/** Access log lines go to `logLines` too, as the process's stdout holds both. */
const testAccessLog = new AccessLog(new CallbackSink((line) => lineSink.write(line)));

/** An https gateway on 127.0.0.1 port 0 for `config`, closed by `resources`. */
export async function startHttps(
  resources: Resources,
  config: unknown,
  options: StartGatewayOptions = {},
): Promise<RunningGateway> {
  const running = await startGateway(
    snapshotOrThrow(config),
    { host: "127.0.0.1", port: 0, secure: true },
    { logger: testLogger, accessLog: testAccessLog, ...options },
  );
  resources.add(async () => {
    await running.close(1000);
  });
  return running;
}

export interface Handshake {
  readonly alpn: string | false;
  readonly protocol: string | null;
  readonly serialNumber: string | undefined;
  readonly subject: string | undefined;
  readonly authorized: boolean;
}

/** Opens a TLS connection as a client would, reads what the server chose, and closes it. */
export function handshake(
  port: number,
  options: {
    readonly serverName?: string;
    readonly ca?: string;
    readonly alpn?: string[];
    readonly minVersion?: "TLSv1.2" | "TLSv1.3";
    readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
  } = {},
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: "127.0.0.1",
      port,
      ...(options.serverName === undefined ? {} : { servername: options.serverName }),
      ALPNProtocols: options.alpn ?? ["h2", "http/1.1"],
      rejectUnauthorized: false,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
      ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
    });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate() as PeerCertificate | undefined;
      resolve({
        alpn: socket.alpnProtocol ?? false,
        protocol: socket.getProtocol(),
        serialNumber: cert?.serialNumber?.toUpperCase(),
        subject: cert?.subject?.CN === undefined ? undefined : String(cert.subject.CN),
        authorized: socket.authorized,
      });
      socket.destroy();
    });
    socket.once("error", (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** An HTTP/2 session to `url`, resolved once the server's SETTINGS arrived: its limits are known then. */
export function openSession(url: string, ca: string, serverName = "api.test"): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = h2connect(url, { ca, servername: serverName });
    session.once("remoteSettings", () => resolve(session));
    session.once("error", reject);
  });
}
