/**
 * `crossgate import`: an OpenAPI 3.x or Swagger 2.0 document (already parsed) to a crossgate
 * configuration, with a note for everything that could not be carried over exactly. Pure: no I/O.
 *
 * ```ts
 * const { config, notes } = importOpenApi(YAML.parse(text), { corsPolicy: true });
 * ```
 *
 * The mapping tables are in docs/import-export.md.
 */
import { parseRoutePath } from "../config/route-path.js";
import type { ApiConfig, Config, CorsPolicyConfig, GroupConfig } from "../config/schema.js";
import { type TranslatedBackend, translateBackend } from "./backends.js";
import {
  AWS,
  asString,
  HUAWEI,
  isRecord,
  type Json,
  NAME,
  NameRegistry,
  type Note,
  Notes,
  OPERATION_KEYS,
  pointer,
  sanitizeName,
  slugify,
  splitList,
  X,
} from "./common.js";
import { servedAt } from "./hosts.js";
import { convertPath } from "./paths.js";

export interface ImportOptions {
  /** The group's name (default: `info.title`, slugified). */
  readonly group?: string;
  /** Where operations without a gateway integration forward to (default: the document's server URL). */
  readonly backendUrl?: string;
  /**
   * Convert Amazon's "enable CORS" OPTIONS mocks into one CORS policy bound to the path's other APIs,
   * and drop the OPTIONS mocks (the gateway then answers preflights itself).
   */
  readonly corsPolicy?: boolean;
}

export interface ImportResult {
  readonly config: Config;
  readonly notes: readonly Note[];
  readonly source: "openapi" | "swagger";
}

/** The input is not an OpenAPI 3.x or Swagger 2.0 document at all. */
export class ImportError extends Error {
  override readonly name = "ImportError";
}

/** Keys of an operation that document it and mean nothing to a gateway. */
const DOC_OPERATION_KEYS = new Set([
  "operationId",
  "summary",
  "description",
  "tags",
  "parameters",
  "requestBody",
  "responses",
  "produces",
  "consumes",
  "schemes",
  "deprecated",
  "externalDocs",
  "security",
]);
const HANDLED_OPERATION_EXTENSIONS = new Set<string>([
  X.group,
  X.match,
  X.cors,
  X.function,
  X.http,
  AWS.integration,
  HUAWEI.cors,
  HUAWEI.backend,
  HUAWEI.matchMode,
]);
const DOC_ROOT_KEYS = new Set([
  "openapi",
  "swagger",
  "info",
  "servers",
  "host",
  "basePath",
  "schemes",
  "paths",
  "components",
  "securityDefinitions",
  "security",
  "tags",
  "externalDocs",
  "consumes",
  "produces",
  "definitions",
  "parameters",
  "responses",
  "jsonSchemaDialect",
  "x-amazon-apigateway-importexport-version",
]);
const HANDLED_ROOT_EXTENSIONS = new Set<string>([
  X.groups,
  X.corsPolicies,
  X.gateway,
  AWS.cors,
  AWS.apiKeySource,
]);

type Scheme =
  | { readonly kind: "key"; readonly header: string | undefined; readonly at: string }
  | { readonly kind: "unsupported"; readonly what: string; readonly at: string };

interface Candidate {
  api: ApiConfig;
  wantedName: string;
  readonly at: string;
  readonly pathKey: string;
  /** Static headers of an OPTIONS mock that sends Access-Control-Allow-* headers (Amazon's "enable CORS"). */
  readonly corsMock?: Readonly<Record<string, string>>;
}

/** The API's fields in the order the documentation shows them, for a readable file. */
function orderApi(api: ApiConfig): ApiConfig {
  return {
    name: api.name,
    ...(api.description !== undefined && { description: api.description }),
    ...(api.group !== undefined && { group: api.group }),
    method: api.method,
    path: api.path,
    ...(api.match !== undefined && { match: api.match }),
    ...(api.auth !== undefined && { auth: api.auth }),
    ...(api.cors !== undefined && { cors: api.cors }),
    ...(api.corsPolicy !== undefined && { corsPolicy: api.corsPolicy }),
    backend: api.backend,
  };
}

