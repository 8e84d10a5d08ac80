/**
 * Backends from an operation's gateway extensions: Amazon's `x-amazon-apigateway-integration`, Huawei's
 * `x-apigateway-backend`, crossgate's own `x-crossgate-function` / `x-crossgate-http`, or a default URL.
 */
import type { BackendConfig, HttpBackendConfig, MockBackendConfig } from "../config/schema.js";
import {
  AWS,
  asString,
  HUAWEI,
  isRecord,
  type Json,
  type Notes,
  pointer,
  staticMappingValue,
  X,
} from "./common.js";
import { backendUrl } from "./paths.js";

export interface OperationContext {
  /** The API's path as converted from the document (a final greedy segment still there). */
  readonly path: string;
  readonly method: string;
  readonly match: "exact" | "prefix";
  /** Where operations without a gateway extension forward to (`--backend-url`, else the server URL). */
  readonly defaultUrl: string | undefined;
  /**
   * A mock body from `responseTemplates` gets its media type as Content-Type when no response parameter
   * sets one, as Amazon sends it; off for documents written by `crossgate export`, which are exact.
   */
  readonly templateContentType: boolean;
  readonly notes: Notes;
  /** JSON pointer of the operation. */
  readonly at: string;
}

export interface TranslatedBackend {
  readonly backend: BackendConfig;
  /** The API must become a prefix API on this path (Amazon's `{proxy+}` resources). */
  readonly prefixPath?: string;
  /** The backend is the default URL (`--backend-url` or the document's server). */
  readonly fromDefault?: boolean;
  /** The static response headers of a mock integration: the "enable CORS" pattern when OPTIONS. */
  readonly mockHeaders?: Readonly<Record<string, string>>;
}

/** What crossgate serves where a backend cannot run here: 501 with the reason, readable by a browser. */
export function notTranslated(reason: string): MockBackendConfig {
  return {
    type: "mock",
    status: 501,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ error_code: "NOT_TRANSLATED", error_msg: reason }),
  };
}

const TIMEOUT_MAX = 3_600_000;

function timeout(value: unknown, notes: Notes, at: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= TIMEOUT_MAX) return n;
  notes.warn(
    at,
    `timeout ${JSON.stringify(value)} is not a whole number of milliseconds from 1 to ${TIMEOUT_MAX}`,
  );
  return undefined;
}

function warnUnknownKeys(obj: Json, known: readonly string[], notes: Notes, at: string, what: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) notes.warn(pointer(at, key), `${what} field ${key} is not translated`);
  }
}

export function translateBackend(op: Json, ctx: OperationContext): TranslatedBackend {
  const { notes, at } = ctx;
  const fn = op[X.function];
  if (fn !== undefined) return { backend: crossgateFunction(fn, notes, pointer(at, X.function)) };
  let translated: TranslatedBackend;
  if (op[AWS.integration] !== undefined) {
    translated = amazonIntegration(op[AWS.integration], ctx, pointer(at, AWS.integration));
  } else if (op[HUAWEI.backend] !== undefined) {
    translated = huaweiBackend(op[HUAWEI.backend], ctx, pointer(at, HUAWEI.backend));
  } else if (ctx.defaultUrl !== undefined) {
    translated = { backend: { type: "http", url: ctx.defaultUrl }, fromDefault: true };
  } else {
    notes.warn(
      at,
      "no backend: the document names no integration and no absolute server URL; serves 501 until you set one (or pass --backend-url)",
    );
    translated = { backend: notTranslated(`no backend for ${ctx.method} ${ctx.path}`) };
  }
  const extra = op[X.http];
  if (extra !== undefined && translated.backend.type === "http") {
    const xat = pointer(at, X.http);
    if (isRecord(extra)) {
      const backend: HttpBackendConfig = { ...translated.backend };
      const connect = timeout(extra.connectTimeoutMs, notes, pointer(xat, "connectTimeoutMs"));
      const headers = timeout(extra.headersTimeoutMs, notes, pointer(xat, "headersTimeoutMs"));
      const total = timeout(extra.timeoutMs, notes, pointer(xat, "timeoutMs"));
      if (total !== undefined) backend.timeoutMs = total;
      if (connect !== undefined) backend.connectTimeoutMs = connect;
      if (headers !== undefined) backend.headersTimeoutMs = headers;
      warnUnknownKeys(extra, ["connectTimeoutMs", "headersTimeoutMs", "timeoutMs"], notes, xat, X.http);
      translated = { ...translated, backend };
    } else {
      notes.warn(xat, `${X.http} is not an object: not translated`);
    }
  }
  return translated;
}

