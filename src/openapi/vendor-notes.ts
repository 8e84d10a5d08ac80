/**
 * Vendor extensions that configure something crossgate does not do (throttling, access control,
 * plug-ins, request validation...): each is named, at its source path, with what to do instead.
 */
import { AWS, HUAWEI, isRecord, type Json, pointer } from "./common.js";
import type { Notes } from "./findings.js";

function names(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(", ");
  if (isRecord(value)) return Object.keys(value).join(", ");
  return String(value);
}

type Handler = (value: unknown, at: string, notes: Notes) => void;

const ignored =
  (what: string): Handler =>
  (_value, at, notes) =>
    notes.info("IMPORT_IGNORED", at, `${what}: no crossgate equivalent is needed`, "nothing");

/** Root extensions with their own message; other `x-` keys get a generic one. */
export const ROOT_EXTENSIONS: Readonly<Record<string, Handler>> = {
  "x-amazon-apigateway-binary-media-types": ignored("binary media types (crossgate passes bodies as bytes)"),
  "x-amazon-apigateway-minimum-compression-size": ignored("response compression settings"),
  "x-amazon-apigateway-request-validators": (_v, at, notes) =>
    notes.info(
      "IMPORT_IGNORED",
      at,
      "request validators are not carried over: crossgate does not validate request bodies or parameters",
      "validate requests in the backend",
    ),
  "x-amazon-apigateway-endpoint-configuration": ignored("the endpoint type (edge, regional, private)"),
  "x-amazon-apigateway-documentation": ignored("API documentation parts"),
  "x-amazon-apigateway-policy": (_v, at, notes) =>
    notes.warn(
      "IMPORT_POLICY_DROPPED",
      at,
      "the resource policy is not carried over: if it restricted callers by IP address, VPC or account, the APIs are now reachable by any caller that passes auth",
      "restrict access in front of crossgate (firewall, network policy) as the resource policy did",
    ),
  [HUAWEI.ratelimits]: (v, at, notes) =>
    notes.warn(
      "IMPORT_POLICY_DROPPED",
      at,
      `request throttling policies ${names(v)} are not carried over: crossgate does not limit request rates`,
      "limit rates in front of crossgate or in the backend",
    ),
  [HUAWEI.accessControls]: (v, at, notes) =>
    notes.warn(
      "IMPORT_POLICY_DROPPED",
      at,
      `access control policies ${names(v)} are not carried over: callers they refused by IP address or account can now call the APIs`,
      "restrict those callers in front of crossgate (firewall, network policy)",
    ),
};

/** Operation extensions with their own message. */
export const OPERATION_EXTENSIONS: Readonly<Record<string, Handler>> = {
  [HUAWEI.plugins]: (v, at, notes) =>
    notes.warn(
      "IMPORT_POLICY_DROPPED",
      at,
      `plug-ins ${names(v)}: an export names plug-ins but not their settings, so none is carried over`,
      "for a CORS plug-in, create a corsPolicy with its allow_origin, allow_methods, allow_headers, expose_headers, max_age and allow_credentials and bind it to this API (it wins over cors: true, as on Huawei)",
    ),
  [HUAWEI.ratelimit]: (v, at, notes) =>
    notes.warn(
      "IMPORT_POLICY_DROPPED",
      at,
      `the request throttling policy ${names(v)} is not carried over: crossgate does not limit request rates`,
      "limit rates in front of crossgate or in the backend",
    ),
  [HUAWEI.accessControl]: (v, at, notes) =>
    notes.warn(
      "IMPORT_POLICY_DROPPED",
      at,
      `the access control policy ${names(v)} is not carried over: callers it refused can now call this API`,
      "restrict those callers in front of crossgate (firewall, network policy)",
    ),
  [HUAWEI.backendPolicies]: (v, at, notes) => {
    const list = Array.isArray(v) ? v : [];
    list.forEach((p, i) => {
      const name = isRecord(p) ? String(p.name) : String(p);
      notes.warn(
        "IMPORT_POLICY_DROPPED",
        pointer(at, i),
        `the backend policy ${name} (another backend for requests matching its conditions) is not carried over: every request goes to the default backend`,
        `add an API for the requests ${name} matched (by path or method), with that backend`,
      );
    });
  },
  "x-apigateway-request-type": ignored("the request type (public or private)"),
  "x-apigateway-is-send-fg-body-base64": ignored("whether FunctionGraph receives the body in base64"),
  "x-apigateway-response": ignored("the gateway response set"),
  "x-amazon-apigateway-request-validator": (_v, at, notes) =>
    notes.info(
      "IMPORT_IGNORED",
      at,
      "the request validator is not carried over: crossgate does not validate request bodies or parameters",
      "validate requests in the backend",
    ),
  "x-amazon-apigateway-api-key-required": ignored("api-key-required (security decides auth)"),
  [AWS.authtype]: ignored("the authorization type (the security requirement decides auth)"),
};

/** Runs the handlers of the extensions `obj` carries; the keys it handled. */
export function noteExtensions(
  obj: Json,
  handlers: Readonly<Record<string, Handler>>,
  at: string,
  notes: Notes,
): Set<string> {
  const handled = new Set<string>();
  for (const [key, value] of Object.entries(obj)) {
    // A document's key: `__proto__` or `constructor` must not find Object's members.
    const handler = Object.hasOwn(handlers, key) ? handlers[key] : undefined;
    if (handler === undefined) continue;
    handler(value, pointer(at, key), notes);
    handled.add(key);
  }
  return handled;
}
