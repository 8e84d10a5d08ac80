import { isUtf8 } from "node:buffer";
import { statSync } from "node:fs";
import { validateHeaderName, validateHeaderValue } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { FunctionBackendConfig } from "../../config/schema.js";
import { GatewayError } from "../../errors.js";
import { formatSegments, type Segment } from "../../routing/route-path.js";
import { readBody } from "./body.js";
import { dropHopByHop } from "./hop-by-hop.js";
import { type BackendLogger, consoleBackendLogger } from "./log.js";
import type { Backend, BackendRequest, BackendResponse, HeaderBag } from "./types.js";

export const DEFAULT_FUNCTION_TIMEOUT_MS = 3_000;
/** Lambda's limit for a synchronous invocation payload. */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

/** What the handler receives: the shape of an Amazon API Gateway REST proxy integration event. */
export interface ProxyEvent {
  readonly resource: string;
  readonly httpMethod: string;
  /** The request path, as received (still percent-encoded), group base path included. */
  readonly path: string;
  readonly pathParameters: Record<string, string> | null;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  /** Lowercase names; repeated fields joined with ", " (Cookie with "; "). */
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
  readonly requestContext: {
    readonly requestId: string;
    readonly httpMethod: string;
    readonly path: string;
    readonly identity: { readonly sourceIp: string | null };
  };
}

/** The handler's second argument, a small subset of Lambda's context. */
export interface ProxyContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  getRemainingTimeInMillis(): number;
  /** Aborted when the handler timed out or the client went away. */
  readonly signal: AbortSignal;
}

/** What the handler returns. */
export interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

type Handler = (event: ProxyEvent, context: ProxyContext) => unknown;

type Loaded =
  | { readonly ok: true; readonly handler: Handler }
  | { readonly ok: false; readonly problem: string };

export interface FunctionBackendOptions {
  /** Where a relative `module` is resolved from: the configuration file's directory. */
  readonly baseDir: string;
  /** The API's route segments, to name path parameters (a `{rest+}` segment is `rest`, not `*`). */
  readonly segments: readonly Segment[];
  /** Where failures are reported (default console.error). */
  readonly log?: BackendLogger;
  /** The gateway-wide ceiling on request bodies (`gateway.limits.maxBodyBytes`), if any. */
  readonly maxBodyBytes?: number;
}

/**
 * The module's URL with a version query: an edited file gets a new URL, so a configuration reload
 * imports it afresh, while an unchanged one reuses the loaded module (ES modules are never unloaded,
 * so a counter would leak one copy per reload).
 */
function moduleUrl(path: string): string {
  const url = pathToFileURL(path);
  try {
    const s = statSync(path);
    url.search = `?v=${Math.trunc(s.mtimeMs)}-${s.size}`;
  } catch {
    // Missing: the import fails and says so.
  }
  return url.href;
}

async function load(path: string): Promise<Loaded> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(moduleUrl(path))) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, problem: `cannot be imported: ${error instanceof Error ? error.message : error}` };
  }
  const fallback = mod.default as Record<string, unknown> | undefined;
  const handler = mod.handler ?? (typeof fallback === "object" ? fallback?.handler : undefined);
  if (typeof handler !== "function") return { ok: false, problem: "does not export a handler function" };
  return { ok: true, handler: handler as Handler };
}

/**
 * Maps keyed by what the client sent (header and query parameter names) are built in a Map and made
 * objects at the end: `toString`, `constructor` or `__proto__` are names like any other, own
 * properties of an ordinary object as in an event JSON.parse would give, never the prototype's.
 */
function headerMaps(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const multi = new Map<string, string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const list = multi.get(name);
    if (list) list.push(value);
    else multi.set(name, [value]);
  }
  const joined = new Map<string, string>();
  for (const [name, values] of multi) joined.set(name, values.join(name === "cookie" ? "; " : ", "));
  return { headers: Object.fromEntries(joined), multiValueHeaders: Object.fromEntries(multi) };
}

function queryMaps(query: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if (query.length <= 1) return { single: null, multi: null };
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(query.slice(1))) {
    single.set(name, value);
    const list = multi.get(name);
    if (list) list.push(value);
    else multi.set(name, [value]);
  }
  return single.size === 0
    ? { single: null, multi: null }
    : { single: Object.fromEntries(single), multi: Object.fromEntries(multi) };
}

