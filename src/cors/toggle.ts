import { isPreflight } from "./decide.js";
import { parseRequestHeaderList } from "./header-list.js";
import type { CorsDecision, CorsRequest, HeaderPair, TraceStep } from "./types.js";
import { PREFLIGHT_VARY } from "./vary.js";

/**
 * The CORS toggle (`cors: true`): Huawei APIG's permissive profile, header for header as in
 * seed 000. Its values never depend on the request's origin, so actual responses carry no Vary.
 */
export const TOGGLE_ALLOW_METHODS = "GET,POST,PUT,DELETE,HEAD,OPTIONS,PATCH";
export const TOGGLE_DEFAULT_ALLOW_HEADERS = [
  "X-Stage",
  "X-Sdk-Date",
  "X-Sdk-Nonce",
  "X-Proxy-Signed-Headers",
  "X-Sdk-Content-Sha256",
  "X-Forwarded-For",
  "Authorization",
  "Content-Type",
  "Accept",
  "Accept-Ranges",
  "Cache-Control",
  "Range",
] as const;
export const TOGGLE_EXPOSE_HEADERS = "X-Request-Id,Server-Timing";
export const TOGGLE_MAX_AGE = "172800";

const DEFAULT_HEADER_SET = new Set(TOGGLE_DEFAULT_ALLOW_HEADERS.map((h) => h.toLowerCase()));
const DEFAULT_HEADER_VALUE = TOGGLE_DEFAULT_ALLOW_HEADERS.join(",");
const ACTUAL_HEADERS: readonly HeaderPair[] = [["access-control-allow-origin", "*"]];

/** The toggle as a rule set, so that a binding is `CompiledPolicy | TogglePolicy`. */
export interface TogglePolicy {
  readonly kind: "toggle";
  readonly name: "cors: true";
}
export const TOGGLE: TogglePolicy = { kind: "toggle", name: "cors: true" };

function allowHeadersFor(requested: string | undefined): string {
  const parsed = parseRequestHeaderList(requested);
  if (!parsed.ok || parsed.names.length === 0) return DEFAULT_HEADER_VALUE;
  let value = DEFAULT_HEADER_VALUE;
  let added: Set<string> | undefined;
  for (const name of parsed.names) {
    if (DEFAULT_HEADER_SET.has(name) || added?.has(name)) continue;
    added ??= new Set();
    added.add(name);
    value += `,${name}`;
  }
  return value;
}

/** Decides a request under the toggle: every origin, method and header is allowed. */
export function decideToggle(req: CorsRequest, trace?: TraceStep[]): CorsDecision {
  if (!isPreflight(req)) {
    trace?.push({
      check: "toggle",
      verdict: "pass",
      detail:
        "cors: true adds Access-Control-Allow-Origin: * unless the backend sends CORS headers of its own",
    });
    return {
      preflight: false,
      allowed: true,
      reason: "PERMISSIVE_TOGGLE",
      status: 0,
      headers: ACTUAL_HEADERS,
      vary: "",
    };
  }
  trace?.push({
    check: "toggle",
    verdict: "pass",
    detail: "cors: true answers every preflight with the permissive profile (any origin, method and header)",
  });
  const headers: HeaderPair[] = [
    ["access-control-allow-origin", "*"],
    ["access-control-allow-headers", allowHeadersFor(req.accessControlRequestHeaders)],
    ["access-control-expose-headers", TOGGLE_EXPOSE_HEADERS],
    ["access-control-allow-methods", TOGGLE_ALLOW_METHODS],
    ["access-control-max-age", TOGGLE_MAX_AGE],
  ];
  return {
    preflight: true,
    allowed: true,
    reason: "PERMISSIVE_TOGGLE",
    status: 200,
    headers,
    vary: PREFLIGHT_VARY,
  };
}
