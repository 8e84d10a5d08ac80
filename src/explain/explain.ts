import type { ApiRuntime, Snapshot } from "../config/snapshot.js";
import { unsafeHeaderNames } from "../cors/browser.js";
import {
  type BrowserRequest,
  type BrowserVerdict,
  type CorsDecision,
  type CorsRequest,
  checkPreflight,
  checkResponse,
  decideCors,
  needsPreflight,
  PREFLIGHT_VARY,
  type TraceStep,
} from "../cors/index.js";
import { corsRefusalCode, ERRORS, type ErrorCode } from "../errors.js";
import type { HeaderBag } from "../gateway/backends/types.js";
import { applyCors } from "../gateway/cors-headers.js";
import { groupDefaultFor } from "../gateway/group-default.js";
import type { SanitizedPath } from "../gateway/path-tree.js";
import { routablePath } from "../gateway/path-tree.js";
import { preflightTarget } from "../gateway/preflight-target.js";
import { hostName } from "../gateway/request-view.js";
import { normalizePath } from "../routing/normalize-path.js";

export interface ExplainInput {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  /** Host header; defaults to the first domain of any group, else `localhost`. */
  readonly host?: string | undefined;
  readonly headers?: readonly { readonly name: string; readonly value?: string | undefined }[];
  readonly credentials?: boolean;
  readonly privateNetwork?: boolean;
}

export interface ExplainStage {
  readonly stage: "preflight" | "actual";
  /** The request line and headers the browser sends. */
  readonly request: { readonly method: string; readonly headers: readonly (readonly [string, string])[] };
  readonly group?: string | undefined;
  readonly api?: string | undefined;
  readonly corsRules: string;
  readonly answeredBy: string;
  readonly trace: readonly TraceStep[];
  /** The response status, or null when a proxied backend decides it. */
  readonly status: number | null;
  readonly headers: readonly (readonly [string, string])[];
  readonly browser: BrowserVerdict;
}

export interface Explanation {
  readonly url: string;
  readonly preflightNeeded: boolean;
  readonly stages: readonly ExplainStage[];
  readonly outcome: { readonly ok: boolean; readonly summary: string };
}

const REQUEST_ID_PLACEHOLDER = "<32 hex characters>";

function toMap(headers: HeaderBag): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    map.set(k, Array.isArray(v) ? v : [v]);
  }
  return map;
}

function toPairs(headers: HeaderBag): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
  }
  return pairs;
}

function errorStage(code: ErrorCode): { status: number; headers: HeaderBag } {
  return {
    status: ERRORS[code].status,
    headers: { "content-type": "application/json; charset=utf-8", "x-request-id": REQUEST_ID_PLACEHOLDER },
  };
}

/** What the backend would add, when it can be known without calling it (mock backends). */
function backendAnswer(api: ApiRuntime): { status: number | null; headers: HeaderBag; label: string } {
  const b = api.backend;
  if (b.type === "mock") {
    const headers: HeaderBag = {};
    for (const [k, v] of Object.entries(b.headers ?? {})) headers[k.toLowerCase()] = v;
    return { status: b.status ?? 200, headers, label: `mock backend of API ${api.name}` };
  }
  const where = b.type === "http" ? b.url : b.module;
  return { status: null, headers: {}, label: `${b.type} backend of API ${api.name} (${where})` };
}

function corsHeadersFor(api: ApiRuntime, decision: CorsDecision, backendHeaders: HeaderBag): HeaderBag {
  const headers = { ...backendHeaders };
  const rules = api.cors;
  if (rules) applyCors(headers, decision, rules.kind === "toggle" || rules.backendCorsHeaders === "keep");
  return headers;
}

function defaultHost(snapshot: Snapshot): string {
  for (const api of snapshot.apis)
    if (api.domains[0] && !api.domains[0].startsWith("*.")) return api.domains[0];
  return "localhost";
}

/**
 * Explains what happens to a browser request: which group, API and rules apply, each check with
 * its verdict, the exact response headers, and what Chromium then does (with its own message).
 */