class Importer {
  readonly notes = new Notes();
  readonly doc: Json;
  readonly swagger2: boolean;
  readonly options: ImportOptions;
  readonly groups: GroupConfig[] = [];
  /** The group made from the document itself (title, servers); absent when it carries x-crossgate-groups. */
  derivedGroup: GroupConfig | undefined;
  readonly policies: CorsPolicyConfig[] = [];
  readonly schemes = new Map<string, Scheme>();
  readonly keyHeaders: { header: string; at: string }[] = [];
  defaultUrl: string | undefined;
  /** Said once, when the first operation forwards to the document's server. */
  defaultUrlNote: { at: string; message: string } | undefined;

  constructor(doc: Json, swagger2: boolean, options: ImportOptions) {
    this.doc = doc;
    this.swagger2 = swagger2;
    this.options = options;
  }

  /** Follows a local `$ref` (`#/components/...`); null with a note for anything else. */
  resolve(value: unknown, at: string): unknown {
    if (!isRecord(value) || typeof value.$ref !== "string") return value;
    const ref = value.$ref;
    if (!ref.startsWith("#/")) {
      this.notes.warn(at, `external reference ${ref} is not followed: not imported`);
      return null;
    }
    let node: unknown = this.doc;
    for (const token of ref.slice(2).split("/")) {
      const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
      node = isRecord(node) ? node[key] : undefined;
    }
    if (node === undefined) this.notes.warn(at, `reference ${ref} points at nothing: not imported`);
    return node ?? null;
  }

  run(): Config {
    this.rootNotes();
    this.setUpGroups();
    this.readSecuritySchemes();
    this.readCrossgatePolicies();
    const candidates = this.readOperations();
    this.amazonCors();
    if (this.options.corsPolicy) this.convertEnableCors(candidates);
    else this.adviseEnableCors(candidates);
    const apis = this.finish(candidates);
    return this.assemble(apis);
  }

  rootNotes(): void {
    for (const key of Object.keys(this.doc)) {
      if (DOC_ROOT_KEYS.has(key) || HANDLED_ROOT_EXTENSIONS.has(key)) continue;
      if (key === "webhooks")
        this.notes.warn("/webhooks", "webhooks are outgoing calls, not APIs: not imported");
      else this.notes.warn(pointer("", key), `${key} is not translated`);
    }
    const source = this.doc[AWS.apiKeySource];
    if (source !== undefined && String(source).toUpperCase() !== "HEADER") {
      this.notes.warn(
        pointer("", AWS.apiKeySource),
        `API keys from ${JSON.stringify(source)} are not supported: crossgate reads them from a request header`,
      );
    }
  }

  setUpGroups(): void {
    const carried = this.doc[X.groups];
    if (carried !== undefined) {
      if (Array.isArray(carried)) {
        carried.forEach((g, i) => {
          if (isRecord(g) && typeof g.name === "string") this.groups.push(structuredClone(g) as GroupConfig);
          else this.notes.warn(pointer("", X.groups, i), "not a group (an object with a name): not imported");
        });
        if (this.options.group !== undefined) {
          this.notes.info(
            pointer("", X.groups),
            `--group is not used: the document carries its groups (${X.groups})`,
          );
        }
        const at = this.swagger2 ? "/basePath" : "/servers";
        if (this.doc[this.swagger2 ? "basePath" : "servers"] !== undefined) {
          this.notes.info(at, `base paths and domains come from ${X.groups}`);
        }
        return;
      }
      this.notes.warn(pointer("", X.groups), `${X.groups} is not a list: not used`);
    }
    const served = servedAt(this.doc, this.swagger2, this.notes);
    let name: string;
    if (this.options.group !== undefined) {
      name = sanitizeName(this.options.group);
      if (name !== this.options.group) {
        this.notes.info(
          "",
          `group name ${JSON.stringify(this.options.group)} is written ${JSON.stringify(name)}`,
        );
      }
    } else {
      const title = isRecord(this.doc.info) ? asString(this.doc.info.title) : undefined;
      name = slugify(title ?? "", 48);
    }
    if (!NAME.test(name)) name = "imported";
    const group: GroupConfig = { name };
    if (served.domains.length > 0) group.domains = served.domains;
    if (served.basePath !== undefined) group.basePath = served.basePath;
    this.groups.push(group);
    this.derivedGroup = group;
    if (this.options.backendUrl !== undefined) {
      this.defaultUrl = this.options.backendUrl.replace(/\/+$/, "");
    } else if (served.serverUrl !== undefined) {
      this.defaultUrl = served.serverUrl;
      this.defaultUrlNote = {
        at: this.swagger2 ? "/host" : "/servers/0/url",
        message: `operations without a gateway integration forward to ${served.serverUrl} (the document's server); pass --backend-url to send them to the real service`,
      };
    }
  }

