import { type Static, Type as T } from "@sinclair/typebox";
import { MAX_AGE_RANGE_REASON, MAX_MAX_AGE } from "../cors/compile.js";
import { TOKEN_PATTERN } from "../cors/methods.js";

/**
 * The configuration model, once, in TypeBox: it gives the TypeScript types, validates the
 * file, the admin API and the store alike, and is published as JSON Schema (schema/).
 * Field names follow ../SPEC.md section 2. Cross-references and CORS rules are checked in validate.ts.
 */

const Name = T.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
  description: "A name: letters, digits, '.', '_' and '-', at most 64 characters, unique within its kind.",
  errorMessage:
    "must be a name of letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)",
});
const Description = T.String({ maxLength: 1024 });
const HostPort = T.String({
  pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
  description: "host:port, e.g. 127.0.0.1:8080 or [::1]:8080; port 0 picks a free port.",
  errorMessage: "must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080",
});
const GatewayListen = T.String({
  pattern: "^(https?://)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
  description:
    "host:port for plain HTTP, or https://host:port for TLS with HTTP/2 and HTTP/1.1 on one port (tls.certificates); port 0 picks a free port.",
  errorMessage: "must be host:port or https://host:port, e.g. 127.0.0.1:8080 or https://0.0.0.0:8443",
});
const HeaderMap = T.Record(T.String(), T.String(), { description: "Response headers, name to value." });
const TimeoutMs = T.Integer({ minimum: 1, maximum: 3_600_000 });

export const MethodSchema = T.Union(
  ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"].map((m) => T.Literal(m)),
  { description: "The API's method; ANY matches every method not claimed by a more specific API." },
);

