import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { HeaderBag } from "./backends/types.js";

export function formatDuration(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

/**
 * Writes a response whose headers are final. Buffers get a Content-Length; streams are piped,
 * and an upstream failure mid-body destroys the client connection (the status is already sent).
 */
export async function writeResponse(
  res: ServerResponse,
  status: number,
  headers: HeaderBag,
  body: Buffer | string | Readable | null,
  statusMessage?: string,
): Promise<void> {
  if (body === null || typeof body === "string" || Buffer.isBuffer(body)) {
    const length = body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length;
    headers["content-length"] = String(length);
    delete headers["transfer-encoding"];
    if (statusMessage !== undefined) res.writeHead(status, statusMessage, headers);
    else res.writeHead(status, headers);
    res.end(body ?? undefined);
    return;
  }
  if (statusMessage !== undefined) res.writeHead(status, statusMessage, headers);
  else res.writeHead(status, headers);
  await pipeline(body as Readable, res);
}

/** The JSON error body every gateway-made error carries. */
export function errorBody(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error_code: code, error_msg: message, request_id: requestId });
}
