/**
 * Every configuration problem code, with its severity and what it means: the one table the validator,
 * the CORS compiler, the loaders and the admin API draw from, mirrored by the "Problems" section of
 * docs/configuration.md (a test keeps the two equal). Errors refuse a configuration; warnings (lint)
 * are reported and the configuration is applied.
 */
export const PROBLEMS = {
  // Reading and parsing
  SYNTAX: {
    severity: "error",
    what: "the text does not parse as YAML or JSON, nests too deep, or is an alias bomb",
  },
  READ: { severity: "error", what: "the file cannot be read" },
  SCHEMA: { severity: "error", what: "a value of the wrong kind, out of range, missing or unknown" },
  // References and names
  DUPLICATE_NAME: { severity: "error", what: "two items of one kind with the same name" },
  NAME_MISMATCH: { severity: "error", what: "admin API: the body's name is not the URL's" },
  NAME_EXISTS: { severity: "error", what: "console preview: a new resource's name is taken" },
  REF_POLICY: { severity: "error", what: "a reference to a policy that does not exist" },
  REF_GROUP: { severity: "error", what: "a reference to a group that does not exist" },
  REF_API: { severity: "error", what: "a reference to an API that does not exist" },
  // Groups, APIs, backends, limits, applications
  GROUP_DOMAIN: { severity: "error", what: "a domain that is not a host name or *.host-name" },
  GROUP_BASE_PATH: { severity: "error", what: "a malformed base path" },
  API_PATH: { severity: "error", what: "a malformed API path" },
  API_CONFLICT: { severity: "error", what: "an API on the same method, route and hosts as another" },
  BACKEND_URL: { severity: "error", what: "an http backend URL that is not a plain http:// or https:// URL" },
  MOCK_HEADER: { severity: "error", what: "a mock header with a bad name or value, or one the gateway sets" },
  FUNCTION_MODULE_MISSING: { severity: "error", what: "a function backend's module file does not exist" },
  LIMITS: { severity: "error", what: "limits that contradict each other" },
  APP_KEY_DUPLICATE: { severity: "error", what: "one API key held by two applications" },
  // CORS policies (src/cors/compile.ts)
  CORS_WILDCARD_WITH_CREDENTIALS: {
    severity: "error",
    what: "'*' in origins, methods or headers with credentials",
  },
  CORS_NULL_ORIGIN: { severity: "error", what: "null listed as an origin" },
  CORS_ORIGIN_HAS_PATH: { severity: "error", what: "an origin with a path, query or user information" },
  CORS_ORIGIN_INVALID: { severity: "error", what: "a malformed origin" },
  CORS_WILDCARD_INVALID: { severity: "error", what: "a wildcard anywhere but right after the scheme" },
  CORS_WILDCARD_PUBLIC_SUFFIX: { severity: "error", what: "a wildcard over a public suffix" },
  CORS_PATTERN_INVALID: { severity: "error", what: "a pattern that is not a regular expression" },
  CORS_PATTERN_UNANCHORED: { severity: "error", what: "a pattern not anchored with ^ and $" },
  CORS_PATTERN_NOT_LINEAR: { severity: "error", what: "a pattern that needs backtracking or is too large" },
  CORS_NAME_INVALID: { severity: "error", what: "a method or header name that is not a token" },
  CORS_FORBIDDEN_METHOD: { severity: "error", what: "a forbidden method (CONNECT, TRACE, TRACK)" },
  CORS_FORBIDDEN_HEADER: { severity: "error", what: "a forbidden request-header name" },
  CORS_FORBIDDEN_EXPOSE_HEADER: { severity: "error", what: "Set-Cookie or Set-Cookie2 as an exposed header" },
  CORS_MAX_AGE_RANGE: { severity: "error", what: "maxAge outside 0 to 86400" },
  CORS_PRIVATE_NETWORK_ANY_ORIGIN: { severity: "error", what: "allowPrivateNetwork with '*'" },
  // HTTPS (src/config/validate-tls.ts, tls-material.ts): certificate problems are warnings while the
  // gateway listens on plain http, where the certificates are unused.
  TLS_NO_CERTIFICATE: { severity: "error", what: "https without any certificate" },
  TLS_CERTIFICATE_SOURCE: { severity: "error", what: "a certificate entry without exactly one source" },
  TLS_DEFAULT_DUPLICATE: { severity: "error", what: "more than one default certificate" },
  TLS_DOMAIN: { severity: "error", what: "a malformed server name" },
  TLS_DOMAIN_DUPLICATE: { severity: "error", what: "a server name two certificates claim" },
  TLS_CERT_MISSING: { severity: "error", what: "a certificate file that cannot be read" },
  TLS_KEY_MISSING: { severity: "error", what: "a key file that cannot be read" },
  TLS_STORED_MISSING: { severity: "error", what: "an uploaded certificate not in the store" },
  TLS_CERT_INVALID: { severity: "error", what: "a certificate that does not parse" },
  TLS_KEY_INVALID: { severity: "error", what: "a key that does not parse, or is encrypted" },
  TLS_KEY_MISMATCH: { severity: "error", what: "a key that is not the certificate's" },
  TLS_CERT_EXPIRED: { severity: "error", what: "an expired certificate" },
  TLS_NO_NAMES: { severity: "error", what: "a certificate naming no DNS name, not the default" },
  TLS_DOMAIN_UNCOVERED: { severity: "error", what: "a group domain no certificate answers" },
  LISTEN_REDIRECT: { severity: "error", what: "a redirect listener that cannot work" },
  BACKEND_TLS_PLAIN: { severity: "error", what: "backend tls settings on an http:// backend" },
  BACKEND_TLS_CA: { severity: "error", what: "a backend CA file missing or without a certificate" },
  // WebSockets (src/config/validate-websocket.ts)
  WEBSOCKET_BACKEND: { severity: "error", what: "websocket: true with a backend that cannot take upgrades" },
  WEBSOCKET_METHOD: { severity: "error", what: "websocket: true on an API whose method is not GET or ANY" },
  WEBSOCKET_ORIGINS_WITH_POLICY: { severity: "error", what: "websocketOrigins: any on an API with a policy" },
  // Lint: legal but risky
  LINT_TOGGLE_AND_POLICY: { severity: "warning", what: "an API with both cors: true and a policy" },
  LINT_NO_APP: { severity: "warning", what: "an auth: app API no application may call" },
  LINT_UNUSED_POLICY: { severity: "warning", what: "a policy bound to nothing" },
  LINT_DUPLICATE_KEY: { severity: "warning", what: "a key listed twice for one application" },
  LINT_DUPLICATE_NAME: { severity: "warning", what: "a method or header listed twice" },
  LINT_DUPLICATE_ORIGIN: { severity: "warning", what: "an origin listed twice" },
  LINT_ORIGIN_SCHEME: { severity: "warning", what: "an origin whose scheme is not http or https" },
  LINT_INSECURE_ORIGIN_WITH_CREDENTIALS: {
    severity: "warning",
    what: "a plain-http origin with credentials",
  },
  LINT_MAX_AGE_LONG: { severity: "warning", what: "maxAge above Chromium's 7200-second cap" },
  LINT_NO_ORIGINS: { severity: "warning", what: "a policy that lists no origin" },
  LINT_NULL_ORIGIN: { severity: "warning", what: "dangerouslyAllowNullOrigin" },
  LINT_PATTERN_LOOSE_DOT: { severity: "warning", what: "an unescaped '.' in a pattern" },
  LINT_REPORT_ONLY: { severity: "warning", what: "mode: report never blocks" },
  LINT_TLS_EXPIRES_SOON: { severity: "warning", what: "a certificate expiring within 14 days" },
  LINT_TLS_NOT_YET_VALID: { severity: "warning", what: "a certificate not valid yet" },
  LINT_TLS_CHAIN_ORDER: { severity: "warning", what: "a chain not ordered leaf first" },
  LINT_TLS_NAME_MISMATCH: { severity: "warning", what: "a domain the certificate does not name" },
  LINT_TLS_VERIFY_OFF: { severity: "warning", what: "a backend with certificate verification off" },
  LINT_TLS_CA_UNUSED: { severity: "warning", what: "a backend CA ignored because verification is off" },
  LINT_HSTS_PRELOAD: { severity: "warning", what: "preload without its requirements" },
  LINT_HSTS_PLAIN_HTTP: { severity: "warning", what: "hsts while the gateway is plain http" },
  LINT_WEBSOCKET_ANY_ORIGIN: { severity: "warning", what: "a WebSocket API open to every origin" },
  LINT_WEBSOCKET_NO_POLICY: { severity: "warning", what: "a WebSocket API whose handshakes are all refused" },
  LINT_WEBSOCKET_REPORT_MODE: { severity: "warning", what: "a WebSocket API whose policy only reports" },
  LINT_WEBSOCKET_NO_ORIGIN: { severity: "warning", what: "handshakes without Origin pass unauthenticated" },
  LINT_WEBSOCKET_ORIGINS_UNUSED: { severity: "warning", what: "websocketOrigins without websocket: true" },
} as const satisfies Record<string, { readonly severity: "error" | "warning"; readonly what: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/**
 * A configuration finding: an error refuses the configuration, a warning is reported but allowed.
 * Paths use the file's own shape, e.g. `corsPolicies[0].allowOrigins[2]`.
 */
export interface Problem {
  readonly severity: "error" | "warning";
  readonly code: ProblemCode;
  readonly path: string;
  readonly value?: unknown;
  readonly reason: string;
  /** SYNTAX problems: where in the text, 1-based (also written in `reason`). */
  readonly line?: number;
  readonly column?: number;
}

/** A problem of `code`, its severity from the table. */
export function problem(code: ProblemCode, path: string, value: unknown, reason: string): Problem {
  return { severity: PROBLEMS[code].severity, code, path, value, reason };
}

export function formatProblem(problem: Problem): string {
  const where = problem.path === "" ? "(root)" : problem.path;
  return `${where}: ${problem.reason}`;
}

/** Joins a parent path and a child key or index: `joinPath("apis", 3)` is `apis[3]`. */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === "number") return `${parent}[${child}]`;
  return parent === "" ? child : `${parent}.${child}`;
}

/** Re-roots problems found in a sub-document under `parent`. */
export function prefixProblems(parent: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({
    ...p,
    path: p.path === "" ? parent : p.path.startsWith("[") ? `${parent}${p.path}` : joinPath(parent, p.path),
  }));
}
