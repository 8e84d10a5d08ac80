/**
 * The CORS engine: pure functions over plain data. No I/O, nothing from node:http.
 * compile (validate, lint, precompute) -> decide (per request) -> browser (what Chromium does).
 */
export {
  type BrowserRequest,
  type BrowserVerdict,
  checkPreflight,
  checkResponse,
  needsPreflight,
} from "./browser.js";
export {
  type CompileOptions,
  type CompileResult,
  compilePolicy,
  MAX_MAX_AGE,
  originProblemCode,
  withAdditionalOrigins,
} from "./compile.js";
export type { CompiledPolicy } from "./compiled-policy.js";
export { decide, isPreflight } from "./decide.js";
export { parseRequestHeaderList } from "./header-list.js";
export { isToken, normalizeMethod, TOKEN_PATTERN } from "./methods.js";
export { isParseError, MAX_ORIGIN_LENGTH, parseOrigin } from "./origin.js";
export { decideToggle, TOGGLE, type TogglePolicy } from "./toggle.js";
export type * from "./types.js";
export { PREFLIGHT_VARY, PREFLIGHT_VARY_PNA } from "./vary.js";

import type { CompiledPolicy } from "./compiled-policy.js";
import { decide } from "./decide.js";
import { decideToggle, type TogglePolicy } from "./toggle.js";
import type { CorsDecision, CorsRequest, TraceStep } from "./types.js";

/** The CORS rules bound to an API: a compiled policy or the toggle. */
export type CorsRules = CompiledPolicy | TogglePolicy;

/** Decides a request under whichever rules an API has. */
export function decideCors(rules: CorsRules, req: CorsRequest, trace?: TraceStep[]): CorsDecision {
  return rules.kind === "toggle" ? decideToggle(req, trace) : decide(rules, req, trace);
}
