/**
 * Where a document says it is served: Swagger 2 `host` + `basePath` + `schemes`, or OpenAPI 3 `servers`.
 * Gives the group's base path and domains, and the URL operations without an integration forward to.
 * Amazon's and Huawei's exports name their own endpoints and stages there: those are reported, and
 * follow what the vendor's own import does (Amazon ignores the stage, Huawei merges `basePath`).
 */
import { parseRoutePath } from "../routing/route-path.js";
import { isRecord, type Json, pointer } from "./common.js";
import type { DocumentKind } from "./detect.js";
import type { Notes } from "./findings.js";

export interface ServedAt {
  readonly basePath?: string;
  readonly domains: string[];
  /** `scheme://host[:port]/base` of the first server with a host, for operations that name no backend. */
  readonly serverUrl?: string;
}

/**
 * A host name a gateway group can serve, lowercase, without its port; a reason for template hosts, IP
 * addresses, localhost and the managed gateways' own endpoints (which never reach a self-hosted gateway).
 */
export function realHostName(authority: string): { host: string } | { reason: string } {
  const noUser = authority.slice(authority.lastIndexOf("@") + 1);
  if (noUser.startsWith("[")) return { reason: "an IP address" };
  const host = (noUser.split(":")[0] ?? "").toLowerCase().replace(/\.$/, "");
  if (host === "") return { reason: "empty" };
  if (/[{}$]/.test(host)) return { reason: "a template" };
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return { reason: "an IP address" };
  if (host === "localhost" || host.endsWith(".localhost")) return { reason: "localhost" };
  if (!host.includes(".")) return { reason: "not a qualified host name" };
  const vendor = vendorEndpoint(host);
  if (vendor !== null) return { reason: vendor };
  if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(host))
    return { reason: "not a valid host name" };
  return { host };
}

/** Amazon's and Huawei's own endpoint names, which only the vendor serves. */
export function vendorEndpoint(host: string): string | null {
  if (/\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host))
    return "Amazon API Gateway's own endpoint";
  if (
    /(^|\.)(huaweicloudapis\.com|myhuaweicloud\.(com|cn|eu))$/.test(host) ||
    /\.apic\.[a-z0-9-]+\./.test(host)
  )
    return "Huawei APIG's debugging domain";
  // Huawei exports name the group's subdomain: a 32-hex group id as the first label.
  if (/^[0-9a-f]{32}\./.test(host)) return "Huawei APIG's subdomain of the group (its id as first label)";
  return null;
}

function cleanBasePath(path: string, notes: Notes, at: string): string | undefined {
  const trimmed = path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (trimmed === "") return undefined;
  const withSlash = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  const parsed = parseRoutePath(withSlash, false);
  if (!parsed.ok) {
    notes.warn(
      "IMPORT_BASE_PATH",
      at,
      `base path ${JSON.stringify(path)} ${parsed.reason}: not used`,
      "set groups[0].basePath by hand if the APIs need one",
    );
    return undefined;
  }
  return parsed.normalized;
}

/** `https://{env}.example.com/{base}` with the variables' defaults filled in. */
function substitute(url: string, variables: unknown, notes: Notes, at: string): string {
  return url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const v = isRecord(variables) ? variables[name] : undefined;
    const d = isRecord(v) ? v.default : undefined;
    if (typeof d === "string" || typeof d === "number") {
      if (name !== "basePath") {
        notes.info(
          "IMPORT_DECISION",
          pointer(at, "variables", name),
          `server variable {${name}} replaced by its default ${JSON.stringify(String(d))}`,
          "nothing, unless another value of the variable is the one you serve",
        );
      }
      return String(d);
    }
    return whole;
  });
}

export interface ServedAtOptions {
  readonly kind: DocumentKind;
  /** Amazon documents: apply the stage as the group's basePath instead of ignoring it. */
  readonly keepBasePath: boolean;
}

function vendorName(kind: DocumentKind): string | null {
  if (kind === "amazon-rest" || kind === "amazon-http") return "Amazon";
  if (kind === "huawei") return "Huawei";
  return null;
}

