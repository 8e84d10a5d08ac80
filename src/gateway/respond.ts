import type { OutgoingHttpHeader, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { HeaderBag } from "./backends/types.js";

/**
 * A Server-Timing duration: two decimals under 10 ms, one above (`1.25`, `12.5`), as `toFixed`
 * writes them. Hot path: whole hundredths or tenths printed as integers, about a third of the
 * cost of `toFixed` (a call into the runtime). The text is toFixed's (a million random durations
 * compared), except that a value within a rounding error of a half hundredth may round up.
 */
export function formatDuration(ms: number): string {
  if (ms < 10) {
    const hundredths = Math.round(ms * 100);
    const whole = Math.floor(hundredths / 100);
    const fraction = hundredths - whole * 100;
    return fraction < 10 ? `${whole}.0${fraction}` : `${whole}.${fraction}`;
  }
  const tenths = Math.round(ms * 10);
  const whole = Math.floor(tenths / 10);
  return `${whole}.${tenths - whole * 10}`;
}

/** What HTTP/2's response adds for complete answers (./listeners/messages.ts): fewer frames, no trailers round. */
interface CompleteAnswers {
  answerEmpty(status: number, headers: OutgoingHttpHeader[]): void;
  answerComplete(status: number, headers: OutgoingHttpHeader[], body: Buffer | string): void;
}

/**
 * Sends a complete answer without a body: `writeHead` then `end()`, or, on HTTP/2, one HEADERS frame
 * that ends the stream (HTTP/2 has no status message).
 */
export function answerEmpty(
  res: ServerResponse,
  status: number,
  flat: OutgoingHttpHeader[],
  statusMessage?: string,
): void {
  const direct = (res as unknown as Partial<CompleteAnswers>).answerEmpty;
  if (direct !== undefined) direct.call(res, status, flat);
  else {
    writeHead(res, status, flat, statusMessage);
    res.end();
  }
}

/** `res.writeHead` with the status message when there is one. */
function writeHead(
  res: ServerResponse,
  status: number,
  flat: OutgoingHttpHeader[],
  statusMessage?: string,
): void {
  if (statusMessage !== undefined) res.writeHead(status, statusMessage, flat);
  else res.writeHead(status, flat);
}

/** Complete bodies up to this size are written together with the head (see writeResponse). */
const INLINE_BODY_MAX = 16 * 1024;

/**
 * The header bag as the flat `[name, value, ...]` list `writeHead` takes, without undefined values.
 * With `contentLength` (a complete body): Content-Length is that, in the backend's position if it
 * sent one, and Transfer-Encoding is left out. Hot path: one array, where deleting from the bag
 * would have turned it into a slow dictionary-mode object just before node:http iterates it.
 */
function flatten(headers: HeaderBag, contentLength: string | undefined): OutgoingHttpHeader[] {
  const flat: OutgoingHttpHeader[] = [];
  let lengthWritten = false;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (contentLength !== undefined) {
      if (name === "transfer-encoding") continue;
      if (name === "content-length") {
        flat.push(name, contentLength);
        lengthWritten = true;
        continue;
      }
    }
    flat.push(name, value);
  }
  if (contentLength !== undefined && !lengthWritten) flat.push("content-length", contentLength);
  return flat;
}

/**
 * Writes a response whose headers are final. Buffers get a Content-Length and are written at
 * once (nothing is returned); streams are piped, and the promise returned settles when the
 * response is finished. An upstream failure mid-body destroys the client connection (the status
 * is already sent).
 */
export function writeResponse(
  res: ServerResponse,
  status: number,
  headers: HeaderBag,
  body: Buffer | string | Readable | null,
  statusMessage?: string,
): Promise<void> | undefined {
  if (body === null || typeof body === "string" || Buffer.isBuffer(body)) {
    const length = body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
    const flat = flatten(headers, String(length));
    if (length === 0) {
      answerEmpty(res, status, flat, statusMessage);
      return undefined;
    }
    const complete = (res as unknown as Partial<CompleteAnswers>).answerComplete;
    if (complete !== undefined) {
      complete.call(res, status, flat, body as Buffer | string);
      return undefined;
    }
    writeHead(res, status, flat, statusMessage);
    if (body !== null && typeof body !== "string" && body.length <= INLINE_BODY_MAX) {
      // node:http writes the head and a latin1 string body as one string, one write() system call;
      // a Buffer body goes out with the head through writev and a JavaScript array per response.
      // latin1 maps bytes to characters one to one, so the bytes on the wire are the same.
      res.end(body.toString("latin1"), "latin1");
    } else res.end(body ?? undefined);
    return undefined;
  }
  writeHead(res, status, flatten(headers, undefined), statusMessage);
  return pipe(body as Readable, res);
}

function prematureClose(): Error {
  return Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
}

/**
 * `pipeline(body, res)` of node:stream/promises, for exactly two streams: the body's chunks are
 * written with back-pressure; the promise resolves when the response has finished and rejects
 * (both streams destroyed) on an error or a premature close of either. pipeline itself creates an
 * AbortController per call and aborts it at the end, which builds a DOMException with a stack
 * trace: a proxy profile showed that as its largest JavaScript cost per request.
 */
function pipe(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      body.off("data", onData).off("end", onEnd).off("error", settle).off("close", onBodyClose);
      res.off("drain", onDrain).off("finish", onFinish).off("error", settle).off("close", onResClose);
      if (error === undefined) {
        resolve();
        return;
      }
      body.destroy(error);
      res.destroy(error);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (!res.write(chunk)) body.pause();
    };
    const onDrain = () => body.resume();
    const onEnd = () => {
      // Trailer fields of the upstream (http.ts sets them on its body stream): after the body.
      const trailers = (body as { trailers?: HeaderBag }).trailers;
      if (trailers !== undefined) res.addTrailers(trailers as Record<string, string>);
      res.end();
    };
    const onFinish = () => settle(undefined);
    const onBodyClose = () => {
      if (!body.readableEnded) settle(prematureClose());
    };
    const onResClose = () => {
      if (!res.writableFinished) settle(prematureClose());
    };
    body.on("data", onData).on("end", onEnd).on("error", settle).on("close", onBodyClose);
    res.on("drain", onDrain).on("finish", onFinish).on("error", settle).on("close", onResClose);
    // Either side may have failed before the pipe was laid (their events are already past).
    if (body.destroyed) settle(body.errored ?? prematureClose());
    else if (res.destroyed) settle(res.errored ?? prematureClose());
  });
}

/** The JSON error body every gateway-made error carries. */
export function errorBody(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error_code: code, error_msg: message, request_id: requestId });
}
