/**
 * Where a document says it is served: Swagger 2 `host` + `basePath` + `schemes`, or OpenAPI 3 `servers`.
 * Gives the group's base path and domains, and the URL operations without an integration forward to.
 */
import { parseRoutePath } from "../config/route-path.js";
import { isRecord, type Json, type Notes, pointer } from "./common.js";

export interface ServedAt {
  readonly basePath?: string;
  readonly domains: string[];
  /** `scheme://host[:port]/base` of the first server with a host, for operations that name no backend. */
  readonly serverUrl?: string;
}

/**
 * A host name a gateway group can serve, lowercase, without its port; null for template hosts, IP
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
  if (/\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host))
    return { reason: "Amazon API Gateway's own endpoint" };
  if (host.endsWith(".huaweicloudapis.com")) return { reason: "Huawei APIG's own debugging domain" };
  if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(host))
    return { reason: "not a valid host name" };
  return { host };
}

function cleanBasePath(path: string, notes: Notes, at: string): string | undefined {
  const trimmed = path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (trimmed === "") return undefined;
  const withSlash = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  const parsed = parseRoutePath(withSlash, false);
  if (!parsed.ok) {
    notes.warn(at, `base path ${JSON.stringify(path)} ${parsed.reason}: not used`);
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
      notes.info(at, `server variable {${name}} replaced by its default ${JSON.stringify(String(d))}`);
      return String(d);
    }
    return whole;
  });
}

function addDomain(domains: string[], authority: string, notes: Notes, at: string): void {
  const r = realHostName(authority);
  if ("reason" in r) {
    notes.info(at, `host ${JSON.stringify(authority)} is ${r.reason}: not used as a group domain`);
  } else if (!domains.includes(r.host)) {
    domains.push(r.host);
  }
}

export function servedAt(doc: Json, swagger2: boolean, notes: Notes): ServedAt {
  const domains: string[] = [];
  if (swagger2) {
    const basePath =
      typeof doc.basePath === "string" ? cleanBasePath(doc.basePath, notes, "/basePath") : undefined;
    let serverUrl: string | undefined;
    if (typeof doc.host === "string" && doc.host !== "") {
      addDomain(domains, doc.host, notes, "/host");
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
    const url = substitute(server.url, server.variables, notes, at);
    const abs = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(url);
    const path = abs ? (abs[3] as string) : url.replace(/^\.?(?=\/)/, "");
    const normalized = path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
    if (i === 0) {
      firstPath = normalized;
      basePath = cleanBasePath(path, notes, at);
    } else if (normalized !== firstPath) {
      notes.info(
        at,
        `server ${JSON.stringify(server.url)} has another base path than servers[0]; a group has one base path: not used`,
      );
      return;
    }
    if (abs) {
      addDomain(domains, abs[2] as string, notes, at);
      const scheme = (abs[1] as string).toLowerCase();
      if (serverUrl === undefined && (scheme === "http" || scheme === "https") && !/[{}$]/.test(url)) {
        serverUrl = `${scheme}://${abs[2]}${basePath ?? ""}`;
      }
    }
  });
  return { ...(basePath !== undefined && { basePath }), domains, ...(serverUrl && { serverUrl }) };
}
