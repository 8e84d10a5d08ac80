/**
 * Where an Amazon export says CORS, turned into crossgate policies (IMPORT.md sections 3.2, 3.3, 4):
 * the OPTIONS mocks of "Enable CORS" (console, SAM, CDK, Serverless, Terraform), with the second and
 * later origins that CDK and the Serverless Framework put in a mapping template; a static
 * Access-Control-Allow-Origin on a non-proxy method; `x-amazon-apigateway-cors` of HTTP APIs; and the
 * gateway responses, which are only compared with the result.
 */
import type { CorsPolicyConfig } from "../config/schema.js";
import { isRecord, type Json, pointer, splitList, staticMappingValue } from "./common.js";
import { browserOrigin, keepBrowserOrigins } from "./cors-fit.js";
import type { Notes } from "./findings.js";

export type PolicyBody = Omit<CorsPolicyConfig, "name">;

const HEADER_PARAM = /^method\.response\.header\.(.+)$/i;

/** The default integration response of an integration, and its pointer. */
function defaultResponse(integration: Json, at: string): { r: Json; at: string } | null {
  const responses = integration.responses;
  if (!isRecord(responses)) return null;
  const key = "default" in responses ? "default" : Object.keys(responses)[0];
  const r = key === undefined ? undefined : responses[key];
  return isRecord(r) ? { r, at: pointer(at, "responses", key as string) } : null;
}

/** Static response headers of an integration response: `'v'` is `v`; SAM's bare numbers (`600`) too. */
function staticHeaders(r: Json): { headers: Map<string, string>; dynamic: string[] } {
  const headers = new Map<string, string>();
  const dynamic: string[] = [];
  if (!isRecord(r.responseParameters)) return { headers, dynamic };
  for (const [key, value] of Object.entries(r.responseParameters)) {
    const m = HEADER_PARAM.exec(key);
    if (!m) continue;
    const name = (m[1] as string).toLowerCase();
    const v = typeof value === "number" ? String(value) : staticMappingValue(value);
    if (v === null) dynamic.push(m[1] as string);
    else headers.set(name, v);
  }
  return { headers, dynamic };
}

/** True for Amazon's "enable CORS" shape: a mock whose default response sends Access-Control-Allow-* headers. */
export function isEnableCorsMock(integration: unknown): integration is Json {
  if (!isRecord(integration) || String(integration.type).toLowerCase() !== "mock") return false;
  const picked = defaultResponse(integration, "");
  if (picked === null || !isRecord(picked.r.responseParameters)) return false;
  return Object.keys(picked.r.responseParameters).some((k) =>
    /^method\.response\.header\.access-control-allow-/i.test(k),
  );
}

/**
 * The origins 2..n of a multi-origin template (A7): CDK's `$origin == "O"` and the Serverless
 * Framework's `$origin.matches("R")` (dots as `[.]`, a wildcard as `.+`, anchored by Java's matches).
 */
