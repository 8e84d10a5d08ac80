import { type Problem, type ProblemCode, problem } from "../problems.js";
import type { CompiledPolicy } from "./compiled-policy.js";
import { forbiddenRequestHeaderReason, isForbiddenMethod, isForbiddenResponseHeader } from "./forbidden.js";
import { compileLinearRegex, type LinearRegex, RegexSyntaxError } from "./linear-regex/index.js";
import { isToken, normalizeMethod } from "./methods.js";
import { isIpHost, isParseError, type OriginParseFailure, parseOrigin } from "./origin.js";
import { OriginMatcher, type PatternRule, type WildcardRule } from "./origin-matcher.js";
import { isPublicSuffix } from "./public-suffix.js";
import type { AdditionalOrigin, CorsPolicyInput, HeaderPair } from "./types.js";
import { PREFLIGHT_VARY, PREFLIGHT_VARY_PNA } from "./vary.js";

/** Browsers cap preflight caching (Firefox at 86400 s); a larger value is a mistake. */
export const MAX_MAX_AGE = 86400;
/** Chromium caps preflight caching at two hours; longer values are legal but misleading. */
export const CHROMIUM_MAX_AGE = 7200;
/** The one wording of a maxAge out of range, also given by the configuration's schema. */
export const MAX_AGE_RANGE_REASON = `must be a whole number of seconds from 0 to ${MAX_MAX_AGE}: no browser caches a preflight longer`;
const DEFAULT_METHODS = ["GET", "HEAD", "POST"] as const;

export type CompileResult =
  | { readonly ok: true; readonly policy: CompiledPolicy; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export interface CompileOptions {
  /** Origins admitted besides the policy's own, e.g. applications' JavaScript origins (already valid). */
  readonly additionalOrigins?: readonly AdditionalOrigin[];
}

/** The problems found so far; each code's severity is the problem table's (src/problems.ts). */
class Findings {
  readonly list: Problem[] = [];
  add(code: ProblemCode, path: string, value: unknown, reason: string): void {
    this.list.push(problem(code, path, value, reason));
  }
  get hasErrors(): boolean {
    return this.list.some((p) => p.severity === "error");
  }
}

/** The code of an origin that does not parse: one with a path has its own. */
export function originProblemCode(
  failure: OriginParseFailure,
): "CORS_ORIGIN_HAS_PATH" | "CORS_ORIGIN_INVALID" {
  return failure.error === "HAS_PATH" ? "CORS_ORIGIN_HAS_PATH" : "CORS_ORIGIN_INVALID";
}

/** The one wording of plain-http origins admitted with credentials, exact or wildcard. */
const INSECURE_WITH_CREDENTIALS =
  "a plain-http origin with credentials: anyone on the network path can pose as it and act as the user";

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host.startsWith("127.");
}

interface OriginPlan {
  any: boolean;
  exact: Map<string, string>;
  wildcards: WildcardRule[];
  normalizedList: string[];
}

function planOrigins(input: CorsPolicyInput, credentials: boolean, f: Findings): OriginPlan {
  const plan: OriginPlan = { any: false, exact: new Map(), wildcards: [], normalizedList: [] };
  (input.allowOrigins ?? []).forEach((value, i) => {
    const path = `allowOrigins[${i}]`;
    if (value === "*") {
      if (credentials) {
        f.add(
          "CORS_WILDCARD_WITH_CREDENTIALS",
          path,
          value,
          "'*' cannot be combined with allowCredentials: true (browsers refuse it, and reflecting every origin instead would let any site act as the user); list the origins",
        );
      }
      plan.any = true;
      plan.normalizedList.push("*");
      return;
    }
    if (value === "null") {
      f.add(
        "CORS_NULL_ORIGIN",
        path,
        value,
        "the null origin is shared by every sandboxed document and file: page; set dangerouslyAllowNullOrigin: true if you really mean it",
      );
      return;
    }
    const star = value.indexOf("*");
    if (star >= 0) {
      planWildcard(value, path, credentials, plan, f);
      return;
    }
    const parsed = parseOrigin(value);
    if (isParseError(parsed)) {
      f.add(originProblemCode(parsed), path, value, parsed.detail);
      return;
    }
    if (parsed.scheme !== "http" && parsed.scheme !== "https") {
      f.add(
        "LINT_ORIGIN_SCHEME",
        path,
        value,
        `browsers send ${parsed.scheme}: origins only from extensions or apps`,
      );
    }
    if (plan.exact.has(parsed.normalized)) {
      f.add("LINT_DUPLICATE_ORIGIN", path, value, `${parsed.normalized} is listed more than once`);
      return;
    }
    if (credentials && parsed.scheme === "http" && !isLoopbackHost(parsed.host)) {
      f.add("LINT_INSECURE_ORIGIN_WITH_CREDENTIALS", path, value, INSECURE_WITH_CREDENTIALS);
    }
    plan.exact.set(parsed.normalized, path);
    plan.normalizedList.push(parsed.normalized);
  });
  return plan;
}

