import { createHash } from "node:crypto";
import { type CompiledPolicy, type CorsRules, compilePolicy, TOGGLE } from "../cors/index.js";
import type { AdditionalOrigin } from "../cors/types.js";
import { type Problem, prefixProblems } from "../problems.js";
import { DEFAULT_PATH_OPTIONS } from "../routing/normalize-path.js";
import { formatSegments, parseRoutePath, type Segment } from "../routing/route-path.js";
import { Router } from "../routing/router.js";
import type { ApiConfig, AppConfig, BackendConfig, Config, GroupConfig } from "./schema.js";
import { analyzeConfig, conflictReason, hasErrors } from "./validate.js";

export const DEFAULT_API_KEY_HEADER = "x-api-key";

/** Every limit with its default filled in. */
export interface Limits {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConcurrentStreams: number;
  readonly shutdownTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxHeaderBytes: 16_384,
  maxBodyBytes: 10_485_760,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConcurrentStreams: 128,
  shutdownTimeoutMs: 10_000,
};

/** An API ready to serve: its route, its CORS rules resolved, its backend. */
export interface ApiRuntime {
  readonly index: number;
  readonly name: string;
  readonly method: string;
  readonly match: "exact" | "prefix";
  readonly segments: readonly Segment[];
  readonly domains: readonly string[];
  readonly basePathLength: number;
  readonly group: GroupConfig | undefined;
  readonly auth: "none" | "app";
  /** The CORS rules that apply, most specific first: policy, toggle, group default; null for none. */
  readonly cors: CorsRules | null;
  /** Where the rules came from, for explain: `corsPolicy web`, `cors: true`, `group shop default policy web`. */
  readonly corsSource: string;
  readonly backend: BackendConfig;
  readonly config: ApiConfig;
}

export interface AppRuntime {
  readonly name: string;
  readonly apis: ReadonlySet<string>;
}

/** Everything the data plane needs, immutable, swapped whole on every change. */
export interface Snapshot {
  /** The configuration it was built from, API keys replaced by their hashes. */
  readonly config: Config;
  readonly router: Router<ApiRuntime>;
  readonly apis: readonly ApiRuntime[];
  readonly policies: ReadonlyMap<string, CompiledPolicy>;
  /** sha256 hex of an API key to its application. */
  readonly appsByKeyHash: ReadonlyMap<string, AppRuntime>;
  /** Lowercase name of the API key header. */
  readonly apiKeyHeader: string;
  readonly serverTiming: boolean;
  readonly limits: Limits;
  /** Groups with a default policy, for errors on requests that matched no API. */
  readonly groupDefaults: readonly GroupDefault[];
  readonly warnings: readonly Problem[];
}

export interface GroupDefault {
  readonly domains: readonly string[];
  readonly rules: CorsRules;
  readonly source: string;
}

