import type { SanitizedPath } from "./path-tree.js";
import type { Routable, RouteMatch, Router } from "./router.js";

/** What the preflight lookup needs of an API beyond routing: whether it has CORS rules at all. */
export interface PreflightRoutable extends Routable {
  readonly cors: unknown;
}

/**
 * Who answers a CORS preflight (SPEC section 3, step 3):
 * - an OPTIONS API on the path serves it (`options-api`; with no CORS rules it is an ordinary request);
 * - else the API the preflighted request would reach, if it has CORS, is answered by the gateway;
 * - else 404 (no API on the path) or 405 (no API for that method, or no CORS on it), without CORS headers.
 */
export type PreflightTarget<A extends PreflightRoutable> =
  | { readonly kind: "options-api"; readonly match: RouteMatch<A> }
  | { readonly kind: "gateway"; readonly match: RouteMatch<A> }
  | { readonly kind: "none"; readonly status: 404 | 405; readonly api?: A };

export function preflightTarget<A extends PreflightRoutable>(
  router: Router<A>,
  host: string,
  path: string | SanitizedPath,
  requestMethod: string,
): PreflightTarget<A> {
  // `match`, not `route`: a miss needs no 404/405 analysis, except the one answered below.
  // Only an API whose method is OPTIONS serves a preflight: an ANY API, however specific, does not.
  const sanitized = typeof path === "string" ? router.routable(path) : path;
  if (sanitized === null) return { kind: "none", status: 404 };
  const options = router.match(host, "OPTIONS", sanitized, false);
  if (options !== null && options.api.method === "OPTIONS") return { kind: "options-api", match: options };
  const target = router.match(host, requestMethod, sanitized);
  if (target === null) return { kind: "none", status: router.miss(host, sanitized).status };
  if (target.api.cors === null) return { kind: "none", status: 405, api: target.api };
  return { kind: "gateway", match: target };
}