function planWildcard(
  value: string,
  path: string,
  credentials: boolean,
  plan: OriginPlan,
  f: Findings,
): void {
  const sep = value.indexOf("://");
  const afterScheme = sep >= 0 ? value.slice(sep + 3) : "";
  if (sep <= 0 || !afterScheme.startsWith("*.") || afterScheme.indexOf("*", 1) >= 0) {
    f.add(
      "CORS_WILDCARD_INVALID",
      path,
      value,
      "a wildcard origin is scheme://*.domain[:port], with '*.' once, right after the scheme (use allowOriginPatterns for anything else)",
    );
    return;
  }
  const parsed = parseOrigin(`${value.slice(0, sep)}://x${afterScheme.slice(1)}`);
  if (isParseError(parsed)) {
    f.add(originProblemCode(parsed), path, value, parsed.detail);
    return;
  }
  const suffix = parsed.host.slice(2);
  if (isIpHost(suffix) || /^[0-9.]+$/.test(suffix)) {
    f.add("CORS_WILDCARD_INVALID", path, value, "a wildcard cannot stand for part of an IP address");
    return;
  }
  const publicSuffix = isPublicSuffix(suffix);
  if (publicSuffix !== null) {
    f.add(
      "CORS_WILDCARD_PUBLIC_SUFFIX",
      path,
      value,
      `${suffix} is a public suffix (${publicSuffix.section} section of the Public Suffix List): '*.${suffix}' would admit every site registered under it`,
    );
    return;
  }
  if (credentials && parsed.scheme === "http" && !isLoopbackHost(suffix)) {
    f.add("LINT_INSECURE_ORIGIN_WITH_CREDENTIALS", path, value, INSECURE_WITH_CREDENTIALS);
  }
  const normalized = `${parsed.scheme}://*.${suffix}${parsed.port === "" ? "" : `:${parsed.port}`}`;
  if (plan.normalizedList.includes(normalized)) {
    f.add("LINT_DUPLICATE_ORIGIN", path, value, `${normalized} is listed more than once`);
    return;
  }
  plan.wildcards.push({ scheme: parsed.scheme, port: parsed.port, suffix, source: path });
  plan.normalizedList.push(normalized);
}

/** An unescaped `.` between word characters, as in `^https://app.example.com$`, matches any character. */
function hasLooseDot(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (
      c === "." &&
      !inClass &&
      /[A-Za-z0-9]/.test(pattern[i - 1] ?? "") &&
      /[A-Za-z0-9]/.test(pattern[i + 1] ?? "")
    ) {
      return true;
    }
  }
  return false;
}

/**
 * True when every top-level alternative starts with `^` and ends with an unescaped `$`: checking
 * only the pattern's two ends would accept `^https://a\.com|https://b\.com$`, whose first
 * alternative also matches `https://a.com.evil.net` (regex `|` binds looser than `^` and `$`).
 */
function isAnchored(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  let start = 0;
  const anchored = (alt: string): boolean => {
    if (!alt.startsWith("^") || !alt.endsWith("$")) return false;
    let slashes = 0;
    for (let i = alt.length - 2; i >= 0 && alt[i] === "\\"; i--) slashes++;
    return slashes % 2 === 0;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      if (!anchored(pattern.slice(start, i))) return false;
      start = i + 1;
    }
  }
  return anchored(pattern.slice(start));
}

