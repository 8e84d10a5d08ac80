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

/**
 * What a JSON string must escape (a quote, a backslash, a control character), and anything beyond
 * ASCII: every line stays ASCII, so the sink copies it byte for byte (one byte per character, no
 * UTF-8 encoding pass), and no byte of a logged value can pass for a terminal control sequence.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NOT_PLAIN = /[\u0000-\u001f"\\\u007f-\uffff]/;
const BEYOND_ASCII = /[\u007f-\uffff]/g;

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function jsonString(value: string): string {
  if (!NOT_PLAIN.test(value)) return `"${value}"`;
  // JSON.stringify escapes quotes, backslashes, controls and lone surrogates; the rest is made ASCII.
  return JSON.stringify(value).replace(BEYOND_ASCII, unicodeEscape);
}

function websocketJson(w: NonNullable<AccessEntry["websocket"]>): string {
  let text = `{"tunnel":${w.tunnel}`;
  if (w.closedBy !== undefined) text += `,"closedBy":${jsonString(w.closedBy)}`;
  if (w.bytesFromClient !== undefined) text += `,"bytesFromClient":${w.bytesFromClient}`;
  if (w.bytesFromBackend !== undefined) text += `,"bytesFromBackend":${w.bytesFromBackend}`;
  return `${text}}`;
}

/**
 * A duration in milliseconds with at most three decimals: the same number `Math.round(ms * 1000) / 1000`
 * is, printed from integers (printing a fractional double costs several times more).
 */
function millis(ms: number): string {
  const micros = Math.round(ms * 1000);
  if (micros < 0 || micros > 0x3fffffff) return String(micros / 1000);
  const whole = (micros / 1000) | 0;
  const fraction = micros - whole * 1000;
  if (fraction === 0) return String(whole);
  const digits = fraction < 10 ? `00${fraction}` : fraction < 100 ? `0${fraction}` : String(fraction);
  // 0.120 is 0.12: trailing zeros dropped, as String(number) prints it.
  return `${whole}.${digits.charCodeAt(2) !== 48 ? digits : digits.charCodeAt(1) !== 48 ? digits.slice(0, 2) : digits[0]}`;
}

/**
 * The JSON of a value that mostly repeats from one line to the next (the Host, the Origin, the API's
 * name, the method): the last one is remembered, so a repeated value costs a comparison, not a scan.
 */
class JsonMemo {
  #value = "";
  #json = '""';

  of(value: string): string {
    if (value !== this.#value) {
      this.#value = value;
      this.#json = jsonString(value);
    }
    return this.#json;
  }
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
 * ASCII string built from known fields, without pino's generic serialization, and no write waits for
 * the destination (./line-sink.ts). JSON parses it back to the values logged, non-ASCII ones included.
 */
export class AccessLog {
  readonly #sink: LineSink;
  /** `,"service":"crossgate"` and the bindings (`"worker":2`) before `"log":"access"`. */
  readonly #bindings: string;

  constructor(sink: LineSink, bindings: Readonly<Record<string, string | number>> = {}) {
    this.#sink = sink;
    let text = `,"service":"crossgate"`;
    for (const [k, v] of Object.entries(bindings)) {
      text += `,${jsonString(k)}:${typeof v === "number" ? String(v) : jsonString(v)}`;
    }
    this.#bindings = `${text},"log":"access"`;
  }

  get sink(): LineSink {
    return this.#sink;
  }

  readonly #method = new JsonMemo();
  readonly #protocol = new JsonMemo();
  readonly #host = new JsonMemo();
  readonly #origin = new JsonMemo();
  readonly #api = new JsonMemo();

  write(e: AccessEntry): void {
    let line = `{"level":30,"time":"${isoNow()}"${this.#bindings},"requestId":"${e.requestId}"`;
    if (e.method !== undefined) line += `,"method":${this.#method.of(e.method)}`;
    if (e.protocol !== undefined) line += `,"protocol":${this.#protocol.of(e.protocol)}`;
    if (e.host !== undefined) line += `,"host":${this.#host.of(e.host)}`;
    if (e.path !== undefined) line += `,"path":${jsonString(e.path)}`;
    if (e.origin !== undefined) line += `,"origin":${this.#origin.of(e.origin)}`;
    if (e.api !== "") line += `,"api":${this.#api.of(e.api)}`;
    line += `,"status":${e.status}`;
    const c = e.cors;
    if (c !== undefined) {
      line += `,"cors":{"verdict":"${c.verdict}","reason":"${c.reason}","preflight":${c.preflight}}`;
    }
    if (e.websocket !== undefined) line += `,"websocket":${websocketJson(e.websocket)}`;
    line += `,"durationMs":${millis(e.durationMs)}`;
    if (e.upstreamMs !== undefined) line += `,"upstreamMs":${millis(e.upstreamMs)}`;
    this.#sink.push(`${line},"msg":"request"}\n`);
  }
}
