import type { CorsDecision } from "../cors/index.js";
import type { HeaderBag } from "./types.js";

/** Merges Vary tokens case-insensitively, keeping the backend's; `*` absorbs everything. */
export function mergeVary(existing: string | string[] | undefined, add: string): string | undefined {
  if (add === "")
    return existing === undefined ? undefined : Array.isArray(existing) ? existing.join(", ") : existing;
  if (existing === undefined || existing === "") return add;
  const current = Array.isArray(existing) ? existing.join(",") : existing;
  const tokens = current
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (tokens.includes("*")) return "*";
  const seen = new Set(tokens.map((t) => t.toLowerCase()));
  for (const token of add.split(", ")) {
    if (!seen.has(token.toLowerCase())) {
      tokens.push(token);
      seen.add(token.toLowerCase());
    }
  }
  return tokens.join(", ");
}

function hasBackendAllowHeaders(headers: HeaderBag): boolean {
  for (const name in headers) {
    if (name.startsWith("access-control-allow-") && headers[name] !== undefined) return true;
  }
  return false;
}

function dropBackendCorsHeaders(headers: HeaderBag): void {
  for (const name in headers) {
    if (name.startsWith("access-control-")) delete headers[name];
  }
}

/**
 * Applies a CORS decision to a response's headers (lowercase names), in place.
 * `backendWins`: the toggle, and policies with backendCorsHeaders: keep; a backend that sets any
 * Access-Control-Allow-* header then keeps its own and the gateway adds none (seed 000, scenario 2).
 * Otherwise the backend's Access-Control-* headers are replaced, so a backend cannot widen a policy.
 * Either way exactly one Access-Control-Allow-Origin leaves the gateway.
 */
export function applyCors(headers: HeaderBag, decision: CorsDecision, backendWins: boolean): void {
  if (backendWins && hasBackendAllowHeaders(headers)) {
    const acao = headers["access-control-allow-origin"];
    if (Array.isArray(acao)) headers["access-control-allow-origin"] = acao[0];
  } else {
    dropBackendCorsHeaders(headers);
    for (const [name, value] of decision.headers) headers[name] = value;
  }
  const vary = mergeVary(headers.vary, decision.vary);
  if (vary !== undefined) headers.vary = vary;
}
