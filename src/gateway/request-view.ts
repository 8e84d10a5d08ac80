import type { IncomingMessage } from "node:http";
import type { CorsRequest } from "../cors/index.js";

/** Splits a request target into its path (duplicate slashes collapsed) and query ("?..." or ""). */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  return { path: targetPath(url), query: targetQuery(url) };
}

/**
 * The path of a request target, duplicate slashes collapsed: `targetPath("/a//b?x=1")` is `/a/b`.
 * Hot path: the usual target (no `?`, no `//`, leading `/`) is returned as it is, nothing allocated.
 */
export function targetPath(url: string | undefined): string {
  const target = url ?? "/";
  const q = target.indexOf("?");
  let path = q < 0 ? target : target.slice(0, q);
  if (path.includes("//")) path = path.replace(/\/{2,}/g, "/");
  if (path.charCodeAt(0) !== 0x2f) path = `/${path}`;
  return path;
}

/** The query of a request target with its "?", or "": `targetQuery("/a?x=1")` is `?x=1`. */
export function targetQuery(url: string | undefined): string {
  if (url === undefined) return "";
  const q = url.indexOf("?");
  return q < 0 ? "" : url.slice(q);
}

/** The Host header's name, lowercase, without the port: `API.Test:8080` is `api.test`. */
export function hostName(host: string | undefined): string {
  if (host === undefined || host === "") return "";
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return (close < 0 ? host : host.slice(0, close + 1)).toLowerCase();
  }
  const colon = host.indexOf(":");
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The engine's view of a node:http request. A class rather than an object literal so that every
 * view has one shape; `selfOrigin` is built only when the engine asks for it (an Origin that is
 * not on the allow-list), not on every request.
 */
class NodeCorsRequest implements CorsRequest {
  readonly method: string;
  readonly origin: string | undefined;
  readonly accessControlRequestMethod: string | undefined;
  readonly accessControlRequestHeaders: string | undefined;
  readonly accessControlRequestPrivateNetwork: boolean;
  readonly #host: string | undefined;
  readonly #req: IncomingMessage;

  constructor(req: IncomingMessage) {
    this.#req = req;
    const h = req.headers;
    this.method = req.method ?? "GET";
    this.origin = single(h.origin);
    this.accessControlRequestMethod = single(h["access-control-request-method"]);
    this.accessControlRequestHeaders = single(h["access-control-request-headers"]);
    this.accessControlRequestPrivateNetwork = h["access-control-request-private-network"] === "true";
    this.#host = h.host;
  }

  /** The gateway's own origin for this request: `http://` or, over TLS, `https://`, and the Host. */
  get selfOrigin(): string | undefined {
    if (this.#host === undefined) return undefined;
    const secure = (this.#req.socket as { encrypted?: boolean } | null)?.encrypted === true;
    return `${secure ? "https" : "http"}://${this.#host}`;
  }
}

/** The engine's small view of a node:http request. */
export function corsView(req: IncomingMessage): CorsRequest {
  return new NodeCorsRequest(req);
}
