import type { CorsPolicy } from "../api/types";

/**
 * The policy editor's form model and its mapping to the stored policy. The mapping round-trips: a
 * form loaded from a policy and left alone maps back to a deep-equal policy, so a no-op save is
 * recognised (and makes no revision). Origins are one field: exact and wildcard origins, and
 * regular expressions written `^...$`, which are stored as allowOriginPatterns.
 */
export interface PolicyForm {
  name: string;
  description: string;
  origins: string[];
  methods: string[];
  headers: string[];
  expose: string[];
  credentials: boolean;
  maxAge: number | undefined;
  privateNetwork: boolean;
  onDisallowedOrigin: "reject" | "omit";
  mode: "enforce" | "report";
  backendCorsHeaders: "override" | "keep";
  timingAllowOrigins: string[];
  allowNull: boolean;
}

export const isPattern = (line: string) => line.startsWith("^");

export function formOf(p: CorsPolicy | undefined): PolicyForm {
  return {
    name: p?.name ?? "",
    description: p?.description ?? "",
    origins: [...(p?.allowOrigins ?? []), ...(p?.allowOriginPatterns ?? [])],
    methods: p?.allowMethods ?? [],
    headers: p?.allowHeaders ?? [],
    expose: p?.exposeHeaders ?? [],
    credentials: p?.allowCredentials ?? false,
    maxAge: p?.maxAge,
    privateNetwork: p?.allowPrivateNetwork ?? false,
    onDisallowedOrigin: p?.onDisallowedOrigin ?? "reject",
    mode: p?.mode ?? "enforce",
    backendCorsHeaders: p?.backendCorsHeaders ?? "override",
    timingAllowOrigins: p?.timingAllowOrigins ?? [],
    allowNull: p?.dangerouslyAllowNullOrigin ?? false,
  };
}

/** Sets `key` unless the value is the field's "not set" value and `base` did not have it either. */
function put<K extends keyof CorsPolicy>(
  out: CorsPolicy,
  base: CorsPolicy | undefined,
  key: K,
  value: CorsPolicy[K],
  unset: (v: CorsPolicy[K]) => boolean,
): void {
  if (unset(value) && base?.[key] === undefined) return;
  out[key] = value;
}

const emptyList = (v: unknown) => Array.isArray(v) && v.length === 0;

export function policyOf(form: PolicyForm, base: CorsPolicy | undefined): CorsPolicy {
  const out: CorsPolicy = { name: form.name.trim() };
  put(out, base, "description", form.description, (v) => v === "");
  put(
    out,
    base,
    "allowOrigins",
    form.origins.filter((o) => !isPattern(o)),
    emptyList,
  );
  put(out, base, "allowOriginPatterns", form.origins.filter(isPattern), emptyList);
  put(out, base, "allowMethods", form.methods, emptyList);
  put(out, base, "allowHeaders", form.headers, emptyList);
  put(out, base, "exposeHeaders", form.expose, emptyList);
  put(out, base, "allowCredentials", form.credentials, (v) => v === false);
  if (form.maxAge !== undefined) out.maxAge = form.maxAge;
  put(out, base, "allowPrivateNetwork", form.privateNetwork, (v) => v === false);
  put(out, base, "onDisallowedOrigin", form.onDisallowedOrigin, (v) => v === "reject");
  put(out, base, "mode", form.mode, (v) => v === "enforce");
  put(out, base, "backendCorsHeaders", form.backendCorsHeaders, (v) => v === "override");
  put(out, base, "timingAllowOrigins", form.timingAllowOrigins, emptyList);
  put(out, base, "dangerouslyAllowNullOrigin", form.allowNull, (v) => v === false);
  return out;
}

/** `corsPolicies[3].allowOrigins[1]` (a refused write) to `allowOrigins[1]` (the form's paths). */
export function relativeProblems<P extends { path: string }>(problems: readonly P[], field: string): P[] {
  const re = new RegExp(`^${field}\\[\\d+\\]\\.?`);
  return problems.filter((p) => re.test(p.path)).map((p) => ({ ...p, path: p.path.replace(re, "") }));
}
