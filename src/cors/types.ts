/** A CORS policy as configured: the shape of one `corsPolicies[]` entry (see src/config/schema.ts). */
export interface CorsPolicyInput {
  readonly name: string;
  readonly description?: string;
  readonly allowOrigins?: readonly string[];
  readonly allowOriginPatterns?: readonly string[];
  readonly allowMethods?: readonly string[];
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly allowCredentials?: boolean;
  readonly maxAge?: number;
  readonly allowPrivateNetwork?: boolean;
  readonly onDisallowedOrigin?: "reject" | "omit";
  readonly mode?: "enforce" | "report";
  readonly backendCorsHeaders?: "override" | "keep";
  readonly timingAllowOrigins?: readonly string[];
  readonly dangerouslyAllowNullOrigin?: boolean;
}

/** An origin that counts for a policy without being written in it: an application's JavaScript origin. */
export interface AdditionalOrigin {
  readonly origin: string;
  /** Who contributed it, for explain: `app storefront`. */
  readonly source: string;
}

/** The small view of a request that the engine decides on. No I/O types, no node:http. */
export interface CorsRequest {
  readonly method: string;
  readonly origin: string | undefined;
  readonly accessControlRequestMethod: string | undefined;
  /** The raw `Access-Control-Request-Headers` value (several lines joined with ", "). */
  readonly accessControlRequestHeaders: string | undefined;
  readonly accessControlRequestPrivateNetwork: boolean;
  /** The gateway's own origin for this request (`http://` + Host); equal Origins are same-origin. */
  readonly selfOrigin?: string | undefined;
}

export type CorsReason =
  | "NOT_CORS"
  | "SAME_ORIGIN"
  | "ORIGIN_ALLOWED"
  | "ANY_ORIGIN"
  | "PERMISSIVE_TOGGLE"
  | "ORIGIN_NOT_ALLOWED"
  | "ORIGIN_MALFORMED"
  | "NULL_ORIGIN_NOT_ALLOWED"
  | "METHOD_NOT_ALLOWED"
  | "HEADER_NOT_ALLOWED"
  | "PRIVATE_NETWORK_NOT_ALLOWED";

export type TraceVerdict = "pass" | "fail" | "skip" | "info";

export interface TraceStep {
  readonly check: string;
  readonly verdict: TraceVerdict;
  readonly detail: string;
}

export type HeaderPair = readonly [name: string, value: string];

export interface CorsDecision {
  /** True when the request is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method). */
  readonly preflight: boolean;
  /** False when the gateway must refuse: `status` then says how (403 or 405). */
  readonly allowed: boolean;
  readonly reason: CorsReason;
  /** For refusals: 403 or 405. For allowed preflights: 200. For allowed actual requests: 0 (the backend answers). */
  readonly status: number;
  /** The CORS response headers to set, lowercase names, each at most once. */
  readonly headers: readonly HeaderPair[];
  /** Vary tokens to merge into the response's Vary, already joined: `Origin` or "". */
  readonly vary: string;
  /** In report mode, what enforce mode would have decided; the request itself is let through. */
  readonly wouldReject?: CorsReason;
  /** The request headers that failed the check, for explain and error messages. */
  readonly detail?: string;
}