  readSecuritySchemes(): void {
    const base = this.swagger2 ? "/securityDefinitions" : "/components/securitySchemes";
    const container = this.swagger2
      ? this.doc.securityDefinitions
      : isRecord(this.doc.components)
        ? this.doc.components.securitySchemes
        : undefined;
    if (!isRecord(container)) return;
    for (const [name, raw] of Object.entries(container)) {
      const at = pointer(base, name);
      const s = this.resolve(raw, at);
      if (!isRecord(s)) continue;
      const type = asString(s.type);
      const huawei = asString(s[HUAWEI.authType]);
      const amazon = asString(s[AWS.authtype]);
      if (type === "apiKey" && huawei !== undefined) {
        if (/^(appsigv1|app)$/i.test(huawei)) {
          this.notes.warn(
            pointer(at, HUAWEI.authType),
            `Huawei APP authentication (${huawei}) becomes auth: app; crossgate checks an API key in its API key header (X-Api-Key by default), not AppSigv1 signatures: give each application a key`,
          );
          this.schemes.set(name, { kind: "key", header: undefined, at });
        } else {
          this.schemes.set(name, { kind: "unsupported", what: `Huawei ${huawei} authentication`, at });
        }
      } else if (type === "apiKey" && (amazon !== undefined || s[AWS.authorizer] !== undefined)) {
        this.schemes.set(name, {
          kind: "unsupported",
          what:
            amazon === "awsSigv4"
              ? "AWS IAM (SigV4) authorization"
              : "an Amazon Lambda or Cognito authorizer",
          at,
        });
      } else if (type === "apiKey" && s.in === "header" && typeof s.name === "string" && s.name !== "") {
        this.schemes.set(name, { kind: "key", header: s.name, at });
      } else if (type === "apiKey") {
        this.schemes.set(name, { kind: "unsupported", what: `an API key in ${String(s.in)}`, at });
      } else {
        this.schemes.set(name, { kind: "unsupported", what: `${String(type)} authentication`, at });
      }
    }
  }

  /** `auth` for an operation: any satisfiable alternative wins; what crossgate cannot check stays closed. */
  authFor(op: Json, at: string): "none" | "app" {
    const own = op.security;
    const requirements = Array.isArray(own) ? own : Array.isArray(this.doc.security) ? this.doc.security : [];
    const rat = Array.isArray(own) ? pointer(at, "security") : "/security";
    if (requirements.length === 0) return "none";
    let unsupported: string[] = [];
    for (const alternative of requirements) {
      if (!isRecord(alternative)) continue;
      const names = Object.keys(alternative);
      if (names.length === 0) return "none";
      const schemes = names.map((n) => this.schemes.get(n));
      if (schemes.every((s) => s?.kind === "key")) {
        for (const s of schemes) {
          if (s?.kind === "key" && s.header !== undefined)
            this.keyHeaders.push({ header: s.header, at: s.at });
        }
        return "app";
      }
      unsupported = names.map((n, i) => {
        const s = schemes[i];
        return s === undefined
          ? `an undefined scheme ${n}`
          : s.kind === "unsupported"
            ? s.what
            : `scheme ${n}`;
      });
    }
    this.notes.warn(
      rat,
      `requires ${unsupported.join(" and ")}, which crossgate cannot check: imported as auth: app so the API stays closed; authorize applications for it or set auth: none deliberately`,
    );
    return "app";
  }

  /** Adds a policy; a policy of the same name and content is shared, a different one is renamed. */
  addPolicy(policy: CorsPolicyConfig, at: string): string {
    const existing = this.policies.find((p) => p.name === policy.name);
    if (existing !== undefined) {
      if (JSON.stringify(existing) === JSON.stringify(policy)) return existing.name;
      const renamed = this.freshPolicyName(policy.name);
      this.notes.warn(at, `another policy is already named ${policy.name}: this one is named ${renamed}`);
      this.policies.push({ ...policy, name: renamed });
      return renamed;
    }
    this.policies.push(policy);
    return policy.name;
  }