function planPatterns(input: CorsPolicyInput, f: Findings): PatternRule[] {
  const rules: PatternRule[] = [];
  (input.allowOriginPatterns ?? []).forEach((pattern, i) => {
    const path = `allowOriginPatterns[${i}]`;
    // Syntax first: an invalid pattern is reported as invalid, with the parser's reason, whatever its
    // ends look like (issue 10); anchoring is judged only on a pattern that parses.
    let regex: LinearRegex | undefined;
    try {
      regex = compileLinearRegex(pattern);
    } catch (error) {
      if (!(error instanceof RegexSyntaxError)) throw error;
      if (error.code === "REGEX_SYNTAX") {
        f.add("CORS_PATTERN_INVALID", path, pattern, `is not a valid regular expression: ${error.message}`);
        return;
      }
      f.add("CORS_PATTERN_NOT_LINEAR", path, pattern, error.message);
    }
    if (!isAnchored(pattern)) {
      f.add(
        "CORS_PATTERN_UNANCHORED",
        path,
        pattern,
        "an origin pattern must be anchored: start it with ^ and end it with $, and wrap alternatives in a group, ^(?:a|b)$ (unanchored, 'example\\.com' also matches https://example.com.evil.net)",
      );
      return;
    }
    if (regex === undefined) return;
    rules.push({ regex, source: path });
    if (hasLooseDot(pattern)) {
      f.add(
        "LINT_PATTERN_LOOSE_DOT",
        path,
        pattern,
        "an unescaped '.' matches any character (app.example.com also matches appXexample.com); write '\\.'",
      );
    }
  });
  return rules;
}

/** A name that can never work in `field` (Fetch's forbidden names), with the problem to report. */
function forbiddenName(
  field: "allowMethods" | "allowHeaders" | "exposeHeaders",
  value: string,
): { code: ProblemCode; reason: string } | null {
  if (field === "allowMethods") {
    return isForbiddenMethod(value)
      ? {
          code: "CORS_FORBIDDEN_METHOD",
          reason: `${value} is a forbidden method (Fetch standard): no page can send it, so allowing it has no effect`,
        }
      : null;
  }
  if (field === "allowHeaders") {
    const reason = forbiddenRequestHeaderReason(value);
    return reason === null ? null : { code: "CORS_FORBIDDEN_HEADER", reason };
  }
  return isForbiddenResponseHeader(value)
    ? {
        code: "CORS_FORBIDDEN_EXPOSE_HEADER",
        reason: `${value} is a forbidden response-header name (Fetch standard): no page can read it, exposed or not`,
      }
    : null;
}

function planTokens(
  field: "allowMethods" | "allowHeaders" | "exposeHeaders",
  values: readonly string[],
  credentials: boolean,
  normalize: (v: string) => string,
  f: Findings,
): { list: string[]; any: boolean } {
  const list: string[] = [];
  const seen = new Set<string>();
  let any = false;
  values.forEach((value, i) => {
    const path = `${field}[${i}]`;
    if (value === "*") {
      if (credentials) {
        f.add(
          "CORS_WILDCARD_WITH_CREDENTIALS",
          path,
          value,
          `'*' in ${field} means a literal name when credentials are allowed (Fetch standard); list the names instead`,
        );
      }
      any = true;
    } else if (!isToken(value)) {
      f.add(
        "CORS_NAME_INVALID",
        path,
        value,
        `${JSON.stringify(value)} is not a valid ${field === "allowMethods" ? "method" : "header"} name`,
      );
      return;
    } else {
      const forbidden = forbiddenName(field, value);
      if (forbidden !== null) {
        f.add(forbidden.code, path, value, forbidden.reason);
        return;
      }
    }
    const normalized = normalize(value);
    const key = field === "allowMethods" ? normalized : normalized.toLowerCase();
    if (seen.has(key)) {
      f.add("LINT_DUPLICATE_NAME", path, value, `${value} is listed more than once`);
      return;
    }
    seen.add(key);
    list.push(normalized);
  });
  return { list, any };
}

