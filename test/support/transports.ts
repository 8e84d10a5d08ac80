/**
 * One client interface over the three ways a browser reaches the gateway: plain HTTP/1.1, HTTP/1.1
 * over TLS, and HTTP/2 over TLS (ALPN h2). A `host` header is sent as a browser would: as Host on
 * HTTP/1.1, as `:authority` on HTTP/2, and as the TLS server name (SNI) on both TLS transports.
 * Tests written against `Transport` run unchanged on each (test/tls/*).
 */
import { request as httpRequest } from "node:http";
import { type ClientHttp2Session, constants, connect as h2connect } from "node:http2";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { hostName } from "../../src/routing/hosts.js";
import type { TestResponse } from "./gateway.js";

export interface TransportResponse extends TestResponse {
  /** `1.1` or `2.0`, as the response came. */
  readonly httpVersion: string;
  /** Trailer fields, lowercase names. */
  readonly trailers: Readonly<Record<string, string | string[]>>;
}

export interface Transport {
  readonly name: "HTTP/1.1" | "HTTPS/1.1" | "HTTP/2";
  readonly secure: boolean;
  send(
    base: string,
    method: string,
    path: string,
    headers?: Record<string, string | string[]>,
    body?: string,
  ): Promise<TransportResponse>;
  /** Closes the connections it keeps (HTTP/2 sessions). */
  close(): Promise<void>;
}

export interface TlsClientOptions {
  /** PEM of the CA the client trusts. */
  readonly ca: string;
  /** The server name (SNI) and Host when the request names none (default: the URL's host). */
  readonly defaultHost?: string;
}

/** The TLS server name for a Host: its name, or none for an address (SNI carries no addresses). */
function serverNameOf(host: string): string | undefined {
  const name = hostName(host).replace(/^\[(.*)\]$/, "$1");
  return isIP(name) === 0 ? name : undefined;
}

function collect(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString("utf8");
}

/** Plain HTTP/1.1 (node:http), as test/support/gateway.ts's send. */
export function http1(): Transport {
  return {
    name: "HTTP/1.1",
    secure: false,
    send(base, method, path, headers = {}, body) {
      const url = new URL(path, base);
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method,
            path: `${url.pathname}${url.search}`,
            headers,
            agent: false,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                statusMessage: res.statusMessage ?? "",
                headers: res.headers,
                rawHeaders: res.rawHeaders,
                body: collect(chunks),
                httpVersion: res.httpVersion,
                trailers: res.trailers as Record<string, string>,
              }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
    },
    async close() {},
  };
}

/** HTTP/1.1 over TLS (node:https, ALPN http/1.1), trusting `ca`. */
export function https1(options: TlsClientOptions): Transport {
  return {
    name: "HTTPS/1.1",
    secure: true,
    send(base, method, path, headers = {}, body) {
      const url = new URL(path, base);
      const host = typeof headers.host === "string" ? headers.host : (options.defaultHost ?? url.host);
      const servername = serverNameOf(host);
      return new Promise((resolve, reject) => {
        const req = httpsRequest(
          {
            host: url.hostname,
            port: url.port,
            method,
            path: `${url.pathname}${url.search}`,
            headers: { host, ...headers },
            agent: false,
            ca: options.ca,
            ...(servername === undefined ? {} : { servername }),
            ALPNProtocols: ["http/1.1"],
          } as import("node:https").RequestOptions,
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                statusMessage: res.statusMessage ?? "",
                headers: res.headers,
                rawHeaders: res.rawHeaders,
                body: collect(chunks),
                httpVersion: res.httpVersion,
                trailers: res.trailers as Record<string, string>,
              }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
    },
    async close() {},
  };
}

/** Headers that describe an HTTP/1.1 connection: a browser never sends them over HTTP/2. */
const H1_ONLY = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
]);

/**
 * HTTP/2 over TLS (node:http2), one session per server name and port, trusting `ca`. A `host`
 * header becomes `:authority` (and the SNI name), as browsers send it.
 */
export function http2(options: TlsClientOptions): Transport {
  const sessions = new Map<string, ClientHttp2Session>();
  const sessionFor = (base: URL, name: string | undefined): ClientHttp2Session => {
    const key = `${name ?? ""} ${base.host}`;
    const existing = sessions.get(key);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const session = h2connect(`https://${base.host}`, {
      ca: options.ca,
      ...(name === undefined ? {} : { servername: name }),
    });
    session.on("error", () => {});
    sessions.set(key, session);
    return session;
  };
  return {
    name: "HTTP/2",
    secure: true,
    send(base, method, path, headers = {}, body) {
      const url = new URL(path, base);
      const host = typeof headers.host === "string" ? headers.host : (options.defaultHost ?? url.host);
      const session = sessionFor(url, serverNameOf(host));
      const outgoing: Record<string, string | string[]> = {
        ":method": method,
        ":path": `${url.pathname}${url.search}`,
        ":authority": host,
      };
      for (const [name, value] of Object.entries(headers)) {
        if (!H1_ONLY.has(name.toLowerCase())) outgoing[name.toLowerCase()] = value;
      }
      return new Promise((resolve, reject) => {
        const stream = session.request(outgoing, { endStream: body === undefined });
        const chunks: Buffer[] = [];
        let status = 0;
        let responseHeaders: Record<string, string | string[] | undefined> = {};
        let raw: string[] = [];
        const trailers: Record<string, string | string[]> = {};
        stream.on(
          "response",
          (h: import("node:http2").IncomingHttpHeaders, _flags: number, rawHeaders?: string[]) => {
            status = Number(h[":status"]);
            const { ":status": _status, ...rest } = h;
            responseHeaders = rest as Record<string, string | string[] | undefined>;
            raw = [];
            const flat = rawHeaders ?? [];
            for (let i = 0; i < flat.length; i += 2)
              if (!(flat[i] as string).startsWith(":")) raw.push(flat[i] as string, flat[i + 1] as string);
          },
        );
        stream.on("trailers", (t) => {
          for (const [k, v] of Object.entries(t)) if (v !== undefined) trailers[k] = v as string | string[];
        });
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () =>
          resolve({
            status,
            statusMessage: "",
            headers: responseHeaders,
            rawHeaders: raw,
            body: collect(chunks),
            httpVersion: "2.0",
            trailers,
          }),
        );
        stream.on("error", reject);
        stream.on("close", () => {
          if (stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR && status === 0)
            reject(new Error(`stream reset with code ${stream.rstCode}`));
        });
        if (body !== undefined) stream.end(body);
      });
    },
    async close() {
      await Promise.all(
        [...sessions.values()].map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.closed || s.destroyed) return resolve();
              s.close(() => resolve());
            }),
        ),
      );
      sessions.clear();
    },
  };
}