  freshPolicyName(wanted: string): string {
    const names = new NameRegistry();
    for (const p of this.policies) names.take(p.name);
    return names.take(wanted);
  }

  readCrossgatePolicies(): void {
    const carried = this.doc[X.corsPolicies];
    if (carried === undefined) return;
    if (!Array.isArray(carried)) {
      this.notes.warn(pointer("", X.corsPolicies), `${X.corsPolicies} is not a list: not used`);
      return;
    }
    carried.forEach((p, i) => {
      if (isRecord(p) && typeof p.name === "string") {
        this.addPolicy(structuredClone(p) as CorsPolicyConfig, pointer("", X.corsPolicies, i));
      } else {
        this.notes.warn(pointer("", X.corsPolicies, i), "not a policy (an object with a name): not imported");
      }
    });
  }

  readOperations(): Candidate[] {
    const out: Candidate[] = [];
    const paths = this.doc.paths;
    if (!isRecord(paths)) {
      this.notes.warn("/paths", "the document has no paths: no APIs");
      return out;
    }
    for (const [pathKey, rawItem] of Object.entries(paths)) {
      const itemAt = pointer("", "paths", pathKey);
      const item = this.resolve(rawItem, itemAt);
      if (!isRecord(item)) continue;
      let path: string | null;
      let forcedPrefix = false;
      if (pathKey === "$default") {
        path = "/";
        forcedPrefix = true;
        this.notes.info(
          itemAt,
          "the $default route becomes a prefix API on / (it catches what no other API matches)",
        );
      } else {
        path = convertPath(pathKey, this.notes, itemAt);
      }
      if (path === null) continue;
      for (const [key, value] of Object.entries(item)) {
        const method = OPERATION_KEYS[key];
        const at = pointer(itemAt, key);
        if (method === undefined) {
          if (key === "servers")
            this.notes.warn(at, "path-level servers are not translated: the group's base path applies");
          else if (!["parameters", "summary", "description", "$ref"].includes(key)) {
            this.notes.warn(at, `${key} is not translated`);
          }
          continue;
        }
        if (method === "TRACE") {
          this.notes.warn(at, "TRACE is not a method crossgate serves: not imported");
          continue;
        }
        if (!isRecord(value)) continue;
        const candidate = this.operation(pathKey, path, method, value, at, forcedPrefix);
        if (candidate) out.push(candidate);
      }
    }
    return out;
  }

