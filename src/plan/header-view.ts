import type { ErrorCode } from "../errors.js";
import type { RequestView } from "./types.js";

/** Header fields by lowercase name, as node:http gives them. */
export type HeaderFields = Readonly<Record<string, string | string[] | undefined>>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * A request view made of a method, a target and header fields: what a WebSocket handshake's decision
 * reads (whatever its transport), and what explain describes. Step 0's protocol checks are the
 * transport's (it has the request line); only CONNECT is refused here.
 */
export class HeaderView implements RequestView {
  readonly origin: string | undefined;
  readonly accessControlRequestMethod: string | undefined;
  readonly accessControlRequestHeaders: string | undefined;
  readonly accessControlRequestPrivateNetwork: boolean;
  readonly host: string | undefined;
  readonly selfOrigin: string | undefined;

  constructor(
    readonly method: string,
    readonly target: string,
    readonly fields: HeaderFields,
    secure = false,
  ) {
    this.origin = single(fields.origin);
    this.accessControlRequestMethod = single(fields["access-control-request-method"]);
    this.accessControlRequestHeaders = single(fields["access-control-request-headers"]);
    this.accessControlRequestPrivateNetwork = fields["access-control-request-private-network"] === "true";
    this.host = single(fields.host);
    this.selfOrigin = this.host === undefined ? undefined : `${secure ? "https" : "http"}://${this.host}`;
  }

  protocolRefusal(): ErrorCode | undefined {
    return this.method === "CONNECT" ? "CONNECT_NOT_ALLOWED" : undefined;
  }

  header(name: string): string | undefined {
    // An own field only: a configured name (gateway.apiKeyHeader) may be `constructor`.
    const value = Object.hasOwn(this.fields, name) ? this.fields[name] : undefined;
    return Array.isArray(value) ? value[0] : value;
  }
}
