/**
 * Backends from an operation's gateway extensions: Amazon's `x-amazon-apigateway-integration`, Huawei's
 * `x-apigateway-backend` (huawei-backend.ts), crossgate's own `x-crossgate-function` / `x-crossgate-http`,
 * or a default URL.
 */
import type { BackendConfig, HttpBackendConfig, MockBackendConfig } from "../config/schema.js";
import { setOwnField } from "../own-field.js";
import { AWS, asString, HUAWEI, isRecord, type Json, pointer, staticMappingValue, X } from "./common.js";
import type { Notes } from "./findings.js";
import { type FunctionStubs, lambdaArn, lambdaName } from "./functions.js";
import { huaweiBackend } from "./huawei-backend.js";
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
  /** Stub modules for Lambda and FunctionGraph functions, one per function. */
  readonly stubs: FunctionStubs;
  /** The operation's own parameters, for Huawei's backend parameter mappings. */
  readonly parameters: readonly Json[];
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
  /** Where the backend came from, for the API's description (a Lambda ARN, a FunctionGraph URN). */
  readonly origin?: string;
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

export function timeout(value: unknown, notes: Notes, at: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= TIMEOUT_MAX) return n;
  notes.warn(
    "IMPORT_MALFORMED",
    at,
    `timeout ${JSON.stringify(value)} is not a whole number of milliseconds from 1 to ${TIMEOUT_MAX}`,
    "set the backend's timeoutMs by hand (default 30000)",
  );
  return undefined;
}

export function warnUnknownKeys(
  obj: Json,
  known: readonly string[],
  notes: Notes,
  at: string,
  what: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      notes.warn(
        "IMPORT_NOT_TRANSLATED",
        pointer(at, key),
        `${what} field ${key} is not translated`,
        "check whether the API relied on it, and configure the backend service accordingly",
      );
    }
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
      "IMPORT_BACKEND_UNSUPPORTED",
      at,
      "no backend: the document names no integration and no absolute server URL; serves 501",
      "set the API's backend by hand, or import again with --backend-url",
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
      notes.warn("IMPORT_MALFORMED", xat, `${X.http} is not an object: not translated`, "fix the document");
    }
  }
  return translated;
}

function crossgateFunction(fn: unknown, notes: Notes, at: string): BackendConfig {
  if (!isRecord(fn) || typeof fn.module !== "string" || fn.module === "") {
    notes.warn(
      "IMPORT_MALFORMED",
      at,
      `${X.function} needs a module: serves 501`,
      "set the function backend's module by hand",
    );
    return notTranslated("function backend without a module");
  }
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
    notes.warn("IMPORT_MALFORMED", at, "the integration is not an object: serves 501", "fix the document");
    return { backend: notTranslated("malformed integration") };
  }
  const type = (asString(raw.type) ?? "").toLowerCase();
  if (type === "mock") return amazonMock(raw, ctx.templateContentType, notes, at);
  if (type === "http" || type === "http_proxy") return amazonHttp(raw, type, ctx, at);
  const uri = asString(raw.uri) ?? "";
  const arn = lambdaArn(uri);
  if ((type === "aws_proxy" || type === "aws") && arn !== null) return lambda(raw, type, arn, ctx, at);
  const what = type === "aws" ? "an AWS service integration" : `integration type ${JSON.stringify(raw.type)}`;
  notes.warn(
    "IMPORT_BACKEND_UNSUPPORTED",
    pointer(at, "type"),
    `${what}${uri ? ` (${uri})` : ""} cannot run in crossgate: imported as a mock answering 501`,
    "replace it with an http backend in front of the service, or a function backend that calls it",
  );
  return { backend: notTranslated(`${what} was not translated: ${uri || "no uri"}`) };
}

/** A Lambda (proxy or not) becomes a function backend on a stub module that names it. */
function lambda(raw: Json, type: string, arn: string, ctx: OperationContext, at: string): TranslatedBackend {
  const { notes } = ctx;
  const stub = ctx.stubs.stubFor("Lambda function", lambdaName(arn), arn);
  notes.warn(
    "IMPORT_FUNCTION_STUB",
    at,
    `Lambda function ${lambdaName(arn)} (${arn}) became a function backend on ${stub.module}, a stub answering 501 until it holds the function's code`,
    `put the function's handler in ${stub.module} (it receives the same proxy event), or point the API at an http backend that runs it`,
  );
  if (type === "aws") {
    notes.warn(
      "IMPORT_BACKEND_APPROXIMATED",
      pointer(at, "type"),
      "a non-proxy Lambda integration: its request and response mapping templates are not translated, the function receives the proxy event",
      "adapt the function to the proxy event and result",
    );
  }
  if (raw.responses !== undefined) {
    notes.info(
      "IMPORT_IGNORED",
      pointer(at, "responses"),
      "integration responses have no effect on a proxy integration (the function's result is the response)",
      "nothing",
    );
  }
  if (raw.payloadFormatVersion === "2.0") {
    notes.info(
      "IMPORT_BACKEND_APPROXIMATED",
      pointer(at, "payloadFormatVersion"),
      "payload format 2.0: crossgate sends the function the 1.0 (REST proxy) event",
      "read the 1.0 event fields (httpMethod, path, multiValueHeaders) in the handler",
    );
  }
  const backend: BackendConfig = { type: "function", module: stub.module };
  const t = timeout(raw.timeoutInMillis, notes, pointer(at, "timeoutInMillis"));
  if (t !== undefined) backend.timeoutMs = t;
  return { backend, origin: `Lambda function ${arn}` };
}