  operation(
    pathKey: string,
    docPath: string,
    method: string,
    op: Json,
    at: string,
    forcedPrefix: boolean,
  ): Candidate | null {
    for (const key of Object.keys(op)) {
      if (DOC_OPERATION_KEYS.has(key) || HANDLED_OPERATION_EXTENSIONS.has(key)) continue;
      if (key === "servers") this.notes.warn(pointer(at, key), "operation-level servers are not translated");
      else if (key === "callbacks")
        this.notes.warn(pointer(at, key), "callbacks are outgoing calls: not translated");
      else this.notes.warn(pointer(at, key), `${key} is not translated`);
    }
    let match: "exact" | "prefix" = forcedPrefix ? "prefix" : "exact";
    const hint = op[X.match];
    if (hint === "prefix") match = "prefix";
    else if (hint !== undefined && hint !== "exact") {
      this.notes.warn(pointer(at, X.match), `${JSON.stringify(hint)} is not exact or prefix: exact used`);
    }
    const mode = op[HUAWEI.matchMode];
    if (mode !== undefined) {
      const m = String(mode).toUpperCase();
      if (m === "SWA") match = "prefix";
      else if (m !== "NORMAL") {
        this.notes.warn(
          pointer(at, HUAWEI.matchMode),
          `${JSON.stringify(mode)} is not SWA or NORMAL: exact used`,
        );
      }
    }

    const translated: TranslatedBackend = translateBackend(op, {
      path: docPath,
      method,
      match,
      defaultUrl: this.defaultUrl,
      templateContentType: this.doc[X.groups] === undefined,
      notes: this.notes,
      at,
    });
    if (translated.fromDefault && this.defaultUrlNote !== undefined) {
      this.notes.info(this.defaultUrlNote.at, this.defaultUrlNote.message);
      this.defaultUrlNote = undefined;
    }
    let path = docPath;
    if (translated.prefixPath !== undefined) {
      match = "prefix";
      path = translated.prefixPath;
    } else if (match === "prefix" && /\/\{[^{}]+\+\}$/.test(path)) {
      path = path.replace(/\/\{[^{}]+\+\}$/, "") || "/";
    }

    const api: ApiConfig = {
      name: "",
      method: method as ApiConfig["method"],
      path,
      backend: translated.backend,
    };
    const group = this.groupFor(op, at);
    if (group !== undefined) api.group = group;
    if (match === "prefix") api.match = "prefix";
    if (this.authFor(op, at) === "app") api.auth = "app";
    this.corsFor(op, at, api);
    const text = asString(op.description) ?? asString(op.summary);
    if (text !== undefined && text !== "") {
      api.description = text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
      if (text.length > 1024) this.notes.info(pointer(at, "description"), "shortened to 1024 characters");
    }

    const operationId = asString(op.operationId);
    let wantedName: string;
    if (operationId !== undefined && operationId !== "") {
      wantedName = sanitizeName(operationId);
      if (wantedName !== operationId && wantedName !== "") {
        this.notes.info(pointer(at, "operationId"), `${JSON.stringify(operationId)} is named ${wantedName}`);
      }
    } else {
      wantedName = "";
    }
    if (!NAME.test(wantedName)) {
      const slug = slugify(pathKey === "$default" ? "default" : docPath, 56) || "root";
      wantedName = `${method.toLowerCase()}-${slug}`;
    }
    const corsMock =
      method === "OPTIONS" &&
      translated.backend.type === "mock" &&
      translated.mockHeaders !== undefined &&
      Object.keys(translated.mockHeaders).some((h) => h.toLowerCase().startsWith("access-control-allow-"))
        ? translated.mockHeaders
        : undefined;
    return { api, wantedName, at, pathKey, ...(corsMock && { corsMock }) };
  }

  groupFor(op: Json, at: string): string | undefined {
    const named = op[X.group];
    if (this.derivedGroup !== undefined) {
      if (named !== undefined && named !== this.derivedGroup.name) {
        this.notes.info(
          pointer(at, X.group),
          `group ${JSON.stringify(named)} is not described by ${X.groups}: the API joins ${this.derivedGroup.name}`,
        );
      }
      return this.derivedGroup.name;
    }
    if (named === undefined) return undefined;
    if (typeof named === "string" && this.groups.some((g) => g.name === named)) return named;
    this.notes.warn(
      pointer(at, X.group),
      `no group ${JSON.stringify(named)} in ${X.groups}: the API has no group`,
    );
    return undefined;
  }

  corsFor(op: Json, at: string, api: ApiConfig): void {
    const toggle = op[HUAWEI.cors];
    if (toggle === true) api.cors = true;
    else if (toggle !== undefined && toggle !== false) {
      this.notes.warn(
        pointer(at, HUAWEI.cors),
        `${JSON.stringify(toggle)} is not true or false: not translated`,
      );
    }
    const x = op[X.cors];
    if (x === undefined) return;
    const xat = pointer(at, X.cors);
    if (!isRecord(x)) {
      this.notes.warn(xat, `${X.cors} is not an object: not translated`);
      return;
    }
    if (x.toggle === true) api.cors = true;
    if (x.policy !== undefined) {
      if (!isRecord(x.policy) || typeof x.policy.name !== "string") {
        this.notes.warn(pointer(xat, "policy"), "not a policy (an object with a name): not translated");
        return;
      }
      const name = this.addPolicy(structuredClone(x.policy) as CorsPolicyConfig, pointer(xat, "policy"));
      if (x.boundTo === "group") {
        const group = this.groups.find((g) => g.name === api.group);
        if (group === undefined) {
          api.corsPolicy = name;
          this.notes.warn(
            pointer(xat, "boundTo"),
            "the API has no group to carry the policy: bound to the API",
          );
        } else if (group.corsPolicy === undefined) {
          group.corsPolicy = name;
        } else if (group.corsPolicy !== name) {
          api.corsPolicy = name;
          this.notes.warn(
            pointer(xat, "boundTo"),
            `group ${group.name} already defaults to ${group.corsPolicy}: ${name} is bound to the API`,
          );
        }
      } else {
        api.corsPolicy = name;
      }
    }
  }

