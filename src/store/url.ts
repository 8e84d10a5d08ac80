import { resolve } from "node:path";

export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

const USAGE =
  "use sqlite:PATH (e.g. sqlite:./crossgate.db), postgres://USER@HOST:PORT/DATABASE, or postgres: alone to " +
  "take every connection setting from the PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE variables";

/** Query parameters the pg driver reads as secrets. */
const SECRET_PARAMS = /([?&](?:password|sslpassword)=)[^&#]*/gi;

/**
 * Hides every password a store URL may carry, for messages and logs: `postgres://u:***@host/db`, and
 * `?password=***`. Where the URL is malformed it hides more rather than less: everything between the
 * user name and the last `@` (a password may hold an unencoded `@`, `#` or `?`).
 *
 * @example redactStoreUrl("postgres://admin:s3cret@db:5432/x") // "postgres://admin:***@db:5432/x"
 */
export function redactStoreUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:(?:\/\/)?/i.exec(url)?.[0] ?? "";
  let rest = url.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const colon = rest.indexOf(":");
    if (colon >= 0 && colon < at) rest = `${rest.slice(0, colon + 1)}***${rest.slice(at)}`;
  }
  return scheme + rest.replace(SECRET_PARAMS, "$1***");
}

/** Whether a store URL carries a password (which then shows in the process list when passed as --store). */
export function storeUrlHasPassword(url: string): boolean {
  return redactStoreUrl(url) !== url;
}

/**
 * Reads a `--store` value. `sqlite:PATH`: PATH relative to the working directory, absolute, or `:memory:`
 * (`sqlite://PATH` is accepted too, so `sqlite:///var/lib/crossgate.db` is absolute). `postgres://...` and
 * `postgresql://...` go to the pg driver as they are; whatever they omit (host, port, user, password,
 * database) the driver takes from the standard PG* environment variables, so `postgres:` or `postgres://`
 * alone means "all of it from the environment".
 *
 * @example parseStoreUrl("sqlite:data/crossgate.db") // { kind: "sqlite", path: "/cwd/data/crossgate.db" }
 * @example parseStoreUrl("postgres:") // { kind: "postgres", url: "postgres://" } (PGHOST, PGUSER, ...)
 */
export function parseStoreUrl(url: string): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new Error(`store URL "${url}" has no path: ${USAGE}`);
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    const rest = url.slice(scheme.length + 1);
    if (rest === "") return { kind: "postgres", url: `${scheme}://` };
    if (rest.startsWith("//")) return { kind: "postgres", url };
  }
  throw new Error(`unsupported store URL "${redactStoreUrl(url)}": ${USAGE}`);
}
