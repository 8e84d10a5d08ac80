/**
 * Huawei APIG's `x-apigateway-backend` (IMPORT.md section 5): HTTP and MOCK translate; a VPC channel or
 * an environment variable (`#name#`) keeps its scheme, path and timeout with a placeholder host named
 * after it; a FunctionGraph function becomes a function backend on a stub module.
 */
import type { BackendConfig, HttpBackendConfig, MockBackendConfig } from "../config/schema.js";
import {
  notTranslated,
  type OperationContext,
  type TranslatedBackend,
  timeout,
  warnUnknownKeys,
} from "./backends.js";
import { asString, HUAWEI, isRecord, type Json, pointer } from "./common.js";
import type { Notes } from "./findings.js";
import { functionGraphName } from "./functions.js";
import { backendUrl } from "./paths.js";

const ENDPOINT_KEYS = [
  "address",
  "scheme",
  "method",
  "path",
  "timeout",
  "description",
  "enableClientSsl",
  "retryCount",
];

/** `#ORDER_HOST#` (an environment variable) as a host name: `order-host`. */
function variableHost(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "env"
  );
}

/** Replaces `#name#` environment variables by their names, reporting each. */
function withoutVariables(text: string, notes: Notes, at: string, what: string): string {
  return text.replace(/#([^#/]+)#/g, (_whole, name: string) => {
    notes.warn(
      "IMPORT_BACKEND_PLACEHOLDER",
      at,
      `${what} uses the environment variable #${name}#, whose value is set per Huawei environment and is not exported: ${variableHost(name)} stands in for it`,
      `replace ${variableHost(name)} in the backend's url with the value #${name}# has in the environment you migrate`,
    );
    return variableHost(name);
  });
}

/** Backend parameter mappings: a request value passed under the same name and place is what crossgate does. */
function parameterNotes(raw: unknown, ctx: OperationContext, at: string): void {
  if (!Array.isArray(raw)) return;
  raw.forEach((p, i) => {
    if (!isRecord(p)) return;
    const name = String(p.name);
    const where = String(p.in ?? "").toLowerCase();
    const origin = String(p.origin ?? "").toUpperCase();
    const pat = pointer(at, i);
    if (origin === "CONSTANT") {
      notes(ctx).warn(
        "IMPORT_BACKEND_APPROXIMATED",
        pat,
        `the backend received ${where} ${name}: ${JSON.stringify(p.value)} on every call; crossgate does not add it`,
        `make the backend stop requiring ${name}, or put it in the backend's url (query) or a function backend`,
      );
      return;
    }
    const front = ctx.parameters.find((q) => q.name === p.value);
    const frontIn = String(front?.in ?? where).toLowerCase();
    if (p.value === name && frontIn === where) return;
    notes(ctx).warn(
      "IMPORT_BACKEND_APPROXIMATED",
      pat,
      `the backend received the request's ${frontIn} parameter ${String(p.value)} as ${where} ${name}; crossgate passes parameters where the client sent them`,
      `make the backend read ${String(p.value)} from the ${frontIn}`,
    );
  });
}

function notes(ctx: OperationContext): Notes {
  return ctx.notes;
}

function httpEndpoint(
  ep: Json,
  host: string,
  ctx: OperationContext,
  eat: string,
): { backend: HttpBackendConfig; prefixPath?: string } | null {
  const scheme = (asString(ep.scheme) ?? "http").toLowerCase();
  const rawPath = asString(ep.path) ?? "/";
  const path = withoutVariables(rawPath, ctx.notes, pointer(eat, "path"), "the backend path");
  const method = asString(ep.method)?.toUpperCase();
  if (method && method !== "ANY" && ctx.method !== "ANY" && method !== ctx.method) {
    ctx.notes.warn(
      "IMPORT_BACKEND_APPROXIMATED",
      pointer(eat, "method"),
      `the backend is called with ${method}; crossgate forwards the request's own method (${ctx.method})`,
      `make the backend accept ${ctx.method}`,
    );
  }
  const target = backendUrl(
    `${scheme}://${host}${path.startsWith("/") ? path : `/${path}`}`,
    ctx.path,
    ctx.match,
    ctx.notes,
    pointer(eat, "path"),
  );
  if (target === null) return null;
  const backend: HttpBackendConfig = { type: "http", url: target.url };
  const t = timeout(ep.timeout, ctx.notes, pointer(eat, "timeout"));
  if (t !== undefined) backend.timeoutMs = t;
  for (const key of ["description", "enableClientSsl", "retryCount"]) {
    if (ep[key] !== undefined && ep[key] !== "" && ep[key] !== false && ep[key] !== "-1") {
      ctx.notes.info(
        "IMPORT_IGNORED",
        pointer(eat, key),
        `${key} ${JSON.stringify(ep[key])} has no crossgate equivalent`,
        "nothing",
      );
    }
  }
  return { backend, ...(target.prefixPath !== undefined && { prefixPath: target.prefixPath }) };
}