  /** `x-amazon-apigateway-cors` (HTTP APIs): one policy, the default of the document's group. */
  amazonCors(): void {
    const raw = this.doc[AWS.cors];
    if (raw === undefined) return;
    const at = pointer("", AWS.cors);
    if (!isRecord(raw)) {
      this.notes.warn(at, `${AWS.cors} is not an object: not translated`);
      return;
    }
    const base = this.derivedGroup?.name ?? this.groups[0]?.name ?? "imported";
    const policy: CorsPolicyConfig = { name: `${base}-cors` };
    const list = (key: string): string[] | undefined => {
      const v = raw[key];
      if (v === undefined) return undefined;
      if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
      this.notes.warn(pointer(at, key), `${key} is not a list of strings: not translated`);
      return undefined;
    };
    const origins = list("allowOrigins");
    const methods = list("allowMethods");
    const headers = list("allowHeaders");
    const expose = list("exposeHeaders");
    if (origins) policy.allowOrigins = origins;
    if (methods) policy.allowMethods = methods;
    if (headers) policy.allowHeaders = headers;
    if (expose) policy.exposeHeaders = expose;
    if (raw.allowCredentials === true) policy.allowCredentials = true;
    else if (raw.allowCredentials !== undefined && raw.allowCredentials !== false) {
      this.notes.warn(pointer(at, "allowCredentials"), "not true or false: not translated");
    }
    if (raw.maxAge !== undefined) {
      const n = Number(raw.maxAge);
      if (Number.isInteger(n) && n >= 0) {
        policy.maxAge = n;
        if (n > 86_400) {
          this.notes.warn(
            pointer(at, "maxAge"),
            `${n} seconds: crossgate refuses more than 86400; left as is so that crossgate validate explains it`,
          );
        }
      } else {
        this.notes.warn(
          pointer(at, "maxAge"),
          `${JSON.stringify(raw.maxAge)} is not a number of seconds: not translated`,
        );
      }
    }
    for (const key of Object.keys(raw)) {
      if (
        ![
          "allowOrigins",
          "allowMethods",
          "allowHeaders",
          "exposeHeaders",
          "allowCredentials",
          "maxAge",
        ].includes(key)
      ) {
        this.notes.warn(pointer(at, key), `${key} is not translated`);
      }
    }
    this.credentialsWildcardNote(policy, at);
    if ((origins ?? []).length === 0) {
      this.notes.warn(
        pointer(at, "allowOrigins"),
        "no allowed origins: the policy admits no cross-origin request",
      );
    }
    const name = this.addPolicy(policy, at);
    const targets = this.derivedGroup
      ? [this.derivedGroup]
      : this.groups.filter((g) => g.corsPolicy === undefined);
    for (const g of targets) g.corsPolicy = name;
    this.notes.info(
      at,
      `became policy ${name}, the default of group${targets.length === 1 ? "" : "s"} ${targets.map((g) => g.name).join(", ")}`,
    );
  }

  credentialsWildcardNote(policy: CorsPolicyConfig, at: string): void {
    if (policy.allowCredentials !== true) return;
    const fields = (["allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders"] as const).filter((f) =>
      (policy[f] ?? []).includes("*"),
    );
    if (fields.length > 0) {
      this.notes.warn(
        at,
        `'*' in ${fields.join(", ")} together with allowCredentials: true is refused by crossgate (browsers reject it): left as is so that crossgate validate explains it; list the origins instead`,
      );
    }
  }

  adviseEnableCors(candidates: readonly Candidate[]): void {
    const found = candidates.filter((c) => c.corsMock !== undefined);
    if (found.length > 0) {
      this.notes.info(
        (found[0] as Candidate).at,
        `${found.length} OPTIONS mock${found.length === 1 ? "" : "s"} with static CORS headers (Amazon's "enable CORS") kept as OPTIONS APIs; --cors-policy turns them into a CORS policy instead`,
      );
    }
  }

