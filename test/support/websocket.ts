/**
 * Real WebSocket endpoints for tests, over loopback: a minimal RFC 6455 frame codec, an echo backend on
 * node:http's `upgrade` event, and a raw client that sends exactly the handshake a test writes (Origin,
 * repeated fields, bad keys) and reads exactly what comes back.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Sec-WebSocket-Accept for a key (RFC 6455 section 4.2.2, step 5.4). */
export function acceptFor(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
export function newKey(): string {
  return randomBytes(16).toString("base64");
}

/** One frame; clients mask (RFC 6455 section 5.3), servers do not. */
export function encodeFrame(opcode: number, payload: Buffer, masked: boolean, fin = true): Buffer {
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + extra + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | opcode;
  head[1] = (masked ? 0x80 : 0) | (length < 126 ? length : length < 65536 ? 126 : 127);
  if (extra === 2) head.writeUInt16BE(length, 2);
  else if (extra === 8) head.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  mask.copy(head, 2 + extra);
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([head, body]);
}

/** A close frame's payload: the status code, then the reason. */
export function closePayload(code: number, reason = ""): Buffer {
  const out = Buffer.alloc(2 + Buffer.byteLength(reason));
  out.writeUInt16BE(code, 0);
  out.write(reason, 2);
  return out;
}

/** Reassembles frames from the bytes of a connection, whatever the chunking. */
export class FrameReader {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) break;
      const masked = ((b[1] as number) & 0x80) !== 0;
      let length = (b[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (b.length < offset + length) break;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (masked)
        for (let i = 0; i < length; i++)
          payload[i] = (payload[i] as number) ^ (b[maskAt + (i % 4)] as number);
      frames.push({ fin: ((b[0] as number) & 0x80) !== 0, opcode: (b[0] as number) & 0x0f, payload });
      this.#buffer = b.subarray(offset + length);
    }
    return frames;
  }
}

/** What the echo backend saw of one connection. */
export interface BackendConnection {
  readonly request: IncomingMessage;
  /** Messages received, in order (text as strings). */
  readonly received: string[];
  /** The close frame's code, when the client sent one. */
  closeCode: number | undefined;
  /** The TCP connection closed. */
  closed: boolean;
  /** The gateway half-closed the connection (FIN) before it closed. */
  ended: boolean;
  /** The connection was reset (ECONNRESET), not closed. */
  reset: boolean;
  readonly socket: Duplex;
}

export interface EchoBackendOptions {
  /** Answer handshakes with this status and body instead of 101. */
  readonly refuse?: {
    readonly status: number;
    readonly body: string;
    readonly headers?: Record<string, string>;
  };
  /** Never answer handshakes (timeouts). */
  readonly hang?: boolean;
  /** Send this text message right after the 101, in the same write (the backend speaks first). */
  readonly greeting?: string;
  /** Choose this subprotocol when the client offers it. */
  readonly protocol?: string;
  /** Choose this subprotocol whatever the client offers (a faulty backend). */
  readonly forceProtocol?: string;
  /** Answer this Sec-WebSocket-Extensions field. */
  readonly extensions?: string;
  /** Answer a Sec-WebSocket-Accept computed from another key (a faulty backend). */
  readonly wrongAccept?: boolean;
  /** More fields in the 101, as sent. */
  readonly headers?: Record<string, string>;
}

