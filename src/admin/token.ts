import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/index.js";

/** The store setting that holds the sha256 (hex) of the generated admin token. */
export const ADMIN_TOKEN_SETTING = "admin_token_sha256";

const HEX64 = /^[0-9a-f]{64}$/;

export interface AdminToken {
  /** sha256 of the token, 64 lowercase hex characters: the only form the process keeps. */
  readonly hash: string;
  /** env: CROSSGATE_ADMIN_TOKEN; store: generated on an earlier start; generated: just now (printed once). */
  readonly source: "env" | "store" | "generated";
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The admin API's bearer token: `CROSSGATE_ADMIN_TOKEN` when set; else the hash a previous start
 * stored in the store's settings; else a new random token (32 bytes, base64url) whose sha256 alone is
 * stored, printed once to `out`. Without a store (file mode) a generated token lasts for the process.
 *
 * @example
 * const token = await resolveAdminToken(plane.store, process.env);
 * await startAdmin({ ..., token });
 */
export async function resolveAdminToken(
  store: Store | null,
  env: NodeJS.ProcessEnv,
  out: NodeJS.WritableStream = process.stderr,
): Promise<AdminToken> {
  const fromEnv = env.CROSSGATE_ADMIN_TOKEN;
  if (fromEnv !== undefined && fromEnv !== "") return { hash: sha256Hex(fromEnv), source: "env" };
  if (store !== null) {
    const stored = await store.getSetting(ADMIN_TOKEN_SETTING);
    if (stored !== null && HEX64.test(stored)) return { hash: stored, source: "store" };
  }
  const token = randomBytes(32).toString("base64url");
  const hash = sha256Hex(token);
  if (store === null) {
    out.write(
      `crossgate: the admin API token for this process is ${token}\n` +
        "  (file mode keeps no store, so a new one is generated at every start; set CROSSGATE_ADMIN_TOKEN to choose one)\n",
    );
    return { hash, source: "generated" };
  }
  // Set-if-absent: of several nodes starting at once on a new store exactly one writes its hash; every other
  // one reads that hash back, uses it, and prints nothing (its own token would never work).
  const kept = await store.setSettingIfAbsent(ADMIN_TOKEN_SETTING, hash);
  if (kept !== hash) {
    if (HEX64.test(kept)) return { hash: kept, source: "store" };
    throw new Error(
      `the store's setting "${ADMIN_TOKEN_SETTING}" holds something other than a sha256 hex digest; ` +
        "set CROSSGATE_ADMIN_TOKEN, or put the sha256 (hex) of a token of your choice in that setting",
    );
  }
  out.write(
    `crossgate: generated the admin API token; it is shown only this once and only its sha256 is stored: ${token}\n` +
      `  send it as "Authorization: Bearer ${token}", or set CROSSGATE_ADMIN_TOKEN to choose your own\n`,
  );
  return { hash, source: "generated" };
}

/** Whether an Authorization header carries the token, compared in constant time by hash. */
export function bearerMatches(authorization: string | undefined, hash: string): boolean {
  if (authorization === undefined) return false;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (!m) return false;
  const expected = Buffer.from(hash, "hex");
  const given = createHash("sha256")
    .update(m[1] as string)
    .digest();
  return expected.length === given.length && timingSafeEqual(expected, given);
}