  /** Amazon's "enable CORS" OPTIONS mocks become policies bound to the path's other APIs. */
  convertEnableCors(candidates: Candidate[]): void {
    for (const co of candidates.filter((c) => c.corsMock !== undefined)) {
      const headers = co.corsMock as Readonly<Record<string, string>>;
      const siblings = candidates.filter(
        (c) => c !== co && c.pathKey === co.pathKey && c.api.method !== "OPTIONS",
      );
      if (siblings.length === 0) {
        this.notes.warn(
          co.at,
          "no other operation on this path to bind a CORS policy to: kept as an OPTIONS API",
        );
        continue;
      }
      const name = this.policyFromHeaders(headers, co.at, `${co.api.group ?? "imported"}-preflight`);
      for (const s of siblings) {
        if (s.api.corsPolicy !== undefined) {
          this.notes.warn(
            s.at,
            `keeps its policy ${s.api.corsPolicy}; the OPTIONS method's headers (${name}) are not bound to it`,
          );
        } else {
          s.api = { ...s.api, corsPolicy: name };
        }
      }
      candidates.splice(candidates.indexOf(co), 1);
      this.notes.info(
        co.at,
        `OPTIONS mock replaced by policy ${name}, bound to ${siblings.map((s) => `${s.api.method} ${co.pathKey}`).join(", ")}: the gateway answers preflights itself`,
      );
    }
  }

  /** A policy from an OPTIONS mock's static headers; several paths with the same headers share one. Its name. */
  policyFromHeaders(headers: Readonly<Record<string, string>>, at: string, wanted: string): string {
    const get = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    const policy: CorsPolicyConfig = { name: wanted };
    const origin = get("access-control-allow-origin");
    if (origin === undefined) {
      this.notes.warn(at, "no Access-Control-Allow-Origin: the policy admits no cross-origin request");
    } else {
      policy.allowOrigins = origin.trim() === "*" ? ["*"] : splitList(origin);
      if (policy.allowOrigins.length > 1) {
        this.notes.info(
          at,
          `Access-Control-Allow-Origin lists ${policy.allowOrigins.length} origins (browsers accept one): each is an allowed origin of the policy`,
        );
      }
    }
    const methods = get("access-control-allow-methods");
    if (methods !== undefined) policy.allowMethods = splitList(methods);
    const allowHeaders = get("access-control-allow-headers");
    if (allowHeaders !== undefined) policy.allowHeaders = splitList(allowHeaders);
    const expose = get("access-control-expose-headers");
    if (expose !== undefined) policy.exposeHeaders = splitList(expose);
    const credentials = get("access-control-allow-credentials");
    if (credentials !== undefined && credentials.trim().toLowerCase() === "true")
      policy.allowCredentials = true;
    const maxAge = get("access-control-max-age");
    if (maxAge !== undefined) {
      const n = Number(maxAge);
      if (Number.isInteger(n) && n >= 0) policy.maxAge = n;
      else
        this.notes.warn(
          at,
          `Access-Control-Max-Age ${JSON.stringify(maxAge)} is not a number of seconds: not translated`,
        );
      if (Number.isInteger(n) && n > 86_400) {
        this.notes.warn(
          at,
          `Access-Control-Max-Age ${n}: crossgate refuses more than 86400; left as is so that crossgate validate explains it`,
        );
      }
    }
    const pna = get("access-control-allow-private-network");
    if (pna !== undefined && pna.trim().toLowerCase() === "true") policy.allowPrivateNetwork = true;
    const handled = new Set([
      "access-control-allow-origin",
      "access-control-allow-methods",
      "access-control-allow-headers",
      "access-control-expose-headers",
      "access-control-allow-credentials",
      "access-control-max-age",
      "access-control-allow-private-network",
    ]);
    for (const k of Object.keys(headers)) {
      if (!handled.has(k.toLowerCase())) {
        this.notes.warn(
          at,
          `header ${k} of the OPTIONS mock is not part of a CORS policy: dropped with the OPTIONS method`,
        );
      }
    }
    this.credentialsWildcardNote(policy, at);
    const { name: _wanted, ...rules } = policy;
    const same = this.policies.find((p) => {
      const { name: _name, ...other } = p;
      return JSON.stringify(other) === JSON.stringify(rules);
    });
    if (same !== undefined) return same.name;
    return this.addPolicy({ ...policy, name: this.freshPolicyName(wanted) }, at);
  }

