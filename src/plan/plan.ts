import { type ApiRuntime, type GroupDefault, hashApiKey, type Snapshot } from "../config/snapshot.js";
import { type CorsDecision, decideCors, isPreflight, type TraceStep } from "../cors/index.js";
import { corsRefusalCode, ERRORS, type ErrorCode } from "../errors.js";
import { hostName } from "../routing/hosts.js";
import { normalizePath } from "../routing/normalize-path.js";
import { routablePath, type SanitizedPath } from "../routing/path-tree.js";
import { preflightTarget } from "../routing/preflight-target.js";
import type { RouteMatch } from "../routing/router.js";
import type { ErrorPlan, ForwardPlan, Plan, PreflightPlan, RequestView } from "./types.js";

/**
 * The request plan (SPEC section 3), written once: from a snapshot and a view of the request to what
 * the gateway does, in the order of its steps. The gateway executes the plan; explain prints it, with
 * the steps' trace. Pure: no I/O, no clock.
 *
 * 0. refuse what is ambiguous (CONNECT, two Host headers, a foreign HTTP version; then the path,
 *    normalized once: what is routed is what the backend receives)
 * 1. preflight or not (OPTIONS, Origin, a non-empty Access-Control-Request-Method)
 * 2. route: Host to group, method and path to API; a preflight goes to an OPTIONS API or to the API the
 *    preflighted request would reach
 * 3. CORS: the API's rules decide (a refusal is the answer)
 * 4. authenticate (`auth: app`), never for a preflight
 * 5. forward to the backend, whose response gets the decision's headers
 * (6. the gateway's own headers, X-Request-Id and Server-Timing, are added by `./response.ts`.)
 *
 * Pass `trace` (explain does) to collect one step per check; leave it out on the hot path.
 */
export function planRequest(snapshot: Snapshot, view: RequestView, trace?: TraceStep[]): Plan {
  const preflight = isPreflight(view);
  const refusal = view.protocolRefusal();
  if (refusal !== undefined) {
    trace?.push({ check: "request", verdict: "fail", detail: ERRORS[refusal].message });
    return error(refusal, ERRORS[refusal].message, preflight, undefined, undefined);
  }

  const at = locate(snapshot, view, trace);
  if (at.refusal !== undefined) {
    const fallback = preflight ? undefined : groupDefault(snapshot, view, trace);
    return error(at.refusal, at.message, preflight, undefined, fallback);
  }
  const { path, query, host } = at;
  return preflight
    ? planPreflight(snapshot, view, host, path, query, trace)
    : planActual(snapshot, view, host, path, query, trace);
}

/** Where a request goes, once its path is normalized: what is routed (and forwarded), its query, its host. */
export type Location =
  | {
      readonly refusal: undefined;
      readonly message: undefined;
      readonly path: SanitizedPath;
      readonly query: string;
      /** The Host's name when some group names domains (routing needs it), else "". */
      readonly host: string;
    }
  | {
      readonly refusal: ErrorCode;
      readonly message: string;
      readonly path: undefined;
      readonly query: undefined;
      readonly host: undefined;
    };

/**
 * Step 0's path half (SPEC section 3): the path normalized once, before routing, or the refusal of an
 * ambiguous one; shared by every kind of request (src/plan/websocket.ts for handshakes).
 */
export function locate(snapshot: Snapshot, view: RequestView, trace?: TraceStep[]): Location {
  const target = view.target;
  const q = target.indexOf("?");
  const raw = q < 0 ? target : target.slice(0, q);
  const normalized = normalizePath(raw, snapshot.router.pathOptions);
  if (!normalized.ok) {
    trace?.push({ check: "path", verdict: "fail", detail: `${normalized.detail}: refused before routing` });
    return {
      refusal: normalized.refusal,
      message: `${ERRORS[normalized.refusal].message}: ${normalized.detail}`,
      path: undefined,
      query: undefined,
      host: undefined,
    };
  }
  if (trace && normalized.path !== raw) {
    trace.push({ check: "path", verdict: "info", detail: `normalized to ${normalized.path}` });
  }
  return {
    refusal: undefined,
    message: undefined,
    path: routablePath(normalized.path, normalized.encoded),
    query: q < 0 ? "" : target.slice(q),
    // The Host matters to routing only when a group names domains.
    host: snapshot.router.usesHost ? hostName(view.host) : "",
  };
}