function crossgateFunction(fn: unknown, notes: Notes, at: string): BackendConfig {
  if (!isRecord(fn) || typeof fn.module !== "string" || fn.module === "") {
    notes.warn(at, `${X.function} needs a module: serves 501`);
    return notTranslated("function backend without a module");
  }
  notes.info(at, `function backend ${fn.module}: the module path is relative to the written configuration`);
  const backend: BackendConfig = { type: "function", module: fn.module };
  const t = timeout(fn.timeoutMs, notes, pointer(at, "timeoutMs"));
  if (t !== undefined) backend.timeoutMs = t;
  if (typeof fn.maxBodyBytes === "number") backend.maxBodyBytes = fn.maxBodyBytes;
  warnUnknownKeys(fn, ["module", "timeoutMs", "maxBodyBytes"], notes, at, X.function);
  return backend;
}

const VTL = /\$(input|context|util|stageVariables|method|integration)\b|#(set|if|foreach|end)\b/;

function amazonIntegration(raw: unknown, ctx: OperationContext, at: string): TranslatedBackend {
  const { notes } = ctx;
  if (!isRecord(raw)) {
    notes.warn(at, "the integration is not an object: serves 501");
    return { backend: notTranslated("malformed integration") };
  }
  const type = (asString(raw.type) ?? "").toLowerCase();
  if (type === "mock") return amazonMock(raw, ctx.templateContentType, notes, at);
  if (type === "http" || type === "http_proxy") return amazonHttp(raw, type, ctx, at);
  const what =
    type === "aws_proxy"
      ? "a Lambda proxy integration"
      : type === "aws"
        ? "an AWS service integration"
        : `integration type ${JSON.stringify(raw.type)}`;
  const uri = asString(raw.uri);
  notes.warn(
    pointer(at, "type"),
    `${what}${uri ? ` (${uri})` : ""} cannot run in crossgate: imported as a mock answering 501; replace it with an http or function backend`,
  );
  return { backend: notTranslated(`${what} was not translated: ${uri ?? "no uri"}`) };
}

function pickResponse(raw: Json, notes: Notes, at: string): { key: string; value: Json } | undefined {
  const responses = raw.responses;
  if (responses === undefined) return undefined;
  if (!isRecord(responses)) {
    notes.warn(pointer(at, "responses"), "responses is not an object: not translated");
    return undefined;
  }
  const keys = Object.keys(responses);
  const key = keys.includes("default") ? "default" : keys[0];
  if (key === undefined) return undefined;
  for (const other of keys) {
    if (other !== key) {
      notes.warn(
        pointer(at, "responses", other),
        `integration response ${JSON.stringify(other)} is not translated: crossgate has no response selection (the ${JSON.stringify(key)} response is used)`,
      );
    }
  }
  const value = responses[key];
  return isRecord(value) ? { key, value } : undefined;
}