export function explain(snapshot: Snapshot, input: ExplainInput): Explanation {
  const host = input.host ?? defaultHost(snapshot);
  const hostOnly = hostName(host);
  const q = input.path.indexOf("?");
  const normalized = normalizePath(q < 0 ? input.path : input.path.slice(0, q), snapshot.router.pathOptions);
  const url = `http://${host}${input.path}`;
  const browserReq: BrowserRequest = {
    url,
    origin: input.origin,
    method: input.method,
    headers: input.headers ?? [],
    credentials: input.credentials === true,
    privateNetwork: input.privateNetwork === true,
  };
  const stages: ExplainStage[] = [];
  const preflightNeeded = needsPreflight(browserReq);
  if (!normalized.ok) {
    const stage = explainRefusedPath(snapshot, hostOnly, input, browserReq, preflightNeeded, normalized);
    const summary = `${preflightNeeded ? "blocked at preflight" : "the page cannot read the response"}: the gateway refuses the path (${normalized.refusal}: ${normalized.detail})`;
    return { url, preflightNeeded, stages: [stage], outcome: { ok: false, summary } };
  }
  const path = routablePath(normalized.path, normalized.encoded);

  if (preflightNeeded) {
    const requested = unsafeHeaderNames(browserReq);
    const view: CorsRequest = {
      method: "OPTIONS",
      origin: input.origin,
      accessControlRequestMethod: input.method,
      accessControlRequestHeaders: requested.length > 0 ? requested.join(",") : undefined,
      accessControlRequestPrivateNetwork: input.privateNetwork === true,
      selfOrigin: `http://${host}`,
    };
    const requestHeaders: [string, string][] = [
      ["origin", input.origin],
      ["access-control-request-method", input.method],
    ];
    if (view.accessControlRequestHeaders)
      requestHeaders.push(["access-control-request-headers", view.accessControlRequestHeaders]);
    if (view.accessControlRequestPrivateNetwork)
      requestHeaders.push(["access-control-request-private-network", "true"]);
    const stage = explainPreflight(snapshot, hostOnly, path, input.method, view, browserReq);
    stages.push({ ...stage, request: { method: "OPTIONS", headers: requestHeaders } });
    if (!stage.browser.ok) {
      return {
        url,
        preflightNeeded,
        stages,
        outcome: { ok: false, summary: `blocked at preflight: ${stage.browser.message}` },
      };
    }
  }

  const actualHeaders: [string, string][] = [["origin", input.origin]];
  for (const h of input.headers ?? []) actualHeaders.push([h.name.toLowerCase(), h.value ?? "..."]);
  const actual = explainActual(snapshot, hostOnly, path, input, browserReq, host);
  stages.push({ ...actual, request: { method: input.method, headers: actualHeaders } });
  const summary = actual.browser.ok
    ? `${preflightNeeded ? "preflight passes, then " : ""}the browser sends ${input.method} and ${actual.browser.detail}`
    : `the browser sends ${input.method}, but the page cannot read the response: ${actual.browser.message}`;
  return { url, preflightNeeded, stages, outcome: { ok: actual.browser.ok, summary } };
}

type StageBody = Omit<ExplainStage, "request">;