function pickResponse(raw: Json, notes: Notes, at: string): { key: string; value: Json } | undefined {
  const responses = raw.responses;
  if (responses === undefined) return undefined;
  if (!isRecord(responses)) {
    notes.warn(
      "IMPORT_MALFORMED",
      pointer(at, "responses"),
      "responses is not an object: not translated",
      "fix the document",
    );
    return undefined;
  }
  const keys = Object.keys(responses);
  const key = keys.includes("default") ? "default" : keys[0];
  if (key === undefined) return undefined;
  for (const other of keys) {
    if (other !== key) {
      notes.warn(
        "IMPORT_NOT_TRANSLATED",
        pointer(at, "responses", other),
        `integration response ${JSON.stringify(other)} is not translated: crossgate has no response selection (the ${JSON.stringify(key)} response is used)`,
        "move the selection into the backend service",
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
    return { backend };
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
      "IMPORT_MALFORMED",
      pointer(rat, "statusCode"),
      `statusCode ${JSON.stringify(r.statusCode)} is not an HTTP status: 200 used`,
      "set the mock's status by hand",
    );
    backend.status = 200;
  }
  const headers: Record<string, string> = {};
  if (isRecord(r.responseParameters)) {
    for (const [key, value] of Object.entries(r.responseParameters)) {
      const pat = pointer(rat, "responseParameters", key);
      const m = /^method\.response\.header\.(.+)$/.exec(key);
      if (!m) {
        notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pat,
          `${key} is not a response header mapping: not translated`,
          "add the header to the mock by hand if it is needed",
        );
        continue;
      }
      const v = typeof value === "number" ? String(value) : staticMappingValue(value);
      if (v === null) {
        notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pat,
          `${m[1]} maps ${JSON.stringify(value)}, which is not a static value: a mock sends static headers only, so it is left out`,
          "use a function backend if the header must depend on the request",
        );
        continue;
      }
      setOwnField(headers, m[1] as string, v);
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
          "IMPORT_NOT_TRANSLATED",
          pointer(rat, "responseTemplates", chosen[0]),
          "the template uses Velocity (VTL) expressions, which crossgate does not evaluate: the body is sent as written",
          "write the body the template produced, or use a function backend",
        );
      }
    }
    for (const [k] of entries) {
      if (chosen && k !== chosen[0]) {
        notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pointer(rat, "responseTemplates", k),
          `template for ${k} is not translated: a mock has one body (the ${chosen[0]} one is used)`,
          "nothing, unless clients ask for that media type",
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
  return { backend: ordered };
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
    "contentHandling",
  ];
  if (type === "http") known.push("responses");
  warnUnknownKeys(raw, known, notes, at, `${type} integration`);
  const uri = asString(raw.uri);
  if (uri === undefined) {
    notes.warn(
      "IMPORT_MALFORMED",
      at,
      `the ${type} integration has no uri: serves 501`,
      "set the backend's url by hand",
    );
    return { backend: notTranslated(`${type} integration without a uri`) };
  }
  if (raw.connectionType !== undefined && String(raw.connectionType).toUpperCase() !== "INTERNET") {
    notes.warn(
      "IMPORT_BACKEND_PLACEHOLDER",
      pointer(at, "connectionType"),
      `connection type ${JSON.stringify(raw.connectionType)} (a VPC link) is not translated: the uri is called directly`,
      "make the uri reachable from crossgate, or set the backend's url to the private address",
    );
  }
  const httpMethod = asString(raw.httpMethod)?.toUpperCase();
  if (httpMethod && httpMethod !== "ANY" && ctx.method !== "ANY" && httpMethod !== ctx.method) {
    notes.warn(
      "IMPORT_BACKEND_APPROXIMATED",
      pointer(at, "httpMethod"),
      `the integration calls the backend with ${httpMethod}; crossgate forwards the request's own method (${ctx.method})`,
      `make the backend accept ${ctx.method}`,
    );
  }
  if (raw.requestParameters !== undefined) {
    const params = isRecord(raw.requestParameters) ? raw.requestParameters : {};
    for (const [key, value] of Object.entries(params)) {
      const path = /^integration\.request\.path\.(.+)$/.exec(key);
      if (path && typeof value === "string" && /^method\.request\.path\.[^.]+$/.test(value)) continue;
      notes.warn(
        "IMPORT_BACKEND_APPROXIMATED",
        pointer(at, "requestParameters", key),
        `request parameter mapping ${key} = ${JSON.stringify(value)} is not translated: crossgate passes the request's headers, query and path as they are`,
        "make the backend read the request as the client sends it",
      );
    }
  }
  if (type === "http") {
    notes.info(
      "IMPORT_BACKEND_APPROXIMATED",
      pointer(at, "type"),
      "an http (non-proxy) integration is imported as a proxy: crossgate passes requests and responses through",
      "nothing, unless the integration's mapping templates changed the request or response",
    );
    const picked = pickResponse(raw, notes, at);
    if (picked) {
      const r = picked.value;
      const rat = pointer(at, "responses", picked.key);
      for (const key of Object.keys(r)) {
        if (key === "statusCode" || key === "selectionPattern") continue;
        notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pointer(rat, key),
          key === "responseParameters"
            ? "response header mappings are not translated: the backend's own response headers are passed on (the API's CORS policy adds the CORS headers)"
            : `${key} is not translated: the backend's response is passed through`,
          "make the backend send what the mapping produced",
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
