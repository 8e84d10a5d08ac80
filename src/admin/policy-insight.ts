import type { Config, CorsPolicyConfig } from "../config/schema.js";
import {
  type CompiledPolicy,
  type CorsRequest,
  compilePolicy,
  decide,
  type TraceStep,
} from "../cors/index.js";
import type { AdditionalOrigin } from "../cors/types.js";

/**
 * What a CORS policy does in its configuration: the APIs it is bound to, the origins it admits with
 * the applications' JavaScript origins merged in (the list no webMethods screen shows), the headers a
 * preflight gets, and, for one origin, the engine's verdict naming the rule that decided. No CORS
 * logic of its own: every verdict is the engine's `decide` on the policy compiled as the gateway
 * compiles it.
 */

export interface BoundApi {
  readonly name: string;
  /** `corsPolicy` (bound directly) or `group shop default` (the group's default policy applies). */
  readonly via: string;
  readonly method: string;
  readonly path: string;
}

export interface EffectiveOrigin {
  readonly value: string;
  readonly kind: "exact" | "wildcard" | "pattern" | "any" | "null";
  /** `allowOrigins[1]`, `allowOriginPatterns[0]` or `application storefront`. */
  readonly source: string;
}

export interface OriginTest {
  readonly origin: string;
  readonly allowed: boolean;
  /** The engine's reason code: ORIGIN_ALLOWED, ANY_ORIGIN, ORIGIN_NOT_ALLOWED, ORIGIN_MALFORMED, ... */
  readonly reason: string;
  /** The rule that admitted the origin. */
  readonly rule?: { readonly source: string; readonly value: string; readonly via: "policy" | "application" };
  /** One sentence: `allowed by https://*.example.com (allowOrigins[1])`. */
  readonly summary: string;
  readonly trace: readonly TraceStep[];
}

export interface PolicyInsight {
  readonly boundApis: readonly BoundApi[];
  readonly effectiveOrigins: readonly EffectiveOrigin[];
  /** The answer to a preflight from an allowed origin (the tested one when allowed). */
  readonly preflight?: {
    readonly origin: string;
    readonly requestMethod: string;
    readonly requestHeaders: string;
    readonly status: number;
    readonly headers: readonly (readonly [string, string])[];
  };
  readonly test?: OriginTest;
}

export interface OriginTestInput {
  readonly origin: string;
  readonly method?: string | undefined;
  readonly requestHeaders?: readonly string[] | undefined;
}

/** The APIs whose CORS rules are this policy: bound by name, or through their group's default. */
export function boundApis(config: Config, policy: string): BoundApi[] {
  const groups = new Map((config.groups ?? []).map((g) => [g.name, g]));
  const out: BoundApi[] = [];
  for (const api of config.apis ?? []) {
    const group = api.group === undefined ? undefined : groups.get(api.group);
    let via: string | undefined;
    if (api.corsPolicy !== undefined) via = api.corsPolicy === policy ? "corsPolicy" : undefined;
    else if (api.cors !== true && group?.corsPolicy === policy) via = `group ${group.name} default`;
    if (via !== undefined) out.push({ name: api.name, via, method: api.method, path: api.path });
  }
  return out;
}

/** The applications' JavaScript origins a policy admits: those of apps authorized for its APIs. */
export function applicationOrigins(config: Config, apis: readonly BoundApi[]): AdditionalOrigin[] {
  const names = new Set(apis.map((a) => a.name));
  const out: AdditionalOrigin[] = [];
  for (const app of config.apps ?? []) {
    if (!(app.apis ?? []).some((a) => names.has(a))) continue;
    for (const origin of app.javascriptOrigins ?? []) {
      out.push({ origin, source: `application ${app.name}'s javascriptOrigins` });
    }
  }
  return out;
}

function originKind(value: string): EffectiveOrigin["kind"] {
  if (value === "*") return "any";
  if (value === "null") return "null";
  return value.includes("*.") ? "wildcard" : "exact";
}

/** The configured value a matcher's source names: `allowOrigins[1]` -> `https://*.example.com`. */
function ruleOf(
  policy: CorsPolicyConfig,
  source: string,
  extra: readonly AdditionalOrigin[],
  origin: string,
): OriginTest["rule"] {
  const m = /^(allowOrigins|allowOriginPatterns)\[(\d+)\]$/.exec(source);
  if (m) {
    const list = m[1] === "allowOrigins" ? policy.allowOrigins : policy.allowOriginPatterns;
    return { source, value: list?.[Number(m[2])] ?? source, via: "policy" };
  }
  if (source.startsWith("application ")) {
    const app = /^application (.+?)'s javascriptOrigins$/.exec(source)?.[1] ?? source;
    const value = extra.find((e) => e.source === source && sameOrigin(e.origin, origin))?.origin ?? origin;
    return { source: `application ${app}`, value, via: "application" };
  }
  return { source, value: source, via: "policy" };
}

