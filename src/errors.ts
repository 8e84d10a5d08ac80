/**
 * Every error the gateway itself answers with, each documented in docs/errors.md.
 * A denied CORS request is an ordinary decision of the engine; it becomes one of these
 * only when the gateway writes the refusal.
 */
export const ERRORS = {
  ROUTE_NOT_FOUND: { status: 404, message: "No API matches this request" },
  METHOD_NOT_ALLOWED: { status: 405, message: "Method Not Allowed" },
  CORS_ORIGIN_NOT_ALLOWED: { status: 403, message: "Specified Origin is not allowed" },
  CORS_METHOD_NOT_ALLOWED: { status: 405, message: "Method Not Allowed" },
  CORS_HEADER_NOT_SUPPORTED: { status: 403, message: "Header Not Supported" },
  CORS_PRIVATE_NETWORK_NOT_ALLOWED: { status: 403, message: "Private Network Access Not Allowed" },
  AUTH_KEY_MISSING: { status: 401, message: "An API key is required" },
  AUTH_KEY_INVALID: { status: 401, message: "The API key is not valid" },
  AUTH_APP_NOT_AUTHORIZED: { status: 403, message: "The application is not authorized for this API" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "Request body too large" },
  BACKEND_UNREACHABLE: { status: 502, message: "The backend could not be reached" },
  BACKEND_ERROR: { status: 502, message: "The backend failed" },
  BACKEND_TIMEOUT: { status: 504, message: "The backend did not answer in time" },
  INTERNAL_ERROR: { status: 500, message: "Internal gateway error" },
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