export interface EchoBackend {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Every handshake received (refused or not), in order. */
  readonly connections: BackendConnection[];
  /** TCP connections accepted so far, handshake or not. */
  tcpConnections(): number;
  /** Waits until `predicate` holds (polled), failing after `ms`. */
  waitFor(predicate: () => boolean, what: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Waits until `predicate` holds, checked every 10 ms, for at most `ms`. */
export async function waitFor(predicate: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A WebSocket echo server on 127.0.0.1, port 0: each text or binary message comes back as it came, a
 * close frame is answered with one and the connection ended, a ping with a pong. A plain request is
 * answered with a JSON description of it (method, url, Upgrade, body).
 */
export async function startEchoBackend(options: EchoBackendOptions = {}): Promise<EchoBackend> {
  const connections: BackendConnection[] = [];
  const sockets = new Set<Duplex>();
  let tcp = 0;
  // Plain requests are described back, for tests of requests that offer another protocol.
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          upgrade: req.headers.upgrade ?? null,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
  });
  server.on("connection", (socket: Socket) => {
    tcp++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    const connection: BackendConnection = {
      request,
      received: [],
      closeCode: undefined,
      closed: false,
      ended: false,
      reset: false,
      socket,
    };
    socket.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ECONNRESET") connection.reset = true;
    });
    connections.push(connection);
    socket.once("close", () => {
      connection.closed = true;
      sockets.delete(socket);
    });
    // node:http leaves upgraded connections half-open on a FIN; a WebSocket server closes its side too.
    socket.once("end", () => {
      connection.ended = true;
      socket.end();
    });
    if (options.hang) return;
    if (options.refuse) {
      const { status, body, headers = {} } = options.refuse;
      const lines = [
        `HTTP/1.1 ${status} Refused`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        "Connection: close",
      ];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
      return;
    }
    const key = request.headers["sec-websocket-key"] ?? "";
    const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    const lines = [
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${acceptFor(options.wrongAccept === true ? newKey() : key)}`,
      "X-Backend: echo",
    ];
    if (options.protocol !== undefined && offered.includes(options.protocol)) {
      lines.push(`Sec-WebSocket-Protocol: ${options.protocol}`);
    }
    if (options.forceProtocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${options.forceProtocol}`);
    if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
    const greeting =
      options.greeting === undefined
        ? Buffer.alloc(0)
        : encodeFrame(OPCODE.text, Buffer.from(options.greeting), false);
    socket.write(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), greeting]));
    const reader = new FrameReader();
    const onData = (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        if (frame.opcode === OPCODE.text || frame.opcode === OPCODE.binary) {
          connection.received.push(frame.payload.toString("utf8"));
          socket.write(encodeFrame(frame.opcode, frame.payload, false));
        } else if (frame.opcode === OPCODE.ping) {
          socket.write(encodeFrame(OPCODE.pong, frame.payload, false));
        } else if (frame.opcode === OPCODE.close) {
          connection.closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          socket.end(encodeFrame(OPCODE.close, frame.payload.subarray(0, 2), false));
        }
      }
    };
    if (head.length > 0) onData(head);
    socket.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    connections,
    tcpConnections: () => tcp,
    waitFor: (predicate, what, ms) => waitFor(predicate, what, ms),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The answer to a handshake, as the client read it. */
export interface HandshakeAnswer {
  readonly status: number;
  /** Header lines as received, names lowercase. */
  readonly headers: ReadonlyMap<string, string[]>;
  /** For a refusal: the body, read until the gateway closed the connection. */
  readonly body: string;
  /** For a 101: the open connection. */
  readonly ws: WsClient | undefined;
}

/** A client connection after its 101 (or an HTTP/2 stream after its 200): masked frames out, frames in. */
export class WsClient {
  readonly #socket: Duplex;
  readonly #reader = new FrameReader();
  readonly #messages: string[] = [];
  readonly #waiters: ((message: string) => void)[] = [];
  closeFrame: Frame | undefined;
  /** Resolves when the TCP connection is closed. */
  readonly closed: Promise<void>;

  constructor(socket: Duplex, rest: Buffer) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => this.#take(chunk));
    if (rest.length > 0) this.#take(rest);
  }

  #take(chunk: Buffer): void {
    for (const frame of this.#reader.push(chunk)) {
      if (frame.opcode === OPCODE.close) {
        this.closeFrame = frame;
        continue;
      }
      const message = frame.payload.toString("utf8");
      const waiter = this.#waiters.shift();
      if (waiter) waiter(message);
      else this.#messages.push(message);
    }
  }

  send(text: string, opcode: number = OPCODE.text): void {
    this.#socket.write(encodeFrame(opcode, Buffer.from(text), true));
  }

  /** Writes raw bytes (partial frames, several frames in one write). */
  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** The next message, failing after `ms`. */
  next(ms = 5_000): Promise<string> {
    const queued = this.#messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
      this.#waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  /** Sends a close frame (the closing handshake starts; the backend answers and ends). */
  close(code = 1000): void {
    this.#socket.write(encodeFrame(OPCODE.close, closePayload(code), true));
  }

  /** Drops the TCP connection without a closing handshake. */
  destroy(): void {
    this.#socket.destroy();
  }
}

