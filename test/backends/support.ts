/**
 * Real servers for the backend tests: upstreams on 127.0.0.1 port 0, a gateway built from a
 * configuration object, and a raw HTTP/1.1 client for the fields fetch and undici refuse to send.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { pino } from "pino";
import { expect } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { Snapshot } from "../../src/config/snapshot.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";

/** Closers run in reverse order by `closeAll`, called from afterEach. */
export class Resources {
  readonly #closers: (() => Promise<void>)[] = [];

  add(close: () => Promise<void>): void {
    this.#closers.push(close);
  }

  async closeAll(): Promise<void> {
    while (this.#closers.length > 0) {
      const close = this.#closers.pop() as () => Promise<void>;
      await close();
    }
  }
}

export interface Upstream {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests received so far, in order. */
  readonly requests: IncomingMessage[];
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts an upstream HTTP server on 127.0.0.1, port 0. */
export async function startUpstream(resources: Resources, handler: UpstreamHandler): Promise<Upstream> {
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  resources.add(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests,
  };
}

/** A port nothing listens on: bound once, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function snapshotOf(config: unknown): Snapshot {
  const built = compileConfig(config);
  if (!built.ok) throw new Error(`bad test configuration: ${JSON.stringify(built.problems, null, 2)}`);
  return built.snapshot;
}

const logLines: string[] = [];
/** The gateways' log (pino JSON lines) written by every gateway startWith started in this file. */
export function gatewayLog(): string {
  return logLines
    .map((line) => {
      const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      return `${entry.msg ?? ""} ${entry.err?.message ?? ""}`;
    })
    .join("\n");
}
const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(line) });

/** Builds the configuration and starts a gateway on 127.0.0.1, port 0, logging into gatewayLog(). */
export async function startWith(resources: Resources, config: unknown): Promise<RunningGateway> {
  const running = await startGateway(snapshotOf(config), { host: "127.0.0.1", port: 0 }, { logger });
  resources.add(async () => {
    await running.close();
  });
  return running;
}

export interface RawResponse {
  readonly status: number;
  /** Header lines as sent: [name, value] in order. */
  readonly headerLines: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Sends one raw HTTP/1.1 request (it must carry `Connection: close`) and reads the whole answer. */
export function rawRequest(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.once("error", reject);
    socket.once("end", () => {
      // Interim 100 Continue answers (to Expect: 100-continue) come first; the final answer follows.
      const all = Buffer.concat(chunks)
        .toString("latin1")
        .replace(/^(HTTP\/1\.1 100 [^\r]*\r\n\r\n)+/, "");
      const split = all.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = all.slice(0, split).split("\r\n");
      resolve({
        status: Number((statusLine as string).split(" ")[1]),
        headerLines: lines.map((l) => {
          const colon = l.indexOf(":");
          return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()] as const;
        }),
        body: all.slice(split + 4),
      });
    });
    socket.write(text);
  });
}

/** The JSON error every gateway-made error answers with, checked whole. */
export function expectGatewayError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  code: string,
): void {
  const body = JSON.parse(bodyText) as Record<string, unknown>;
  expect(body.error_code).toBe(code);
  expect(typeof body.error_msg).toBe("string");
  expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
  expect(headers["x-request-id"]).toBe(body.request_id);
  expect(headers["content-type"]).toMatch(/^application\/json/);
  expect(status).toBeGreaterThanOrEqual(400);
}

/** A promise with its resolve function, for handshakes between a test and its servers. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
