import { util } from "undici";
import type { HeaderBag } from "./types.js";

/**
 * Hop-by-hop fields (RFC 9110 section 7.6.1): they describe one connection and are never forwarded.
 * Besides the RFC's list: Proxy-Authorization / Proxy-Authenticate (meant for this hop's proxy,
 * RFC 9110 sections 11.7.1-2), Trailer on requests (request trailers are not forwarded, so
 * announcing them would lie; a response's Trailer is kept, as its trailers are passed on) and
 * Expect (node:http already answered `100-continue` to the client; undici refuses the field).
 * Lowercase, compared after lowercasing once.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "transfer-encoding",
  "upgrade",
  "trailer",
  "proxy-authorization",
  "proxy-authenticate",
  "expect",
  // Connection-specific (RFC 9113 section 8.2.2): only meaningful on the hop that upgrades to h2c, and
  // node:http2 throws on a response that carries it.
  "http2-settings",
]);

/**
 * The field names a Connection header lists (RFC 9110 section 7.6.1: "a proxy ... MUST remove any
 * header field named in the Connection header field"), lowercase. Tolerates spaces and empty items.
 *
 * ```ts
 * connectionTokens("close, X-Private") // Set { "close", "x-private" }
 * ```
 */
export function connectionTokens(value: string | readonly string[] | undefined): ReadonlySet<string> {
  const tokens = new Set<string>();
  if (value === undefined) return tokens;
  for (const line of typeof value === "string" ? [value] : value) {
    for (const item of line.split(",")) {
      const token = item.trim().toLowerCase();
      if (token !== "") tokens.add(token);
    }
  }
  return tokens;
}

/**
 * The end-to-end request fields of a node:http request, from `rawHeaders` so that repeated fields
 * stay separate, as a flat `[name, value, ...]` list undici accepts. `Host` is dropped too: the pool
 * sends the upstream's. Names in `replace` (lowercase) are dropped so the caller can set its own.
 */
export function endToEndRequestHeaders(
  rawHeaders: readonly string[],
  replace: ReadonlySet<string>,
): string[] {
  let named: ReadonlySet<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === "connection") {
      const lines: string[] = [];
      for (let j = i; j < rawHeaders.length; j += 2) {
        if ((rawHeaders[j] as string).toLowerCase() === "connection") lines.push(rawHeaders[j + 1] as string);
      }
      named = connectionTokens(lines);
      break;
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === "host" || replace.has(lower) || named?.has(lower)) continue;
    out.push(name, rawHeaders[i + 1] as string);
  }
  return out;
}

/**
 * Removes hop-by-hop fields, and those the response's Connection header names, from a response
 * header bag with lowercase names, in place. Returns the bag.
 */
export function dropHopByHop(headers: HeaderBag): HeaderBag {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connectionTokens(connection)) delete headers[token];
  }
  for (const name of HOP_BY_HOP) delete headers[name];
  return headers;
}

/**
 * An upstream response's header fields as a bag, lowercase names, repeated fields as arrays
 * (undici's `util.parseHeaders`, as `Pool.request` gives them), without the hop-by-hop fields and
 * those the Connection header names: what `dropHopByHop(parseHeaders(raw))` gives. Hot path
 * (every proxied response): the fields are left out before the bag is built, because deleting
 * from a bag, as dropHopByHop does, turns it into a slow dictionary-mode object.
 */
export function responseHeaders(raw: readonly (Buffer | string)[]): HeaderBag {
  let connection: string[] | undefined;
  const kept: (Buffer | string)[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = util.headerNameToString(raw[i] as Buffer | string);
    const value = raw[i + 1] as Buffer | string;
    if (name === "connection") {
      connection ??= [];
      connection.push(value.toString("latin1"));
    }
    if (HOP_BY_HOP.has(name) && name !== "trailer") continue;
    kept.push(name, value);
  }
  // `Connection: keep-alive` (or close), nearly every response: nothing more to drop.
  if (connection !== undefined && !(connection.length === 1 && HOP_BY_HOP.has(connection[0] as string))) {
    const named = connectionTokens(connection);
    for (let i = 0; i < kept.length; i += 2) {
      if (named.has(kept[i] as string)) {
        kept.splice(i, 2);
        i -= 2;
      }
    }
  }
  return util.parseHeaders(kept) as HeaderBag;
}
