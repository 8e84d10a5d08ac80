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
 * ASCII: every line stays ASCII, so the sink writes it as latin1, byte for byte (one byte per
 * character, no UTF-8 encoding pass), and no byte of a logged value can pass for a terminal control sequence.
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
 * The fields of a line that mostly repeat from one line to the next, as one piece of JSON text: the
 * request's method, protocol and Host; its Origin, API, status and CORS decision. The last values are
 * remembered with their text, so that a repeated run costs comparisons, not a scan and a dozen
 * concatenations.
 */
class RequestFields {
  #method: string | undefined = undefined;
  #protocol: string | undefined = undefined;
  #host: string | undefined = undefined;
  #text = "";

  /** `,"method":…,"protocol":…,"host":…`, each when given. */
  of(method: string | undefined, protocol: string | undefined, host: string | undefined): string {
    if (method !== this.#method || protocol !== this.#protocol || host !== this.#host) {
      this.#method = method;
      this.#protocol = protocol;
      this.#host = host;
      let text = "";
      if (method !== undefined) text += `,"method":${jsonString(method)}`;
      if (protocol !== undefined) text += `,"protocol":${jsonString(protocol)}`;
      if (host !== undefined) text += `,"host":${jsonString(host)}`;
      this.#text = text;
    }
    return this.#text;
  }
}

class OutcomeFields {
  #origin: string | undefined = undefined;
  #api = "";
  #status = -1;
  #verdict: string | undefined = undefined;
  #reason: string | undefined = undefined;
  #preflight: boolean | undefined = undefined;
  #text = "";

  /** `,"origin":…,"api":…,"status":…,"cors":{…}`, each when given. */
  of(origin: string | undefined, api: string, status: number, cors: AccessEntry["cors"]): string {
    const verdict = cors?.verdict;
    const reason = cors?.reason;
    const preflight = cors?.preflight;
    if (
      origin !== this.#origin ||
      api !== this.#api ||
      status !== this.#status ||
      verdict !== this.#verdict ||
      reason !== this.#reason ||
      preflight !== this.#preflight
    ) {
      this.#origin = origin;
      this.#api = api;
      this.#status = status;
      this.#verdict = verdict;
      this.#reason = reason;
      this.#preflight = preflight;
      let text = "";
      if (origin !== undefined) text += `,"origin":${jsonString(origin)}`;
      if (api !== "") text += `,"api":${jsonString(api)}`;
      text += `,"status":${status}`;
      if (cors !== undefined) {
        text += `,"cors":{"verdict":${jsonString(cors.verdict)},"reason":${jsonString(cors.reason)},"preflight":${cors.preflight}}`;
      }
      this.#text = text;
    }
    return this.#text;
  }
}

/** Entries held at most before their lines are built, however busy the event loop's turn. */
const MAX_HELD = 64;

/**
 * The access log (SPEC section 8): one JSON line per exchange, in the shape the process log has (pino's
 * `level`, `time`, `service`, then the bindings), written to a buffered sink. Hot path: the line is one
 * ASCII string built from known fields, without pino's generic serialization, and no write waits for
 * the destination (./line-sink.ts). JSON parses it back to the values logged, non-ASCII ones included.
 *
 * `write` only notes the entry and its time; the lines of the entries noted during one turn of the
 * event loop (up to MAX_HELD) are built together at the end of it (`setImmediate`), one after the
 * other. Built one per request, between the request's own steps, the lines cost the server 3-7% more
 * throughput in paired rounds (docs/benchmarks.md, the access log's change 8), for the same work:
 * done in a run, it finds its code and the remembered fields still in the caches. A line waits no
 * longer than the end of the turn in which its exchange ended, and `drain` and `flushSync` build
 * what is held first.
 */
export class AccessLog {
  readonly #sink: LineSink;
  /** `,"service":"crossgate"`, the bindings (`"worker":2`), `"log":"access"` and the `,"requestId":"` that follows. */
  readonly #bindings: string;
  readonly #request = new RequestFields();
  readonly #outcome = new OutcomeFields();
  /** The line up to the request id, made once per millisecond: its time changes no oftener. */
  #prefix = "";
  #prefixMs = -1;
  /** Entries whose lines are not built yet, and the line prefix (its time) of each. */
  #held: AccessEntry[] = [];
  #heldPrefixes: string[] = [];
  #buildScheduled = false;
  readonly #buildHeld = (): void => {
    this.#buildScheduled = false;
    this.flush();
  };

  constructor(sink: LineSink, bindings: Readonly<Record<string, string | number>> = {}) {
    this.#sink = sink;
    let text = `,"service":"crossgate"`;
    for (const [k, v] of Object.entries(bindings)) {
      text += `,${jsonString(k)}:${typeof v === "number" ? String(v) : jsonString(v)}`;
    }
    this.#bindings = `${text},"log":"access","requestId":"`;
  }

  #prefixNow(): string {
    const now = Date.now();
    if (now !== this.#prefixMs) {
      this.#prefixMs = now;
      this.#prefix = `{"level":30,"time":"${new Date(now).toISOString()}"${this.#bindings}`;
    }
    return this.#prefix;
  }

  /**
   * Logs an exchange that ended now: its line is built by the end of this turn of the event loop, from
   * `e` as it is then (the caller hands it over; the gateway makes one per exchange).
   */
  write(e: AccessEntry): void {
    this.#held.push(e);
    this.#heldPrefixes.push(this.#prefixNow());
    if (this.#held.length >= MAX_HELD) this.flush();
    else if (!this.#buildScheduled) {
      this.#buildScheduled = true;
      setImmediate(this.#buildHeld);
    }
  }

  /** Builds the lines of the entries held and hands them to the sink. */
  flush(): void {
    const held = this.#held;
    const prefixes = this.#heldPrefixes;
    if (held.length === 0) return;
    this.#held = [];
    this.#heldPrefixes = [];
    for (let i = 0; i < held.length; i++)
      this.#sink.push(this.#line(held[i] as AccessEntry, prefixes[i] as string));
  }

  /** Resolves once every line logged so far is written. */
  drain(): Promise<void> {
    this.flush();
    return this.#sink.drain();
  }

  /** Writes every line logged so far, synchronously: the last resort at process exit. */
  flushSync(): void {
    this.flush();
    this.#sink.flushSync();
  }

  #line(e: AccessEntry, prefix: string): string {
    // A handful of pieces, most of them remembered: each concatenation is one more object per request.
    let line = `${prefix}${e.requestId}"${this.#request.of(e.method, e.protocol, e.host)}`;
    if (e.path !== undefined) line += `,"path":${jsonString(e.path)}`;
    line += this.#outcome.of(e.origin, e.api, e.status, e.cors);
    if (e.websocket !== undefined) line += `,"websocket":${websocketJson(e.websocket)}`;
    line += `,"durationMs":${millis(e.durationMs)}`;
    if (e.upstreamMs !== undefined) line += `,"upstreamMs":${millis(e.upstreamMs)}`;
    return `${line},"msg":"request"}\n`;
  }
}
