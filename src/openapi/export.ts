/**
 * `crossgate export`: a configuration to an OpenAPI 3.0 (or Swagger 2.0) document that Amazon API
 * Gateway can import (`x-amazon-apigateway-integration` for mock and http backends, API key security for
 * `auth: app`) and that `crossgate import` turns back into the same APIs (`x-crossgate-*` extensions carry
 * what OpenAPI cannot say: groups, prefix matching, CORS rules, function backends). Pure: no I/O.
 */
import type { ApiConfig, Config, CorsPolicyConfig, GroupConfig } from "../config/schema.js";
import { setOwnField } from "../own-field.js";
import { AWS, type Json, pointer, X } from "./common.js";
import { type Note, Notes } from "./findings.js";

export interface ExportOptions {
  /** `openapi` (3.0, the default) or `swagger` (2.0). */
  readonly format?: "openapi" | "swagger";
  /** Export only this group's APIs (a document other tools read as one API with one base path). */
  readonly group?: string;
}

export interface ExportResult {
  readonly document: Json;
  /** What the document cannot carry; pointers are into the configuration. */
  readonly notes: readonly Note[];
}

export class ExportError extends Error {
  override readonly name = "ExportError";
}

export const API_KEY_SCHEME = "api_key";
const AMAZON_MAX_TIMEOUT_MS = 29_000;

/** The OpenAPI path of an API: a prefix API is its path plus a final greedy `{proxy+}` (Amazon's proxy resource). */
function documentPath(api: ApiConfig): { key: string; greedy?: string } {
  if (api.match !== "prefix") return { key: api.path };
  const used = new Set([...api.path.matchAll(/\{([^{}+]+)\+?\}/g)].map((m) => m[1]));
  let greedy = "proxy";
  for (let n = 2; used.has(greedy); n++) greedy = `proxy${n}`;
  return { key: `${api.path === "/" ? "" : api.path.replace(/\/+$/, "")}/{${greedy}+}`, greedy };
}

function pathParams(key: string): string[] {
  return [...key.matchAll(/\{([^{}+]+)\+?\}/g)].map((m) => m[1] as string);
}

class Exporter {
  readonly notes = new Notes();
  readonly config: Config;
  readonly swagger: boolean;
  readonly groups: ReadonlyMap<string, GroupConfig>;
  readonly policies: ReadonlyMap<string, CorsPolicyConfig>;
  readonly apiKeyHeader: string;

  constructor(config: Config, swagger: boolean) {
    this.config = config;
    this.swagger = swagger;
    this.groups = new Map((config.groups ?? []).map((g) => [g.name, g]));
    this.policies = new Map((config.corsPolicies ?? []).map((p) => [p.name, p]));
    this.apiKeyHeader = config.gateway?.apiKeyHeader ?? "X-Api-Key";
  }

  run(options: ExportOptions): Json {
    const all = (this.config.apis ?? []).map((api, index) => ({ api, index }));
    if (options.group !== undefined && !this.groups.has(options.group)) {
      throw new ExportError(`no group named ${JSON.stringify(options.group)}`);
    }
    const selected = options.group === undefined ? all : all.filter(({ api }) => api.group === options.group);
    const groupNames = [
      ...new Set(
        options.group !== undefined
          ? [options.group]
          : selected.map(({ api }) => api.group).filter((g): g is string => g !== undefined),
      ),
    ];
    const involved = groupNames
      .map((n) => this.groups.get(n))
      .filter((g): g is GroupConfig => g !== undefined);
    const ungrouped = selected.some(({ api }) => api.group === undefined);
    const primary = involved.length === 1 && !ungrouped ? involved[0] : undefined;

    const doc: Json = this.swagger ? { swagger: "2.0" } : { openapi: "3.0.1" };
    doc.info = {
      title: primary?.name ?? "crossgate",
      ...(primary?.description !== undefined && { description: primary.description }),
      version: "1.0.0",
    };
    this.servers(doc, primary, involved.length + (ungrouped ? 1 : 0));

    const paths: Json = {};
    let needsKey = false;
    for (const { api, index } of selected) {
      const at = pointer("", "apis", index);
      const { key, greedy } = documentPath(api);
      const methodKey = api.method === "ANY" ? AWS.anyMethod : api.method.toLowerCase();
      if (paths[key] === undefined) paths[key] = {};
      const item = paths[key] as Json;
      if (item[methodKey] !== undefined) {
        this.notes.warn(
          "IMPORT_NOT_TRANSLATED",
          at,
          `${api.method} ${key} is already in the document (another group has it): not exported; export one group at a time with --group`,
          "change the document or the configuration by hand where it matters",
        );
        continue;
      }
      item[methodKey] = this.operation(api, key, greedy, at);
      if (api.auth === "app") needsKey = true;
    }
    doc.paths = paths;

    if (needsKey) {
      const scheme = { type: "apiKey", name: this.apiKeyHeader, in: "header" };
      if (this.swagger) doc.securityDefinitions = { [API_KEY_SCHEME]: scheme };
      else doc.components = { securitySchemes: { [API_KEY_SCHEME]: scheme } };
      if (this.apiKeyHeader.toLowerCase() === "x-api-key") doc[AWS.apiKeySource] = "HEADER";
      else {
        this.notes.info(
          "IMPORT_DECISION",
          "/gateway/apiKeyHeader",
          `API keys are read from ${this.apiKeyHeader}; Amazon API Gateway reads them from x-api-key only`,
          "nothing",
        );
      }
    }

    // What OpenAPI has no words for, for `crossgate import`.
    // Always written, even empty: it tells the importer that APIs without x-crossgate-group have no group.
    doc[X.groups] = involved.map((g) => structuredClone(g));
    const policies = this.config.corsPolicies ?? [];
    if (policies.length > 0) doc[X.corsPolicies] = structuredClone(policies);
    const { apiKeyHeader: _header, ...gateway } = this.config.gateway ?? {};
    if (Object.keys(gateway).length > 0) doc[X.gateway] = structuredClone(gateway);

    if ((this.config.apps ?? []).length > 0) {
      this.notes.info(
        "IMPORT_DECISION",
        "/apps",
        "applications are not exported (their API keys are secrets, and OpenAPI has no place for them)",
        "nothing",
      );
    }
    if (this.config.listen !== undefined)
      this.notes.info("IMPORT_DECISION", "/listen", "listen addresses are not exported", "nothing");
    return doc;
  }

