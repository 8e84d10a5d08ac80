import type { IncomingMessage } from "node:http";
import { GatewayError } from "../../errors.js";

/**
 * Whether a request carries a body: on HTTP/1.1 a Transfer-Encoding or a Content-Length other than
 * 0 (RFC 9112 section 6.3); on HTTP/2, a stream its HEADERS frame did not end (RFC 9113 section
 * 8.1), whether or not it says its length.
 */
export function hasRequestBody(req: IncomingMessage): boolean {
  if (req.httpVersionMajor === 2) {
    return !(req as unknown as { readonly stream: { readonly endAfterHeaders: boolean } }).stream
      .endAfterHeaders;
  }
  const h = req.headers;
  return h["content-length"] !== undefined
    ? h["content-length"] !== "0"
    : h["transfer-encoding"] !== undefined;
}

/**
 * Reads the whole request body, refusing more than `limit` bytes with 413 (PAYLOAD_TOO_LARGE).
 * With `keep` false the bytes are counted and dropped (a mock backend answers without them).
 */
export function readBody(req: IncomingMessage, limit: number, keep = true): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new GatewayError("PAYLOAD_TOO_LARGE"));
  }
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // The rest is left unread; node:http discards it once the 413 is written.
        req.resume();
        reject(new GatewayError("PAYLOAD_TOO_LARGE"));
        return;
      }
      if (keep) chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolveBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error("the client aborted the request body"));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("aborted", onAborted);
  });
}
