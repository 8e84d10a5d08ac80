/**
 * Every error the gateway itself answers with, each documented in docs/errors.md.
 * A denied CORS request is an ordinary decision of the engine; it becomes one of these
 * only when the gateway writes the refusal.
 */
export const ERRORS = {
  // Refused before routing (SPEC section 3, step 0): what is routed must be what the backend receives.
  PATH_MALFORMED: {
    status: 400,
    message: "The request path is malformed (a bad %XX escape, a fragment, or not a path)",
  },
  PATH_ABOVE_ROOT: { status: 400, message: "The request path climbs above / with '..'" },
  PATH_ENCODED_SLASH: {
    status: 400,
    message: "The request path holds an encoded slash or backslash (%2F, %5C)",
  },
  PATH_BACKSLASH: { status: 400, message: "The request path holds a backslash" },
  PATH_NUL: { status: 400, message: "The request path holds a NUL" },
  PATH_SEMICOLON: { status: 400, message: "The request path holds ';' parameters" },
  DUPLICATE_HOST: { status: 400, message: "The request has more than one Host header" },
  CONNECT_NOT_ALLOWED: { status: 405, message: "CONNECT is not supported: crossgate is not a forward proxy" },
  HTTP_VERSION_NOT_SUPPORTED: { status: 505, message: "HTTP Version Not Supported" },
  ROUTE_NOT_FOUND: { status: 404, message: "No API matches this request" },
  METHOD_NOT_ALLOWED: { status: 405, message: "Method Not Allowed" },
  CORS_ORIGIN_NOT_ALLOWED: { status: 403, message: "Specified Origin is not allowed" },
  CORS_METHOD_NOT_ALLOWED: { status: 405, message: "Method Not Allowed" },
  CORS_HEADER_NOT_SUPPORTED: { status: 403, message: "Header Not Supported" },
  CORS_PRIVATE_NETWORK_NOT_ALLOWED: { status: 403, message: "Private Network Access Not Allowed" },
  // WebSocket handshakes (src/gateway/websocket/, docs/cors.md#websockets).
  WEBSOCKET_NOT_ALLOWED: {
    status: 400,
    message: "This API does not accept WebSocket upgrades (the API must set websocket: true)",
  },
  WEBSOCKET_HANDSHAKE_INVALID: { status: 400, message: "The WebSocket handshake is malformed" },
  WEBSOCKET_VERSION_NOT_SUPPORTED: {
    status: 426,
    message: "Only WebSocket version 13 is supported (Sec-WebSocket-Version: 13)",
  },
  WEBSOCKET_ORIGIN_NOT_ALLOWED: {
    status: 403,
    message: "The WebSocket handshake's Origin is not allowed by the API's CORS policy",
  },
  AUTH_KEY_MISSING: { status: 401, message: "An API key is required" },
  AUTH_KEY_INVALID: { status: 401, message: "The API key is not valid" },
  AUTH_APP_NOT_AUTHORIZED: { status: 403, message: "The application is not authorized for this API" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "Request body too large" },
  BACKEND_UNREACHABLE: { status: 502, message: "The backend could not be reached" },
  BACKEND_ERROR: { status: 502, message: "The backend failed" },
  BACKEND_TLS: { status: 502, message: "The backend's TLS certificate could not be verified" },
  BACKEND_TIMEOUT: { status: 504, message: "The backend did not answer in time" },
  INTERNAL_ERROR: { status: 500, message: "Internal gateway error" },
  // HTTP/2 requests the listener refuses before routing (src/gateway/listeners/https.ts).
  HEADERS_TOO_LARGE: { status: 431, message: "The request's header fields are too large" },
  AUTHORITY_MISMATCH: { status: 400, message: "The Host header names another host than :authority" },
  CLIENT_CLOSED_REQUEST: { status: 499, message: "The client closed the request" },
  // The admin API (src/admin/, docs/admin-api.md).
  CONFIG_INVALID: { status: 400, message: "The configuration is invalid; nothing was applied" },
  ADMIN_BAD_REQUEST: { status: 400, message: "The request is malformed" },
  ADMIN_UNAUTHORIZED: {
    status: 401,
    message: "A valid admin token is required: Authorization: Bearer <token>",
  },
  ADMIN_NOT_FOUND: { status: 404, message: "Not found" },
  ADMIN_NAME_EXISTS: { status: 409, message: "A resource of this kind with this name already exists" },
  ADMIN_READ_ONLY: { status: 409, message: "The configuration is managed by a file and is read-only here" },
  STALE_REVISION: {
    status: 412,
    message: "The configuration changed since the revision named in If-Match; nothing was applied",
  },
  ADMIN_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: "Send application/json or application/yaml",
  },
  ADMIN_STORE_UNAVAILABLE: {
    status: 503,
    message: "The configuration store cannot be reached; nothing was applied",
  },
  GATEWAY_UNAVAILABLE: {
    status: 503,
    message: "The gateway listener of this node cannot be reached for a test request",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A failure the gateway answers with a JSON error: `{ error_code, error_msg, request_id }`. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. Allow on a 405. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(code: ErrorCode, message?: string, headers?: Record<string, string>) {
    super(message ?? ERRORS[code].message);
    this.name = "GatewayError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.headers = headers;
  }
}