  servers(doc: Json, primary: GroupConfig | undefined, groupCount: number): void {
    if (primary === undefined) {
      if (groupCount > 1) {
        this.notes.info(
          "IMPORT_DECISION",
          "/groups",
          `the APIs are in ${groupCount} groups: the document lists no server; ${X.groups} and ${X.group} keep the groups (export one with --group for a document other tools read)`,
          "nothing",
        );
      }
      if (!this.swagger) doc.servers = [{ url: "/" }];
      return;
    }
    const at = pointer("", "groups", (this.config.groups ?? []).indexOf(primary));
    const domains = primary.domains ?? [];
    const plain = domains.filter((d) => !d.startsWith("*."));
    for (const d of domains) {
      if (d.startsWith("*."))
        this.notes.info(
          "IMPORT_DECISION",
          at,
          `domain ${d} is a wildcard, which a server URL cannot be: not listed`,
          "nothing",
        );
    }
    const base = primary.basePath ?? "";
    if (this.swagger) {
      if (plain[0] !== undefined) doc.host = plain[0];
      for (const d of plain.slice(1))
        this.notes.info("IMPORT_DECISION", at, `Swagger 2.0 has one host: ${d} is not listed`, "nothing");
      doc.basePath = base === "" ? "/" : base;
      doc.schemes = ["https"];
      return;
    }
    doc.servers =
      plain.length > 0 ? plain.map((d) => ({ url: `https://${d}${base}` })) : [{ url: base || "/" }];
  }

  operation(api: ApiConfig, key: string, greedy: string | undefined, at: string): Json {
    const op: Json = { operationId: api.name };
    if (api.description !== undefined) op.description = api.description;
    const params = pathParams(key);
    if (params.length > 0) {
      op.parameters = params.map((name) =>
        this.swagger
          ? { name, in: "path", required: true, type: "string" }
          : { name, in: "path", required: true, schema: { type: "string" } },
      );
    }
    if (api.auth === "app") op.security = [{ [API_KEY_SCHEME]: [] }];
    if (api.group !== undefined) op[X.group] = api.group;
    if (api.match === "prefix") op[X.match] = "prefix";
    const cors = this.cors(api);
    if (cors !== undefined) op[X.cors] = cors;
    this.backend(api, op, key, greedy, at);
    return op;
  }

