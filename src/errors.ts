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
