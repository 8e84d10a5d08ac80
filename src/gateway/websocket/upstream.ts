import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { HttpBackendConfig } from "../../config/schema.js";
import { GatewayError } from "../../errors.js";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  errorCode,
  UNREACHABLE_CODES,
} from "../backends/http.js";

/** The backend's answer to the handshake: it switched protocols, or it answered with an ordinary response. */
export type UpstreamAnswer =
  | {
      readonly kind: "upgraded";
      readonly response: IncomingMessage;
      readonly socket: Duplex;
      /** Bytes the backend sent after its 101 head (its first frames). */
      readonly head: Buffer;
    }
  | { readonly kind: "answered"; readonly response: IncomingMessage };

/** A handshake that got no answer: the error the client gets, and what the log line says besides. */
export class UpstreamFailure extends Error {
  constructor(
    readonly gatewayError: GatewayError,
    /** `unreachable`, `timed out`, `failed`, or `abandoned` (the client went away first). */
    readonly outcome: string,
    readonly detail: string,
  ) {
    super(`WebSocket handshake ${outcome}: ${detail}`);
    this.name = "UpstreamFailure";
  }
}

export interface UpstreamHandshake {
  /** Settles once: the answer, or rejects with an UpstreamFailure. */
  readonly answer: Promise<UpstreamAnswer>;
  /** Gives up (the client went away): the connection is destroyed and `answer` rejects. */
  abort(): void;
}

class HandshakeTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} within ${ms} ms`);
    this.name = "HandshakeTimeout";
  }
}

class ClientGone extends Error {
  constructor() {
    super("the client went away during the handshake");
    this.name = "ClientGone";
  }
}

function failure(error: unknown): UpstreamFailure {
  if (error instanceof HandshakeTimeout) {
    return new UpstreamFailure(new GatewayError("BACKEND_TIMEOUT"), "timed out", error.message);
  }
  if (error instanceof ClientGone) {
    return new UpstreamFailure(new GatewayError("CLIENT_CLOSED_REQUEST"), "abandoned", error.message);
  }
  const code = errorCode(error);
  const detail = `${code ?? "no code"}: ${error instanceof Error ? error.message : String(error)}`;
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new UpstreamFailure(new GatewayError("BACKEND_UNREACHABLE"), "unreachable", detail);
  }
  return new UpstreamFailure(new GatewayError("BACKEND_ERROR"), "failed", detail);
}

/**
 * Sends a WebSocket handshake to an http backend (ws:// for http://, wss:// for https://, certificates
 * verified), on a connection of its own: an upgraded connection is never pooled. `path` is the backend
 * URL's path joined with the request's remainder and query; `headers` the flat list to send (Host
 * included: node:http adds none to a list).
 *
 * Timeouts, as for HTTP requests (docs/backends.md): `connectTimeoutMs` (default 5 s) to connect, and
 * `timeoutMs` (default 30 s; `headersTimeoutMs` when shorter) for the whole handshake; either is a 504.
 */
export function openUpstream(
  backend: HttpBackendConfig,
  path: string,
  headers: readonly string[],
): UpstreamHandshake {
  const url = new URL(backend.url);
  const secure = url.protocol === "https:";
  const connectMs = backend.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const timeoutMs = backend.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const totalMs = Math.min(timeoutMs, backend.headersTimeoutMs ?? timeoutMs);
  const options = {
    host: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    method: "GET",
    path,
    headers: headers as string[],
    agent: false,
    // Certificates are verified for the backend's name, as the http backend does (undici's default).
    ...(secure ? { servername: url.hostname } : {}),
  } as const;
  let request: ClientRequest | undefined;
  let abort: () => void = () => {};
  const answer = new Promise<UpstreamAnswer>((resolve, reject) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (error: unknown, value?: UpstreamAnswer) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (value !== undefined) {
        resolve(value);
        return;
      }
      request?.destroy();
      reject(failure(error));
    };
    abort = () => settle(new ClientGone());
    try {
      request = (secure ? httpsRequest : httpRequest)(options);
    } catch (error) {
      settle(error);
      return;
    }
    timers.push(
      setTimeout(
        () => settle(new HandshakeTimeout("no answer to the WebSocket handshake", totalMs)),
        totalMs,
      ),
    );
    request.once("socket", (socket: Socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => settle(new HandshakeTimeout("could not connect", connectMs)),
        Math.min(connectMs, totalMs),
      );
      timers.push(timer);
      socket.once("connect", () => clearTimeout(timer));
    });
    request.once("upgrade", (response: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settle(undefined, { kind: "upgraded", response, socket, head });
    });
    request.once("response", (response: IncomingMessage) => {
      if (settled) {
        response.destroy();
        return;
      }
      // The refusal's body is relayed as it comes: an idle backend is cut after timeoutMs.
      response.setTimeout(timeoutMs, () =>
        response.destroy(new HandshakeTimeout("no more of the answer's body", timeoutMs)),
      );
      settle(undefined, { kind: "answered", response });
    });
    // After an answer, failures surface on the response or the upgraded socket; this only keeps
    // a late one from being an unhandled 'error' event.
    request.on("error", (error: Error) => settle(error));
    request.end();
  });
  return { answer, abort: () => abort() };
}
