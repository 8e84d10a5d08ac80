/**
 * Which gateway wrote a document, decided from its extensions (never from the file name), because the
 * same extension means different things: `x-amazon-apigateway-cors` configures HTTP APIs only, and an
 * OPTIONS mock is Amazon's "enable CORS" in a REST API but a plain OPTIONS API in a crossgate export.
 */
import { AWS, isRecord, type Json, OPERATION_KEYS, X } from "./common.js";

export type DocumentKind = "crossgate" | "amazon-rest" | "amazon-http" | "huawei" | "openapi";

export interface Detected {
  readonly kind: DocumentKind;
  /** Why, for the user: the first signal found. */
  readonly because: string;
}

const REST_ROOT_KEYS = [
  AWS.gatewayResponses,
  AWS.apiKeySource,
  "x-amazon-apigateway-request-validators",
  "x-amazon-apigateway-binary-media-types",
  "x-amazon-apigateway-minimum-compression-size",
  "x-amazon-apigateway-policy",
  "x-amazon-apigateway-endpoint-configuration",
  "x-amazon-apigateway-documentation",
];

function integrations(doc: Json): Json[] {
  const components = isRecord(doc.components) ? doc.components[AWS.integrations] : undefined;
  const shared = isRecord(components) ? Object.values(components).filter(isRecord) : [];
  const inline: Json[] = [];
  for (const item of Object.values(isRecord(doc.paths) ? doc.paths : {})) {
    if (!isRecord(item)) continue;
    for (const [key, op] of Object.entries(item)) {
      if (OPERATION_KEYS[key] === undefined || !isRecord(op)) continue;
      const integration = op[AWS.integration];
      if (isRecord(integration) && integration.$ref === undefined) inline.push(integration);
    }
  }
  return [...shared, ...inline];
}

function hasHuaweiExtension(doc: Json): boolean {
  const huawei = (o: unknown) => isRecord(o) && Object.keys(o).some((k) => k.startsWith("x-apigateway-"));
  if (huawei(doc)) return true;
  for (const item of Object.values(isRecord(doc.paths) ? doc.paths : {})) {
    if (!isRecord(item)) continue;
    if (Object.keys(item).includes("x-apigateway-any-method")) return true;
    if (Object.values(item).some(huawei)) return true;
  }
  const schemes =
    doc.securityDefinitions ?? (isRecord(doc.components) ? doc.components.securitySchemes : undefined);
  return isRecord(schemes) && Object.values(schemes).some(huawei);
}

export function detectKind(doc: Json, swagger2: boolean): Detected {
  if (doc[X.groups] !== undefined) return { kind: "crossgate", because: `it carries ${X.groups}` };
  const all = integrations(doc);
  const types = all.map((i) => String(i.type ?? "").toLowerCase());
  const amazon = all.length > 0 || Object.keys(doc).some((k) => k.startsWith("x-amazon-apigateway-"));
  if (!amazon) {
    return hasHuaweiExtension(doc)
      ? { kind: "huawei", because: "it uses Huawei APIG's x-apigateway-* extensions" }
      : { kind: "openapi", because: "it uses no gateway extension" };
  }
  const restKey = REST_ROOT_KEYS.find((k) => doc[k] !== undefined);
  if (restKey) return { kind: "amazon-rest", because: `it carries ${restKey}, a REST API setting` };
  const restType = types.find((t) => t === "mock" || t === "http" || t === "aws");
  if (restType)
    return { kind: "amazon-rest", because: `it has a ${restType} integration, which only REST APIs have` };
  if (swagger2) return { kind: "amazon-rest", because: "it is Swagger 2.0, which HTTP APIs do not import" };
  if (doc[AWS.importExportVersion] !== undefined)
    return { kind: "amazon-http", because: `it carries ${AWS.importExportVersion}` };
  if (all.some((i) => i.payloadFormatVersion !== undefined))
    return { kind: "amazon-http", because: "its integrations name a payloadFormatVersion (HTTP APIs only)" };
  if (doc[AWS.cors] !== undefined) return { kind: "amazon-http", because: `it carries ${AWS.cors}` };
  return {
    kind: "amazon-rest",
    because: "its integrations have no payloadFormatVersion (HTTP APIs require one)",
  };
}