/** The error a CORS refusal is answered with, by the engine's reason (webMethods' 403/405 table). */
export function corsRefusalCode(reason: string): ErrorCode {
  switch (reason) {
    case "METHOD_NOT_ALLOWED":
      return "CORS_METHOD_NOT_ALLOWED";
    case "HEADER_NOT_ALLOWED":
      return "CORS_HEADER_NOT_SUPPORTED";
    case "PRIVATE_NETWORK_NOT_ALLOWED":
      return "CORS_PRIVATE_NETWORK_NOT_ALLOWED";
    default:
      // ORIGIN_NOT_ALLOWED, ORIGIN_MALFORMED, NULL_ORIGIN_NOT_ALLOWED
      return "CORS_ORIGIN_NOT_ALLOWED";
  }
}

/**
 * The codes of `crossgate import` findings (`crossgate import --json`), each documented in
 * docs/errors.md. A finding is data, never an exception: it names the source path in the document,
 * what happened, and what the user should do.
 */
export const IMPORT_FINDINGS = {
  IMPORT_NOT_TRANSLATED: "a field or extension crossgate has no equivalent for: not carried over",
  IMPORT_IGNORED: "documentation, or a vendor setting with no effect on crossgate: ignored",
  IMPORT_DECISION: "a name, a default or a conversion import chose",
  IMPORT_MALFORMED: "a part of the document that is not what its specification says: skipped",
  IMPORT_BASE_PATH: "a stage or base path, and whether it was applied",
  IMPORT_HOST: "a server host, and whether it became a group domain",
  IMPORT_ROUTE_SKIPPED: "an operation that could not become an API",
  IMPORT_ROUTE_CHANGED: "an API path or match that differs from the document's path",
  IMPORT_OPTIONS_ROUTE: "an OPTIONS method or route that became a CORS policy, or was not imported",
  IMPORT_PREFLIGHT_TO_BACKEND: "an OPTIONS API added so that preflights still reach the backend",
  IMPORT_CORS_POLICY: "a CORS policy created from the document, and what it is bound to",
  IMPORT_CORS_IGNORED: "a CORS configuration the vendor itself does not apply there: ignored",
  IMPORT_CORS_NARROWED: "a CORS value crossgate refuses, imported as what browsers actually allowed",
  IMPORT_CORS_WIDENED: "a CORS value that never worked in browsers, imported as its evident intent",
  IMPORT_CORS_TEMPLATE: "a mapping template that computes CORS headers and was not recognized",
  IMPORT_CORS_HEADER_DROPPED: "a non-CORS header of an OPTIONS mock, dropped with it",
  IMPORT_GATEWAY_RESPONSE: "CORS headers on the vendor's own error responses, compared with the policies",
  IMPORT_FUNCTION_STUB: "a Lambda or FunctionGraph function: a function backend with a stub module",
  IMPORT_BACKEND_PLACEHOLDER: "a backend address only the vendor can resolve: a placeholder URL",
  IMPORT_BACKEND_APPROXIMATED: "a backend translated with a different path, method or mapping",
  IMPORT_BACKEND_UNSUPPORTED: "a backend crossgate cannot run: a mock answering 501",
  IMPORT_AUTH_CLOSED: "authentication crossgate cannot check: auth: app, so the API stays closed",
  IMPORT_AUTH_CHANGED: "authentication that becomes crossgate's API keys: clients change",
  IMPORT_POLICY_DROPPED: "a throttling, access-control, backend policy or plug-in: not carried over",
} as const;

export type ImportFindingCode = keyof typeof IMPORT_FINDINGS;
