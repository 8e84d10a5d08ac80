import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../errors.js";
import type { RequestView } from "../plan/types.js";

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
  return hasDuplicateHost(req.rawHeaders) ? "DUPLICATE_HOST" : undefined;
}

/** Whether a raw header list (`[name, value, ...]`) has more than one Host field. */
export function hasDuplicateHost(raw: readonly string[]): boolean {
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // Hot path: compare the length first; nearly every request has one Host and no other 4-letter header.
    if (name.length === 4 && (name === "Host" || name === "host" || name.toLowerCase() === "host")) {
      if (++hosts > 1) return true;
    }
  }
  return false;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * The request plan's view of a node:http request (src/plan/types.ts). A class rather than an object
 * literal so that every view has one shape; `selfOrigin` is built only when the engine asks for it (an
 * Origin that is not on the allow-list), and a header (the API key) read only when the plan asks.
 */
class NodeRequestView implements RequestView {
  readonly method: string;
  readonly origin: string | undefined;
  readonly accessControlRequestMethod: string | undefined;
  readonly accessControlRequestHeaders: string | undefined;
  readonly accessControlRequestPrivateNetwork: boolean;
  readonly target: string;
  readonly host: string | undefined;
  readonly #req: IncomingMessage;

  constructor(req: IncomingMessage) {
    this.#req = req;
    const h = req.headers;
    this.method = req.method ?? "GET";
    this.origin = single(h.origin);
    this.accessControlRequestMethod = single(h["access-control-request-method"]);
    this.accessControlRequestHeaders = single(h["access-control-request-headers"]);
    this.accessControlRequestPrivateNetwork = h["access-control-request-private-network"] === "true";
    this.target = req.url ?? "/";
    this.host = h.host;
    this.#req = req;
  }

  /** The gateway's own origin for this request: `http://` or, over TLS, `https://`, and the Host. */
  get selfOrigin(): string | undefined {
    if (this.host === undefined) return undefined;
    const secure = (this.#req.socket as { encrypted?: boolean } | null)?.encrypted === true;
    return `${secure ? "https" : "http"}://${this.host}`;
  }

  protocolRefusal(): ErrorCode | undefined {
    return protocolRefusal(this.#req);
  }

  header(name: string): string | undefined {
    // An own field only: node:http's header object has Object's prototype, and a configured name
    // (gateway.apiKeyHeader) may be `constructor`.
    const headers = this.#req.headers;
    const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
    return Array.isArray(value) ? value[0] : value;
  }
}

/** The request plan's view of a node:http request. */
export function requestView(req: IncomingMessage): RequestView {
  return new NodeRequestView(req);
}
