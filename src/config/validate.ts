import { createHash } from "node:crypto";
import type { TSchema } from "@sinclair/typebox";
import { type CompiledPolicy, compilePolicy, isParseError, isToken, parseOrigin } from "../cors/index.js";
import { type Problem, prefixProblems } from "../problems.js";
import { parseRoutePath, pathShape } from "./route-path.js";
import {
  type ApiConfig,
  ApiSchema,
  type AppConfig,
  AppSchema,
  type Config,
  ConfigSchema,
  type CorsPolicyConfig,
  CorsPolicySchema,
  type GroupConfig,
  GroupSchema,
} from "./schema.js";
import { checkSchema, schemaProblems } from "./schema-errors.js";
import { websocketProblems } from "./validate-websocket.js";

/**
 * Checks a configuration against the schema and every cross-reference and rule the schema
 * cannot express, returning every problem at once. Items that fail the schema are reported
 * and otherwise skipped, so one typo does not hide the problems elsewhere.
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

function analyze(raw: unknown, compiledPolicies: Map<string, CompiledPolicy>): Problem[] {
  // A configuration that satisfies the schema has every item valid: no need to check them one by one.
  const allValid = checkSchema(ConfigSchema, raw);
  const problems = allValid ? [] : schemaProblems(ConfigSchema, raw);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return problems.length > 0
      ? problems
      : [
          {
            severity: "error",
            code: "SCHEMA",
            path: "",
            value: raw,
            reason: "the configuration must be an object",
          },
        ];
  }
  const doc = raw as Record<string, unknown>;
  const groups = validItems<GroupConfig>(doc.groups, GroupSchema, allValid);
  const policies = validItems<CorsPolicyConfig>(doc.corsPolicies, CorsPolicySchema, allValid);
  const apis = validItems<ApiConfig>(doc.apis, ApiSchema, allValid);
  const apps = validItems<AppConfig>(doc.apps, AppSchema, allValid);
  const err = (code: string, path: string, value: unknown, reason: string) =>
    problems.push({ severity: "error", code, path, value, reason });
  const warn = (code: string, path: string, value: unknown, reason: string) =>
    problems.push({ severity: "warning", code, path, value, reason });

  for (const [i, p] of policies) {
    const result = compilePolicy(p);
    if (result.ok) {
      compiledPolicies.set(p.name, result.policy);
      problems.push(...prefixProblems(`corsPolicies[${i}]`, result.warnings));
    } else {
      problems.push(...prefixProblems(`corsPolicies[${i}]`, result.problems));
    }
  }

  const groupNames = uniqueNames("groups", doc.groups, err);
  const policyNames = uniqueNames("corsPolicies", doc.corsPolicies, err);
  const apiNames = uniqueNames("apis", doc.apis, err);
  uniqueNames("apps", doc.apps, err);

  // References are checked on every item whose field is a string, schema-valid or not.
  rawItems(doc.groups).forEach((g, i) => {
    if (typeof g.corsPolicy === "string" && !policyNames.has(g.corsPolicy)) {
      err(
        "REF_POLICY",
        `groups[${i}].corsPolicy`,
        g.corsPolicy,
        `no policy named ${JSON.stringify(g.corsPolicy)}`,
      );
    }
  });
  rawItems(doc.apis).forEach((api, i) => {
    if (typeof api.group === "string" && !groupNames.has(api.group)) {
      err("REF_GROUP", `apis[${i}].group`, api.group, `no group named ${JSON.stringify(api.group)}`);
    }
    if (typeof api.corsPolicy === "string" && !policyNames.has(api.corsPolicy)) {
      err(
        "REF_POLICY",
        `apis[${i}].corsPolicy`,
        api.corsPolicy,
        `no policy named ${JSON.stringify(api.corsPolicy)}`,
      );
    }
  });
  rawItems(doc.apps).forEach((app, i) => {
    if (!Array.isArray(app.apis)) return;
    app.apis.forEach((name: unknown, j: number) => {
      if (typeof name === "string" && !apiNames.has(name)) {
        err("REF_API", `apps[${i}].apis[${j}]`, name, `no API named ${JSON.stringify(name)}`);
      }
    });
  });

  for (const [i, g] of groups) {
    g.domains?.forEach((d, j) => {
      const problem = checkDomain(d);
      if (problem) err("GROUP_DOMAIN", `groups[${i}].domains[${j}]`, d, problem);
    });
    if (g.basePath !== undefined) {
      const parsed = parseRoutePath(g.basePath, false);
      if (!parsed.ok) err("GROUP_BASE_PATH", `groups[${i}].basePath`, g.basePath, parsed.reason);
    }
  }

  const usedPolicies = new Set<string>(
    groups.map(([, g]) => g.corsPolicy).filter((p): p is string => p !== undefined),
  );
  const authorized = new Map<string, number>();
  for (const [, app] of apps)
    for (const api of app.apis ?? []) authorized.set(api, (authorized.get(api) ?? 0) + 1);
  const routeKeys = new Map<string, number>();
  const groupByName = new Map(groups.map(([, g]) => [g.name, g]));

  for (const [i, api] of apis) {
    const path = `apis[${i}]`;
    if (api.corsPolicy !== undefined) {
      usedPolicies.add(api.corsPolicy);
      if (policyNames.has(api.corsPolicy) && api.cors === true) {
        warn(
          "LINT_TOGGLE_AND_POLICY",
          `${path}.cors`,
          true,
          `corsPolicy ${api.corsPolicy} wins over cors: true; remove one`,
        );
      }
    }
    const parsed = parseRoutePath(api.path);
    if (!parsed.ok) {
      err("API_PATH", `${path}.path`, api.path, parsed.reason);
    } else {
      if (api.match === "prefix" && parsed.segments.some((s) => s.kind === "greedy")) {
        err(
          "API_PATH",
          `${path}.path`,
          api.path,
          "a prefix API matches everything below its path already: drop the {rest+}",
        );
      }
      const group = api.group === undefined ? undefined : groupByName.get(api.group);
      const base = group?.basePath === undefined ? "" : group.basePath.replace(/\/+$/, "");
      const shape = `${api.match ?? "exact"} ${api.method} ${base}${pathShape(parsed.segments)}`;
      for (const host of group?.domains?.length ? group.domains.map((d) => d.toLowerCase()) : ["*any*"]) {
        const key = `${host} ${shape}`;
        const other = routeKeys.get(key);
        if (other !== undefined) {
          err(
            "API_CONFLICT",
            `${path}.path`,
            api.path,
            `${api.method} ${base}${api.path} (${api.match ?? "exact"}) is already served by apis[${other}] on the same hosts`,
          );
          break;
        }
        routeKeys.set(key, i);
      }
    }
    if (api.auth === "app" && !authorized.has(api.name)) {
      warn(
        "LINT_NO_APP",
        `${path}.auth`,
        "app",
        "no application is authorized for this API: every request gets 401 or 403",
      );
    }
    checkBackend(api, path, err);
  }
  problems.push(...websocketProblems(apis, groups, policies));

  for (const [i, p] of policies) {
    if (!usedPolicies.has(p.name)) {
      warn(
        "LINT_UNUSED_POLICY",
        `corsPolicies[${i}]`,
        p.name,
        `policy ${p.name} is bound to no API or group`,
      );
    }
  }

  const limits = (doc.gateway as { limits?: Record<string, unknown> } | undefined)?.limits;
  if (
    typeof limits?.headersTimeoutMs === "number" &&
    typeof limits.requestTimeoutMs === "number" &&
    limits.headersTimeoutMs > limits.requestTimeoutMs
  ) {
    err(
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
      err("APP_KEY_DUPLICATE", where, "(hidden)", `the same key is already held by application ${holder}`);
    } else if (holder !== undefined) {
      warn("LINT_DUPLICATE_KEY", where, "(hidden)", "this key is listed twice for the same application");
    }
    keyOwners.set(hash, owner);
  };
  for (const [i, app] of apps) {
    const path = `apps[${i}]`;
    app.javascriptOrigins?.forEach((origin, j) => {
      const parsed = parseOrigin(origin);
      if (isParseError(parsed)) {
        err(
          parsed.error === "HAS_PATH" ? "CORS_ORIGIN_HAS_PATH" : "CORS_ORIGIN_INVALID",
          `${path}.javascriptOrigins[${j}]`,
          origin,
          origin.includes("*") ? "a JavaScript origin is one exact origin, without wildcards" : parsed.detail,
        );
      }
    });
    app.keyHashes?.forEach((hash, j) => {
      claim(hash.slice("sha256:".length), app.name, `${path}.keyHashes[${j}]`);
    });
    app.keys?.forEach((key, j) => {
      claim(createHash("sha256").update(key).digest("hex"), app.name, `${path}.keys[${j}]`);
    });
  }
  return problems;
}

function rawItems(list: unknown): Record<string, unknown>[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => (typeof item === "object" && item !== null && !Array.isArray(item) ? item : {}));
}

/** The items of `list` that satisfy `schema`, with their index; `allValid`: known to be all of them. */
function validItems<T>(list: unknown, schema: TSchema, allValid: boolean): [number, T][] {
  if (!Array.isArray(list)) return [];
  const out: [number, T][] = [];
  list.forEach((item, i) => {
    if (allValid || checkSchema(schema, item)) out.push([i, item as T]);
  });
  return out;
}

