/**
 * The benchmark's cases, shared by the harness, the correctness checks and every peer server, so
 * that all contenders answer the same allow-list. Plain data; no imports.
 */

/** The policy every contender implements: three exact origins, three methods, one header, 10 min cache. */
export const ALLOWED_ORIGINS = ["https://a.example.com", "https://b.example.com", "https://c.example.com"];
export const ALLOW_METHODS = ["GET", "PUT", "POST"];
export const ALLOW_HEADERS = ["X-Sdk-Date"];
export const MAX_AGE = 600;

/** The origin the timed requests come from (the middle of the allow-list). */
export const REQUEST_ORIGIN = "https://b.example.com";
/** An origin no contender may answer with Access-Control-Allow-Origin. */
export const DISALLOWED_ORIGIN = "https://evil.example.net";

/** The timed preflight: what Chromium sends before `fetch(url, {method: "PUT", headers: {"X-Sdk-Date": ...}})`. */
export const PREFLIGHT_REQUEST = {
  method: "OPTIONS",
  path: "/simple",
  headers: {
    Origin: REQUEST_ORIGIN,
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "X-Sdk-Date",
  },
};

/** The timed proxied request: a cross-origin GET. */
export const PROXY_REQUEST = {
  method: "GET",
  path: "/simple",
  headers: { Origin: REQUEST_ORIGIN },
};

/** What the raw node:http upstream answers to everything; the proxies must pass it on unchanged. */
export const UPSTREAM_BODY = '{"status":"200","from":"upstream"}';

/** Every peer server prints this line (with its URL) on stdout once it listens. */
export const READY_PATTERN = /listening on (https?:\/\/127\.0\.0\.1:\d+)/;

/**
 * Reads `--port N`, `--upstream URL` and, for the HTTPS scenarios, `--cert FILE --key FILE` (PEM)
 * from a peer's command line (port 0: any free port).
 */
export function peerArgs(argv = process.argv.slice(2)) {
  const get = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
  };
  const cert = get("--cert", undefined);
  const key = get("--key", undefined);
  return {
    port: Number(get("--port", "0")),
    upstream: get("--upstream", undefined),
    tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
  };
}