function amazonMock(raw: Json, templateContentType: boolean, notes: Notes, at: string): TranslatedBackend {
  warnUnknownKeys(
    raw,
    ["type", "responses", "requestTemplates", "passthroughBehavior", "timeoutInMillis", "contentHandling"],
    notes,
    at,
    "mock integration",
  );
  const backend: MockBackendConfig = { type: "mock" };
  const picked = pickResponse(raw, notes, at);
  if (picked === undefined) {
    backend.status = 200;
    return { backend, mockHeaders: {} };
  }
  const rat = pointer(at, "responses", picked.key);
  const r = picked.value;
  warnUnknownKeys(
    r,
    ["statusCode", "responseParameters", "responseTemplates", "selectionPattern", "contentHandling"],
    notes,
    rat,
    "integration response",
  );
  const status = Number(r.statusCode ?? 200);
  if (Number.isInteger(status) && status >= 100 && status <= 599) backend.status = status;
  else {
    notes.warn(
      pointer(rat, "statusCode"),
      `statusCode ${JSON.stringify(r.statusCode)} is not an HTTP status: 200 used`,
    );
    backend.status = 200;
  }
  const headers: Record<string, string> = {};
  if (isRecord(r.responseParameters)) {
    for (const [key, value] of Object.entries(r.responseParameters)) {
      const pat = pointer(rat, "responseParameters", key);
      const m = /^method\.response\.header\.(.+)$/.exec(key);
      if (!m) {
        notes.warn(pat, `${key} is not a response header mapping: not translated`);
        continue;
      }
      const v = staticMappingValue(value);
      if (v === null) {
        notes.warn(
          pat,
          `${m[1]} maps ${JSON.stringify(value)}, which is not a static value: a mock sends static headers only, so it is left out`,
        );
        continue;
      }
      headers[m[1] as string] = v;
    }
  }
  if (isRecord(r.responseTemplates)) {
    const entries = Object.entries(r.responseTemplates).filter(([, v]) => typeof v === "string") as [
      string,
      string,
    ][];
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1];
    const media = contentType?.split(";")[0]?.trim().toLowerCase();
    const chosen =
      entries.find(([k]) => k.toLowerCase() === media) ??
      entries.find(([k]) => k.toLowerCase() === "application/json") ??
      entries[0];
    if (chosen) {
      backend.body = chosen[1];
      if (contentType === undefined && templateContentType && /^[\w.+-]+\/[\w.+-]+$/.test(chosen[0])) {
        headers["Content-Type"] = chosen[0];
      }
      if (VTL.test(chosen[1])) {
        notes.warn(
          pointer(rat, "responseTemplates", chosen[0]),
          "the template uses Velocity (VTL) expressions, which crossgate does not evaluate: the body is sent as written",
        );
      }
    }
    for (const [k] of entries) {
      if (chosen && k !== chosen[0]) {
        notes.warn(
          pointer(rat, "responseTemplates", k),
          `template for ${k} is not translated: a mock has one body (the ${chosen[0]} one is used)`,
        );
      }
    }
  }
  const ordered: MockBackendConfig = {
    type: "mock",
    ...(backend.status !== undefined && { status: backend.status }),
    ...(Object.keys(headers).length > 0 && { headers }),
    ...(backend.body !== undefined && { body: backend.body }),
  };
  return { backend: ordered, mockHeaders: headers };
}

function amazonHttp(raw: Json, type: string, ctx: OperationContext, at: string): TranslatedBackend {
  const { notes } = ctx;
  const known = [
    "type",
    "uri",
    "httpMethod",
    "timeoutInMillis",
    "passthroughBehavior",
    "requestParameters",
    "payloadFormatVersion",
    "connectionType",
  ];
  if (type === "http") known.push("responses");
  warnUnknownKeys(raw, known, notes, at, `${type} integration`);
  const uri = asString(raw.uri);
  if (uri === undefined) {
    notes.warn(at, `the ${type} integration has no uri: serves 501`);
    return { backend: notTranslated(`${type} integration without a uri`) };
  }
  if (raw.connectionType !== undefined && String(raw.connectionType).toUpperCase() !== "INTERNET") {
    notes.warn(
      pointer(at, "connectionType"),
      `connection type ${JSON.stringify(raw.connectionType)} (a VPC link) is not translated: the uri is called directly`,
    );
  }
  const httpMethod = asString(raw.httpMethod)?.toUpperCase();
  if (httpMethod && httpMethod !== "ANY" && ctx.method !== "ANY" && httpMethod !== ctx.method) {
    notes.warn(
      pointer(at, "httpMethod"),
      `the integration calls the backend with ${httpMethod}; crossgate forwards the request's own method (${ctx.method})`,
    );
  }
  if (raw.requestParameters !== undefined) {
    const params = isRecord(raw.requestParameters) ? raw.requestParameters : {};
    for (const [key, value] of Object.entries(params)) {
      const path = /^integration\.request\.path\.(.+)$/.exec(key);
      if (path && typeof value === "string" && /^method\.request\.path\.[^.]+$/.test(value)) continue;
      notes.warn(
        pointer(at, "requestParameters", key),
        `request parameter mapping ${key} = ${JSON.stringify(value)} is not translated: crossgate passes the request's headers, query and path as they are`,
      );
    }
  }
  if (type === "http") {
    notes.info(
      pointer(at, "type"),
      "an http (non-proxy) integration is imported as a proxy: crossgate passes requests and responses through",
    );
    const picked = pickResponse(raw, notes, at);
    if (picked) {
      const r = picked.value;
      const rat = pointer(at, "responses", picked.key);
      for (const key of Object.keys(r)) {
        if (key === "statusCode" || key === "selectionPattern") continue;
        notes.warn(
          pointer(rat, key),
          key === "responseParameters"
            ? "response header mappings are not translated: the backend's own response headers are passed on (a CORS toggle or policy can add the CORS headers)"
            : `${key} is not translated: the backend's response is passed through`,
        );
      }
    }
  }
  const target = backendUrl(uri, ctx.path, ctx.match, notes, pointer(at, "uri"));
  if (target === null) return { backend: notTranslated(`backend ${uri} could not be translated`) };
  const backend: HttpBackendConfig = { type: "http", url: target.url };
  const t = timeout(raw.timeoutInMillis, notes, pointer(at, "timeoutInMillis"));
  if (t !== undefined) backend.timeoutMs = t;
  return { backend, ...(target.prefixPath !== undefined && { prefixPath: target.prefixPath }) };
}