function uniqueNames(
  kind: string,
  list: unknown,
  err: (code: string, path: string, value: unknown, reason: string) => void,
): Set<string> {
  const names = new Map<string, number>();
  if (!Array.isArray(list)) return new Set();
  list.forEach((item, i) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return;
    const first = names.get(name);
    if (first !== undefined) {
      err(
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
  api: ApiConfig,
  path: string,
  err: (code: string, path: string, value: unknown, reason: string) => void,
): void {
  const backend = api.backend;
  if (backend.type === "http") {
    let url: URL | undefined;
    try {
      url = new URL(backend.url);
    } catch {
      err("BACKEND_URL", `${path}.backend.url`, backend.url, "is not a URL");
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      err("BACKEND_URL", `${path}.backend.url`, backend.url, "must be an http:// or https:// URL");
    } else if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
      err("BACKEND_URL", `${path}.backend.url`, backend.url, "has no query, fragment or credentials");
    }
  } else if (backend.type === "mock") {
    for (const [name, value] of Object.entries(backend.headers ?? {})) {
      const where = `${path}.backend.headers.${name}`;
      if (!isToken(name)) err("MOCK_HEADER", where, name, `${JSON.stringify(name)} is not a header name`);
      else if (/[\r\n\0]/.test(value))
        err("MOCK_HEADER", where, value, "a header value cannot contain CR, LF or NUL");
      else if (["content-length", "transfer-encoding", "connection"].includes(name.toLowerCase())) {
        err("MOCK_HEADER", where, name, `${name} is set by the gateway`);
      }
    }
  }
}

/** Narrows after validateConfig found no errors. */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

export type { Config };
