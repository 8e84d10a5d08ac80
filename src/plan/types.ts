import type { ApiRuntime } from "../config/snapshot.js";
import type { CorsDecision, CorsRequest } from "../cors/index.js";
import type { ErrorCode } from "../errors.js";
import type { SanitizedPath } from "../routing/path-tree.js";

/** Response headers by lowercase name, as node:http and undici both give them. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * What the request plan reads of a request: the CORS engine's view plus the target, the Host and a
 * header lookup. The gateway implements it over node:http's request (lazily); explain builds one from
 * the request a browser would send.
 */
export interface RequestView extends CorsRequest {
  /** The request target as received: the path and the query. */
  readonly target: string;
  /** The (first) Host header, or `:authority` on HTTP/2. */
  readonly host: string | undefined;
  /** Why the request is refused before its path is read: CONNECT, two Host headers, a foreign HTTP version. */
  protocolRefusal(): ErrorCode | undefined;
  /** A request header's first value, by lowercase name (the API key header). */
  header(name: string): string | undefined;
}

/**
 * What the gateway does with a request, decided by `planRequest` before anything is written or called.
 * The three kinds share one set of fields (one object shape on the hot path); the ones a kind does not
 * use are undefined.
 */
interface PlanFields {
  /** OPTIONS with Origin and a non-empty Access-Control-Request-Method. */
  readonly preflight: boolean;
  /** The API that serves the request (or whose rules refused it), if routing got that far. */
  readonly api: ApiRuntime | undefined;
  /** The CORS decision: its headers go on the response (allowed), or its Vary (refused). */
  readonly decision: CorsDecision | undefined;
}

/** The gateway answers with one of its JSON errors. */
export interface ErrorPlan extends PlanFields {
  readonly kind: "error";
  readonly code: ErrorCode;
  readonly message: string;
  /** `Allow` of a 405 for a method the path is not served for. */
  readonly allow: string | undefined;
  /** CORS refusals carry their message as the reason phrase too (webMethods' 403 "Specified Origin is not allowed"). */
  readonly reasonPhrase: string | undefined;
  readonly path: undefined;
  readonly query: undefined;
  readonly params: undefined;
  readonly remainder: undefined;
  readonly backendWins: undefined;
}

/** The gateway answers an allowed preflight itself (200, the decision's headers). */
export interface PreflightPlan extends PlanFields {
  readonly kind: "preflight";
  readonly code: undefined;
  readonly message: undefined;
  readonly allow: undefined;
  readonly reasonPhrase: undefined;
  readonly path: undefined;
  readonly query: undefined;
  readonly params: undefined;
  readonly remainder: undefined;
  readonly backendWins: undefined;
}

/** The API's backend answers; the decision's CORS headers are applied to its response. */
export interface ForwardPlan extends PlanFields {
  readonly kind: "forward";
  readonly api: ApiRuntime;
  readonly code: undefined;
  readonly message: undefined;
  readonly allow: undefined;
  readonly reasonPhrase: undefined;
  /** The normalized path: what was routed, and what the backend receives. */
  readonly path: SanitizedPath;
  /** The query string with its `?`, or "". */
  readonly query: string;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The path after the API's prefix (prefix APIs) or after the group's base path (exact APIs). */
  readonly remainder: string;
  /** The toggle and `backendCorsHeaders: keep`: a backend's own Access-Control-Allow-* headers win. */
  readonly backendWins: boolean;
}

export type Plan = ErrorPlan | PreflightPlan | ForwardPlan;