export const ListenSchema = T.Object(
  {
    gateway: T.Optional(GatewayListen),
    admin: T.Optional(HostPort),
    redirect: T.Optional(
      T.String({
        pattern: "^(http://)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
        description:
          "A plain-HTTP listener answering every request with 308 to the same URL on the https:// gateway.",
        errorMessage: "must be host:port, e.g. 0.0.0.0:8080",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      "Where to listen. admin: the admin API (store mode: default 127.0.0.1:9876; file mode: only when set, read-only).",
  },
);

export const LimitsSchema = T.Object(
  {
    maxHeaderBytes: T.Optional(
      T.Integer({
        minimum: 1024,
        maximum: 1_048_576,
        description:
          "Largest request head (request line and headers) in bytes; larger gets 431 (default 16384; read at start).",
      }),
    ),
    maxBodyBytes: T.Optional(
      T.Integer({
        minimum: 0,
        maximum: 1_073_741_824,
        description:
          "Largest request body for mock and function backends; larger gets 413 (default 10485760).",
      }),
    ),
    requestTimeoutMs: T.Optional(
      T.Integer({
        minimum: 1000,
        maximum: 3_600_000,
        description: "Time to receive a whole request; then 408 (default 60000).",
      }),
    ),
    headersTimeoutMs: T.Optional(
      T.Integer({
        minimum: 1000,
        maximum: 600_000,
        description: "Time to receive the request head, against slow clients; then 408 (default 10000).",
      }),
    ),
    keepAliveTimeoutMs: T.Optional(
      T.Integer({
        minimum: 100,
        maximum: 600_000,
        description: "Idle time before a keep-alive connection is closed (default 5000).",
      }),
    ),
    maxConcurrentStreams: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 10_000,
        description: "HTTP/2: streams (requests) one connection may have open at once (default 128).",
      }),
    ),
    shutdownTimeoutMs: T.Optional(
      T.Integer({
        minimum: 0,
        maximum: 600_000,
        description:
          "On SIGTERM, how long requests in flight may take to finish before connections are cut (default 10000).",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Limits that protect the gateway; every one has a safe default.",
  },
);

export const PathSettingsSchema = T.Object(
  {
    semicolons: T.Optional(
      T.Union([T.Literal("refuse"), T.Literal("keep")], {
        description:
          "A raw ';' in the request path: refuse (400 PATH_SEMICOLON, the default: servers such as Tomcat strip ';' parameters after routing) or keep it as an ordinary path character.",
      }),
    ),
    encodedSlashes: T.Optional(
      T.Union([T.Literal("refuse"), T.Literal("keep")], {
        description:
          "An encoded slash or backslash (%2F, %5C) in the request path: refuse (400 PATH_ENCODED_SLASH, the default) or keep it encoded inside its segment.",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      "How request paths that some servers read differently are treated. Paths are always normalized (RFC 3986) before routing, and the normalized path is what the backend receives.",
  },
);

export const GatewaySettingsSchema = T.Object(
  {
    paths: T.Optional(PathSettingsSchema),
    serverTiming: T.Optional(
      T.Boolean({ description: "Send Server-Timing: gateway;dur=..., upstream;dur=... (default true)." }),
    ),
    apiKeyHeader: T.Optional(
      T.String({
        pattern: TOKEN_PATTERN,
        description: "The API key request header (default X-Api-Key).",
        errorMessage: "must be a header name: letters, digits and !#$%&'*+-.^_`|~, no spaces",
      }),
    ),
    limits: T.Optional(LimitsSchema),
  },
  { additionalProperties: false, description: "Gateway-wide settings." },
);

export const GroupSchema = T.Object(
  {
    name: Name,
    description: T.Optional(Description),
    domains: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 253 }), {
        description:
          "Host names this group serves (case-insensitive, port ignored); '*.example.com' for subdomains. None: any Host.",
      }),
    ),
    basePath: T.Optional(
      T.String({
        pattern: "^/",
        description: "A path prefix for every API of the group, e.g. /v1.",
        errorMessage: "must start with '/', e.g. /v1",
      }),
    ),
    corsPolicy: T.Optional(T.String({ description: "The default CORS policy of the group's APIs." })),
    hsts: T.Optional(
      T.Object(
        {
          maxAge: T.Integer({
            minimum: 0,
            maximum: 63_072_000,
            description:
              "Seconds browsers keep to https only (0 clears a previous policy); 31536000 is a year.",
          }),
          includeSubDomains: T.Optional(T.Boolean({ description: "The policy covers every subdomain too." })),
          preload: T.Optional(
            T.Boolean({
              description: "Ask for the browsers' preload list (needs includeSubDomains and a year).",
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "Strict-Transport-Security on the group's https responses (never on plain http), by the request's host.",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CorsPolicySchema = T.Object(
  {
    name: Name,
    description: T.Optional(Description),
    allowOrigins: T.Optional(
      T.Array(T.String(), {
        description:
          "Exact origins (scheme://host[:port]), 'https://*.example.com' wildcards, or '*' for any origin.",
      }),
    ),
    allowOriginPatterns: T.Optional(
      T.Array(T.String(), {
        description: "Regular expressions over the normalized origin, anchored with ^ and $.",
      }),
    ),
    allowMethods: T.Optional(
      T.Array(T.String(), { description: "Allowed methods (default GET, HEAD, POST); '*' for any." }),
    ),
    allowHeaders: T.Optional(
      T.Array(T.String(), { description: "Allowed request headers; '*' for any except Authorization." }),
    ),
    exposeHeaders: T.Optional(T.Array(T.String(), { description: "Response headers the page may read." })),
    allowCredentials: T.Optional(T.Boolean({ description: "Send Access-Control-Allow-Credentials: true." })),
    maxAge: T.Optional(
      T.Integer({
        minimum: 0,
        maximum: MAX_MAX_AGE,
        description: "Seconds a browser may cache the preflight, 0 to 86400.",
        errorMessage: MAX_AGE_RANGE_REASON,
        problemCode: "CORS_MAX_AGE_RANGE",
      }),
    ),
    allowPrivateNetwork: T.Optional(
      T.Boolean({
        description: "Answer Private Network Access preflights with Access-Control-Allow-Private-Network.",
      }),
    ),
    onDisallowedOrigin: T.Optional(
      T.Union([T.Literal("reject"), T.Literal("omit")], {
        description: "reject: 403 (default); omit: no CORS headers and the request proceeds.",
      }),
    ),
    mode: T.Optional(
      T.Union([T.Literal("enforce"), T.Literal("report")], {
        description: "enforce (default), or report: decide, log and count, but never block.",
      }),
    ),
    backendCorsHeaders: T.Optional(
      T.Union([T.Literal("override"), T.Literal("keep")], {
        description:
          "override (default): the policy replaces a backend's Access-Control-* headers; keep: the backend's win.",
      }),
    ),
    timingAllowOrigins: T.Optional(
      T.Array(T.String(), {
        description: "Origins that may read Server-Timing, sent as Timing-Allow-Origin; '*' for any.",
      }),
    ),
    dangerouslyAllowNullOrigin: T.Optional(
      T.Boolean({ description: "Admit the 'null' origin (sandboxed iframes, file: pages). Risky." }),
    ),
  },
  { additionalProperties: false },
);

export const MockBackendSchema = T.Object(
  {
    type: T.Literal("mock"),
    status: T.Optional(T.Integer({ minimum: 100, maximum: 599 })),
    headers: T.Optional(HeaderMap),
    body: T.Optional(T.String()),
  },
  { additionalProperties: false, description: "A static response." },
);

export const BackendTlsSchema = T.Object(
  {
    ca: T.Optional(
      T.String({
        minLength: 1,
        description:
          "PEM file of the certificate authorities to trust for this backend (a private CA), instead of the system's; relative to the configuration file.",
      }),
    ),
    verify: T.Optional(
      T.Boolean({
        description:
          "Verify the backend's certificate and name (default true). false is a lint warning: anyone on the path can impersonate the backend.",
      }),
    ),
    serverName: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 253,
        description:
          "The name sent by SNI and checked against the certificate, when the URL's host is an address or another name.",
      }),
    ),
  },
  { additionalProperties: false, description: "How an https:// backend's certificate is checked." },
);

export const HttpBackendSchema = T.Object(
  {
    type: T.Literal("http"),
    url: T.String({
      description:
        "http:// or https:// URL; its path is the base the request's remaining path is appended to.",
    }),
    timeoutMs: T.Optional(TimeoutMs),
    connectTimeoutMs: T.Optional(
      T.Integer({ minimum: 1, maximum: 3_600_000, description: "Time to open a connection (default 5000)." }),
    ),
    headersTimeoutMs: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 3_600_000,
        description: "Time from sending the request to the response headers (default timeoutMs).",
      }),
    ),
    tls: T.Optional(BackendTlsSchema),
  },
  { additionalProperties: false, description: "Proxy to an HTTP service." },
);

export const FunctionBackendSchema = T.Object(
  {
    type: T.Literal("function"),
    module: T.String({
      minLength: 1,
      description: "An ES module exporting handler(event), relative to the config file.",
    }),
    timeoutMs: T.Optional(TimeoutMs),
    maxBodyBytes: T.Optional(
      T.Integer({
        minimum: 0,
        maximum: 1_073_741_824,
        description:
          "Largest request body passed to the handler; larger is 413 (default 6 MiB, like Lambda).",
      }),
    ),
  },
  { additionalProperties: false, description: "A JavaScript handler, like a Lambda proxy integration." },
);

export const BackendSchema = T.Union([HttpBackendSchema, MockBackendSchema, FunctionBackendSchema]);

export const ApiSchema = T.Object(
  {
    name: Name,
    description: T.Optional(Description),
    group: T.Optional(T.String({ description: "The group; none: served on any Host without a base path." })),
    method: MethodSchema,
    path: T.String({
      pattern: "^/",
      description: "The path: literal segments, {param} segments and a final {rest+}, e.g. /users/{id}.",
      errorMessage: "must start with '/', e.g. /users/{id}",
    }),
    match: T.Optional(
      T.Union([T.Literal("exact"), T.Literal("prefix")], { description: "exact (default) or prefix." }),
    ),
    auth: T.Optional(
      T.Union([T.Literal("none"), T.Literal("app")], { description: "none (default) or app: API keys." }),
    ),
    cors: T.Optional(
      T.Boolean({ description: "The CORS toggle: the permissive profile (Access-Control-Allow-Origin: *)." }),
    ),
    corsPolicy: T.Optional(T.String({ description: "A CORS policy by name; wins over the toggle." })),
    websocket: T.Optional(
      T.Boolean({
        description:
          "Carry WebSocket upgrades to the http backend (default false). The handshake's Origin is checked first: see websocketOrigins.",
      }),
    ),
    websocketOrigins: T.Optional(
      T.Union([T.Literal("policy"), T.Literal("any")], {
        description:
          "Which WebSocket handshakes are proxied: policy (default): those whose Origin the API's CORS policy allows (cors: true is not enough); any: every Origin, for an API without a CORS policy. Browsers apply no CORS to WebSockets: this check is what stops Cross-Site WebSocket Hijacking.",
      }),
    ),
    backend: BackendSchema,
  },
  { additionalProperties: false },
);

export const AppSchema = T.Object(
  {
    name: Name,
    description: T.Optional(Description),
    keys: T.Optional(
      T.Array(T.String({ minLength: 16, maxLength: 256 }), {
        description: "API keys in clear (kept in memory only as hashes).",
      }),
    ),
    keyHashes: T.Optional(
      T.Array(T.String({ pattern: "^sha256:[0-9a-f]{64}$" }), {
        description: "API keys as sha256:<hex> hashes.",
      }),
    ),
    javascriptOrigins: T.Optional(
      T.Array(T.String(), {
        description: "Origins allowed by every CORS policy of the APIs this application may call.",
      }),
    ),
    apis: T.Optional(T.Array(T.String(), { description: "The APIs this application is authorized for." })),
  },
  { additionalProperties: false },
);

export const TlsCertificateSchema = T.Object(
  {
    name: T.Optional(Name),
    domains: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 253 }), {
        description:
          "Server names (SNI) this certificate answers: exact names or '*.example.com' (one label). Default: the DNS names in the certificate.",
      }),
    ),
    default: T.Optional(
      T.Boolean({
        description:
          "The certificate for clients that send no server name, or a name no other certificate lists (at most one).",
      }),
    ),
    cert: T.Optional(
      T.String({
        minLength: 1,
        description:
          "PEM file: the certificate, then its intermediates; relative to the configuration file. Watched: a new file is used by new connections.",
      }),
    ),
    key: T.Optional(
      T.String({ minLength: 1, description: "PEM file of the certificate's unencrypted private key." }),
    ),
    stored: T.Optional(
      T.String({
        pattern: "^sha256:[0-9a-f]{64}$",
        description:
          "Store mode: a certificate and key uploaded through /admin/v1/certificates (written by the admin API).",
        errorMessage: "must be sha256: and 64 lowercase hex digits, as the admin API writes it",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "A certificate and key, from files (cert, key) or the store (stored).",
  },
);

export const TlsSchema = T.Object(
  {
    certificates: T.Optional(
      T.Array(TlsCertificateSchema, {
        description:
          "Certificates chosen by the client's server name (SNI); used when listen.gateway is https://.",
      }),
    ),
    minVersion: T.Optional(
      T.Union([T.Literal("TLSv1.2"), T.Literal("TLSv1.3")], {
        description:
          "The oldest TLS version accepted (default TLSv1.2; TLS 1.3 is preferred when both sides have it).",
      }),
    ),
  },
  { additionalProperties: false, description: "TLS for an https:// gateway listener." },
);

export const ConfigSchema = T.Object(
  {
    $schema: T.Optional(T.String()),
    listen: T.Optional(ListenSchema),
    tls: T.Optional(TlsSchema),
    gateway: T.Optional(GatewaySettingsSchema),
    groups: T.Optional(T.Array(GroupSchema)),
    corsPolicies: T.Optional(T.Array(CorsPolicySchema)),
    apis: T.Optional(T.Array(ApiSchema)),
    apps: T.Optional(T.Array(AppSchema)),
  },
  {
    additionalProperties: false,
    $id: "https://crossgate.dev/schema/config.json",
    title: "crossgate configuration",
  },
);

export type Config = Static<typeof ConfigSchema>;
export type GroupConfig = Static<typeof GroupSchema>;
export type CorsPolicyConfig = Static<typeof CorsPolicySchema>;
export type ApiConfig = Static<typeof ApiSchema>;
export type AppConfig = Static<typeof AppSchema>;
export type BackendConfig = Static<typeof BackendSchema>;
export type HttpBackendConfig = Static<typeof HttpBackendSchema>;
export type MockBackendConfig = Static<typeof MockBackendSchema>;
export type FunctionBackendConfig = Static<typeof FunctionBackendSchema>;
export type ApiMethod = ApiConfig["method"];
export type LimitsConfig = Static<typeof LimitsSchema>;
export type TlsConfig = Static<typeof TlsSchema>;
export type TlsCertificateConfig = Static<typeof TlsCertificateSchema>;
export type BackendTlsConfig = Static<typeof BackendTlsSchema>;
export type HstsConfig = NonNullable<GroupConfig["hsts"]>;
