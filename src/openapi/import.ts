/**
 * `crossgate import`: an OpenAPI 3.x or Swagger 2.0 document (already parsed) to a crossgate
 * configuration, with a finding for everything that could not be carried over exactly. Pure: no I/O
 * (the stub modules of Lambda and FunctionGraph functions come back as text for the caller to write).
 *
 * ```ts
 * const { config, findings, stubs } = importOpenApi(YAML.parse(text));
 * ```
 *
 * The design is /work/shared/IMPORT.md; the mapping tables are in docs/import-export.md.
 */

import type { ApiConfig, Config, CorsPolicyConfig, GroupConfig } from "../config/schema.js";
import { apiRoute, parseRoutePath, pathShape } from "../routing/route-path.js";
import { routeKeys } from "../routing/router.js";
import {
  compareGatewayResponses,
  corsFromOptionsMock,
  httpApiCors,
  isEnableCorsMock,
  type PolicyBody,
  simplePolicyFromMethod,
} from "./amazon-cors.js";
import { type TranslatedBackend, translateBackend } from "./backends.js";
import {
  AWS,
  asString,
  HUAWEI,
  isRecord,
  type Json,
  NAME,
  NameRegistry,
  OPERATION_KEYS,
  pointer,
  sanitizeName,
  slugify,
  X,
} from "./common.js";
import { fitPolicy } from "./cors-fit.js";
import { type DocumentKind, detectKind } from "./detect.js";
import { type Finding, type Note, Notes, toFinding } from "./findings.js";
import { type FunctionStub, FunctionStubs } from "./functions.js";
import { servedAt } from "./hosts.js";
import { convertPath } from "./paths.js";
import { noteExtensions, OPERATION_EXTENSIONS, ROOT_EXTENSIONS } from "./vendor-notes.js";

export interface ImportOptions {
  /** The group's name (default: `info.title`, slugified). */
  readonly group?: string;
  /** Where operations without a gateway integration forward to (default: the document's server URL). */
  readonly backendUrl?: string;
  /**
   * Copy Amazon's "enable CORS" OPTIONS mocks as OPTIONS APIs answering with their static headers,
   * instead of turning them into CORS policies bound to the path's APIs (the default).
   */
  readonly keepOptionsMocks?: boolean;
  /** Amazon documents: serve the APIs under the stage base path (`/prod`), which Amazon's import ignores. */
  readonly keepBasePath?: boolean;
}

export interface ImportResult {
  readonly config: Config;
  readonly notes: readonly Note[];
  /** The notes in their machine-readable form (`crossgate import --json`). */
  readonly findings: readonly Finding[];
  /** Stub modules the configuration's function backends name, to write beside it. */
  readonly stubs: readonly FunctionStub[];
  readonly source: "openapi" | "swagger";
  readonly kind: DocumentKind;
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
  "isDefaultRoute",
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
  AWS.importExportVersion,
]);
const HANDLED_ROOT_EXTENSIONS = new Set<string>([
  X.groups,
  X.corsPolicies,
  X.gateway,
  AWS.cors,
  AWS.apiKeySource,
  AWS.gatewayResponses,
]);

type Scheme =
  | { readonly kind: "key"; readonly header: string | undefined; readonly at: string }
  | { readonly kind: "unsupported"; readonly what: string; readonly at: string };

interface Candidate {
  api: ApiConfig;
  wantedName: string;
  readonly at: string;
  /** The path's shape by the route parser (parameter names erased): "same path" means equal shapes. */
  readonly shape: string;
  readonly docPath: string;
  /** Amazon's "enable CORS" OPTIONS mock on this path, still to become a policy. */
  readonly corsMock?: { readonly integration: Json; readonly at: string };
  /** A non-proxy integration that may send its own static Access-Control-Allow-Origin (a simple-request policy). */
  readonly simplePolicy?: { readonly integration: Json; readonly at: string };
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

function shapeOf(path: string): string {
  const parsed = parseRoutePath(path);
  return parsed.ok ? pathShape(parsed.segments) : path;
}

function sameRules(a: PolicyBody, b: PolicyBody): boolean {
  const { name: _a, ...ra } = a as CorsPolicyConfig;
  const { name: _b, ...rb } = b as CorsPolicyConfig;
  return JSON.stringify(ra) === JSON.stringify(rb);
}

class Importer {
  readonly notes = new Notes();
  readonly stubs = new FunctionStubs();
  readonly doc: Json;
  readonly swagger2: boolean;
  readonly kind: DocumentKind;
  readonly because: string;
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
    const detected = detectKind(doc, swagger2);
    this.kind = detected.kind;
    this.because = detected.because;
  }

