import type { OriginMatcher } from "./origin-matcher.js";
import type { CorsPolicyInput, HeaderPair } from "./types.js";

/**
 * A policy ready for the hot path: every response header string is joined once, here,
 * so that deciding a request allocates at most the array it returns.
 */
export interface CompiledPolicy {
  readonly kind: "policy";
  readonly name: string;
  readonly origins: OriginMatcher;
  /** `*` in allowOrigins with credentials off: Access-Control-Allow-Origin is the constant `*`. */
  readonly anyOriginConstant: boolean;
  readonly methods: ReadonlySet<string>;
  readonly anyMethod: boolean;
  /** Lowercase allowed request header names. */
  readonly headers: ReadonlySet<string>;
  readonly anyHeader: boolean;
  readonly credentials: boolean;
  readonly privateNetwork: boolean;
  readonly onDisallowedOrigin: "reject" | "omit";
  readonly reportOnly: boolean;
  readonly backendCorsHeaders: "override" | "keep";
  readonly timingAllowAny: boolean;
  readonly timingAllowOrigins: ReadonlySet<string>;
  /** Preflight headers that follow Access-Control-Allow-Origin (methods, headers, max age, credentials). */
  readonly preflightTail: readonly HeaderPair[];
  /** Actual-response headers that follow Access-Control-Allow-Origin (credentials, expose headers). */
  readonly actualTail: readonly HeaderPair[];
  /** Complete actual-response headers when the origin is the constant `*`. */
  readonly actualAnyHeaders: readonly HeaderPair[];
  readonly allowMethodsValue: string;
  readonly allowHeadersValue: string;
  readonly actualVary: string;
  readonly preflightVary: string;
  /** The normalized configuration this policy was compiled from: compiling it again gives this policy. */
  readonly source: CorsPolicyInput;
}
