import { randomFillSync } from "node:crypto";

/**
 * Request ids: 32 lowercase hex characters from 128 random bits. Random bytes are drawn 4 KiB at
 * a time and hex-encoded at once into one 8,192-character string; an id is then a slice of it
 * (V8 makes a slice of 13 characters or more a view of its parent, not a copy), so that an id
 * costs neither a system call nor a native hex encoding of its own.
 */
const POOL_BYTES = 4096;
const ID_CHARS = 32;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let hex = "";
let offset = POOL_BYTES * 2;

export function newRequestId(): string {
  if (offset === POOL_BYTES * 2) {
    randomFillSync(pool);
    hex = pool.toString("hex");
    offset = 0;
  }
  const id = hex.slice(offset, offset + ID_CHARS);
  offset += ID_CHARS;
  return id;
}
