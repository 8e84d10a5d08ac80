/**
 * Field-level expectations for the real-world exports of test/fixtures/import: each `<doc>.expect.yaml`
 * says, as a user of that gateway expects it, which APIs exist (and which must not), their match,
 * auth, backend and effective CORS, which findings name which source path, and what a browser may
 * and may not do (probes through `explain`). `scoreFixture` checks every one and says which held.
 *
 * The expectations describe behaviour, not wording, so the same tables measure any importer version.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { compileConfig } from "../../src/config/compile.js";
import type { ApiConfig, Config, CorsPolicyConfig } from "../../src/config/schema.js";
import { explain } from "../../src/explain/explain.js";
import { parseRoutePath, pathShape } from "../../src/routing/route-path.js";

export const FIXTURE_DIR = new URL("../fixtures/import/", import.meta.url);

export interface ApiExpectation {
  /** `METHOD /path` as served by crossgate (parameter names do not matter). */
  readonly route: string;
  readonly match?: "exact" | "prefix";
  readonly auth?: "none" | "app";
  /** Each key is compared (`url`, `status`, `type`, `timeoutMs`; `module` as a regular expression). */
  readonly backend?: Readonly<Record<string, unknown>>;
  /** `none`, `toggle`, or the policy fields that must hold (lists compare as sets). */
  readonly cors?: "none" | "toggle" | Readonly<Record<string, unknown>>;
}

export interface FindingExpectation {
  /** Source path in the document, dotted: `paths./pets.options.x-amazon-apigateway-integration`. */
  readonly source: string;
  readonly severity: "warning" | "info";
  /** A regular expression the message (or message and action) must match, case-insensitively. */
  readonly about: string;
}

export interface Probe {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: readonly string[];
  readonly credentials?: boolean;
  readonly allowed: boolean;
}

export interface FixtureExpectations {
  readonly document: string;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly group?: { readonly basePath?: string | null; readonly domains?: readonly string[] };
  readonly apis: readonly ApiExpectation[];
  readonly absent?: readonly string[];
  readonly findings?: readonly FindingExpectation[];
  readonly probes?: readonly Probe[];
}

/** What an importer gives back, in the shape of any version (older ones had `pointer` and no `source`). */
export interface AnyFinding {
  readonly severity: string;
  readonly message: string;
  readonly action?: string;
  readonly source?: string;
  readonly pointer?: string;
}

export interface Check {
  readonly field: string;
  readonly held: boolean;
  readonly detail?: string;
}

export function loadExpectations(file: string): FixtureExpectations {
  return parse(readFileSync(new URL(file, FIXTURE_DIR), "utf8")) as FixtureExpectations;
}

export function loadDocument(name: string): unknown {
  return parse(readFileSync(new URL(name, FIXTURE_DIR), "utf8"));
}

/** `/paths/~1pets/options` (RFC 6901) as `paths./pets.options`, for importers that reported pointers. */
export function pointerToSource(pointer: string): string {
  if (pointer === "" || pointer === "/") return "";
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"))
    .join(".");
}

function shapeOf(path: string): string {
  const parsed = parseRoutePath(path);
  return parsed.ok ? pathShape(parsed.segments) : `!${path}`;
}

function findApi(config: Config, route: string): ApiConfig | undefined {
  const [method, path] = route.split(" ") as [string, string];
  const shape = shapeOf(path);
  return config.apis?.find((a) => a.method === method && shapeOf(a.path) === shape);
}

function effectiveCors(config: Config, api: ApiConfig): "none" | "toggle" | CorsPolicyConfig {
  const byName = (name: string) => config.corsPolicies?.find((p) => p.name === name);
  if (api.corsPolicy !== undefined) return byName(api.corsPolicy) ?? "none";
  if (api.cors === true) return "toggle";
  const group = config.groups?.find((g) => g.name === api.group);
  if (group?.corsPolicy !== undefined) return byName(group.corsPolicy) ?? "none";
  return "none";
}

function sameValue(key: string, actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(actual)) return wanted.length === 0 && actual === undefined;
    const fold = (v: unknown) =>
      key === "allowHeaders" || key === "exposeHeaders" ? String(v).toLowerCase() : v;
    const a = new Set(actual.map(fold));
    const w = new Set(wanted.map(fold));
    return a.size === w.size && [...w].every((v) => a.has(v));
  }
  if (key === "allowCredentials" && wanted === false) return actual === undefined || actual === false;
  if (key === "maxAge" && wanted === null) return actual === undefined;
  return JSON.stringify(actual) === JSON.stringify(wanted);
}

