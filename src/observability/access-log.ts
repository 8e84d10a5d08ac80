import {
  jsonString,
  jsonStringBound,
  MILLIS_BOUND,
  putAscii,
  putJsonString,
  putMillis,
} from "./json-bytes.js";
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

function websocketJson(w: NonNullable<AccessEntry["websocket"]>): string {
  let text = `{"tunnel":${w.tunnel}`;
  if (w.closedBy !== undefined) text += `,"closedBy":${jsonString(w.closedBy)}`;
  if (w.bytesFromClient !== undefined) text += `,"bytesFromClient":${w.bytesFromClient}`;
  if (w.bytesFromBackend !== undefined) text += `,"bytesFromBackend":${w.bytesFromBackend}`;
  return `${text}}`;
}

/**
 * The fields of a line that mostly repeat from one line to the next, as one piece of JSON text: the
 * request's method, protocol and Host; its Origin, API, status and CORS decision. The last values are
 * remembered with their text, as bytes, so that a repeated run costs comparisons and a copy, not a
 * scan and a dozen concatenations.
 */
class RequestFields {
  #method: string | undefined = undefined;
  #protocol: string | undefined = undefined;
  #host: string | undefined = undefined;
  #bytes: Buffer = Buffer.alloc(0);

  /** `,"method":…,"protocol":…,"host":…`, each when given. */
  of(method: string | undefined, protocol: string | undefined, host: string | undefined): Buffer {
    if (method !== this.#method || protocol !== this.#protocol || host !== this.#host) {
      this.#method = method;
      this.#protocol = protocol;
      this.#host = host;
      let text = "";
      if (method !== undefined) text += `,"method":${jsonString(method)}`;
      if (protocol !== undefined) text += `,"protocol":${jsonString(protocol)}`;
      if (host !== undefined) text += `,"host":${jsonString(host)}`;
      this.#bytes = Buffer.from(text, "latin1");
    }
    return this.#bytes;
  }
}

class OutcomeFields {
  #origin: string | undefined = undefined;
  #api = "";
  #status = -1;
  #verdict: string | undefined = undefined;
  #reason: string | undefined = undefined;
  #preflight: boolean | undefined = undefined;
  #bytes: Buffer = Buffer.alloc(0);

  /** `,"origin":…,"api":…,"status":…,"cors":{…}`, each when given. */
  of(origin: string | undefined, api: string, status: number, cors: AccessEntry["cors"]): Buffer {
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
      this.#bytes = Buffer.from(text, "latin1");
    }
    return this.#bytes;
  }
}

/** Entries held at most before their lines are built, however busy the event loop's turn. */
const MAX_HELD = 64;

/**
 * The access log (SPEC section 8): one JSON line per exchange, in the shape the process log has (pino's
 * `level`, `time`, `service`, then the bindings), written to a buffered sink. Hot path: the line is
 * written from known fields as ASCII bytes straight into the sink's buffer (./json-bytes.ts), without
 * pino's generic serialization and without a string per line, and no write waits for the destination
 * (./line-sink.ts). JSON parses it back to the values logged, non-ASCII ones included.
 *
 * `write` only notes the entry and its time; the lines of the entries noted during one turn of the
 * event loop (up to MAX_HELD) are built together at the end of it (`setImmediate`), one after the
 * other. Built one per request, between the request's own steps, the lines cost the server more
 * throughput in paired rounds for the same work (docs/benchmarks.md: 3-7% as strings, change 8; 1.6%
 * as bytes, change 9): done in a run, it finds its code and the remembered fields still in the caches. A line waits no
 * longer than the end of the turn in which its exchange ended, and `drain` and `flushSync` build
 * what is held first.
 */
export class AccessLog {
  readonly #sink: LineSink;
  /** `,"service":"crossgate"`, the bindings (`"worker":2`), `"log":"access"` and the `,"requestId":` that follows. */
  readonly #bindings: string;
  readonly #request = new RequestFields();
  readonly #outcome = new OutcomeFields();
  /** The line up to the request id, made once per millisecond: its time changes no oftener. */
  #prefix: Buffer = Buffer.alloc(0);
  #prefixMs = -1;
  /** Entries whose lines are not built yet, and the line prefix (its time) of each. */
  #held: AccessEntry[] = [];
  #heldPrefixes: Buffer[] = [];
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
    this.#bindings = `${text},"log":"access","requestId":`;
  }

  #prefixNow(): Buffer {
    const now = Date.now();
    if (now !== this.#prefixMs) {
      this.#prefixMs = now;
      this.#prefix = Buffer.from(
        `{"level":30,"time":"${new Date(now).toISOString()}"${this.#bindings}`,
        "latin1",
      );
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

  /** Writes the lines of the entries held into the sink. */
  flush(): void {
    const held = this.#held;
    const prefixes = this.#heldPrefixes;
    if (held.length === 0) return;
    this.#held = [];
    this.#heldPrefixes = [];
    for (let i = 0; i < held.length; i++) this.#line(held[i] as AccessEntry, prefixes[i] as Buffer);
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

  #line(e: AccessEntry, prefix: Buffer): void {
    // A handful of pieces, most of them remembered as bytes; the rest written character by character.
    const request = this.#request.of(e.method, e.protocol, e.host);
    const outcome = this.#outcome.of(e.origin, e.api, e.status, e.cors);
    const websocket = e.websocket === undefined ? undefined : `,"websocket":${websocketJson(e.websocket)}`;
    const max =
      prefix.length +
      jsonStringBound(e.requestId.length) +
      request.length +
      (e.path === undefined ? 0 : 8 + jsonStringBound(e.path.length)) +
      outcome.length +
      (websocket === undefined ? 0 : websocket.length) +
      14 +
      MILLIS_BOUND +
      (e.upstreamMs === undefined ? 0 : 14 + MILLIS_BOUND) +
      18;
    const sink = this.#sink;
    let at = sink.reserve(max);
    if (at < 0) return;
    const buf = sink.buffer;
    buf.set(prefix, at);
    at = putJsonString(buf, at + prefix.length, e.requestId);
    buf.set(request, at);
    at += request.length;
    if (e.path !== undefined) at = putJsonString(buf, putAscii(buf, at, ',"path":'), e.path);
    buf.set(outcome, at);
    at += outcome.length;
    if (websocket !== undefined) at = putAscii(buf, at, websocket);
    at = putMillis(buf, putAscii(buf, at, ',"durationMs":'), e.durationMs);
    if (e.upstreamMs !== undefined) at = putMillis(buf, putAscii(buf, at, ',"upstreamMs":'), e.upstreamMs);
    sink.commit(putAscii(buf, at, ',"msg":"request"}\n'));
  }
}