function planPreflight(
  snapshot: Snapshot,
  view: RequestView,
  host: string,
  path: SanitizedPath,
  query: string,
  trace: TraceStep[] | undefined,
): Plan {
  const method = view.accessControlRequestMethod as string;
  const target = preflightTarget(snapshot.router, host, path, method);
  if (target.kind === "none") {
    // No API, or no CORS on it: the gateway does not speak CORS for it (404/405, no CORS headers).
    trace?.push({
      check: "route",
      verdict: "fail",
      detail:
        target.status === 404
          ? `no API serves ${path.raw} on host ${host || "(any)"}`
          : target.api
            ? `API ${target.api.name} serves ${method} ${path.raw} but has no CORS (no corsPolicy, no cors: true, no group default)`
            : `no API serves ${method} ${path.raw}`,
    });
    const code: ErrorCode = target.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED";
    return error(code, ERRORS[code].message, true, target.api, undefined);
  }
  const { api } = target.match;
  trace?.push({
    check: "route",
    verdict: "pass",
    detail:
      target.kind === "options-api"
        ? `OPTIONS API ${api.name} serves the preflight`
        : `preflight for ${method} ${path.raw}: API ${api.name}; the gateway answers it`,
  });
  if (api.cors === null) {
    // An OPTIONS API without CORS rules: its backend answers alone (e.g. Amazon's mock), unauthenticated.
    trace?.push({
      check: "cors",
      verdict: "info",
      detail: "the OPTIONS API has no CORS rules: its backend answers alone",
    });
    return forward(api, target.match, path, query, true, undefined, trace);
  }
  const decision = decideCors(api.cors, view, trace);
  if (decision.status >= 400) return corsRefusal(api, decision, true);
  if (target.kind === "options-api") return forward(api, target.match, path, query, true, decision, trace);
  return {
    kind: "preflight",
    preflight: true,
    api,
    decision,
    code: undefined,
    message: undefined,
    allow: undefined,
    reasonPhrase: undefined,
    path: undefined,
    query: undefined,
    params: undefined,
    remainder: undefined,
    backendWins: undefined,
  } satisfies PreflightPlan;
}

function planActual(
  snapshot: Snapshot,
  view: RequestView,
  host: string,
  path: SanitizedPath,
  query: string,
  trace: TraceStep[] | undefined,
): Plan {
  const match = snapshot.router.match(host, view.method, path);
  if (match === null) {
    const realHost = hostName(view.host);
    const missed = snapshot.router.miss(realHost, path);
    trace?.push({
      check: "route",
      verdict: "fail",
      detail:
        missed.status === 404
          ? `no API serves ${view.method} ${path.raw} on host ${realHost || "(any)"}`
          : `${path.raw} is served for ${missed.allow.join(", ")}, not ${view.method}`,
    });
    const fallback = groupDefault(snapshot, view, trace);
    const code: ErrorCode = missed.status === 404 ? "ROUTE_NOT_FOUND" : "METHOD_NOT_ALLOWED";
    const allow = missed.status === 405 ? missed.allow.join(", ") : undefined;
    return error(code, ERRORS[code].message, false, undefined, fallback, allow);
  }
  const { api } = match;
  trace?.push({
    check: "route",
    verdict: "pass",
    detail: `API ${api.name} (${api.method} ${api.config.path}, ${api.match})`,
  });
  let decision: CorsDecision | undefined;
  if (api.cors !== null) {
    decision = decideCors(api.cors, view, trace);
    if (decision.status >= 400) return corsRefusal(api, decision, false);
  } else {
    trace?.push({ check: "cors", verdict: "info", detail: "no CORS rules: crossgate adds no CORS headers" });
  }
  const auth = authenticate(snapshot, api, view, trace);
  if (auth.refusal !== undefined)
    return error(auth.refusal, ERRORS[auth.refusal].message, false, api, decision);
  return forward(api, match, path, query, false, decision, trace);
}

/** What authentication found: the refusal's code, or the application (none for an `auth: none` API). */
export type AuthResult =
  | { readonly refusal: ErrorCode; readonly app: undefined }
  | { readonly refusal: undefined; readonly app: string | undefined };

const NO_AUTH: AuthResult = { refusal: undefined, app: undefined };