/**
 * Compiles a policy, or returns every problem found in it. Warnings (lint) come with a
 * compiled policy; errors come without one.
 *
 * ```ts
 * const r = compilePolicy({ name: "web", allowOrigins: ["https://app.example.com"] });
 * if (r.ok) decide(r.policy, request);
 * ```
 */
export function compilePolicy(input: CorsPolicyInput, options: CompileOptions = {}): CompileResult {
  const f = new Findings();
  const credentials = input.allowCredentials === true;
  const origins = planOrigins(input, credentials, f);
  const patterns = planPatterns(input, f);
  const methods = planTokens(
    "allowMethods",
    input.allowMethods ?? DEFAULT_METHODS,
    credentials,
    normalizeMethod,
    f,
  );
  const headers = planTokens("allowHeaders", input.allowHeaders ?? [], credentials, (v) => v, f);
  const expose = planTokens("exposeHeaders", input.exposeHeaders ?? [], credentials, (v) => v, f);
  const allowNull = input.dangerouslyAllowNullOrigin === true;

  if (input.maxAge !== undefined) {
    if (!Number.isInteger(input.maxAge) || input.maxAge < 0 || input.maxAge > MAX_MAX_AGE) {
      f.add("CORS_MAX_AGE_RANGE", "maxAge", input.maxAge, MAX_AGE_RANGE_REASON);
    } else if (input.maxAge > CHROMIUM_MAX_AGE) {
      f.add(
        "LINT_MAX_AGE_LONG",
        "maxAge",
        input.maxAge,
        `Chromium caps preflight caching at ${CHROMIUM_MAX_AGE} seconds; a long max age also delays policy changes reaching browsers`,
      );
    }
  }
  if (input.allowPrivateNetwork === true && origins.any) {
    f.add(
      "CORS_PRIVATE_NETWORK_ANY_ORIGIN",
      "allowPrivateNetwork",
      true,
      "private network access with allowOrigins '*' would let every public website reach this private service; list the origins",
    );
  }
  if (allowNull) {
    f.add(
      "LINT_NULL_ORIGIN",
      "dangerouslyAllowNullOrigin",
      true,
      "the null origin is sent by every sandboxed iframe and file: page, any of which can then read responses",
    );
  }
  if (input.mode === "report") {
    f.add(
      "LINT_REPORT_ONLY",
      "mode",
      "report",
      "report mode never blocks: refusals are only logged and counted",
    );
  }
  // About a policy that lists nothing; one whose origins are all refused has its errors already.
  if (
    (input.allowOrigins ?? []).length === 0 &&
    (input.allowOriginPatterns ?? []).length === 0 &&
    !allowNull
  ) {
    f.add(
      "LINT_NO_ORIGINS",
      "allowOrigins",
      input.allowOrigins ?? [],
      "the policy lists no origin: only the JavaScript origins of applications authorized for its APIs are allowed",
    );
  }
  const timing = planTiming(input, f);

  if (f.hasErrors) return { ok: false, problems: f.list };

  const matcher = new OriginMatcher({
    any: origins.any,
    allowNull,
    exact: origins.exact,
    wildcards: origins.wildcards,
    patterns,
  });
  const anyOriginConstant = origins.any && !credentials;
  const reportOnly = input.mode === "report";
  const allowMethodsValue = methods.any ? "*" : methods.list.join(",");
  const allowHeadersValue = headers.list.join(",");

  const preflightTail: HeaderPair[] = [];
  const actualTail: HeaderPair[] = [];
  if (credentials) {
    preflightTail.push(["access-control-allow-credentials", "true"]);
    actualTail.push(["access-control-allow-credentials", "true"]);
  }
  preflightTail.push(["access-control-allow-methods", allowMethodsValue]);
  if (allowHeadersValue !== "") preflightTail.push(["access-control-allow-headers", allowHeadersValue]);
  if (input.maxAge !== undefined) preflightTail.push(["access-control-max-age", String(input.maxAge)]);
  if (expose.list.length > 0) actualTail.push(["access-control-expose-headers", expose.list.join(",")]);

  const originDependent = !anyOriginConstant || reportOnly;
  const actualVary = originDependent || (!timing.any && timing.origins.size > 0) ? "Origin" : "";
  // Every answer to a preflight varies on all three request headers, refusals included (SPEC section 4).
  const preflightVary = input.allowPrivateNetwork === true ? PREFLIGHT_VARY_PNA : PREFLIGHT_VARY;

  const source = exportPolicy(input, origins.normalizedList, methods.list, headers.list, expose.list);
  const policy: CompiledPolicy = {
    kind: "policy",
    name: input.name,
    origins: matcher,
    anyOriginConstant,
    methods: new Set(methods.list),
    anyMethod: methods.any,
    headers: new Set(headers.list.map((h) => h.toLowerCase())),
    anyHeader: headers.any,
    credentials,
    privateNetwork: input.allowPrivateNetwork === true,
    onDisallowedOrigin: input.onDisallowedOrigin ?? "reject",
    reportOnly,
    backendCorsHeaders: input.backendCorsHeaders ?? "override",
    timingAllowAny: timing.any,
    timingAllowOrigins: timing.origins,
    preflightTail,
    actualTail,
    actualAnyHeaders: [["access-control-allow-origin", "*"], ...actualTail],
    allowMethodsValue,
    allowHeadersValue,
    actualVary,
    preflightVary,
    source,
  };
  const extra = options.additionalOrigins;
  return {
    ok: true,
    policy: extra === undefined || extra.length === 0 ? policy : withAdditionalOrigins(policy, extra),
    warnings: f.list,
  };
}