function huaweiBackend(raw: unknown, ctx: OperationContext, at: string): TranslatedBackend {
  const { notes } = ctx;
  if (!isRecord(raw)) {
    notes.warn(at, `${HUAWEI.backend} is not an object: serves 501`);
    return { backend: notTranslated("malformed x-apigateway-backend") };
  }
  const type = (asString(raw.type) ?? "").toUpperCase();
  if (raw.parameters !== undefined) {
    notes.warn(
      pointer(at, "parameters"),
      "backend parameter mappings are not translated: crossgate passes the request's headers, query and path as they are",
    );
  }
  if (type === "HTTP") {
    warnUnknownKeys(raw, ["type", "httpEndpoints", "parameters"], notes, at, HUAWEI.backend);
    const eat = pointer(at, "httpEndpoints");
    const ep = raw.httpEndpoints;
    if (!isRecord(ep)) {
      notes.warn(eat, "an HTTP backend needs httpEndpoints: serves 501");
      return { backend: notTranslated("HTTP backend without httpEndpoints") };
    }
    warnUnknownKeys(ep, ["address", "scheme", "method", "path", "timeout"], notes, eat, "httpEndpoints");
    let address: string | undefined;
    if (typeof ep.address === "string") address = ep.address;
    else if (Array.isArray(ep.address)) {
      address = ep.address.find((a): a is string => typeof a === "string");
      if (ep.address.length > 1) {
        notes.warn(
          pointer(eat, "address"),
          `${ep.address.length} addresses: crossgate has one URL per backend, ${JSON.stringify(address)} is used`,
        );
      }
    }
    if (address === undefined || address === "") {
      notes.warn(pointer(eat, "address"), "no backend address: serves 501");
      return { backend: notTranslated("HTTP backend without an address") };
    }
    const scheme = (asString(ep.scheme) ?? "http").toLowerCase();
    const path = asString(ep.path) ?? "/";
    const method = asString(ep.method)?.toUpperCase();
    if (method && method !== "ANY" && ctx.method !== "ANY" && method !== ctx.method) {
      notes.warn(
        pointer(eat, "method"),
        `the backend is called with ${method}; crossgate forwards the request's own method (${ctx.method})`,
      );
    }
    const target = backendUrl(
      `${scheme}://${address}${path.startsWith("/") ? path : `/${path}`}`,
      ctx.path,
      ctx.match,
      notes,
      pointer(eat, "path"),
    );
    if (target === null) return { backend: notTranslated(`backend ${address} could not be translated`) };
    const backend: HttpBackendConfig = { type: "http", url: target.url };
    const t = timeout(ep.timeout, notes, pointer(eat, "timeout"));
    if (t !== undefined) backend.timeoutMs = t;
    return { backend, ...(target.prefixPath !== undefined && { prefixPath: target.prefixPath }) };
  }
  if (type === "MOCK") {
    warnUnknownKeys(raw, ["type", "mockEndpoints", "parameters"], notes, at, HUAWEI.backend);
    const mat = pointer(at, "mockEndpoints");
    const ep = isRecord(raw.mockEndpoints) ? raw.mockEndpoints : {};
    warnUnknownKeys(ep, ["result-content"], notes, mat, "mockEndpoints");
    const backend: MockBackendConfig = { type: "mock", status: 200 };
    const content = ep["result-content"];
    if (typeof content === "string") backend.body = content;
    else if (content !== undefined) {
      notes.warn(pointer(mat, "result-content"), "result-content is not a string: not translated");
    }
    return { backend, mockHeaders: {} };
  }
  const what =
    type === "FUNCTION"
      ? "a FunctionGraph backend"
      : type === "HTTP-VPC"
        ? "an HTTP-VPC backend (a VPC channel)"
        : `backend type ${JSON.stringify(raw.type)}`;
  notes.warn(
    pointer(at, "type"),
    `${what} cannot run in crossgate: imported as a mock answering 501; replace it with an http or function backend`,
  );
  return { backend: notTranslated(`${what} was not translated`) };
}
