import { type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import {
  Http2ServerRequest,
  Http2ServerResponse,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import type { Readable } from "node:stream";
import { setOwnField } from "../../own-field.js";
import type { HstsTable } from "./hsts.js";

/**
 * The request and response classes of an https listener (createSecureServer's Http1ServerResponse,
 * Http2ServerRequest, Http2ServerResponse options). They let the gateway, written against
 * node:http, serve HTTP/2 unchanged: an HTTP/2 request looks like an HTTP/1.1 one (Host from
 * :authority, no pseudo-header fields), and an HTTP/2 response drops what HTTP/2 forbids.
 * Both protocols' responses get the group's Strict-Transport-Security.
 */

/** Fields HTTP/2 forbids in a message (RFC 9113 section 8.2.2); `te` is allowed only as `trailers`. */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

const HSTS = "strict-transport-security";

/** Set on an HTTP/2 stream the gateway itself reset (rather than the client), for the metrics. */
export const GATEWAY_RESET = Symbol("crossgate.gatewayReset");

/** What the classes read per request: swapped whole on a configuration change. */
export interface ListenerState {
  hsts: HstsTable;
}

export interface GatewayHttp2Request extends Http2ServerRequest {
  /** Host and :authority name different hosts (RFC 9113 section 8.3.1: a malformed request). */
  readonly authorityConflict: boolean;
  /** The header list size as HTTP/2 counts it (RFC 7541 section 4.1: name + value + 32 per field). */
  readonly headerListSize: number;
}

/** The flat `[name, value, ...]` or object headers of a writeHead call, whichever form was given. */
type HeadArgument = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

function headersArgument(a: unknown, b: unknown): HeadArgument {
  return (typeof a === "string" ? b : a) as HeadArgument;
}

/**
 * Adds a field to an HTTP/2 response's headers: lowercase, without the connection-specific fields
 * HTTP/2 forbids, repeated names joined into a list.
 */
function addHttp2Header(
  out: Record<string, OutgoingHttpHeader>,
  rawName: string,
  value: OutgoingHttpHeader | undefined,
): void {
  if (value === undefined) return;
  const name = rawName.toLowerCase();
  if (CONNECTION_SPECIFIC.has(name) || (name === "te" && value !== "trailers")) return;
  // Own fields only: a backend's `constructor` or `__proto__` field is a name, not Object.prototype's.
  const previous = Object.hasOwn(out, name) ? out[name] : undefined;
  const joined =
    previous === undefined
      ? value
      : [
          ...(Array.isArray(previous) ? previous : [String(previous)]),
          ...(Array.isArray(value) ? value : [String(value)]),
        ];
  setOwnField(out, name, joined);
}

/** A writeHead call's fields as an HTTP/2 response's (addHttp2Header), in their order. */
function http2Fields(headers: HeadArgument): Record<string, OutgoingHttpHeader> {
  const out: Record<string, OutgoingHttpHeader> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) addHttp2Header(out, String(headers[i]), headers[i + 1]);
  } else if (headers !== undefined) {
    for (const name in headers) addHttp2Header(out, name, headers[name]);
  }
  return out;
}

/** The header list size as HTTP/2 counts it (RFC 7541 section 4.1: name + value + 32 per field). */
export function headerListSize(rawHeaders: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < rawHeaders.length; i += 2)
    size += (rawHeaders[i] as string).length + (rawHeaders[i + 1] as string).length + 32;
  return size;
}

/**
 * RFC 9113 section 8.3.1: `:authority` is the target's host, and a Host field, if any, must agree.
 * Gives a request without Host the one `:authority` names (as HTTP/1.1 carries it); returns whether
 * the two disagree.
 */
export function adoptAuthority(headers: IncomingHttpHeaders): boolean {
  const authority = headers[":authority"];
  const host = headers.host;
  if (authority !== undefined && host === undefined) headers.host = authority;
  return authority !== undefined && host !== undefined && host !== authority;
}