/**
 * The policy with more origins admitted: the JavaScript origins of the applications authorized for an
 * API, which every policy of that API admits (webMethods). They were validated as the applications'
 * own; nothing of the policy is checked or compiled again, only its origin matcher is extended.
 */
export function withAdditionalOrigins(
  policy: CompiledPolicy,
  additional: readonly AdditionalOrigin[],
): CompiledPolicy {
  const rules = policy.origins.rules;
  const exact = new Map(rules.exact);
  for (const extra of additional) {
    const parsed = parseOrigin(extra.origin);
    if (!isParseError(parsed) && !exact.has(parsed.normalized)) exact.set(parsed.normalized, extra.source);
  }
  return { ...policy, origins: new OriginMatcher({ ...rules, exact }) };
}

function planTiming(input: CorsPolicyInput, f: Findings): { any: boolean; origins: Set<string> } {
  const result = { any: false, origins: new Set<string>() };
  (input.timingAllowOrigins ?? []).forEach((value, i) => {
    if (value === "*") {
      result.any = true;
      return;
    }
    const parsed = parseOrigin(value);
    if (isParseError(parsed)) {
      f.add(originProblemCode(parsed), `timingAllowOrigins[${i}]`, value, parsed.detail);
      return;
    }
    result.origins.add(parsed.normalized);
  });
  return result;
}

function exportPolicy(
  input: CorsPolicyInput,
  origins: readonly string[],
  methods: readonly string[],
  headers: readonly string[],
  expose: readonly string[],
): CorsPolicyInput {
  const out: { -readonly [K in keyof CorsPolicyInput]: CorsPolicyInput[K] } = { name: input.name };
  if (input.description !== undefined) out.description = input.description;
  out.allowOrigins = origins;
  out.allowOriginPatterns = [...(input.allowOriginPatterns ?? [])];
  out.allowMethods = methods;
  out.allowHeaders = headers;
  out.exposeHeaders = expose;
  out.allowCredentials = input.allowCredentials === true;
  if (input.maxAge !== undefined) out.maxAge = input.maxAge;
  out.allowPrivateNetwork = input.allowPrivateNetwork === true;
  out.onDisallowedOrigin = input.onDisallowedOrigin ?? "reject";
  out.mode = input.mode ?? "enforce";
  out.backendCorsHeaders = input.backendCorsHeaders ?? "override";
  if (input.timingAllowOrigins !== undefined) {
    out.timingAllowOrigins = input.timingAllowOrigins.map((o) => {
      const parsed = parseOrigin(o);
      return o === "*" || isParseError(parsed) ? o : parsed.normalized;
    });
  }
  out.dangerouslyAllowNullOrigin = input.dangerouslyAllowNullOrigin === true;
  return out;
}