function checkApi(config: Config, e: ApiExpectation): Check[] {
  const api = findApi(config, e.route);
  const checks: Check[] = [{ field: `${e.route}: exists`, held: api !== undefined }];
  const field = (name: string, held: boolean, detail: unknown) =>
    checks.push({ field: `${e.route}: ${name}`, held, detail: JSON.stringify(detail) });
  if (e.match !== undefined)
    field("match", api !== undefined && (api.match ?? "exact") === e.match, api?.match);
  if (e.auth !== undefined) field("auth", api !== undefined && (api.auth ?? "none") === e.auth, api?.auth);
  for (const [key, wanted] of Object.entries(e.backend ?? {})) {
    const actual = api === undefined ? undefined : (api.backend as Record<string, unknown>)[key];
    const held =
      key === "module" && typeof actual === "string"
        ? new RegExp(String(wanted), "i").test(actual)
        : sameValue(key, actual, wanted);
    field(`backend.${key}`, api !== undefined && held, actual);
  }
  if (e.cors !== undefined) {
    const cors = api === undefined ? undefined : effectiveCors(config, api);
    if (typeof e.cors === "string")
      field("cors", cors === e.cors, typeof cors === "object" ? cors.name : cors);
    else {
      for (const [key, wanted] of Object.entries(e.cors)) {
        const actual = typeof cors === "object" ? (cors as Record<string, unknown>)[key] : undefined;
        field(`cors.${key}`, typeof cors === "object" && sameValue(key, actual, wanted), actual ?? cors);
      }
    }
  }
  return checks;
}

function sourceOf(f: AnyFinding): string {
  return f.source ?? pointerToSource(f.pointer ?? "");
}

function checkFinding(findings: readonly AnyFinding[], e: FindingExpectation): Check {
  const about = new RegExp(e.about, "i");
  const at = findings.filter((f) => {
    const s = sourceOf(f);
    return s === e.source || s.startsWith(`${e.source}.`) || s.startsWith(`${e.source}[`);
  });
  const held = at.some((f) => f.severity === e.severity && about.test(`${f.message} ${f.action ?? ""}`));
  return {
    field: `finding ${e.severity} at ${e.source} about /${e.about}/`,
    held,
    detail: JSON.stringify(at.map((f) => `${f.severity}: ${f.message}`)),
  };
}

function checkProbes(config: Config, probes: readonly Probe[]): Check[] {
  const built = compileConfig(config);
  return probes.map((p) => {
    const field = `probe ${p.credentials ? "credentialed " : ""}${p.method} ${p.path} from ${p.origin}${p.headers?.length ? ` with ${p.headers.join(", ")}` : ""}: ${p.allowed ? "allowed" : "refused"}`;
    if (!built.ok) return { field, held: false, detail: "the configuration does not validate" };
    const host = config.groups?.[0]?.domains?.[0];
    const result = explain(built.snapshot, {
      origin: p.origin,
      method: p.method,
      path: p.path,
      ...(host !== undefined && { host }),
      credentials: p.credentials === true,
      headers: (p.headers ?? []).map((h) => {
        const i = h.indexOf(":");
        return { name: h.slice(0, i).trim(), value: h.slice(i + 1).trim() };
      }),
    });
    return { field, held: result.outcome.ok === p.allowed, detail: result.outcome.summary };
  });
}

/** Every field-level expectation of one fixture, with whether it held. */
export function scoreFixture(
  e: FixtureExpectations,
  config: Config,
  findings: readonly AnyFinding[],
): Check[] {
  const checks: Check[] = [];
  const group = config.groups?.[0];
  if (e.group?.basePath !== undefined) {
    checks.push({
      field: "group basePath",
      held: (group?.basePath ?? null) === e.group.basePath,
      detail: JSON.stringify(group?.basePath),
    });
  }
  if (e.group?.domains !== undefined) {
    checks.push({
      field: "group domains",
      held: sameValue("domains", group?.domains ?? [], e.group.domains),
      detail: JSON.stringify(group?.domains),
    });
  }
  for (const api of e.apis) checks.push(...checkApi(config, api));
  for (const route of e.absent ?? []) {
    checks.push({ field: `${route}: not an API`, held: findApi(config, route) === undefined });
  }
  for (const f of e.findings ?? []) checks.push(checkFinding(findings, f));
  checks.push(...checkProbes(config, e.probes ?? []));
  return checks;
}