/**
 * Opens a TCP connection to `port` and sends a WebSocket handshake for `path` with exactly `headers`
 * (plus Host, Upgrade, Connection, Sec-WebSocket-Version and -Key unless given; a null value leaves a
 * field out), then `early` (frames sent before the answer). Resolves with the 101 and an open client, or
 * with the refusal read to its end.
 */
export function handshake(
  port: number,
  path: string,
  headers: Record<string, string | string[] | null> = {},
  options: {
    readonly method?: string;
    readonly version?: string;
    readonly early?: Buffer;
    /** Over TLS (HTTP/1.1 by ALPN), trusting `ca`, with SNI `servername`. */
    readonly tls?: { readonly ca: string; readonly servername: string };
  } = {},
): Promise<HandshakeAnswer> {
  const { method = "GET", version = "1.1", early } = options;
  const fields: Record<string, string | string[] | null> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": newKey(),
    ...headers,
  };
  let text = `${method} ${path} HTTP/${version}\r\n`;
  for (const [name, value] of Object.entries(fields)) {
    if (value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) text += `${name}: ${one}\r\n`;
  }
  text += "\r\n";
  return new Promise((resolve, reject) => {
    const socket =
      options.tls === undefined
        ? connect(port, "127.0.0.1")
        : tlsConnect({ port, host: "127.0.0.1", ...options.tls, ALPNProtocols: ["http/1.1"] });
    let buffer = Buffer.alloc(0);
    let status = 0;
    let parsedHeaders: Map<string, string[]> | undefined;
    let bodyStart = 0;
    const fail = (error: Error) => reject(error);
    socket.once("error", fail);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (parsedHeaders !== undefined) return;
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = buffer.subarray(0, end).toString("latin1").split("\r\n");
      status = Number((lines[0] as string).split(" ")[1]);
      parsedHeaders = new Map();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        const name = line.slice(0, colon).trim().toLowerCase();
        const list = parsedHeaders.get(name) ?? [];
        list.push(line.slice(colon + 1).trim());
        parsedHeaders.set(name, list);
      }
      bodyStart = end + 4;
      if (status === 101) {
        socket.off("data", onData);
        socket.off("error", fail);
        socket.on("error", () => {});
        const ws = new WsClient(socket, buffer.subarray(bodyStart));
        resolve({ status, headers: parsedHeaders, body: "", ws });
      }
    };
    socket.on("data", onData);
    socket.once("close", () => {
      if (status === 101) return;
      if (parsedHeaders === undefined) {
        reject(new Error(`connection closed before an answer: ${JSON.stringify(buffer.toString("latin1"))}`));
        return;
      }
      resolve({
        status,
        headers: parsedHeaders,
        body: decodeBody(buffer.subarray(bodyStart), parsedHeaders),
        ws: undefined,
      });
    });
    socket.write(early === undefined ? text : Buffer.concat([Buffer.from(text, "latin1"), early]));
  });
}

/** A response body as sent: Content-Length, chunked, or up to the close. */
function decodeBody(raw: Buffer, headers: ReadonlyMap<string, string[]>): string {
  if (headers.get("transfer-encoding")?.[0]?.toLowerCase() === "chunked") {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = raw.indexOf("\r\n", at);
      if (lineEnd < 0) break;
      const size = Number.parseInt(raw.subarray(at, lineEnd).toString("latin1"), 16);
      if (!(size > 0)) break;
      parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    return Buffer.concat(parts).toString("utf8");
  }
  const length = headers.get("content-length")?.[0];
  return (length === undefined ? raw : raw.subarray(0, Number(length))).toString("utf8");
}