function sameOrigin(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\/$/, "") === b.toLowerCase().replace(/\/$/, "");
}

function actualRequest(origin: string, method: string): CorsRequest {
  return {
    method,
    origin,
    accessControlRequestMethod: undefined,
    accessControlRequestHeaders: undefined,
    accessControlRequestPrivateNetwork: false,
  };
}

function testOrigin(
  policy: CorsPolicyConfig,
  compiled: CompiledPolicy,
  extra: readonly AdditionalOrigin[],
  input: OriginTestInput,
): OriginTest {
  const trace: TraceStep[] = [];
  const decision = decide(compiled, actualRequest(input.origin, input.method ?? "GET"), trace);
  const match = compiled.origins.match(input.origin);
  if (match.allowed) {
    const rule = ruleOf(policy, match.source, extra, input.origin);
    const by =
      rule?.via === "application"
        ? `allowed via ${rule.source} (${rule.value})`
        : rule?.value === rule?.source
          ? `allowed by ${rule?.value}`
          : `allowed by ${rule?.value} (${rule?.source})`;
    return {
      origin: input.origin,
      allowed: true,
      reason: decision.reason,
      ...(rule ? { rule } : {}),
      summary: by,
      trace,
    };
  }
  const detail = trace.find((t) => t.check === "origin" && t.verdict === "fail")?.detail ?? match.detail;
  return {
    origin: input.origin,
    allowed: false,
    reason: decision.wouldReject ?? decision.reason,
    summary: `refused: ${decision.wouldReject ?? decision.reason} (${detail})${compiled.reportOnly ? "; report mode lets it through" : ""}`,
    trace,
  };
}

/** A sample allowed origin for the preflight preview: the tested one when allowed, else the first exact one. */
function sampleOrigin(
  effective: readonly EffectiveOrigin[],
  test: OriginTest | undefined,
): string | undefined {
  if (test?.allowed) return test.origin;
  const exact = effective.find((e) => e.kind === "exact");
  if (exact) return exact.value;
  if (effective.some((e) => e.kind === "any")) return "https://any.example";
  const wildcard = effective.find((e) => e.kind === "wildcard");
  return wildcard ? wildcard.value.replace("*.", "www.") : undefined;
}

/**
 * The insight for `policy` as a member of `config` (which must hold it, saved or as a draft).
 * Returns undefined when the policy does not compile (its problems say why).
 */
export function policyInsight(
  config: Config,
  policy: CorsPolicyConfig,
  input?: OriginTestInput,
): PolicyInsight | undefined {
  const apis = boundApis(config, policy.name);
  const extra = applicationOrigins(config, apis);
  const result = compilePolicy(policy, { additionalOrigins: extra });
  if (!result.ok) return undefined;
  const compiled = result.policy;
  const effective: EffectiveOrigin[] = [
    ...(policy.allowOrigins ?? []).map((value, i) => ({
      value,
      kind: originKind(value),
      source: `allowOrigins[${i}]`,
    })),
    ...(policy.allowOriginPatterns ?? []).map((value, i) => ({
      value,
      kind: "pattern" as const,
      source: `allowOriginPatterns[${i}]`,
    })),
    ...extra.map((e) => ({
      value: e.origin,
      kind: originKind(e.origin),
      source: e.source.replace(/'s javascriptOrigins$/, ""),
    })),
  ];
  const test = input && input.origin !== "" ? testOrigin(policy, compiled, extra, input) : undefined;
  const origin = sampleOrigin(effective, test);
  let preflight: PolicyInsight["preflight"];
  if (origin !== undefined) {
    const requestMethod =
      input?.method ?? [...compiled.methods].find((m) => !["GET", "HEAD", "POST"].includes(m)) ?? "GET";
    const requestHeaders = (
      input?.requestHeaders ?? (policy.allowHeaders ?? []).filter((h) => h !== "*")
    ).join(", ");
    const decision = decide(compiled, {
      method: "OPTIONS",
      origin,
      accessControlRequestMethod: requestMethod,
      accessControlRequestHeaders: requestHeaders === "" ? undefined : requestHeaders,
      accessControlRequestPrivateNetwork: false,
    });
    const headers: [string, string][] = decision.headers.map(([k, v]) => [k, v]);
    if (decision.vary !== "") headers.push(["vary", decision.vary]);
    preflight = { origin, requestMethod, requestHeaders, status: decision.status, headers };
  }
  return {
    boundApis: apis,
    effectiveOrigins: effective,
    ...(preflight ? { preflight } : {}),
    ...(test ? { test } : {}),
  };
}
