import type { LineSink } from "./line-sink.js";

/** One answered (or abandoned) exchange, as the access log writes it. */
export interface AccessEntry {
  readonly requestId: string;
  readonly method: string | undefined;
  /** The HTTP version (`1.1`, `2.0`). */
  readonly protocol: string | undefined;
  readonly host: string | undefined;
  readonly path: string | undefined;
  readonly origin: string | undefined;
  /** The API's name, or "" when none matched. */
  readonly api: string;
  readonly status: number;
  /** The CORS decision, when there was one. */
  readonly cors:
    | { readonly verdict: string; readonly reason: string; readonly preflight: boolean }
    | undefined;
  readonly durationMs: number;
  readonly upstreamMs: number | undefined;
  /** A WebSocket handshake: whether a tunnel opened, and when it closed who closed it and the bytes each way. */
  readonly websocket?: {
    readonly tunnel: boolean;
    readonly closedBy?: string | undefined;
    readonly bytesFromClient?: number | undefined;
    readonly bytesFromBackend?: number | undefined;
  };
}

/** Whether JSON needs `value` escaped: a quote, a backslash, a control character or a surrogate. */
function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

function jsonString(value: string): string {
  return needsEscape(value) ? JSON.stringify(value) : `"${value}"`;
}

/** A duration with at most three decimals, as `Number(ms.toFixed(3))` prints it. */
function millis(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

let lastMs = -1;
let lastIso = "";
/** The ISO time of now, computed once per millisecond. */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/**
 * The access log (SPEC section 8): one JSON line per exchange, in the shape the process log has (pino's
 * `level`, `time`, `service`, then the bindings), written to a buffered sink. Hot path: the line is one
 * string built from known fields, without pino's generic serialization, and no write waits for the
 * destination (./line-sink.ts).
 */
export class AccessLog {
  readonly #sink: LineSink;
  /** `,"service":"crossgate"` and the bindings (`"worker":2`) before `"log":"access"`. */
  readonly #bindings: string;

  constructor(sink: LineSink, bindings: Readonly<Record<string, string | number>> = {}) {
    this.#sink = sink;
    let text = `,"service":"crossgate"`;
    for (const [k, v] of Object.entries(bindings)) text += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    this.#bindings = `${text},"log":"access"`;
  }

  get sink(): LineSink {
    return this.#sink;
  }

  write(e: AccessEntry): void {
    let line = `{"level":30,"time":"${isoNow()}"${this.#bindings},"requestId":"${e.requestId}"`;
    if (e.method !== undefined) line += `,"method":${jsonString(e.method)}`;
    if (e.protocol !== undefined) line += `,"protocol":${jsonString(e.protocol)}`;
    if (e.host !== undefined) line += `,"host":${jsonString(e.host)}`;
    if (e.path !== undefined) line += `,"path":${jsonString(e.path)}`;
    if (e.origin !== undefined) line += `,"origin":${jsonString(e.origin)}`;
    if (e.api !== "") line += `,"api":${jsonString(e.api)}`;
    line += `,"status":${e.status}`;
    const c = e.cors;
    if (c !== undefined) {
      line += `,"cors":{"verdict":"${c.verdict}","reason":"${c.reason}","preflight":${c.preflight}}`;
    }
    if (e.websocket !== undefined) line += `,"websocket":${JSON.stringify(e.websocket)}`;
    line += `,"durationMs":${millis(e.durationMs)}`;
    if (e.upstreamMs !== undefined) line += `,"upstreamMs":${millis(e.upstreamMs)}`;
    this.#sink.push(`${line},"msg":"request"}\n`);
  }
}