/** `auth: app`: a known API key of an application authorized for the API, else 401 or 403. */
export function authenticate(
  snapshot: Snapshot,
  api: ApiRuntime,
  view: RequestView,
  trace?: TraceStep[],
): AuthResult {
  if (api.auth !== "app") return NO_AUTH;
  const key = view.header(snapshot.apiKeyHeader);
  let refusal: ErrorCode | undefined;
  let app: string | undefined;
  if (key === undefined || key === "") refusal = "AUTH_KEY_MISSING";
  else {
    const found = snapshot.appsByKeyHash.get(hashApiKey(key));
    if (found === undefined) refusal = "AUTH_KEY_INVALID";
    else if (!found.apis.has(api.name)) refusal = "AUTH_APP_NOT_AUTHORIZED";
    else app = found.name;
  }
  trace?.push(
    refusal === undefined
      ? { check: "auth", verdict: "pass", detail: `auth: app: the key belongs to application ${app}` }
      : {
          check: "auth",
          verdict: "fail",
          detail: `auth: app: ${ERRORS[refusal].message} (${snapshot.apiKeyHeader})`,
        },
  );
  return refusal === undefined ? { refusal: undefined, app } : { refusal, app: undefined };
}

/** The default policy of the group that serves `host` (lowercase, no port), for requests no API serves. */
export function groupDefaultFor(snapshot: Snapshot, host: string): GroupDefault | undefined {
  return snapshot.groupDefaults.get(host);
}

/** The decision of the group's default policy, whose headers an error for a request no API serves carries. */
function groupDefault(
  snapshot: Snapshot,
  view: RequestView,
  trace: TraceStep[] | undefined,
): CorsDecision | undefined {
  const fallback = groupDefaultFor(snapshot, hostName(view.host));
  if (fallback === undefined) return undefined;
  trace?.push({
    check: "cors",
    verdict: "info",
    detail: `the error carries the CORS headers of ${fallback.source}`,
  });
  const decision = decideCors(fallback.rules, view, trace);
  return decision.status < 400 ? decision : undefined;
}

function error(
  code: ErrorCode,
  message: string,
  preflight: boolean,
  api: ApiRuntime | undefined,
  decision: CorsDecision | undefined,
  allow?: string,
  reasonPhrase?: string,
): ErrorPlan {
  return {
    kind: "error",
    preflight,
    api,
    decision,
    code,
    message,
    allow,
    reasonPhrase,
    path: undefined,
    query: undefined,
    params: undefined,
    remainder: undefined,
    backendWins: undefined,
  };
}

/** A CORS refusal: webMethods' 403/405 with the message as reason phrase; the decision's Vary goes on it. */
function corsRefusal(api: ApiRuntime, decision: CorsDecision, preflight: boolean): ErrorPlan {
  const code = corsRefusalCode(decision.reason);
  const message = ERRORS[code].message;
  return error(code, message, preflight, api, decision, undefined, message);
}

function forward(
  api: ApiRuntime,
  match: RouteMatch<ApiRuntime>,
  path: SanitizedPath,
  query: string,
  preflight: boolean,
  decision: CorsDecision | undefined,
  trace: TraceStep[] | undefined,
): ForwardPlan {
  const rules = api.cors;
  const backendWins = rules !== null && (rules.kind === "toggle" || rules.backendCorsHeaders === "keep");
  if (trace) {
    const b = api.backend;
    const where =
      b.type === "http"
        ? ` (${b.url}, path ${match.remainder || "/"}${query})`
        : b.type === "function"
          ? ` (${b.module})`
          : "";
    trace.push({
      check: "backend",
      verdict: "pass",
      detail: `the ${b.type} backend of API ${api.name} answers${where}`,
    });
    if (decision !== undefined && backendWins) {
      trace.push({
        check: "cors-headers",
        verdict: "info",
        detail:
          "a backend that sends its own Access-Control-Allow-* headers keeps them; the gateway adds none then",
      });
    } else if (decision !== undefined) {
      trace.push({
        check: "cors-headers",
        verdict: "info",
        detail: "the policy's headers replace any Access-Control-* header of the backend",
      });
    }
  }
  return {
    kind: "forward",
    preflight,
    api,
    decision,
    code: undefined,
    message: undefined,
    allow: undefined,
    reasonPhrase: undefined,
    path,
    query,
    params: match.params,
    remainder: match.remainder,
    backendWins,
  };
}