function explainPreflight(
  snapshot: Snapshot,
  host: string,
  path: SanitizedPath,
  method: string,
  view: CorsRequest,
  browserReq: BrowserRequest,
): StageBody {
  const trace: TraceStep[] = [];
  const target = preflightTarget(snapshot, host, path, method);
  if (target.kind === "none") {
    const code: ErrorCode = target.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED";
    trace.push({
      check: "route",
      verdict: "fail",
      detail:
        target.status === 404
          ? `no API serves ${path.raw} on host ${host || "(none)"}`
          : target.api
            ? `API ${target.api.name} serves ${method} ${path.raw} but has no CORS (no corsPolicy, no cors: true, no group default)`
            : `no API serves ${method} ${path.raw}`,
    });
    const e = errorStage(code);
    e.headers.vary = PREFLIGHT_VARY;
    return {
      stage: "preflight",
      api: target.api?.name,
      group: target.api?.group?.name,
      corsRules: "none",
      answeredBy: `the gateway (${e.status} ${code}, no CORS headers)`,
      trace,
      status: e.status,
      headers: toPairs(e.headers),
      browser: checkPreflight(browserReq, e.status, toMap(e.headers)),
    };
  }
  const api = target.match.api;
  trace.push({
    check: "route",
    verdict: "pass",
    detail:
      target.kind === "options-api"
        ? `OPTIONS API ${api.name} serves the preflight`
        : `preflight for ${method} ${path.raw}: API ${api.name}; the gateway answers it`,
  });
  const base = {
    stage: "preflight" as const,
    api: api.name,
    group: api.group?.name,
    corsRules: api.corsSource,
  };
  if (api.cors === null) {
    const answer = backendAnswer(api);
    trace.push({
      check: "cors",
      verdict: "info",
      detail: "the OPTIONS API has no CORS rules: its backend answers alone",
    });
    answer.headers["x-request-id"] = REQUEST_ID_PLACEHOLDER;
    return {
      ...base,
      answeredBy: answer.label,
      trace,
      status: answer.status,
      headers: toPairs(answer.headers),
      browser:
        answer.status === null
          ? { ok: false, message: "depends on the headers the backend sends (crossgate adds none here)" }
          : checkPreflight(browserReq, answer.status, toMap(answer.headers)),
    };
  }
  const decision = decideCors(api.cors, view, trace);
  if (decision.status >= 400) {
    const code = corsRefusalCode(decision.reason);
    const e = errorStage(code);
    if (decision.vary) e.headers.vary = decision.vary;
    return {
      ...base,
      answeredBy: `the gateway (${e.status} ${ERRORS[code].message})`,
      trace,
      status: e.status,
      headers: toPairs(e.headers),
      browser: checkPreflight(browserReq, e.status, toMap(e.headers)),
    };
  }
  const answer =
    target.kind === "options-api" ? backendAnswer(api) : { status: 200, headers: {}, label: "the gateway" };
  const headers = corsHeadersFor(api, decision, answer.headers);
  headers["x-request-id"] = REQUEST_ID_PLACEHOLDER;
  const status = answer.status ?? 200;
  return {
    ...base,
    answeredBy: answer.label,
    trace,
    status: answer.status,
    headers: toPairs(headers),
    browser: checkPreflight(browserReq, status, toMap(headers)),
  };
}

