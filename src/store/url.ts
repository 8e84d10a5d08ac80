import { resolve } from "node:path";

export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

const USAGE = "use sqlite:PATH (e.g. sqlite:./crossgate.db) or postgres://USER@HOST:PORT/DATABASE";

/** Hides the password of a URL for messages and logs: `postgres://u:***@host/db`. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, "$1***@");
}

/**
 * Reads a `--store` value. `sqlite:PATH`: PATH relative to the working directory, absolute, or `:memory:`
 * (`sqlite://PATH` is accepted too, so `sqlite:///var/lib/crossgate.db` is absolute). `postgres://...` and
 * `postgresql://...` go to the pg driver as they are.
 *
 * @example parseStoreUrl("sqlite:data/crossgate.db") // { kind: "sqlite", path: "/cwd/data/crossgate.db" }
 */
export function parseStoreUrl(url: string): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new Error(`store URL "${url}" has no path: ${USAGE}`);
    return { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  }
  if ((scheme === "postgres" || scheme === "postgresql") && url.slice(scheme.length + 1).startsWith("//")) {
    return { kind: "postgres", url };
  }
  throw new Error(`unsupported store URL "${redactStoreUrl(url)}": ${USAGE}`);
}