  cors(api: ApiConfig): Json | undefined {
    const out: Json = {};
    if (api.cors === true) out.toggle = true;
    const group = api.group === undefined ? undefined : this.groups.get(api.group);
    const bound =
      api.corsPolicy !== undefined
        ? { name: api.corsPolicy, boundTo: "api" }
        : api.cors !== true && group?.corsPolicy !== undefined
          ? { name: group.corsPolicy, boundTo: "group" }
          : undefined;
    if (bound !== undefined) {
      const policy = this.policies.get(bound.name);
      if (policy !== undefined) {
        out.policy = structuredClone(policy);
        out.boundTo = bound.boundTo;
      }
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  headerSchema(): Json {
    return this.swagger ? { type: "string" } : { schema: { type: "string" } };
  }

  backend(api: ApiConfig, op: Json, key: string, greedy: string | undefined, at: string): void {
    const backend = api.backend;
    const bat = pointer(at, "backend");
    if (backend.type === "mock") {
      const status = backend.status ?? 200;
      const headers = backend.headers ?? {};
      const responseParameters: Json = {};
      const headerDocs: Json = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value.includes("'")) {
          this.notes.warn(
            "IMPORT_NOT_TRANSLATED",
            pointer(bat, "headers", name),
            "the value holds a single quote, which an Amazon static mapping value cannot",
            "change the document or the configuration by hand where it matters",
          );
        }
        responseParameters[`method.response.header.${name}`] = `'${value}'`;
        setOwnField(headerDocs, name, this.headerSchema());
      }
      const response: Json = { statusCode: String(status) };
      if (Object.keys(responseParameters).length > 0) response.responseParameters = responseParameters;
      if (backend.body !== undefined) {
        const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1];
        const media = contentType?.split(";")[0]?.trim() || "application/json";
        response.responseTemplates = { [media]: backend.body };
        if (/[$#]/.test(backend.body)) {
          this.notes.info(
            "IMPORT_DECISION",
            pointer(bat, "body"),
            "Amazon API Gateway evaluates a mapping template as Velocity: '$' and '#' in the body may change there",
            "nothing",
          );
        }
      }
      op.responses = {
        [String(status)]: {
          description: "mock response",
          ...(Object.keys(headerDocs).length > 0 && { headers: headerDocs }),
        },
      };
      op[AWS.integration] = {
        type: "mock",
        requestTemplates: { "application/json": '{"statusCode": 200}' },
        passthroughBehavior: "when_no_match",
        responses: { default: response },
      };
      return;
    }
    if (backend.type === "http") {
      const base = backend.url.replace(/\/+$/, "");
      const suffix =
        greedy !== undefined
          ? `/{${greedy}}`
          : api.path === "/"
            ? ""
            : api.path.replace(/\{([^{}+]+)\+\}/g, "{$1}");
      const integration: Json = {
        type: "http_proxy",
        httpMethod: api.method,
        uri: `${base}${suffix}`,
        passthroughBehavior: "when_no_match",
        connectionType: "INTERNET",
      };
      const params = pathParams(key);
      if (params.length > 0) {
        integration.requestParameters = Object.fromEntries(
          params.map((p) => [`integration.request.path.${p}`, `method.request.path.${p}`]),
        );
      }
      if (backend.timeoutMs !== undefined) {
        integration.timeoutInMillis = backend.timeoutMs;
        if (backend.timeoutMs > AMAZON_MAX_TIMEOUT_MS) {
          this.notes.info(
            "IMPORT_DECISION",
            pointer(bat, "timeoutMs"),
            `Amazon API Gateway limits integrations to ${AMAZON_MAX_TIMEOUT_MS} ms by default`,
            "nothing",
          );
        }
      }
      const extra: Json = {};
      if (backend.connectTimeoutMs !== undefined) extra.connectTimeoutMs = backend.connectTimeoutMs;
      if (backend.headersTimeoutMs !== undefined) extra.headersTimeoutMs = backend.headersTimeoutMs;
      if (Object.keys(extra).length > 0) op[X.http] = extra;
      op.responses = { default: { description: "the backend's response" } };
      op[AWS.integration] = integration;
      return;
    }
    const fn: Json = { module: backend.module };
    if (backend.timeoutMs !== undefined) fn.timeoutMs = backend.timeoutMs;
    if (backend.maxBodyBytes !== undefined) fn.maxBodyBytes = backend.maxBodyBytes;
    op[X.function] = fn;
    this.notes.warn(
      "IMPORT_NOT_TRANSLATED",
      bat,
      `function backend ${backend.module} has no OpenAPI integration: written as ${X.function} (crossgate import restores it) and, for other gateways, a mock answering 501; replace it with a Lambda integration to run it on Amazon API Gateway`,
      "change the document or the configuration by hand where it matters",
    );
    op.responses = {
      "501": {
        description: "the function is not deployed on this gateway",
        headers: { "Content-Type": this.headerSchema() },
      },
    };
    op[AWS.integration] = {
      type: "mock",
      requestTemplates: { "application/json": '{"statusCode": 200}' },
      passthroughBehavior: "when_no_match",
      responses: {
        default: {
          statusCode: "501",
          responseParameters: { "method.response.header.Content-Type": "'application/json'" },
          responseTemplates: {
            "application/json": JSON.stringify({
              error_code: "NOT_TRANSLATED",
              error_msg: `function backend ${backend.module} is not deployed here`,
            }),
          },
        },
      },
    };
  }
}

/** Writes a configuration's APIs as an OpenAPI 3.0 (or Swagger 2.0) document. */
export function exportOpenApi(config: Config, options: ExportOptions = {}): ExportResult {
  const exporter = new Exporter(config, options.format === "swagger");
  const document = exporter.run(options);
  return { document, notes: exporter.notes.list };
}
