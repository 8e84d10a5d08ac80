import { createHash } from "node:crypto";
import type { TObject } from "@sinclair/typebox";
import {
  type CompiledPolicy,
  type CorsPolicyInput,
  compilePolicy,
  isParseError,
  isToken,
  originProblemCode,
  parseOrigin,
} from "../cors/index.js";
import { type Problem, type ProblemCode, prefixProblems, problem } from "../problems.js";
import { apiRoute, formatSegments, parseRoutePath } from "../routing/route-path.js";
import { routeKeys } from "../routing/router.js";
import {
  type ApiConfig,
  ApiSchema,
  type AppConfig,
  AppSchema,
  ConfigSchema,
  type CorsPolicyConfig,
  CorsPolicySchema,
  type GroupConfig,
  GroupSchema,
  LimitsSchema,
} from "./schema.js";
import { checkSchema, schemaProblems } from "./schema-errors.js";
import { validateTls } from "./validate-tls.js";
import { websocketProblems } from "./validate-websocket.js";
import { isPlainObject, type Loose, wellTyped } from "./well-typed.js";

/**
 * Checks a configuration against the schema and every cross-reference and rule the schema
 * cannot express, returning every problem at once, in one pass: the rules run on every part that
 * is well typed, whether or not something beside it fails the schema.
 */
export function validateConfig(raw: unknown): Problem[] {
  return analyzeConfig(raw).problems;
}

export interface Analysis {
  readonly problems: Problem[];
  /** Every schema-valid policy that compiled, by name (without applications' origins). */
  readonly policies: ReadonlyMap<string, CompiledPolicy>;
}

/** validateConfig, also handing back the policies it compiled so that nothing is compiled twice. */
export function analyzeConfig(raw: unknown): Analysis {
  const policiesOut = new Map<string, CompiledPolicy>();
  const problems = analyze(raw, policiesOut);
  return { problems, policies: policiesOut };
}

