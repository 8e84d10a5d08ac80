import { createHash } from "node:crypto";
import { type CompiledPolicy, type CorsRules, TOGGLE, withAdditionalOrigins } from "../cors/index.js";
import type { Problem } from "../problems.js";
import { HostTable } from "../routing/hosts.js";
import { DEFAULT_PATH_OPTIONS } from "../routing/normalize-path.js";
import { apiRoute, type Segment } from "../routing/route-path.js";
import { Router } from "../routing/router.js";
import type { ApiConfig, AppConfig, BackendConfig, Config, GroupConfig } from "./schema.js";

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
  readonly groupDefaults: HostTable<GroupDefault>;
  readonly warnings: readonly Problem[];
}

export interface GroupDefault {
  readonly rules: CorsRules;
  readonly source: string;
}

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
 * Builds the Snapshot of a configuration the validator accepted (src/config/compile.ts runs both):
 * routes, the CORS rules of every API (each policy compiled once by the validator, extended here with
 * the JavaScript origins of the applications authorized for the API), applications by key hash.
 * Builds only: a problem here is a bug of the validator, thrown as one.
 */
export function buildSnapshot(
  valid: Config,
  policies: ReadonlyMap<string, CompiledPolicy>,
  warnings: readonly Problem[],
): Snapshot {
  const config = redactKeys(structuredClone(valid));
  const groups = new Map((config.groups ?? []).map((g) => [g.name, g]));
  const apps = config.apps ?? [];
  const appsForApi = new Map<string, AppConfig[]>();
  for (const app of apps) {
    for (const api of app.apis ?? []) {
      const list = appsForApi.get(api);
      if (list) list.push(app);
      else appsForApi.set(api, [app]);
    }
  }

  // A policy plus the JavaScript origins of the applications authorized for an API: one per distinct set.
  const extended = new Map<string, CompiledPolicy>();
  const policyFor = (name: string, withApps: readonly AppConfig[]): CompiledPolicy => {
    const base = policies.get(name);
    if (base === undefined) throw new Error(`bug: policy ${name} passed validation but was not compiled`);
    const contributing = withApps.filter((a) => (a.javascriptOrigins ?? []).length > 0);
    if (contributing.length === 0) return base;
    const key = `${name}\u0000${contributing.map((a) => a.name).join("\u0000")}`;
    let policy = extended.get(key);
    if (policy === undefined) {
      policy = withAdditionalOrigins(
        base,
        contributing.flatMap((a) =>
          (a.javascriptOrigins ?? []).map((origin) => ({
            origin,
            source: `application ${a.name}'s javascriptOrigins`,
          })),
        ),
      );
      extended.set(key, policy);
    }
    return policy;
  };

  const apis: ApiRuntime[] = (config.apis ?? []).map((api, index) => {
    const group = api.group === undefined ? undefined : groups.get(api.group);
    const route = apiRoute(group?.basePath, api.path);
    if (!route.ok) throw new Error(`bug: the route of apis[${index}] passed validation: ${route.reason}`);
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
      segments: route.segments,
      domains: (group?.domains ?? []).map((d) => d.toLowerCase()),
      basePathLength: group?.basePath === undefined ? 0 : group.basePath.replace(/\/+$/, "").length,
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
      throw new Error(
        `bug: apis[${api.index}] and apis[${other.index}] take the same route after validation`,
      );
    },
    { ...DEFAULT_PATH_OPTIONS, ...config.gateway?.paths },
  );

  const appsByKeyHash = new Map<string, AppRuntime>();
  for (const app of apps) {
    const runtime: AppRuntime = { name: app.name, apis: new Set(app.apis ?? []) };
    for (const h of app.keyHashes ?? []) appsByKeyHash.set(h.slice("sha256:".length), runtime);
  }
  // Every group, so that a group without a default shadows a wider one that has one, as in routing.
  const groupDefaults = new HostTable<GroupDefault>();
  for (const g of config.groups ?? []) {
    const rules = g.corsPolicy === undefined ? undefined : policies.get(g.corsPolicy);
    groupDefaults.add(
      g.domains ?? [],
      rules === undefined ? null : { rules, source: `group ${g.name}'s default corsPolicy ${g.corsPolicy}` },
    );
  }
  return {
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
}