function noteHost(authority: string, at: string, kind: DocumentKind, notes: Notes, domains: string[]): void {
  const r = realHostName(authority);
  const vendor = vendorName(kind);
  if ("reason" in r) {
    notes.info(
      "IMPORT_HOST",
      at,
      `host ${JSON.stringify(authority)} is ${r.reason}: not used as a group domain, so the group answers on any Host`,
      "add groups[0].domains if this gateway must answer only for some host names",
    );
  } else if (vendor !== null) {
    notes.info(
      "IMPORT_HOST",
      at,
      `host ${JSON.stringify(authority)} is not used as a group domain (${vendor}'s own import ignores it), so the group answers on any Host`,
      `add ${r.host} to groups[0].domains if crossgate serves that host name`,
    );
  } else if (!domains.includes(r.host)) {
    domains.push(r.host);
  }
}

/** Applies (or not) a base path found at `at`, saying which, with its value. */
function decideBasePath(raw: string, at: string, options: ServedAtOptions, notes: Notes): string | undefined {
  const base = cleanBasePath(raw, notes, at);
  if (base === undefined) return undefined;
  const vendor = vendorName(options.kind);
  if (vendor === "Amazon" && !options.keepBasePath) {
    notes.info(
      "IMPORT_BASE_PATH",
      at,
      `stage base path ${base} is not applied (Amazon's import default, basepath=ignore): the APIs are served at their own paths, e.g. /pets rather than ${base}/pets`,
      `pass --keep-base-path to serve them under ${base}`,
    );
    return undefined;
  }
  notes.info(
    "IMPORT_BASE_PATH",
    at,
    vendor === "Huawei"
      ? `basePath ${base} is merged into every API path, as Huawei's import does: the group's basePath is ${base}`
      : `base path ${base} is the group's basePath: the APIs are served under ${base}`,
    "remove groups[0].basePath to serve the APIs at their own paths",
  );
  return base;
}

export function servedAt(doc: Json, swagger2: boolean, options: ServedAtOptions, notes: Notes): ServedAt {
  const domains: string[] = [];
  if (swagger2) {
    const basePath =
      typeof doc.basePath === "string"
        ? decideBasePath(doc.basePath, "/basePath", options, notes)
        : undefined;
    let serverUrl: string | undefined;
    if (typeof doc.host === "string" && doc.host !== "") {
      noteHost(doc.host, "/host", options.kind, notes, domains);
      const schemes = Array.isArray(doc.schemes)
        ? doc.schemes.filter((s) => s === "https" || s === "http")
        : [];
      const scheme = schemes.includes("https") ? "https" : (schemes[0] ?? "https");
      if (!/[{}$]/.test(doc.host)) serverUrl = `${scheme}://${doc.host}${basePath ?? ""}`;
    }
    return { ...(basePath !== undefined && { basePath }), domains, ...(serverUrl && { serverUrl }) };
  }
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  let basePath: string | undefined;
  let firstPath: string | undefined;
  let serverUrl: string | undefined;
  servers.forEach((server, i) => {
    const at = pointer("", "servers", i, "url");
    if (!isRecord(server) || typeof server.url !== "string") return;
    const url = substitute(server.url, server.variables, notes, pointer("", "servers", i));
    const abs = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(url);
    const path = abs ? (abs[3] as string) : url.replace(/^\.?(?=\/)/, "");
    const normalized = path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
    if (i === 0) {
      firstPath = normalized;
      const fromVariable =
        isRecord(server.variables) &&
        server.variables.basePath !== undefined &&
        server.url.includes("{basePath}");
      basePath = decideBasePath(
        path,
        fromVariable ? pointer("", "servers", i, "variables", "basePath") : at,
        options,
        notes,
      );
    } else if (normalized !== firstPath) {
      notes.info(
        "IMPORT_BASE_PATH",
        at,
        `server ${JSON.stringify(server.url)} has another base path than servers[0]; a group has one base path: not used`,
        "add another group by hand if both base paths must be served",
      );
      return;
    }
    if (abs) {
      noteHost(abs[2] as string, at, options.kind, notes, domains);
      const scheme = (abs[1] as string).toLowerCase();
      if (serverUrl === undefined && (scheme === "http" || scheme === "https") && !/[{}$]/.test(url)) {
        serverUrl = `${scheme}://${abs[2]}${basePath ?? ""}`;
      }
    }
  });
  return { ...(basePath !== undefined && { basePath }), domains, ...(serverUrl && { serverUrl }) };
}