/** An item of one of the configuration's lists, as the rules see it. */
interface Item<T> {
  readonly index: number;
  /** Its well-typed parts (all of it when `valid`). */
  readonly value: Loose<T>;
  /** Whether it satisfies the schema. */
  readonly valid: boolean;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The items of `list` that are objects; `allValid`: every item is known to satisfy `schema`. */
function itemsOf<T>(list: unknown, schema: TObject, allValid: boolean): Item<T>[] {
  if (!Array.isArray(list)) return [];
  const out: Item<T>[] = [];
  list.forEach((raw: unknown, index) => {
    if (!isPlainObject(raw)) return; // the schema reports it
    const valid = allValid || checkSchema(schema, raw);
    out.push({ index, value: (valid ? raw : wellTyped(schema, raw)) as Loose<T>, valid, raw });
  });
  return out;
}

/** Whether `item` has the field `key` and it fails its own schema (it was dropped from `value`). */
function illTyped(item: Item<unknown>, schema: TObject, key: string): boolean {
  const property = schema.properties[key];
  return (
    !item.valid &&
    Object.hasOwn(item.raw, key) &&
    property !== undefined &&
    !checkSchema(property, item.raw[key])
  );
}

const ORIGIN_FIELDS = ["allowOrigins", "allowOriginPatterns", "dangerouslyAllowNullOrigin"];

function analyze(raw: unknown, compiledPolicies: Map<string, CompiledPolicy>): Problem[] {
  // A configuration that satisfies the schema has every item valid: no need to check them one by one.
  const allValid = checkSchema(ConfigSchema, raw);
  const problems = allValid ? [] : schemaProblems(ConfigSchema, raw);
  if (!isPlainObject(raw)) return problems;
  const groups = itemsOf<GroupConfig>(raw.groups, GroupSchema, allValid);
  const policies = itemsOf<CorsPolicyConfig>(raw.corsPolicies, CorsPolicySchema, allValid);
  const apis = itemsOf<ApiConfig>(raw.apis, ApiSchema, allValid);
  const apps = itemsOf<AppConfig>(raw.apps, AppSchema, allValid);
  // The severity of each code is the problem table's (src/problems.ts).
  const add = (code: ProblemCode, path: string, value: unknown, reason: string) => {
    problems.push(problem(code, path, value, reason));
  };

  for (const p of policies) {
    // Lists of a policy that is not schema-valid may have holes; compilePolicy iterates with forEach.
    const result = compilePolicy({ ...p.value, name: p.value.name ?? "" } as CorsPolicyInput);
    if (result.ok && p.valid) compiledPolicies.set(p.value.name as string, result.policy);
    let found = result.ok ? result.warnings : result.problems;
    // "No origins" is not known when the origins failed the schema.
    if (ORIGIN_FIELDS.some((k) => illTyped(p, CorsPolicySchema, k))) {
      found = found.filter((f) => f.code !== "LINT_NO_ORIGINS");
    }
    problems.push(...prefixProblems(`corsPolicies[${p.index}]`, found));
  }

  const groupNames = uniqueNames("groups", raw.groups, add);
  const policyNames = uniqueNames("corsPolicies", raw.corsPolicies, add);
  const apiNames = uniqueNames("apis", raw.apis, add);
  uniqueNames("apps", raw.apps, add);

  for (const { index, value: g } of groups) {
    if (g.corsPolicy !== undefined && !policyNames.has(g.corsPolicy)) {
      add(
        "REF_POLICY",
        `groups[${index}].corsPolicy`,
        g.corsPolicy,
        `no policy named ${JSON.stringify(g.corsPolicy)}`,
      );
    }
  }
  for (const { index, value: api } of apis) {
    if (api.group !== undefined && !groupNames.has(api.group)) {
      add("REF_GROUP", `apis[${index}].group`, api.group, `no group named ${JSON.stringify(api.group)}`);
    }
    if (api.corsPolicy !== undefined && !policyNames.has(api.corsPolicy)) {
      add(
        "REF_POLICY",
        `apis[${index}].corsPolicy`,
        api.corsPolicy,
        `no policy named ${JSON.stringify(api.corsPolicy)}`,
      );
    }
  }
  for (const { index, value: app } of apps) {
    app.apis?.forEach((name, j) => {
      if (name !== undefined && !apiNames.has(name)) {
        add("REF_API", `apps[${index}].apis[${j}]`, name, `no API named ${JSON.stringify(name)}`);
      }
    });
  }

  for (const { index, value: g } of groups) {
    g.domains?.forEach((d, j) => {
      const problem = d === undefined ? null : checkDomain(d);
      if (problem) add("GROUP_DOMAIN", `groups[${index}].domains[${j}]`, d, problem);
    });
    if (g.basePath !== undefined) {
      const parsed = parseRoutePath(g.basePath, false);
      if (!parsed.ok) add("GROUP_BASE_PATH", `groups[${index}].basePath`, g.basePath, parsed.reason);
    }
  }

  const usedPolicies = new Set<string>();
  for (const { value } of [...groups, ...apis])
    if (value.corsPolicy !== undefined) usedPolicies.add(value.corsPolicy);
  const authorized = new Set<string>();
  for (const { value: app } of apps) {
    app.apis?.forEach((name) => {
      if (name !== undefined) authorized.add(name);
    });
  }
  // Which APIs an application may call is not known when its list failed the schema.
  const authorizationKnown = !apps.some((a) => illTyped(a, AppSchema, "apis"));
  const takenRoutes = new Map<string, number>();
  // Groups whose host names and base path are well typed: only their APIs' routes can be compared.
  const groupByName = new Map<string, Loose<GroupConfig>>();
  for (const g of groups) {
    if (
      g.value.name !== undefined &&
      !illTyped(g, GroupSchema, "domains") &&
      !illTyped(g, GroupSchema, "basePath")
    ) {
      groupByName.set(g.value.name, g.value);
    }
  }

  for (const item of apis) {
    const { index, value: api } = item;
    const path = `apis[${index}]`;
    if (api.corsPolicy !== undefined && policyNames.has(api.corsPolicy) && api.cors === true) {
      add(
        "LINT_TOGGLE_AND_POLICY",
        `${path}.cors`,
        true,
        `corsPolicy ${api.corsPolicy} wins over cors: true; remove one`,
      );
    }
    if (api.path !== undefined) {
      const parsed = parseRoutePath(api.path);
      if (!parsed.ok) {
        add("API_PATH", `${path}.path`, api.path, parsed.reason);
      } else {
        if (api.match === "prefix" && parsed.segments.some((s) => s.kind === "greedy")) {
          add(
            "API_PATH",
            `${path}.path`,
            api.path,
            "a prefix API matches everything below its path already: drop the {rest+}",
          );
        }
        const group = api.group === undefined ? undefined : groupByName.get(api.group);
        const routable =
          api.method !== undefined &&
          !illTyped(item, ApiSchema, "match") &&
          !illTyped(item, ApiSchema, "group") &&
          (api.group === undefined || group !== undefined);
        if (routable) {
          // The router's own keys (src/routing/router.ts): the conflicts it would meet, found here first.
          const route = apiRoute(group?.basePath, api.path);
          const domains = (group?.domains ?? []).filter((d): d is string => d !== undefined);
          const match = api.match ?? "exact";
          conflict: for (const host of domains.length > 0 ? domains.map((d) => d.toLowerCase()) : ["*any*"]) {
            if (!route.ok) break;
            for (const routeKey of routeKeys(api.method as string, route.segments, match)) {
              const key = `${host} ${routeKey}`;
              const other = takenRoutes.get(key);
              if (other !== undefined) {
                add(
                  "API_CONFLICT",
                  `${path}.path`,
                  api.path,
                  conflictReason(api.method as string, formatSegments(route.segments), match, other),
                );
                break conflict;
              }
              takenRoutes.set(key, index);
            }
          }
        }
      }
    }
    if (api.auth === "app" && api.name !== undefined && authorizationKnown && !authorized.has(api.name)) {
      add(
        "LINT_NO_APP",
        `${path}.auth`,
        "app",
        "no application is authorized for this API: every request gets 401 or 403",
      );
    }
    if (api.backend !== undefined) checkBackend(api.backend, `${path}.backend`, add);
  }
  // The WebSocket rules read whole items: those that satisfy the schema.
  const valid = <T>(items: readonly Item<T>[]) =>
    items.filter((i) => i.valid).map((i) => [i.index, i.value as T] as const);
  problems.push(...websocketProblems(valid(apis), valid(groups), valid(policies)));

  for (const { index, value: p } of policies) {
    if (p.name !== undefined && !usedPolicies.has(p.name)) {
      add(
        "LINT_UNUSED_POLICY",
        `corsPolicies[${index}]`,
        p.name,
        `policy ${p.name} is bound to no API or group`,
      );
    }
  }

  const gateway = raw.gateway;
  const limits = isPlainObject(gateway)
    ? (wellTyped(LimitsSchema, gateway.limits) as Loose<typeof LimitsSchema.static> | undefined)
    : undefined;
  if (
    limits?.headersTimeoutMs !== undefined &&
    limits.requestTimeoutMs !== undefined &&
    limits.headersTimeoutMs > limits.requestTimeoutMs
  ) {
    add(
      "LIMITS",
      "gateway.limits.headersTimeoutMs",
      limits.headersTimeoutMs,
      "cannot be longer than requestTimeoutMs",
    );
  }

  // Keys are compared as hashes, so that a clear key equal to a stored hash of another application
  // (the admin API stores only hashes) is a duplicate too.
  const keyOwners = new Map<string, string>();
  const claim = (hash: string, owner: string, where: string) => {
    const holder = keyOwners.get(hash);
    if (holder !== undefined && holder !== owner) {
      add("APP_KEY_DUPLICATE", where, "(hidden)", `the same key is already held by application ${holder}`);
    } else if (holder !== undefined) {
      add("LINT_DUPLICATE_KEY", where, "(hidden)", "this key is listed more than once");
    }
    keyOwners.set(hash, owner);
  };
  for (const { index, value: app } of apps) {
    const path = `apps[${index}]`;
    const owner = app.name ?? path;
    app.javascriptOrigins?.forEach((origin, j) => {
      if (origin === undefined) return;
      const parsed = parseOrigin(origin);
      if (isParseError(parsed)) {
        add(
          originProblemCode(parsed),
          `${path}.javascriptOrigins[${j}]`,
          origin,
          origin.includes("*") ? "a JavaScript origin is one exact origin, without wildcards" : parsed.detail,
        );
      }
    });
    app.keyHashes?.forEach((hash, j) => {
      if (hash !== undefined) claim(hash.slice("sha256:".length), owner, `${path}.keyHashes[${j}]`);
    });
    app.keys?.forEach((key, j) => {
      if (key !== undefined)
        claim(createHash("sha256").update(key).digest("hex"), owner, `${path}.keys[${j}]`);
    });
  }
  problems.push(...validateTls(raw));
  return problems;
}

/** The one wording of two APIs serving the same route (here and when the router is built). */
export function conflictReason(method: string, fullPath: string, match: string, otherIndex: number): string {
  return `${method} ${fullPath} (${match}) is already served by apis[${otherIndex}] on the same hosts`;
}

function uniqueNames(
  kind: string,
  list: unknown,
  add: (code: ProblemCode, path: string, value: unknown, reason: string) => void,
): Set<string> {
  const names = new Map<string, number>();
  if (!Array.isArray(list)) return new Set();
  list.forEach((item, i) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return;
    const first = names.get(name);
    if (first !== undefined) {
      add(
        "DUPLICATE_NAME",
        `${kind}[${i}].name`,
        name,
        `${JSON.stringify(name)} is already the name of ${kind}[${first}]`,
      );
    } else {
      names.set(name, i);
    }
  });
  return new Set(names.keys());
}