  /** Names, then route conflicts (the first operation keeps the route). */
  finish(candidates: readonly Candidate[]): ApiConfig[] {
    const names = new NameRegistry();
    const routes = new Map<string, Candidate>();
    const apis: ApiConfig[] = [];
    for (const c of candidates) {
      const keys = this.routeKeys(c.api);
      const clash = keys.map((k) => routes.get(k)).find((o) => o !== undefined);
      if (clash !== undefined) {
        this.notes.warn(
          c.at,
          `${c.api.method} ${c.api.path}${c.api.match === "prefix" ? " (prefix)" : ""} is the same route as ${clash.at} for crossgate (which ignores trailing slashes and parameter names): not imported`,
        );
        continue;
      }
      for (const k of keys) routes.set(k, c);
      const name = names.take(c.wantedName);
      if (name !== c.wantedName) this.notes.info(c.at, `name ${c.wantedName} is taken: named ${name}`);
      c.api = orderApi({ ...c.api, name });
      apis.push(c.api);
    }
    return apis;
  }

  /** What the router registers for an API, parameter names erased: two equal keys cannot coexist. */
  routeKeys(api: ApiConfig): string[] {
    const group = this.groups.find((g) => g.name === api.group);
    const base = group?.basePath === undefined ? "" : group.basePath.replace(/\/+$/, "");
    const parsed = parseRoutePath(`${base}${api.path === "/" ? "" : api.path}` || "/");
    if (!parsed.ok) return [];
    const fmw = parsed.segments
      .map((s) => (s.kind === "literal" ? `/${s.text}` : s.kind === "param" ? "/:" : "/*"))
      .join("");
    const root = fmw === "" ? "/" : fmw;
    const paths = api.match === "prefix" ? (root === "/" ? ["/", "/*"] : [root, `${root}/*`]) : [root];
    const hosts = group?.domains?.length ? group.domains.map((d) => d.toLowerCase()) : ["*any*"];
    return hosts.flatMap((h) => paths.map((p) => `${h} ${api.method} ${p}`));
  }

  assemble(apis: ApiConfig[]): Config {
    const config: Config = {};
    const gateway: Record<string, unknown> = {};
    const carried = this.doc[X.gateway];
    if (isRecord(carried)) Object.assign(gateway, structuredClone(carried));
    else if (carried !== undefined)
      this.notes.warn(pointer("", X.gateway), `${X.gateway} is not an object: not used`);
    const first = this.keyHeaders[0];
    if (first !== undefined) {
      for (const other of this.keyHeaders) {
        if (other.header.toLowerCase() !== first.header.toLowerCase()) {
          this.notes.warn(
            other.at,
            `API key header ${other.header}: crossgate reads every API key from one header, ${first.header} is used`,
          );
        }
      }
      if (first.header.toLowerCase() !== "x-api-key") gateway.apiKeyHeader = first.header;
    }
    if (Object.keys(gateway).length > 0) config.gateway = gateway as Config["gateway"];
    if (this.groups.length > 0) config.groups = this.groups;
    if (this.policies.length > 0) config.corsPolicies = this.policies;
    config.apis = apis;
    return config;
  }
}

/**
 * Translates an OpenAPI 3.x or Swagger 2.0 document into a crossgate configuration.
 * Throws ImportError when `doc` is neither.
 */
export function importOpenApi(doc: unknown, options: ImportOptions = {}): ImportResult {
  if (!isRecord(doc)) throw new ImportError("not an OpenAPI document: expected an object");
  let swagger2: boolean;
  if (typeof doc.swagger === "string" && doc.swagger.startsWith("2.")) swagger2 = true;
  else if (typeof doc.openapi === "string" && doc.openapi.startsWith("3.")) swagger2 = false;
  else {
    throw new ImportError(
      `not an OpenAPI 3.x or Swagger 2.0 document (openapi: ${JSON.stringify(doc.openapi)}, swagger: ${JSON.stringify(doc.swagger)})`,
    );
  }
  const importer = new Importer(doc, swagger2, options);
  const config = importer.run();
  return { config, notes: importer.notes.list, source: swagger2 ? "swagger" : "openapi" };
}
