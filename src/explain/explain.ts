import type { ApiRuntime, Snapshot } from "../config/snapshot.js";
import { unsafeHeaderNames } from "../cors/browser.js";
import {
  type BrowserRequest,
  type BrowserVerdict,
  checkPreflight,
  checkResponse,
  needsPreflight,
  type TraceStep,
} from "../cors/index.js";
import { ERRORS, type ErrorCode } from "../errors.js";
import { groupDefaultFor, planRequest } from "../plan/plan.js";
import { applyForwardCors, errorHeaders, pushPreflightHeaders, serverTimingValue } from "../plan/response.js";
import type { HeaderBag, Plan, RequestView } from "../plan/types.js";
import { hostName } from "../routing/hosts.js";

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
const DURATION_PLACEHOLDER = "<ms>";

function toMap(pairs: readonly (readonly [string, string])[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
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

/** What the backend answers, when it can be known without calling it (mock backends). */
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

function defaultHost(snapshot: Snapshot): string {
  for (const api of snapshot.apis)
    if (api.domains[0] && !api.domains[0].startsWith("*.")) return api.domains[0];
  return "localhost";
}

/** A request as explain describes it, in the plan's terms (what the gateway reads of a real one). */
class DescribedRequest implements RequestView {
  readonly selfOrigin: string;
  constructor(
    readonly method: string,
    readonly target: string,
    readonly host: string,
    readonly origin: string,
    readonly accessControlRequestMethod: string | undefined,
    readonly accessControlRequestHeaders: string | undefined,
    readonly accessControlRequestPrivateNetwork: boolean,
    readonly headers: readonly (readonly [string, string])[],
  ) {
    this.selfOrigin = `http://${host}`;
  }
  protocolRefusal(): ErrorCode | undefined {
    return this.method === "CONNECT" ? "CONNECT_NOT_ALLOWED" : undefined;
  }
  header(name: string): string | undefined {
    return this.headers.find(([k]) => k === name)?.[1];
  }
}

/**
 * Explains what happens to a browser request: which group, API and rules apply, each check with
 * its verdict, the exact response headers, and what Chromium then does (with its own message).
 * Each stage is the request plan the gateway itself runs (src/plan/plan.ts), printed.
 */
export function explain(snapshot: Snapshot, input: ExplainInput): Explanation {
  const host = input.host ?? defaultHost(snapshot);
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

  if (preflightNeeded) {
    const requested = unsafeHeaderNames(browserReq);
    const headers: [string, string][] = [
      ["origin", input.origin],
      ["access-control-request-method", input.method],
    ];
    if (requested.length > 0) headers.push(["access-control-request-headers", requested.join(",")]);
    if (input.privateNetwork === true) headers.push(["access-control-request-private-network", "true"]);
    const view = new DescribedRequest(
      "OPTIONS",
      input.path,
      host,
      input.origin,
      input.method,
      requested.length > 0 ? requested.join(",") : undefined,
      input.privateNetwork === true,
      headers,
    );
    const stage = explainStage("preflight", snapshot, view, browserReq);
    stages.push(stage);
    if (!stage.browser.ok) {
      return {
        url,
        preflightNeeded,
        stages,
        outcome: { ok: false, summary: `blocked at preflight: ${stage.browser.message}` },
      };
    }
  }

  const headers: [string, string][] = [["origin", input.origin]];
  for (const h of input.headers ?? []) headers.push([h.name.toLowerCase(), h.value ?? "..."]);
  const view = new DescribedRequest(
    input.method,
    input.path,
    host,
    input.origin,
    undefined,
    undefined,
    false,
    headers,
  );
  const actual = explainStage("actual", snapshot, view, browserReq);
  stages.push(actual);
  const summary = actual.browser.ok
    ? `${preflightNeeded ? "preflight passes, then " : ""}the browser sends ${input.method} and ${actual.browser.detail}`
    : `the browser sends ${input.method}, but the page cannot read the response: ${actual.browser.message}`;
  return { url, preflightNeeded, stages, outcome: { ok: actual.browser.ok, summary } };
}

/** One request of the exchange: its plan, the response the gateway sends, and what the browser does. */
function explainStage(
  stage: "preflight" | "actual",
  snapshot: Snapshot,
  view: DescribedRequest,
  browserReq: BrowserRequest,
): ExplainStage {
  const trace: TraceStep[] = [];
  const plan = planRequest(snapshot, view, trace);
  const answer = respond(plan);
  const headers = toPairs(answer.headers);
  headers.push(["x-request-id", REQUEST_ID_PLACEHOLDER]);
  if (snapshot.serverTiming) {
    const theirs = answer.headers["server-timing"];
    const timing = serverTimingValue(
      DURATION_PLACEHOLDER,
      plan.kind === "forward" ? DURATION_PLACEHOLDER : undefined,
      theirs,
    );
    const at = headers.findIndex(([k]) => k === "server-timing");
    if (at >= 0) headers.splice(at, 1);
    headers.push(["server-timing", timing]);
  }
  const map = toMap(headers);
  let browser: BrowserVerdict;
  if (stage === "preflight" && answer.status === null) {
    browser = { ok: false, message: "depends on the headers the backend sends (crossgate adds none here)" };
  } else {
    browser =
      stage === "preflight"
        ? checkPreflight(browserReq, answer.status as number, map)
        : checkResponse(browserReq, map);
  }
  const api = plan.api;
  const fallback = plan.kind === "error" && plan.decision !== undefined && api === undefined;
  return {
    stage,
    request: { method: view.method, headers: view.headers },
    group: api?.group?.name,
    api: api?.name,
    corsRules:
      api?.corsSource ??
      (fallback ? (groupDefaultFor(snapshot, hostName(view.host))?.source ?? "none") : "none"),
    answeredBy: answer.label,
    trace,
    status: answer.status,
    headers,
    browser,
  };
}

/** The response the plan leads to, before the gateway's own headers. */
function respond(plan: Plan): { status: number | null; headers: HeaderBag; label: string } {
  if (plan.kind === "error") {
    const status = ERRORS[plan.code].status;
    return {
      status,
      headers: errorHeaders(plan),
      label: `the gateway (${status} ${plan.code}: ${ERRORS[plan.code].message})`,
    };
  }
  if (plan.kind === "preflight") {
    const flat: string[] = [];
    pushPreflightHeaders(plan.decision as NonNullable<Plan["decision"]>, flat);
    const headers: HeaderBag = {};
    for (let i = 0; i < flat.length; i += 2) headers[flat[i] as string] = flat[i + 1];
    return { status: 200, headers, label: "the gateway" };
  }
  const answer = backendAnswer(plan.api);
  applyForwardCors(plan, answer.headers);
  return answer;
}