  get amazon(): boolean {
    return this.kind === "amazon-rest" || this.kind === "amazon-http";
  }

  /** Follows a local `$ref` (`#/components/...`); null with a note for anything else. */
  resolve(value: unknown, at: string): unknown {
    if (!isRecord(value) || typeof value.$ref !== "string") return value;
    const ref = value.$ref;
    if (!ref.startsWith("#/")) {
      this.notes.warn(
        "IMPORT_MALFORMED",
        at,
        `external reference ${ref} is not followed: not imported`,
        "inline the referenced object in the document and import again",
      );
      return null;
    }
    let node: unknown = this.doc;
    for (const token of ref.slice(2).split("/")) {
      const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
      node = isRecord(node) ? node[key] : undefined;
    }
    if (node === undefined) {
      this.notes.warn(
        "IMPORT_MALFORMED",
        at,
        `reference ${ref} points at nothing: not imported`,
        "fix the reference",
      );
    }
    return node ?? null;
  }

  run(): Config {
    const label: Record<DocumentKind, string> = {
      crossgate: "a document written by crossgate export",
      "amazon-rest": "an Amazon API Gateway REST API",
      "amazon-http": "an Amazon API Gateway HTTP API",
      huawei: "a Huawei Cloud APIG API group",
      openapi: "a plain OpenAPI document",
    };
    this.notes.info(
      "IMPORT_DECISION",
      "",
      `read as ${label[this.kind]}, because ${this.because}`,
      "nothing, unless the document comes from another gateway",
    );
    this.rootNotes();
    this.setUpGroups();
    this.readSecuritySchemes();
    this.readCrossgatePolicies();
    const candidates = this.readOperations();
    this.amazonCors();
    if (this.kind === "amazon-rest" && !this.options.keepOptionsMocks) this.convertEnableCors(candidates);
    if (this.amazon) this.preflightsToBackend(candidates);
    compareGatewayResponses(this.doc[AWS.gatewayResponses], this.policies, this.notes);
    const apis = this.finish(candidates);
    return this.assemble(apis);
  }

