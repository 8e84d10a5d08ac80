import type { IncomingMessage } from "node:http";
import type { CorsRequest } from "../cors/index.js";
import type { ErrorCode } from "../errors.js";

/** The query of a request target with its "?", or "": `targetQuery("/a?x=1")` is `?x=1`. */
export function targetQuery(url: string | undefined): string {
  if (url === undefined) return "";
  const q = url.indexOf("?");
  return q < 0 ? "" : url.slice(q);
}

/**
 * What makes a request ambiguous before its path is read (SPEC section 3, step 0): CONNECT (crossgate is
 * no forward proxy, and its target is no path), two Host headers
 * (which one did the client mean? node:http keeps the first, a backend may read the last), or an
 * HTTP/1 request line naming another major version (node:http parses `HTTP/2.0` and `HTTP/0.9`).
 * Requests that came over HTTP/2 (node:http2's compatibility objects carry a `stream`) are version 2.
 */
export function protocolRefusal(req: IncomingMessage): ErrorCode | undefined {
  if (req.method === "CONNECT") return "CONNECT_NOT_ALLOWED";
  if (req.httpVersionMajor !== 1 && (req as { stream?: unknown }).stream === undefined) {
    return "HTTP_VERSION_NOT_SUPPORTED";
  }
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // Hot path: compare the length first; nearly every request has one Host and no other 4-letter header.
    if (name.length === 4 && (name === "Host" || name === "host" || name.toLowerCase() === "host")) {
      if (++hosts > 1) return "DUPLICATE_HOST";
    }
  }
  return undefined;
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

  constructor(req: Pick<IncomingMessage, "method" | "headers">) {
    const h = req.headers;
    this.method = req.method ?? "GET";
    this.origin = single(h.origin);
    this.accessControlRequestMethod = single(h["access-control-request-method"]);
    this.accessControlRequestHeaders = single(h["access-control-request-headers"]);
    this.accessControlRequestPrivateNetwork = h["access-control-request-private-network"] === "true";
    this.#host = h.host;
  }

  /** The gateway's own origin for this request: `http://` + Host. */
  get selfOrigin(): string | undefined {
    return this.#host === undefined ? undefined : `http://${this.#host}`;
  }
}

/** The engine's small view of a node:http request (only its method and headers are read). */
export function corsView(req: Pick<IncomingMessage, "method" | "headers">): CorsRequest {
  return new NodeCorsRequest(req);
}