export type BuildResult =
  | { readonly ok: true; readonly snapshot: Snapshot; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The configuration with every clear-text API key replaced by its hash. */
export function redactKeys(config: Config): Config {
  if (!config.apps) return config;
  return {
    ...config,
    apps: config.apps.map((app) => {
      if (!app.keys || app.keys.length === 0) return app;
      const { keys, ...rest } = app;
      const hashes = new Set([...(app.keyHashes ?? []), ...keys.map((k) => `sha256:${hashApiKey(k)}`)]);
      return { ...rest, keyHashes: [...hashes] };
    }),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Validates and compiles a configuration into a Snapshot, or returns every problem.
 * Nothing partial: either the whole configuration is good and compiled, or nothing is.
 *
 * ```ts
 * const r = buildSnapshot(YAML.parse(text));
 * if (!r.ok) for (const p of r.problems) console.error(formatProblem(p));
 * ```
 */
export function buildSnapshot(raw: unknown): BuildResult {
  const { problems, policies: basePolicies } = analyzeConfig(raw);
  if (hasErrors(problems)) return { ok: false, problems };
  const config = redactKeys(structuredClone(raw) as Config);
  const warnings: Problem[] = problems.slice();
  const errors: Problem[] = [];

  const groups = new Map((config.groups ?? []).map((g) => [g.name, g]));
  const policyConfigs = new Map((config.corsPolicies ?? []).map((p, i) => [p.name, { p, i }]));
  const apps = config.apps ?? [];
  const appsForApi = new Map<string, AppConfig[]>();
  for (const app of apps) {
    for (const api of app.apis ?? []) {
      const list = appsForApi.get(api);
      if (list) list.push(app);
      else appsForApi.set(api, [app]);
    }
  }

  // A policy is compiled once, plus once per distinct set of applications whose origins it must add.
  const compiled = new Map<string, CompiledPolicy>();
  for (const [name, policy] of basePolicies) compiled.set(`${name}\u0000`, policy);
  const failed = new Set<string>();
  const policyFor = (name: string, withApps: readonly AppConfig[]): CompiledPolicy | null => {
    const contributing = withApps.filter((a) => (a.javascriptOrigins ?? []).length > 0);
    const key = `${name}\u0000${contributing.map((a) => a.name).join("\u0000")}`;
    const cached = compiled.get(key);
    if (cached) return cached;
    if (failed.has(name)) return null;
    const entry = policyConfigs.get(name);
    if (!entry) return null;
    const additionalOrigins: AdditionalOrigin[] = contributing.flatMap((a) =>
      (a.javascriptOrigins ?? []).map((origin) => ({
        origin,
        source: `application ${a.name}'s javascriptOrigins`,
      })),
    );
    const result = compilePolicy(entry.p, { additionalOrigins });
    if (!result.ok) {
      failed.add(name);
      errors.push(...prefixProblems(`corsPolicies[${entry.i}]`, result.problems));
      return null;
    }
    compiled.set(key, result.policy);
    return result.policy;
  };

  const apis: ApiRuntime[] = (config.apis ?? []).map((api, index) => {
    const group = api.group === undefined ? undefined : groups.get(api.group);
    const base = group?.basePath === undefined ? "" : group.basePath.replace(/\/+$/, "");
    const parsed = parseRoutePath(`${base}${api.path === "/" ? "" : api.path}` || "/");
    const segments = parsed.ok ? parsed.segments : [];
    const authorized = appsForApi.get(api.name) ?? [];
    let cors: CorsRules | null = null;
    let corsSource = "none";
    if (api.corsPolicy !== undefined) {
      cors = policyFor(api.corsPolicy, authorized);
      corsSource = `corsPolicy ${api.corsPolicy}`;
    } else if (api.cors === true) {
      cors = TOGGLE;
      corsSource = "cors: true (permissive toggle)";
    } else if (group?.corsPolicy !== undefined) {
      cors = policyFor(group.corsPolicy, authorized);
      corsSource = `group ${group.name}'s default corsPolicy ${group.corsPolicy}`;
    }
    return {
      index,
      name: api.name,
      method: api.method,
      match: api.match ?? "exact",
      segments,
      domains: (group?.domains ?? []).map((d) => d.toLowerCase()),
      basePathLength: base.length,
      group,
      auth: api.auth ?? "none",
      cors,
      corsSource,
      backend: api.backend,
      config: api,
    };
  });

  const router = new Router<ApiRuntime>(
    apis,
    (api, other) => {
      errors.push({
        severity: "error",
        code: "API_CONFLICT",
        path: `apis[${api.index}].path`,
        value: api.config.path,
        reason: conflictReason(api.method, formatSegments(api.segments), api.match, other.index),
      });
    },
    { ...DEFAULT_PATH_OPTIONS, ...config.gateway?.paths },
  );

  if (errors.length > 0) return { ok: false, problems: [...errors, ...warnings] };

  const appsByKeyHash = new Map<string, AppRuntime>();
  for (const app of apps) {
    const runtime: AppRuntime = { name: app.name, apis: new Set(app.apis ?? []) };
    for (const h of app.keyHashes ?? []) appsByKeyHash.set(h.slice("sha256:".length), runtime);
  }
  const policies = new Map<string, CompiledPolicy>();
  for (const name of policyConfigs.keys()) {
    const p = compiled.get(`${name}\u0000`);
    if (p) policies.set(name, p);
  }
  const groupDefaults: GroupDefault[] = [];
  for (const g of config.groups ?? []) {
    const rules = g.corsPolicy === undefined ? undefined : compiled.get(`${g.corsPolicy}\u0000`);
    if (rules) {
      groupDefaults.push({
        domains: (g.domains ?? []).map((d) => d.toLowerCase()),
        rules,
        source: `group ${g.name}'s default corsPolicy ${g.corsPolicy}`,
      });
    }
  }
  const snapshot: Snapshot = {
    config: deepFreeze(config),
    router,
    apis,
    policies,
    appsByKeyHash,
    apiKeyHeader: (config.gateway?.apiKeyHeader ?? DEFAULT_API_KEY_HEADER).toLowerCase(),
    serverTiming: config.gateway?.serverTiming ?? true,
    limits: { ...DEFAULT_LIMITS, ...config.gateway?.limits },
    groupDefaults,
    warnings,
  };
  return { ok: true, snapshot, warnings };
}