  rootNotes(): void {
    const handled = noteExtensions(this.doc, ROOT_EXTENSIONS, "", this.notes);
    for (const key of Object.keys(this.doc)) {
      if (DOC_ROOT_KEYS.has(key) || HANDLED_ROOT_EXTENSIONS.has(key) || handled.has(key)) continue;
      if (key === "webhooks") {
        this.notes.warn(
          "IMPORT_NOT_TRANSLATED",
          "/webhooks",
          "webhooks are outgoing calls, not APIs: not imported",
          "nothing; crossgate only serves incoming APIs",
        );
      } else {
        this.notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pointer("", key),
          `${key} is not translated`,
          "check whether the APIs relied on it, and configure its equivalent around crossgate",
        );
      }
    }
    const source = this.doc[AWS.apiKeySource];
    if (source !== undefined && String(source).toUpperCase() !== "HEADER") {
      this.notes.warn(
        "IMPORT_AUTH_CHANGED",
        pointer("", AWS.apiKeySource),
        `API keys from ${JSON.stringify(source)} are not supported: crossgate reads them from a request header`,
        "have clients send their key in X-Api-Key",
      );
    }
  }

  setUpGroups(): void {
    const carried = this.doc[X.groups];
    if (carried !== undefined) {
      if (Array.isArray(carried)) {
        carried.forEach((g, i) => {
          if (isRecord(g) && typeof g.name === "string") this.groups.push(structuredClone(g) as GroupConfig);
          else {
            this.notes.warn(
              "IMPORT_MALFORMED",
              pointer("", X.groups, i),
              "not a group (an object with a name): not imported",
              "fix the document",
            );
          }
        });
        if (this.options.group !== undefined) {
          this.notes.info(
            "IMPORT_DECISION",
            pointer("", X.groups),
            `--group is not used: the document carries its groups (${X.groups})`,
            "rename the group in the written configuration if needed",
          );
        }
        return;
      }
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer("", X.groups),
        `${X.groups} is not a list: not used`,
        "fix the document",
      );
    }
    const served = servedAt(
      this.doc,
      this.swagger2,
      { kind: this.kind, keepBasePath: this.options.keepBasePath === true },
      this.notes,
    );
    let name: string;
    if (this.options.group !== undefined) {
      name = sanitizeName(this.options.group);
      if (name !== this.options.group) {
        this.notes.info(
          "IMPORT_DECISION",
          "",
          `group name ${JSON.stringify(this.options.group)} is written ${JSON.stringify(name)}`,
          "nothing",
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
        message: `operations without a gateway integration forward to ${served.serverUrl} (the document's server)`,
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
      const authorizer = s[AWS.authorizer];
      if (type === "apiKey" && huawei !== undefined) {
        if (/^(appsigv1|app)$/i.test(huawei)) {
          this.schemes.set(name, { kind: "key", header: undefined, at: pointer(at, HUAWEI.authType) });
        } else {
          this.schemes.set(name, { kind: "unsupported", what: `Huawei ${huawei} authentication`, at });
        }
      } else if (authorizer !== undefined || amazon !== undefined) {
        const authorizerType = isRecord(authorizer) ? asString(authorizer.type) : undefined;
        this.schemes.set(name, {
          kind: "unsupported",
          what:
            amazon === "awsSigv4"
              ? "AWS IAM (SigV4) authorization"
              : `an Amazon ${authorizerType ?? amazon ?? "Lambda"} authorizer`,
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

  /** Huawei APP authentication is said once, where it is first required. */
  appSignatureSaid = false;

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
          if (s?.kind !== "key") continue;
          if (s.header !== undefined) this.keyHeaders.push({ header: s.header, at: s.at });
          else if (!this.appSignatureSaid) {
            this.appSignatureSaid = true;
            this.notes.warn(
              "IMPORT_AUTH_CHANGED",
              s.at,
              "Huawei APP authentication (AppSigv1 request signatures) becomes auth: app; crossgate checks an API key in its API key header (X-Api-Key by default), not AppSigv1 signatures",
              "give each client application an API key (apps[].keys) and have it send X-Api-Key instead of signing",
            );
          }
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
      "IMPORT_AUTH_CLOSED",
      rat,
      `requires ${unsupported.join(" and ")}, which crossgate cannot check: imported as auth: app so the API stays closed`,
      "authorize applications for the API (apps[].apis) and give their clients API keys, or set auth: none deliberately",
    );
    return "app";
  }

  /** Adds a policy; a policy of the same name and content is shared, a different one is renamed. */
  addPolicy(policy: CorsPolicyConfig, at: string): string {
    const existing = this.policies.find((p) => p.name === policy.name);
    if (existing !== undefined) {
      if (JSON.stringify(existing) === JSON.stringify(policy)) return existing.name;
      const renamed = this.freshPolicyName(policy.name);
      this.notes.info(
        "IMPORT_DECISION",
        at,
        `another policy is already named ${policy.name}: this one is named ${renamed}`,
        "nothing",
      );
      this.policies.push({ ...policy, name: renamed });
      return renamed;
    }
    this.policies.push(policy);
    return policy.name;
  }

  /** A policy with these rules: an existing one with equal rules, else a new one named from `wanted`. */
  policyWith(body: PolicyBody, wanted: string, at: string): string {
    const same = this.policies.find((p) => sameRules(p, body));
    if (same !== undefined) return same.name;
    return this.addPolicy({ name: this.freshPolicyName(wanted), ...body }, at);
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
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer("", X.corsPolicies),
        `${X.corsPolicies} is not a list: not used`,
        "fix the document",
      );
      return;
    }
    carried.forEach((p, i) => {
      if (isRecord(p) && typeof p.name === "string") {
        this.addPolicy(structuredClone(p) as CorsPolicyConfig, pointer("", X.corsPolicies, i));
      } else {
        this.notes.warn(
          "IMPORT_MALFORMED",
          pointer("", X.corsPolicies, i),
          "not a policy (an object with a name): not imported",
          "fix the document",
        );
      }
    });
  }

  readOperations(): Candidate[] {
    const out: Candidate[] = [];
    const paths = this.doc.paths;
    if (!isRecord(paths)) {
      this.notes.warn(
        "IMPORT_MALFORMED",
        "/paths",
        "the document has no paths: no APIs",
        "check that this is the API's export",
      );
      return out;
    }
    for (const [pathKey, rawItem] of Object.entries(paths)) {
      const itemAt = pointer("", "paths", pathKey);
      const item = this.resolve(rawItem, itemAt);
      if (!isRecord(item)) continue;
      let path: string | null;
      let forcedPrefix = false;
      if (pathKey === "$default" || pathKey === "/$default") {
        path = "/";
        forcedPrefix = true;
        this.notes.info(
          "IMPORT_ROUTE_CHANGED",
          itemAt,
          "the $default route becomes a prefix API on / (it catches what no other API matches, with the full request path)",
          "nothing",
        );
      } else {
        path = convertPath(pathKey, this.notes, itemAt);
      }
      if (path === null) continue;
      const pathParameters = Array.isArray(item.parameters) ? item.parameters.filter(isRecord) : [];
      for (const [key, value] of Object.entries(item)) {
        const method = OPERATION_KEYS[key];
        const at = pointer(itemAt, key);
        if (method === undefined) {
          if (key === "servers") {
            this.notes.warn(
              "IMPORT_NOT_TRANSLATED",
              at,
              "path-level servers are not translated: the group's base path applies",
              "add a group for this path by hand if it is served elsewhere",
            );
          } else if (!["parameters", "summary", "description", "$ref"].includes(key)) {
            this.notes.warn(
              "IMPORT_NOT_TRANSLATED",
              at,
              `${key} is not translated`,
              "check whether the API relied on it",
            );
          }
          continue;
        }
        if (method === "TRACE") {
          this.notes.warn(
            "IMPORT_ROUTE_SKIPPED",
            at,
            "TRACE is not a method crossgate serves: not imported",
            "nothing; browsers cannot send TRACE",
          );
          continue;
        }
        if (!isRecord(value)) continue;
        const candidate = this.operation(pathKey, path, method, value, at, forcedPrefix, pathParameters);
        if (candidate) out.push(candidate);
      }
    }
    return out;
  }

  operation(
    pathKey: string,
    docPath: string,
    method: string,
    rawOp: Json,
    at: string,
    forcedPrefix: boolean,
    pathParameters: readonly Json[],
  ): Candidate | null {
    const handled = noteExtensions(rawOp, OPERATION_EXTENSIONS, at, this.notes);
    for (const key of Object.keys(rawOp)) {
      if (DOC_OPERATION_KEYS.has(key) || HANDLED_OPERATION_EXTENSIONS.has(key) || handled.has(key)) continue;
      if (key === "servers") {
        this.notes.info(
          "IMPORT_IGNORED",
          pointer(at, key),
          "operation-level servers are not translated: the group's base path and domains apply",
          "nothing, unless this operation is served on another host",
        );
      } else if (key === "callbacks") {
        this.notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pointer(at, key),
          "callbacks are outgoing calls: not translated",
          "nothing",
        );
      } else {
        this.notes.warn(
          "IMPORT_NOT_TRANSLATED",
          pointer(at, key),
          `${key} is not translated`,
          "check whether the API relied on it, and configure its equivalent around crossgate",
        );
      }
    }
    const integrationAt = pointer(at, AWS.integration);
    const integration = this.resolve(rawOp[AWS.integration], integrationAt);
    const op: Json =
      rawOp[AWS.integration] === undefined ? rawOp : { ...rawOp, [AWS.integration]: integration };
    const shape = shapeOf(docPath);

    if (method === "OPTIONS" && this.kind === "amazon-http") {
      const hasCors = this.doc[AWS.cors] !== undefined;
      if (integration === undefined || integration === null) {
        this.notes.info(
          "IMPORT_OPTIONS_ROUTE",
          at,
          "an OPTIONS route without an integration (it let preflights bypass an authorizer) is not imported: crossgate answers preflights from the CORS policy and never authenticates them",
          "nothing",
        );
        return null;
      }
      if (hasCors) {
        this.notes.warn(
          "IMPORT_OPTIONS_ROUTE",
          at,
          "an OPTIONS route with an integration, in an API with a CORS configuration: not imported, crossgate answers preflights from that configuration",
          "if the backend must see OPTIONS requests, add an OPTIONS API by hand (it then answers every preflight on this path)",
        );
        return null;
      }
    }
    if (
      method === "OPTIONS" &&
      this.kind === "amazon-rest" &&
      !this.options.keepOptionsMocks &&
      isEnableCorsMock(integration)
    ) {
      if (op.security !== undefined || this.doc.security !== undefined) {
        this.notes.info(
          "IMPORT_IGNORED",
          pointer(at, "security"),
          "authentication on an OPTIONS method is not carried over: crossgate never authenticates preflights (on Amazon an authorizer here broke preflights)",
          "nothing",
        );
      }
      const api: ApiConfig = { name: "", method: "OPTIONS", path: docPath, backend: { type: "mock" } };
      return {
        api,
        wantedName: "",
        at,
        shape,
        docPath,
        corsMock: { integration: integration as Json, at: integrationAt },
      };
    }

    let match: "exact" | "prefix" = forcedPrefix ? "prefix" : "exact";
    const hint = op[X.match];
    if (hint === "prefix") match = "prefix";
    else if (hint !== undefined && hint !== "exact") {
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer(at, X.match),
        `${JSON.stringify(hint)} is not exact or prefix: exact used`,
        "fix the document",
      );
    }
    const mode = op[HUAWEI.matchMode];
    if (mode !== undefined) {
      const m = String(mode).toUpperCase();
      if (m === "SWA") match = "prefix";
      else if (m !== "NORMAL") {
        this.notes.warn(
          "IMPORT_MALFORMED",
          pointer(at, HUAWEI.matchMode),
          `${JSON.stringify(mode)} is not SWA or NORMAL: exact used`,
          "set the API's match by hand",
        );
      }
    }

    const parameters = [
      ...pathParameters,
      ...(Array.isArray(op.parameters) ? op.parameters.filter(isRecord) : []),
    ];
    const translated: TranslatedBackend = translateBackend(op, {
      path: docPath,
      method,
      match,
      defaultUrl: this.defaultUrl,
      templateContentType: this.kind !== "crossgate",
      stubs: this.stubs,
      parameters,
      notes: this.notes,
      at,
    });
    if (translated.fromDefault && this.defaultUrlNote !== undefined) {
      this.notes.info(
        "IMPORT_DECISION",
        this.defaultUrlNote.at,
        this.defaultUrlNote.message,
        "import again with --backend-url to send them to the real service",
      );
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
    const text = [asString(op.description) ?? asString(op.summary), translated.origin].filter(
      (t) => t !== undefined && t !== "",
    );
    if (text.length > 0) {
      const joined = text.join(" | imported from ");
      api.description = joined.length > 1024 ? `${joined.slice(0, 1021)}...` : joined;
      if (joined.length > 1024) {
        this.notes.info(
          "IMPORT_DECISION",
          pointer(at, "description"),
          "shortened to 1024 characters",
          "nothing",
        );
      }
    }

    const operationId = asString(op.operationId);
    let wantedName = "";
    if (operationId !== undefined && operationId !== "") {
      wantedName = sanitizeName(operationId);
      if (wantedName !== operationId && wantedName !== "") {
        this.notes.info(
          "IMPORT_DECISION",
          pointer(at, "operationId"),
          `${JSON.stringify(operationId)} is named ${wantedName}`,
          "nothing",
        );
      }
    }
    if (!NAME.test(wantedName)) {
      const slug =
        slugify(pathKey === "$default" || pathKey === "/$default" ? "default" : docPath, 56) || "root";
      wantedName = `${method.toLowerCase()}-${slug}`;
    }
    const simple = this.kind === "amazon-rest" && isRecord(integration) && method !== "OPTIONS";
    return {
      api,
      wantedName,
      at,
      shape,
      docPath,
      ...(simple && { simplePolicy: { integration: integration as Json, at: integrationAt } }),
    };
  }

  groupFor(op: Json, at: string): string | undefined {
    const named = op[X.group];
    if (this.derivedGroup !== undefined) {
      if (named !== undefined && named !== this.derivedGroup.name) {
        this.notes.info(
          "IMPORT_DECISION",
          pointer(at, X.group),
          `group ${JSON.stringify(named)} is not described by ${X.groups}: the API joins ${this.derivedGroup.name}`,
          "nothing",
        );
      }
      return this.derivedGroup.name;
    }
    if (named === undefined) return undefined;
    if (typeof named === "string" && this.groups.some((g) => g.name === named)) return named;
    this.notes.warn(
      "IMPORT_MALFORMED",
      pointer(at, X.group),
      `no group ${JSON.stringify(named)} in ${X.groups}: the API has no group`,
      "add the API to a group by hand",
    );
    return undefined;
  }

  corsFor(op: Json, at: string, api: ApiConfig): void {
    const toggle = op[HUAWEI.cors];
    if (toggle === true) api.cors = true;
    else if (toggle !== undefined && toggle !== false) {
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer(at, HUAWEI.cors),
        `${JSON.stringify(toggle)} is not true or false: not translated`,
        "set cors: true on the API by hand if it had CORS",
      );
    }
    const x = op[X.cors];
    if (x === undefined) return;
    const xat = pointer(at, X.cors);
    if (!isRecord(x)) {
      this.notes.warn(
        "IMPORT_MALFORMED",
        xat,
        `${X.cors} is not an object: not translated`,
        "fix the document",
      );
      return;
    }
    if (x.toggle === true) api.cors = true;
    if (x.policy === undefined) return;
    if (!isRecord(x.policy) || typeof x.policy.name !== "string") {
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer(xat, "policy"),
        "not a policy (an object with a name): not translated",
        "fix the document",
      );
      return;
    }
    const name = this.addPolicy(structuredClone(x.policy) as CorsPolicyConfig, pointer(xat, "policy"));
    if (x.boundTo !== "group") {
      api.corsPolicy = name;
      return;
    }
    const group = this.groups.find((g) => g.name === api.group);
    if (group === undefined) {
      api.corsPolicy = name;
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer(xat, "boundTo"),
        "the API has no group to carry the policy: bound to the API",
        "nothing",
      );
    } else if (group.corsPolicy === undefined) {
      group.corsPolicy = name;
    } else if (group.corsPolicy !== name) {
      api.corsPolicy = name;
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer(xat, "boundTo"),
        `group ${group.name} already defaults to ${group.corsPolicy}: ${name} is bound to the API`,
        "nothing",
      );
    }
  }

  /** `x-amazon-apigateway-cors`: the group's default policy in an HTTP API; ignored in a REST API (A5). */
  amazonCors(): void {
    const raw = this.doc[AWS.cors];
    if (raw === undefined) return;
    const at = pointer("", AWS.cors);
    if (this.kind === "amazon-rest" || this.kind === "huawei") {
      this.notes.warn(
        "IMPORT_CORS_IGNORED",
        at,
        `${AWS.cors} configures HTTP APIs only and this document is ${this.kind === "huawei" ? "a Huawei APIG group" : "a REST API"} (${this.because}): Amazon never applied it here, so it is ignored; applying it would put CORS on paths that had none`,
        "if these APIs need more CORS than their OPTIONS methods declared, add a corsPolicy and bind it deliberately",
      );
      return;
    }
    const body = httpApiCors(raw, at, this.notes);
    if (body === null) return;
    if ((body.allowOrigins ?? []).length === 0) {
      this.notes.warn(
        "IMPORT_CORS_NARROWED",
        pointer(at, "allowOrigins"),
        "no allowed origins: the policy admits no cross-origin request",
        "list the origins of the pages that call these APIs",
      );
    }
    const base = this.derivedGroup?.name ?? this.groups[0]?.name ?? "imported";
    const fitted = fitPolicy({ name: `${base}-cors`, ...body }, this.notes, at);
    const name = this.addPolicy(fitted, at);
    const targets = this.derivedGroup
      ? [this.derivedGroup]
      : this.groups.filter((g) => g.corsPolicy === undefined);
    for (const g of targets) g.corsPolicy = name;
    this.notes.info(
      "IMPORT_CORS_POLICY",
      at,
      `became policy ${name}, the default of group ${targets.map((g) => g.name).join(", ")}: every API of the group answers CORS by it, as the HTTP API did`,
      "nothing; Terraform does not apply this extension from a body, so compare the policy with the live API if it came from IaC",
    );
  }

  /** Amazon's "enable CORS" OPTIONS mocks become policies bound to the other methods of their path (A1). */
  convertEnableCors(candidates: Candidate[]): void {
    const group = this.derivedGroup?.name ?? "imported";
    let proxyNoted = false;
    for (const mock of candidates.filter((c) => c.corsMock !== undefined)) {
      const { integration, at } = mock.corsMock as { integration: Json; at: string };
      const siblings = candidates.filter(
        (c) => c.shape === mock.shape && c.corsMock === undefined && c.api.method !== "OPTIONS",
      );
      candidates.splice(candidates.indexOf(mock), 1);
      const body = corsFromOptionsMock(integration, at, this.notes);
      if (siblings.length === 0) {
        this.notes.info(
          "IMPORT_OPTIONS_ROUTE",
          mock.at,
          `an OPTIONS mock on ${mock.docPath}, which has no other method: nothing to bind its CORS to, not imported`,
          "nothing",
        );
        continue;
      }
      const fitted = fitPolicy({ name: "", ...body }, this.notes, at);
      const { name: _none, ...rules } = fitted;
      const name = this.policyWith(rules, `${group}-preflight`, at);
      for (const s of siblings) if (s.api.corsPolicy === undefined) s.api = { ...s.api, corsPolicy: name };
      this.notes.info(
        "IMPORT_OPTIONS_ROUTE",
        at,
        `the OPTIONS mock ("Enable CORS") became CORS policy ${name}, bound to ${siblings.map((s) => `${s.api.method} ${mock.docPath}`).join(", ")}: crossgate answers preflights itself, checks the origin, and adds the CORS headers to the actual responses too`,
        "nothing; import with --keep-options-mocks to copy the mock as an OPTIONS API instead",
      );
      const proxied = siblings.find((s) => s.api.backend.type !== "mock");
      if (proxied !== undefined && !proxyNoted) {
        proxyNoted = true;
        this.notes.info(
          "IMPORT_CORS_POLICY",
          proxied.at,
          "on Amazon the backends of proxy integrations had to send Access-Control-Allow-Origin themselves; under a crossgate policy the gateway sends it and replaces the backend's own Access-Control-* headers",
          "nothing; set backendCorsHeaders: keep on the policy if a backend's own CORS headers must win",
        );
      }
    }
    for (const c of candidates) {
      if (c.simplePolicy === undefined || c.api.corsPolicy !== undefined) continue;
      const body = simplePolicyFromMethod(
        c.simplePolicy.integration,
        c.api.method,
        c.simplePolicy.at,
        this.notes,
      );
      if (body === null) continue;
      const fitted = fitPolicy({ name: "", ...body }, this.notes, c.simplePolicy.at);
      const { name: _none, ...rules } = fitted;
      const name = this.policyWith(rules, `${group}-simple`, c.simplePolicy.at);
      c.api = { ...c.api, corsPolicy: name };
      this.notes.info(
        "IMPORT_CORS_POLICY",
        c.simplePolicy.at,
        `the method sends Access-Control-Allow-Origin itself and its path has no OPTIONS mock: policy ${name} allows the same origins for simple requests, and preflighted requests stay refused, as on Amazon`,
        "add an OPTIONS-style policy (methods, headers) if pages must send preflighted requests",
      );
    }
  }

  /**
   * A6: on Amazon an ANY method also received OPTIONS, so its backend answered preflights. Where such an
   * API has no CORS here, an OPTIONS API to the same backend keeps that behaviour.
   */
  preflightsToBackend(candidates: Candidate[]): void {
    const groupPolicy = this.derivedGroup?.corsPolicy;
    for (const c of [...candidates]) {
      if (c.api.method !== "ANY" || c.api.backend.type === "mock") continue;
      if (c.api.corsPolicy !== undefined || c.api.cors === true || groupPolicy !== undefined) continue;
      if (candidates.some((o) => o.shape === c.shape && o.api.method === "OPTIONS")) continue;
      const { name: _unnamed, ...rest } = c.api;
      candidates.splice(candidates.indexOf(c) + 1, 0, {
        api: { ...rest, name: "", method: "OPTIONS" },
        wantedName: `${c.wantedName}-options`,
        at: c.at,
        shape: c.shape,
        docPath: c.docPath,
      });
      this.notes.info(
        "IMPORT_PREFLIGHT_TO_BACKEND",
        c.at,
        `ANY ${c.docPath} has no CORS configuration, so on Amazon its backend answered OPTIONS requests, preflights included: an OPTIONS API to the same backend keeps that`,
        "nothing; or give the API a CORS policy and remove the OPTIONS API to let crossgate answer preflights",
      );
    }
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
          "IMPORT_ROUTE_SKIPPED",
          c.at,
          `${c.api.method} ${c.api.path}${c.api.match === "prefix" ? " (prefix)" : ""} is the same route as ${clash.at} for crossgate (which ignores trailing slashes and parameter names): not imported`,
          "merge the two operations, or give one of them another path",
        );
        continue;
      }
      for (const k of keys) routes.set(k, c);
      const name = names.take(c.wantedName);
      if (name !== c.wantedName) {
        this.notes.info("IMPORT_DECISION", c.at, `name ${c.wantedName} is taken: named ${name}`, "nothing");
      }
      c.api = orderApi({ ...c.api, name });
      apis.push(c.api);
    }
    return apis;
  }

  /** The router's own keys for an API (src/routing/router.ts), on each of its hosts: two equal keys cannot coexist. */
  routeKeys(api: ApiConfig): string[] {
    const group = this.groups.find((g) => g.name === api.group);
    const route = apiRoute(group?.basePath, api.path);
    if (!route.ok) return [];
    const keys = routeKeys(api.method, route.segments, api.match ?? "exact");
    const hosts = group?.domains?.length ? group.domains.map((d) => d.toLowerCase()) : ["*any*"];
    return hosts.flatMap((h) => keys.map((k) => `${h} ${k}`));
  }

  assemble(apis: ApiConfig[]): Config {
    const config: Config = {};
    const gateway: Record<string, unknown> = {};
    const carried = this.doc[X.gateway];
    if (isRecord(carried)) Object.assign(gateway, structuredClone(carried));
    else if (carried !== undefined) {
      this.notes.warn(
        "IMPORT_MALFORMED",
        pointer("", X.gateway),
        `${X.gateway} is not an object: not used`,
        "fix the document",
      );
    }
    const first = this.keyHeaders[0];
    if (first !== undefined) {
      for (const other of this.keyHeaders) {
        if (other.header.toLowerCase() !== first.header.toLowerCase()) {
          this.notes.warn(
            "IMPORT_AUTH_CHANGED",
            other.at,
            `API key header ${other.header}: crossgate reads every API key from one header, ${first.header} is used`,
            `have clients send their key in ${first.header}`,
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
  const notes = importer.notes.list;
  return {
    config,
    notes,
    findings: notes.map(toFinding),
    stubs: importer.stubs.list,
    source: swagger2 ? "swagger" : "openapi",
    kind: importer.kind,
  };
}