type Checked =
  | { readonly ok: true; readonly response: BackendResponse }
  | { readonly ok: false; readonly problem: string };

function headerValue(name: string, value: unknown, where: string): string {
  if (
    typeof value === "number"
      ? !Number.isFinite(value)
      : typeof value !== "string" && typeof value !== "boolean"
  ) {
    throw new Error(`${where}.${name} must be a string, a number or a boolean`);
  }
  const text = String(value);
  try {
    validateHeaderName(name);
    validateHeaderValue(name, text);
  } catch (error) {
    throw new Error(`${where}.${JSON.stringify(name)}: ${(error as Error).message}`);
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Checks a handler's result as API Gateway does ("Malformed Lambda proxy response") and converts it. */
export function checkResult(result: unknown): Checked {
  if (!isRecord(result)) return { ok: false, problem: "the result is not an object" };
  const status = result.statusCode;
  // 1xx are interim answers, never a final response.
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599) {
    return { ok: false, problem: `statusCode ${JSON.stringify(status)} is not an integer from 200 to 599` };
  }
  // A Map first, as for the event's maps: a handler's own `__proto__` field is a name, not a prototype.
  const fields = new Map<string, string | string[]>();
  try {
    if (result.headers !== undefined && result.headers !== null) {
      if (!isRecord(result.headers)) throw new Error("headers is not an object");
      for (const [name, value] of Object.entries(result.headers)) {
        fields.set(name.toLowerCase(), headerValue(name, value, "headers"));
      }
    }
    if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
      if (!isRecord(result.multiValueHeaders)) throw new Error("multiValueHeaders is not an object");
      // API Gateway merges both maps; for a name in both, multiValueHeaders wins.
      for (const [name, values] of Object.entries(result.multiValueHeaders)) {
        if (!Array.isArray(values)) throw new Error(`multiValueHeaders.${name} is not an array`);
        const texts = values.map((v) => headerValue(name, v, "multiValueHeaders"));
        fields.set(name.toLowerCase(), texts.length === 1 ? (texts[0] as string) : texts);
      }
    }
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  const headers: HeaderBag = Object.fromEntries(fields);
  const base64 = result.isBase64Encoded;
  if (base64 !== undefined && base64 !== null && typeof base64 !== "boolean") {
    return { ok: false, problem: "isBase64Encoded is not a boolean" };
  }
  let body: Buffer;
  if (result.body === undefined || result.body === null) {
    body = Buffer.alloc(0);
  } else if (typeof result.body !== "string") {
    return { ok: false, problem: `body is a ${typeof result.body}, not a string` };
  } else if (base64 === true) {
    const compact = result.body.replace(/\s+/g, "");
    if (!BASE64.test(compact)) return { ok: false, problem: "body is not valid base64" };
    body = Buffer.from(compact, "base64");
  } else {
    body = Buffer.from(result.body, "utf8");
  }
  return { ok: true, response: { status, headers: dropHopByHop(headers), body } };
}

/** Thrown as the abort reason when the handler runs out of time. */
class HandlerTimeout extends Error {}

/**
 * A JavaScript handler called like an AWS Lambda proxy integration: `handler(event, context)`
 * returns (or resolves to) `{ statusCode, headers?, multiValueHeaders?, body?, isBase64Encoded? }`.
 * The module is imported once per build of the backend (that is, per configuration). A failure of
 * the handler is a 502 with a generic message; what went wrong is logged with the request id.
 */
export class FunctionBackend implements Backend {
  readonly #path: string;
  readonly #loaded: Promise<Loaded>;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #segments: readonly Segment[];
  readonly #resource: string;
  readonly #log: BackendLogger;

  constructor(config: FunctionBackendConfig, options: FunctionBackendOptions) {
    this.#log = options.log ?? consoleBackendLogger;
    this.#path = resolve(options.baseDir, config.module);
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
    // The backend's own limit (default Lambda's), never above the gateway's.
    this.#maxBodyBytes = Math.min(
      config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      options.maxBodyBytes ?? Number.POSITIVE_INFINITY,
    );
    this.#segments = options.segments;
    this.#resource = formatSegments(options.segments);
    this.#loaded = load(this.#path);
    void this.#loaded.then((l) => {
      if (!l.ok) {
        this.#log.error(
          { backend: "function", module: this.#path, problem: l.problem },
          `function backend ${this.#path}: ${l.problem}`,
        );
      }
    });
  }

  async call(request: BackendRequest): Promise<BackendResponse> {
    const { req, requestId, signal } = request;
    const loaded = await this.#loaded;
    if (!loaded.ok) throw this.#failure(requestId, loaded.problem);
    const raw = await readBody(req, this.#maxBodyBytes).catch((error: unknown) => {
      if (error instanceof GatewayError) throw error;
      throw new GatewayError("CLIENT_CLOSED_REQUEST");
    });
    const event = this.#event(request, raw);

    const controller = new AbortController();
    const deadline = Date.now() + this.#timeoutMs;
    const context: ProxyContext = {
      awsRequestId: requestId,
      functionName: this.#path,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      signal: controller.signal,
    };
    let timer: NodeJS.Timeout | undefined;
    let onClientGone: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = new HandlerTimeout();
        controller.abort(reason);
        reject(reason);
      }, this.#timeoutMs);
      onClientGone = () => {
        controller.abort(signal.reason);
        reject(signal.reason);
      };
      if (signal.aborted) onClientGone();
      else signal.addEventListener("abort", onClientGone, { once: true });
    });
    let result: unknown;
    try {
      result = await Promise.race([Promise.resolve().then(() => loaded.handler(event, context)), stop]);
    } catch (error) {
      if (error instanceof HandlerTimeout) {
        console.error(
          `request ${requestId}: function backend ${this.#path}: timed out after ${this.#timeoutMs} ms`,
        );
        throw new GatewayError("BACKEND_TIMEOUT");
      }
      if (signal.aborted) {
        throw new GatewayError("CLIENT_CLOSED_REQUEST");
      }
      throw this.#failure(requestId, "the handler threw", error);
    } finally {
      clearTimeout(timer);
      if (onClientGone) signal.removeEventListener("abort", onClientGone);
    }
    const checked = checkResult(result);
    if (!checked.ok) throw this.#failure(requestId, `malformed result: ${checked.problem}`);
    return checked.response;
  }

  #event(request: BackendRequest, raw: Buffer): ProxyEvent {
    const { req } = request;
    const method = req.method ?? "GET";
    const path = request.path;
    const { headers, multiValueHeaders } = headerMaps(req.rawHeaders);
    const query = queryMaps(request.query);
    const text = raw.length > 0 && isUtf8(raw);
    return {
      resource: this.#resource,
      httpMethod: method,
      path,
      pathParameters: this.#pathParameters(request.params),
      queryStringParameters: query.single,
      multiValueQueryStringParameters: query.multi,
      headers,
      multiValueHeaders,
      body: raw.length === 0 ? null : text ? raw.toString("utf8") : raw.toString("base64"),
      isBase64Encoded: raw.length > 0 && !text,
      requestContext: {
        requestId: request.requestId,
        httpMethod: method,
        path,
        identity: { sourceIp: req.socket.remoteAddress ?? null },
      },
    };
  }

  #pathParameters(params: Readonly<Record<string, string | undefined>>): Record<string, string> | null {
    let out: Record<string, string> | null = null;
    for (const segment of this.#segments) {
      if (segment.kind === "literal") continue;
      const value = params[segment.name];
      if (value === undefined) continue;
      out ??= {};
      out[segment.name] = value;
    }
    return out;
  }

  /** A generic 502 for the client; the detail for the gateway log. */
  #failure(requestId: string, problem: string, error?: unknown): GatewayError {
    this.#report(requestId, problem, error);
    return new GatewayError("BACKEND_ERROR");
  }

  #report(requestId: string, problem: string, error?: unknown): void {
    this.#log.error(
      { requestId, backend: "function", module: this.#path, problem, err: error },
      `request ${requestId}: function backend ${this.#path}: ${problem}`,
    );
  }
}