/** A response's fields as HTTP/2 sends them (http2Fields), with the Strict-Transport-Security of the request's host. */
export function http2FieldsWithHsts(
  state: ListenerState,
  host: string | undefined,
  headers: HeadArgument,
): Record<string, OutgoingHttpHeader> {
  const out = http2Fields(headers);
  const hsts = state.hsts.valueFor(host);
  if (hsts !== undefined) out[HSTS] = hsts;
  return out;
}

export interface TlsMessageClasses {
  readonly Http1ServerResponse: typeof ServerResponse;
  readonly Http2ServerRequest: typeof Http2ServerRequest;
  readonly Http2ServerResponse: typeof Http2ServerResponse;
}

/** The classes for one listener, reading `state` for every response. */
export function tlsMessageClasses(state: ListenerState): TlsMessageClasses {
  class TlsHttp1Response extends ServerResponse {
    /** Adds the group's HSTS, replacing any the backend sent. */
    override writeHead(statusCode: number, a?: unknown, b?: unknown): this {
      const value = state.hsts.valueFor(this.req.headers.host);
      if (value === undefined) return super.writeHead(statusCode, a as string, b as OutgoingHttpHeaders);
      const headers = headersArgument(a, b);
      let withHsts: HeadArgument;
      if (Array.isArray(headers)) {
        const flat: OutgoingHttpHeader[] = [];
        for (let i = 0; i < headers.length; i += 2) {
          if (String(headers[i]).toLowerCase() !== HSTS)
            flat.push(headers[i] as string, headers[i + 1] as string);
        }
        flat.push(HSTS, value);
        withHsts = flat;
      } else {
        const object: OutgoingHttpHeaders = {};
        for (const name in headers) if (name.toLowerCase() !== HSTS) object[name] = headers[name];
        object[HSTS] = value;
        withHsts = object;
      }
      return typeof a === "string"
        ? super.writeHead(statusCode, a, withHsts as OutgoingHttpHeaders)
        : super.writeHead(statusCode, withHsts as OutgoingHttpHeaders);
    }
  }

  class H2Request extends Http2ServerRequest implements GatewayHttp2Request {
    readonly authorityConflict: boolean;
    readonly headerListSize: number;
    readonly #raw: readonly string[];
    #plainRaw: string[] | undefined;

    constructor(
      stream: ServerHttp2Stream,
      headers: IncomingHttpHeaders,
      options: ConstructorParameters<typeof Readable>[0],
      rawHeaders: readonly string[],
    ) {
      super(stream, headers, options ?? {}, rawHeaders as string[]);
      this.#raw = rawHeaders;
      this.headerListSize = headerListSize(rawHeaders);
      this.authorityConflict = adoptAuthority(headers);
    }

    /**
     * The fields as an HTTP/1.1 request carries them, for backends that forward or expose them:
     * no pseudo-header fields, a Host field from :authority, and the cookie fields HTTP/2 may
     * split joined into one (RFC 9113 section 8.2.3, for HTTP/1.1 upstreams).
     */
    plainRawHeaders(): string[] {
      if (this.#plainRaw !== undefined) return this.#plainRaw;
      const raw = this.#raw;
      const out: string[] = [];
      let cookieAt = -1;
      let hasHost = false;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i] as string;
        if (name.charCodeAt(0) === 58 /* : */) continue;
        const value = raw[i + 1] as string;
        if (name === "cookie") {
          if (cookieAt >= 0) {
            out[cookieAt] = `${out[cookieAt]}; ${value}`;
            continue;
          }
          cookieAt = out.length + 1;
        } else if (name === "host") hasHost = true;
        out.push(name, value);
      }
      const authority = this.headers[":authority"];
      if (!hasHost && typeof authority === "string") out.unshift("host", authority);
      this.#plainRaw = out;
      return out;
    }
  }
  // `rawHeaders` is a getter of the base class; replaced on the prototype, as TypeScript does not let
  // an accessor override what @types/node declares as a property.
  Object.defineProperty(H2Request.prototype, "rawHeaders", {
    get(this: H2Request) {
      return this.plainRawHeaders();
    },
  });

  class H2Response extends Http2ServerResponse {
    /**
     * Drops the status message (HTTP/2 has none, RFC 9113 section 8.3.2) and the connection-specific
     * fields HTTP/2 forbids, a backend's included (node:http2 would throw on them), and adds HSTS.
     * Names are lowercase on the wire (RFC 9113 section 8.2.1).
     */
    override writeHead(statusCode: number, a?: unknown, b?: unknown): this {
      return super.writeHead(statusCode, this.#fieldsWithHsts(headersArgument(a, b)) as OutgoingHttpHeaders);
    }

    /** The fields as HTTP/2 sends them (http2Fields), with the group's Strict-Transport-Security. */
    #fieldsWithHsts(headers: HeadArgument): Record<string, OutgoingHttpHeader> {
      return http2FieldsWithHsts(state, this.req.headers.host, headers);
    }

    /**
     * A complete answer without a body (a preflight) in one HEADERS frame that ends the stream. Through
     * writeHead then end(), node:http2's compatibility layer sends the head with the stream still
     * open, then an empty DATA frame that ends it once its trailers round (`waitForTrailers`, for
     * `addTrailers`) is done. end() with the fields already set marks the response as ending before
     * it sends the head (writeHead above, HSTS included), and with nothing left to send node:http2
     * writes no DATA frame and asks for no trailers. The fields and their order are writeHead's.
     */
    answerEmpty(statusCode: number, headers: OutgoingHttpHeader[]): void {
      const out = http2Fields(headers);
      for (const name in out) this.setHeader(name, out[name] as OutgoingHttpHeader);
      this.statusCode = statusCode;
      this.end();
    }

    /**
     * A complete answer with its body: HEADERS, then DATA frames, the last one ending the stream. The
     * compatibility layer's writeHead asks node:http2 to wait for trailers (for `addTrailers`), which
     * costs an empty DATA frame after the body and a round through JavaScript per response; a
     * complete body has no trailers. Fields as writeHead's, HSTS included; a stream already gone gets
     * nothing (its close is observed as the client's).
     */
    answerComplete(statusCode: number, headers: OutgoingHttpHeader[], body: Buffer | string): void {
      if (this.req.method === "HEAD") {
        // Through the compatibility layer: its end() is what makes it report a HEAD stream's close.
        this.writeHead(statusCode, headers);
        this.end();
        return;
      }
      const stream = this.stream;
      if (stream.destroyed || stream.closed) return;
      const out = this.#fieldsWithHsts(headers);
      out[":status"] = statusCode;
      this.statusCode = statusCode;
      stream.respond(out as OutgoingHttpHeaders);
      stream.end(body);
    }

    /** The gateway cuts the stream (a backend failed mid-body): RST_STREAM, counted as the gateway's. */
    override destroy(error?: Error): this {
      (this.stream as unknown as Record<symbol, boolean>)[GATEWAY_RESET] = true;
      return super.destroy(error);
    }
  }

  // A stream the client reset (RST_STREAM) still ends with 'finish' and a true `writableFinished`
  // in node:http2's compatibility layer; the gateway reads `writableFinished` at 'close' to tell a
  // finished response from a client that went away (499, backend call aborted).
  const finished = Object.getOwnPropertyDescriptor(Http2ServerResponse.prototype, "writableFinished");
  Object.defineProperty(H2Response.prototype, "writableFinished", {
    get(this: H2Response) {
      return (finished?.get?.call(this) as boolean) === true && !this.stream.aborted;
    },
  });

  return {
    Http1ServerResponse: TlsHttp1Response as unknown as typeof ServerResponse,
    Http2ServerRequest: H2Request as unknown as typeof Http2ServerRequest,
    Http2ServerResponse: H2Response as unknown as typeof Http2ServerResponse,
  };
}