function checkDomain(domain: string): string | null {
  const host = domain.startsWith("*.") ? domain.slice(2) : domain;
  if (host.includes("*")) return "a domain is a host name or *.host-name";
  if (host.includes(":")) return "a domain has no port (the port is ignored when matching Host)";
  const parsed = parseOrigin(`http://${host}`);
  return isParseError(parsed) ? parsed.detail : null;
}

function checkBackend(
  backend: Loose<ApiConfig["backend"]>,
  path: string,
  add: (code: ProblemCode, path: string, value: unknown, reason: string) => void,
): void {
  if (backend.type === "http") {
    if (backend.url === undefined) return;
    let url: URL | undefined;
    try {
      url = new URL(backend.url);
    } catch {
      add("BACKEND_URL", `${path}.url`, backend.url, "is not a URL");
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      add("BACKEND_URL", `${path}.url`, backend.url, "must be an http:// or https:// URL");
    } else if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
      add("BACKEND_URL", `${path}.url`, backend.url, "has no query, fragment or credentials");
    }
  } else if (backend.type === "mock") {
    for (const [name, value] of Object.entries(backend.headers ?? {})) {
      if (value === undefined) continue;
      const where = `${path}.headers.${name}`;
      if (!isToken(name)) add("MOCK_HEADER", where, name, `${JSON.stringify(name)} is not a header name`);
      else if (/[\r\n\0]/.test(value))
        add("MOCK_HEADER", where, value, "a header value cannot contain CR, LF or NUL");
      else if (["content-length", "transfer-encoding", "connection"].includes(name.toLowerCase())) {
        add("MOCK_HEADER", where, name, `${name} is set by the gateway`);
      }
    }
  }
}

/** Narrows after validateConfig found no errors. */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

export type { Config } from "./schema.js";