function explainActual(
  snapshot: Snapshot,
  host: string,
  path: SanitizedPath,
  input: ExplainInput,
  browserReq: BrowserRequest,
  rawHost: string,
): StageBody {
  const trace: TraceStep[] = [];
  const view: CorsRequest = {
    method: input.method,
    origin: input.origin,
    accessControlRequestMethod: undefined,
    accessControlRequestHeaders: undefined,
    accessControlRequestPrivateNetwork: false,
    selfOrigin: `http://${rawHost}`,
  };
  const match = snapshot.router.match(host, input.method, path);
  const routed = match !== null ? { found: true as const, match } : snapshot.router.miss(host, path);
  if (!routed.found) {
    const code: ErrorCode = routed.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED";
    trace.push({
      check: "route",
      verdict: "fail",
      detail: `no API serves ${input.method} ${path.raw} on host ${host || "(none)"}`,
    });
    const e = errorStage(code);
    const fallback = groupDefaultFor(snapshot, host);
    if (fallback) {
      trace.push({
        check: "cors",
        verdict: "info",
        detail: `the error carries the CORS headers of ${fallback.source}`,
      });
      const decision = decideCors(fallback.rules, view, trace);
      if (decision.status < 400) applyCors(e.headers, decision, false);
    }
    return {
      stage: "actual",
      corsRules: fallback?.source ?? "none",
      answeredBy: `the gateway (${e.status} ${code})`,
      trace,
      status: e.status,
      headers: toPairs(e.headers),
      browser: checkResponse(browserReq, toMap(e.headers)),
    };
  }
  const api = routed.match.api;
  trace.push({
    check: "route",
    verdict: "pass",
    detail: `API ${api.name} (${api.method} ${api.config.path}, ${api.match})`,
  });
  const base = { stage: "actual" as const, api: api.name, group: api.group?.name, corsRules: api.corsSource };
  const answer = backendAnswer(api);
  if (api.cors === null) {
    trace.push({ check: "cors", verdict: "info", detail: "no CORS rules: crossgate adds no CORS headers" });
    answer.headers["x-request-id"] = REQUEST_ID_PLACEHOLDER;
    return {
      ...base,
      answeredBy: answer.label,
      trace,
      status: answer.status,
      headers: toPairs(answer.headers),
      browser: checkResponse(browserReq, toMap(answer.headers)),
    };
  }
  const decision = decideCors(api.cors, view, trace);
  if (decision.status >= 400) {
    const e = errorStage("CORS_ORIGIN_NOT_ALLOWED");
    if (decision.vary) e.headers.vary = decision.vary;
    return {
      ...base,
      answeredBy: `the gateway (403 ${ERRORS.CORS_ORIGIN_NOT_ALLOWED.message})`,
      trace,
      status: e.status,
      headers: toPairs(e.headers),
      browser: checkResponse(browserReq, toMap(e.headers)),
    };
  }
  if (api.auth === "app") {
    trace.push({
      check: "auth",
      verdict: "info",
      detail: `auth: app: without a valid ${snapshot.apiKeyHeader} the answer is a 401/403 with the same CORS headers`,
    });
  }
  const headers = corsHeadersFor(api, decision, answer.headers);
  headers["x-request-id"] = REQUEST_ID_PLACEHOLDER;
  return {
    ...base,
    answeredBy: answer.label,
    trace,
    status: answer.status,
    headers: toPairs(headers),
    browser: checkResponse(browserReq, toMap(headers)),
  };
}

/** The gateway refuses the path before routing (SPEC section 3, step 0): a 400 for whichever request comes first. */
function explainRefusedPath(
  snapshot: Snapshot,
  host: string,
  input: ExplainInput,
  browserReq: BrowserRequest,
  preflight: boolean,
  refused: { readonly refusal: ErrorCode; readonly detail: string },
): ExplainStage {
  const trace: TraceStep[] = [
    { check: "path", verdict: "fail", detail: `${refused.detail}: refused before routing` },
  ];
  const e = errorStage(refused.refusal);
  const fallback = groupDefaultFor(snapshot, host);
  if (preflight) {
    e.headers.vary = PREFLIGHT_VARY;
  } else if (fallback) {
    trace.push({
      check: "cors",
      verdict: "info",
      detail: `the error carries the CORS headers of ${fallback.source}`,
    });
    const view: CorsRequest = {
      method: input.method,
      origin: input.origin,
      accessControlRequestMethod: undefined,
      accessControlRequestHeaders: undefined,
      accessControlRequestPrivateNetwork: false,
      selfOrigin: `http://${input.host ?? host}`,
    };
    const decision = decideCors(fallback.rules, view, trace);
    if (decision.status < 400) applyCors(e.headers, decision, false);
  }
  const headers = toMap(e.headers);
  return {
    stage: preflight ? "preflight" : "actual",
    request: {
      method: preflight ? "OPTIONS" : input.method,
      headers: preflight
        ? [
            ["origin", input.origin],
            ["access-control-request-method", input.method],
          ]
        : [["origin", input.origin]],
    },
    corsRules: preflight ? "none" : (fallback?.source ?? "none"),
    answeredBy: `the gateway (${e.status} ${refused.refusal})`,
    trace,
    status: e.status,
    headers: toPairs(e.headers),
    browser: preflight ? checkPreflight(browserReq, e.status, headers) : checkResponse(browserReq, headers),
  };
}