export function templateOrigins(template: string): {
  origins: string[];
  patterns: string[];
  recognized: boolean;
} {
  const origins: string[] = [];
  const patterns: string[] = [];
  if (!/responseOverride\.header\.Access-Control-Allow-Origin/i.test(template)) {
    return { origins, patterns, recognized: !/[$#]/.test(template) };
  }
  for (const m of template.matchAll(/\$origin\s*==\s*"([^"]+)"/g)) origins.push(m[1] as string);
  for (const m of template.matchAll(/\$origin\.matches\("([^"]+)"\)/g)) {
    const regex = m[1] as string;
    const wildcard = /^(https?):\/\/\.\+\[\.\]((?:[a-z0-9-]+\[\.\])*[a-z0-9-]+)$/i.exec(regex);
    const exact = /^(https?):\/\/((?:[a-z0-9-]+\[\.\])*[a-z0-9-]+)(:\d+)?$/i.exec(regex);
    if (wildcard) origins.push(`${wildcard[1]}://*.${(wildcard[2] as string).replaceAll("[.]", ".")}`);
    else if (exact)
      origins.push(`${exact[1]}://${(exact[2] as string).replaceAll("[.]", ".")}${exact[3] ?? ""}`);
    else patterns.push(`^${regex}$`);
  }
  return { origins, patterns, recognized: origins.length + patterns.length > 0 };
}

/**
 * The policy an "enable CORS" OPTIONS mock declares (IMPORT.md 3.3), every part of it reported where
 * it is not carried over exactly. `at` is the integration's pointer.
 */
export function corsFromOptionsMock(integration: Json, at: string, notes: Notes): PolicyBody {
  const picked = defaultResponse(integration, at);
  const policy: PolicyBody = {};
  if (picked === null) return policy;
  const { headers, dynamic } = staticHeaders(picked.r);
  for (const name of dynamic) {
    notes.warn(
      "IMPORT_NOT_TRANSLATED",
      at,
      `${name} is mapped from the request, not a static value: not part of the policy`,
      "add what it allowed to the policy by hand",
    );
  }
  const origin = headers.get("access-control-allow-origin");
  const listed = origin === undefined ? [] : splitList(origin);
  if (listed.length > 1) {
    notes.warn(
      "IMPORT_CORS_WIDENED",
      at,
      `Access-Control-Allow-Origin lists ${listed.length} origins in one value (${origin}), which browsers always rejected; the list is split, so ${listed.join(", ")} can now call these APIs`,
      "remove the origins that must not call these APIs from the policy's allowOrigins",
    );
  }
  const origins = keepBrowserOrigins(listed, notes, at, "Access-Control-Allow-Origin");
  const patterns: string[] = [];
  const templates = isRecord(picked.r.responseTemplates) ? picked.r.responseTemplates : {};
  for (const [media, template] of Object.entries(templates)) {
    if (typeof template !== "string") continue;
    const found = templateOrigins(template);
    if (!found.recognized) {
      notes.warn(
        "IMPORT_CORS_TEMPLATE",
        pointer(picked.at, "responseTemplates", media),
        "the mapping template computes a response crossgate does not evaluate; only the static headers became the policy",
        "add any origin the template allowed to the policy's allowOrigins",
      );
    }
    for (const o of keepBrowserOrigins(
      found.origins.filter((o) => !o.includes("*")),
      notes,
      at,
      "template origin",
    )) {
      if (!origins.includes(o)) origins.push(o);
    }
    for (const o of found.origins.filter((o) => o.includes("*"))) if (!origins.includes(o)) origins.push(o);
    patterns.push(...found.patterns.filter((p) => !patterns.includes(p)));
    if (found.origins.length + found.patterns.length > 0) {
      notes.info(
        "IMPORT_CORS_POLICY",
        pointer(picked.at, "responseTemplates", media),
        `the template also allows ${[...found.origins, ...found.patterns].join(", ")}: added to the policy`,
        "nothing",
      );
    }
  }
  if (origin !== undefined || origins.length > 0) policy.allowOrigins = origins;
  if (patterns.length > 0) policy.allowOriginPatterns = patterns;
  const list = (name: string) => {
    const v = headers.get(name);
    return v === undefined ? undefined : splitList(v);
  };
  const methods = list("access-control-allow-methods");
  if (methods) policy.allowMethods = methods;
  const allowHeaders = list("access-control-allow-headers");
  if (allowHeaders) policy.allowHeaders = allowHeaders;
  const expose = list("access-control-expose-headers");
  if (expose) policy.exposeHeaders = expose;
  if (headers.get("access-control-allow-credentials")?.trim().toLowerCase() === "true")
    policy.allowCredentials = true;
  const maxAge = headers.get("access-control-max-age");
  if (maxAge !== undefined) {
    const n = Number(maxAge);
    if (Number.isInteger(n)) policy.maxAge = n;
    else {
      notes.warn(
        "IMPORT_NOT_TRANSLATED",
        at,
        `Access-Control-Max-Age ${JSON.stringify(maxAge)} is not a number of seconds: not translated`,
        "set the policy's maxAge by hand",
      );
    }
  }
  if (headers.get("access-control-allow-private-network")?.trim().toLowerCase() === "true")
    policy.allowPrivateNetwork = true;
  const others = [...headers.keys()].filter((h) => !h.startsWith("access-control-"));
  if (others.length > 0) {
    notes.info(
      "IMPORT_CORS_HEADER_DROPPED",
      at,
      `the OPTIONS mock also sent ${others.join(", ")}: not part of a CORS policy, dropped with the mock${others.includes("vary") ? " (crossgate sends Vary: Origin itself wherever the answer depends on it)" : ""}`,
      "nothing, unless a client relied on that header in preflight answers",
    );
  }
  return policy;
}

/**
 * A non-proxy method (mock, http) that sends a static Access-Control-Allow-Origin itself, on a path
 * without an OPTIONS mock: simple requests worked on Amazon, preflighted ones did not (3.3).
 */
export function simplePolicyFromMethod(
  integration: Json,
  method: string,
  at: string,
  notes: Notes,
): PolicyBody | null {
  const type = String(integration.type).toLowerCase();
  if (type !== "mock" && type !== "http") return null;
  const picked = defaultResponse(integration, at);
  if (picked === null) return null;
  const { headers } = staticHeaders(picked.r);
  const origin = headers.get("access-control-allow-origin");
  if (origin === undefined) return null;
  const listed = splitList(origin);
  if (listed.length > 1) {
    notes.warn(
      "IMPORT_CORS_WIDENED",
      at,
      `Access-Control-Allow-Origin lists ${listed.length} origins in one value (${origin}), which browsers always rejected; the list is split`,
      "remove the origins that must not call this API from the policy's allowOrigins",
    );
  }
  const origins = keepBrowserOrigins(listed, notes, at, "Access-Control-Allow-Origin");
  const policy: PolicyBody = { allowOrigins: origins, allowMethods: method === "ANY" ? ["*"] : [method] };
  const expose = headers.get("access-control-expose-headers");
  if (expose !== undefined) policy.exposeHeaders = splitList(expose);
  if (headers.get("access-control-allow-credentials")?.trim().toLowerCase() === "true")
    policy.allowCredentials = true;
  return policy;
}

const HTTP_CORS_KEYS = [
  "allowOrigins",
  "allowMethods",
  "allowHeaders",
  "exposeHeaders",
  "allowCredentials",
  "maxAge",
];

/** `x-amazon-apigateway-cors` of an HTTP API (section 4). Null when it is not an object. */
export function httpApiCors(raw: unknown, at: string, notes: Notes): PolicyBody | null {
  if (!isRecord(raw)) {
    notes.warn(
      "IMPORT_MALFORMED",
      at,
      "x-amazon-apigateway-cors is not an object: not translated",
      "fix the document",
    );
    return null;
  }
  const policy: PolicyBody = {};
  const list = (key: string): string[] | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
    notes.warn(
      "IMPORT_MALFORMED",
      pointer(at, key),
      `${key} is not a list of strings: not translated`,
      `set the policy's ${key} by hand`,
    );
    return undefined;
  };
  const origins = list("allowOrigins");
  if (origins) {
    policy.allowOrigins = keepBrowserOrigins(
      origins.filter((o) => !/^https?:\/\/\*\./.test(o)),
      notes,
      pointer(at, "allowOrigins"),
      "allowed origin",
    );
    policy.allowOrigins.push(...origins.filter((o) => /^https?:\/\/\*\./.test(o)));
  }
  const methods = list("allowMethods");
  if (methods) policy.allowMethods = methods;
  const headers = list("allowHeaders");
  if (headers) policy.allowHeaders = headers;
  const expose = list("exposeHeaders");
  if (expose) policy.exposeHeaders = expose;
  if (raw.allowCredentials === true) policy.allowCredentials = true;
  else if (raw.allowCredentials !== undefined && raw.allowCredentials !== false) {
    notes.warn(
      "IMPORT_MALFORMED",
      pointer(at, "allowCredentials"),
      "not true or false: not translated",
      "set the policy's allowCredentials by hand",
    );
  }
  if (raw.maxAge !== undefined) {
    const n = Number(raw.maxAge);
    if (Number.isInteger(n)) policy.maxAge = n;
    else {
      notes.warn(
        "IMPORT_MALFORMED",
        pointer(at, "maxAge"),
        `${JSON.stringify(raw.maxAge)} is not a number of seconds: not translated`,
        "set the policy's maxAge by hand",
      );
    }
  }
  for (const key of Object.keys(raw)) {
    if (!HTTP_CORS_KEYS.includes(key)) {
      notes.warn(
        "IMPORT_NOT_TRANSLATED",
        pointer(at, key),
        `${key} is not a field of x-amazon-apigateway-cors (its fields are camelCase: ${HTTP_CORS_KEYS.join(", ")}): not translated`,
        "put its value in the matching policy field by hand",
      );
    }
  }
  return policy;
}

/**
 * Gateway responses (`DEFAULT_4XX`...) are never a policy source (A8): crossgate's own errors carry the
 * matched API's CORS headers. Each Access-Control-Allow-Origin there is compared with the policies.
 */
export function compareGatewayResponses(raw: unknown, policies: readonly PolicyBody[], notes: Notes): void {
  if (!isRecord(raw)) return;
  for (const [type, response] of Object.entries(raw)) {
    const at = pointer("/x-amazon-apigateway-gateway-responses", type);
    if (!isRecord(response) || !isRecord(response.responseParameters)) continue;
    const value = response.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"];
    if (value === undefined) continue;
    const v = staticMappingValue(value);
    if (v === null) {
      notes.info(
        "IMPORT_GATEWAY_RESPONSE",
        at,
        `${type} sets Access-Control-Allow-Origin from ${JSON.stringify(value)}: crossgate's errors carry the matched API's CORS headers instead`,
        "nothing; check the API's policy admits the origins that must read errors",
      );
      continue;
    }
    const origin = browserOrigin(v);
    if (origin === null) {
      notes.warn(
        "IMPORT_GATEWAY_RESPONSE",
        at,
        `${type} sends Access-Control-Allow-Origin ${JSON.stringify(v)}, which is not a valid value (one origin or '*'), so browsers never read these errors; crossgate's errors carry the matched API's CORS headers`,
        "nothing to import; if a wildcard of subdomains was meant, add https://*.<domain> to the policy deliberately",
      );
    } else {
      const narrower = policies.filter((p) => !(p.allowOrigins ?? []).some((o) => o === "*" || o === origin));
      if (narrower.length > 0) {
        notes.warn(
          "IMPORT_GATEWAY_RESPONSE",
          at,
          `${type} sends Access-Control-Allow-Origin ${origin === "*" ? "'*'" : origin}, wider than the CORS of APIs allowing only ${[...new Set(narrower.flatMap((p) => p.allowOrigins ?? []))].join(", ") || "no origin"}: crossgate's errors carry the matched API's CORS headers, so other pages no longer read those APIs' errors`,
          "nothing, unless those pages must read error bodies: then add their origins to the API's policy",
        );
      } else {
        notes.info(
          "IMPORT_GATEWAY_RESPONSE",
          at,
          `${type} sends Access-Control-Allow-Origin ${origin}, which every API's CORS allows: crossgate's errors carry those CORS headers`,
          "nothing",
        );
      }
    }
    const others = Object.keys(response.responseParameters).filter(
      (k) => /^gatewayresponse\.header\./i.test(k) && !/Access-Control-Allow-Origin$/i.test(k),
    );
    if (others.length > 0) {
      notes.info(
        "IMPORT_GATEWAY_RESPONSE",
        at,
        `${type} also sets ${others.map((k) => k.replace(/^gatewayresponse\.header\./i, "")).join(", ")}: not carried over (crossgate's error responses are fixed JSON with the API's CORS headers)`,
        "nothing",
      );
    }
  }
}
