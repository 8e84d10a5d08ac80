import type { ApiRuntime, Snapshot } from "../config/snapshot.js";
import type { SanitizedPath } from "./path-tree.js";
import type { RouteMatch } from "./router.js";

/**
 * Who answers a CORS preflight (SPEC section 3, step 3), decided the same way by the gateway
 * and by explain:
 * - an OPTIONS API on the path serves it (`options-api`; with no CORS rules it is an ordinary request);
 * - else the API the preflighted request would reach, if it has CORS, is answered by the gateway;
 * - else 404 (no API on the path) or 405 (no API for that method, or no CORS on it), without CORS headers.
 */
export type PreflightTarget =
  | { readonly kind: "options-api"; readonly match: RouteMatch<ApiRuntime> }
  | { readonly kind: "gateway"; readonly match: RouteMatch<ApiRuntime> }
  | { readonly kind: "none"; readonly status: 404 | 405; readonly api?: ApiRuntime };

export function preflightTarget(
  snapshot: Snapshot,
  host: string,
  path: string | SanitizedPath,
  requestMethod: string,
): PreflightTarget {
  // `match`, not `route`: a miss needs no 404/405 analysis, except the one answered below.
  // Only an API whose method is OPTIONS serves a preflight: an ANY API, however specific, does not.
  const sanitized = typeof path === "string" ? snapshot.router.routable(path) : path;
  if (sanitized === null) return { kind: "none", status: 404 };
  const options = snapshot.router.match(host, "OPTIONS", sanitized, false);
  if (options !== null && options.api.method === "OPTIONS") return { kind: "options-api", match: options };
  const target = snapshot.router.match(host, requestMethod, sanitized);
  if (target === null) return { kind: "none", status: snapshot.router.miss(host, sanitized).status };
  if (target.api.cors === null) return { kind: "none", status: 405, api: target.api };
  return { kind: "gateway", match: target };
}
