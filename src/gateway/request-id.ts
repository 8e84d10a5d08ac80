import { randomFillSync } from "node:crypto";

/**
 * Request ids: 32 lowercase hex characters from 128 random bits. Random bytes are drawn
 * 4 KiB at a time, so that an id costs one hex encoding rather than a system call.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

export function newRequestId(): string {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("hex", offset, offset + 16);
  offset += 16;
  return id;
}