export function huaweiBackend(raw: unknown, ctx: OperationContext, at: string): TranslatedBackend {
  if (!isRecord(raw)) {
    ctx.notes.warn(
      "IMPORT_MALFORMED",
      at,
      `${HUAWEI.backend} is not an object: serves 501`,
      "fix the document",
    );
    return { backend: notTranslated("malformed x-apigateway-backend") };
  }
  const type = (asString(raw.type) ?? "").toUpperCase();
  parameterNotes(raw.parameters, ctx, pointer(at, "parameters"));
  if (type === "HTTP" || type === "HTTP-VPC") {
    const vpc = type === "HTTP-VPC";
    const key = vpc ? "httpVpcEndpoints" : "httpEndpoints";
    warnUnknownKeys(raw, ["type", key, "parameters"], ctx.notes, at, HUAWEI.backend);
    const eat = pointer(at, key);
    const ep = raw[key];
    if (!isRecord(ep)) {
      ctx.notes.warn(
        "IMPORT_MALFORMED",
        eat,
        `an ${type} backend needs ${key}: serves 501`,
        "set the backend by hand",
      );
      return { backend: notTranslated(`${type} backend without ${key}`) };
    }
    warnUnknownKeys(
      ep,
      vpc ? [...ENDPOINT_KEYS, "name", "cascade_flag"] : ENDPOINT_KEYS,
      ctx.notes,
      eat,
      key,
    );
    let host: string | undefined;
    if (vpc) {
      const name = asString(ep.name) ?? "vpc";
      host = variableHost(name);
      ctx.notes.warn(
        "IMPORT_BACKEND_PLACEHOLDER",
        at,
        `the backend is the VPC channel ${name}, a set of servers only Huawei knows: the url uses ${host} as its host name`,
        `replace ${host} in the backend's url with the address of ${name}'s servers (or a load balancer in front of them)`,
      );
    } else {
      const address =
        typeof ep.address === "string"
          ? ep.address
          : Array.isArray(ep.address)
            ? ep.address.find((a) => typeof a === "string")
            : undefined;
      if (Array.isArray(ep.address) && ep.address.length > 1) {
        ctx.notes.warn(
          "IMPORT_BACKEND_APPROXIMATED",
          pointer(eat, "address"),
          `${ep.address.length} addresses: crossgate has one URL per backend, ${JSON.stringify(address)} is used`,
          "put a load balancer in front of the addresses and use its URL",
        );
      }
      if (address === undefined || address === "") {
        ctx.notes.warn(
          "IMPORT_MALFORMED",
          pointer(eat, "address"),
          "no backend address: serves 501",
          "set the backend's url by hand",
        );
        return { backend: notTranslated("HTTP backend without an address") };
      }
      host = withoutVariables(address, ctx.notes, pointer(eat, "address"), "the backend address");
    }
    const http = httpEndpoint(ep, host, ctx, eat);
    return http ?? { backend: notTranslated(`backend ${host} could not be translated`) };
  }
  if (type === "MOCK") {
    warnUnknownKeys(raw, ["type", "mockEndpoints", "parameters"], ctx.notes, at, HUAWEI.backend);
    const mat = pointer(at, "mockEndpoints");
    const ep = isRecord(raw.mockEndpoints) ? raw.mockEndpoints : {};
    warnUnknownKeys(ep, ["result-content", "description"], ctx.notes, mat, "mockEndpoints");
    const backend: MockBackendConfig = { type: "mock", status: 200 };
    const content = ep["result-content"];
    if (typeof content === "string" && content !== "") backend.body = content;
    else if (content !== undefined && typeof content !== "string") {
      ctx.notes.warn(
        "IMPORT_MALFORMED",
        pointer(mat, "result-content"),
        "result-content is not a string: not translated",
        "set the mock's body by hand",
      );
    }
    return { backend };
  }
  if (type === "FUNCTION") {
    warnUnknownKeys(raw, ["type", "functionEndpoints", "parameters"], ctx.notes, at, HUAWEI.backend);
    const fat = pointer(at, "functionEndpoints");
    const ep = isRecord(raw.functionEndpoints) ? raw.functionEndpoints : {};
    warnUnknownKeys(
      ep,
      ["function-urn", "version", "invocation-type", "timeout", "alias-urn", "network-type", "description"],
      ctx.notes,
      fat,
      "functionEndpoints",
    );
    const urn = asString(ep["function-urn"]) ?? "unnamed FunctionGraph function";
    const name = functionGraphName(urn);
    const reference = [
      urn,
      asString(ep.version) ? `version ${ep.version}` : "",
      asString(ep["alias-urn"]) ? `alias ${ep["alias-urn"]}` : "",
    ]
      .filter((s) => s !== "")
      .join(", ");
    const stub = ctx.stubs.stubFor("FunctionGraph function", name, reference);
    ctx.notes.warn(
      "IMPORT_FUNCTION_STUB",
      at,
      `FunctionGraph function ${name} (${reference}) became a function backend on ${stub.module}, a stub answering 501 until it holds the function's code`,
      `port the function's handler to ${stub.module} (it receives a Lambda-style proxy event), or point the API at an http backend that calls it`,
    );
    if (String(ep["invocation-type"] ?? "sync").toLowerCase() === "async") {
      ctx.notes.warn(
        "IMPORT_BACKEND_APPROXIMATED",
        pointer(fat, "invocation-type"),
        "the function was invoked asynchronously (the client got an answer at once); crossgate calls it and waits for its result",
        "return at once from the handler and do the work elsewhere if clients must not wait",
      );
    }
    const backend: BackendConfig = { type: "function", module: stub.module };
    const t = timeout(ep.timeout, ctx.notes, pointer(fat, "timeout"));
    if (t !== undefined) backend.timeoutMs = t;
    return { backend, origin: `FunctionGraph function ${reference}` };
  }
  ctx.notes.warn(
    "IMPORT_BACKEND_UNSUPPORTED",
    pointer(at, "type"),
    `backend type ${JSON.stringify(raw.type)} cannot run in crossgate: imported as a mock answering 501`,
    "replace it with an http or function backend",
  );
  return { backend: notTranslated(`backend type ${JSON.stringify(raw.type)} was not translated`) };
}
