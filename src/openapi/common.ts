/**
 * Small helpers shared by the OpenAPI importer and exporter: JSON pointers, names, and the
 * crossgate extensions (`x-crossgate-*`) that let a configuration survive export and import.
 */

/** `pointer("", "paths", "/pets/{id}", "get")` is `/paths/~1pets~1{id}/get`. */
export function pointer(base: string, ...tokens: readonly (string | number)[]): string {
  let out = base;
  for (const t of tokens) out += `/${String(t).replaceAll("~", "~0").replaceAll("/", "~1")}`;
  return out;
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A configuration name: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Lowercase slug usable as a name: `"Pet Store (v2)"` is `pet-store-v2`; empty when nothing is left. */
export function slugify(text: string, max = 64): string {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, max)
    .replace(/[-._]+$/, "");
}

/** Keeps case but replaces what a name cannot hold: `"pets.list all"` is `pets.list-all`. */
export function sanitizeName(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 64)
    .replace(/[-._]+$/, "");
}

/** Hands out unique names: `take("x")` then `take("x")` gives `x` and `x-2`. */
export class NameRegistry {
  readonly #used = new Set<string>();
  has(name: string): boolean {
    return this.#used.has(name);
  }
  take(wanted: string): string {
    if (!this.#used.has(wanted)) {
      this.#used.add(wanted);
      return wanted;
    }
    for (let n = 2; ; n++) {
      const suffix = `-${n}`;
      const candidate = `${wanted.slice(0, 64 - suffix.length)}${suffix}`;
      if (!this.#used.has(candidate)) {
        this.#used.add(candidate);
        return candidate;
      }
    }
  }
}

/** The crossgate extensions written by `crossgate export` and honoured by `crossgate import`. */
export const X = {
  /** Root: the configuration's groups, whole. */
  groups: "x-crossgate-groups",
  /** Root: every CORS policy, whole (also those bound to nothing). */
  corsPolicies: "x-crossgate-cors-policies",
  /** Root: the `gateway` settings other than the API key header (which the security scheme carries). */
  gateway: "x-crossgate-gateway",
  /** Operation: the API's group name. */
  group: "x-crossgate-group",
  /** Operation: `prefix` when the API matches its path and everything below it. */
  match: "x-crossgate-match",
  /** Operation: the CORS rules that apply to the API. */
  cors: "x-crossgate-cors",
  /** Operation: a function backend, which no OpenAPI integration can express. */
  function: "x-crossgate-function",
  /** Operation: http backend settings that `x-amazon-apigateway-integration` has no field for. */
  http: "x-crossgate-http",
} as const;

export const AWS = {
  integration: "x-amazon-apigateway-integration",
  anyMethod: "x-amazon-apigateway-any-method",
  cors: "x-amazon-apigateway-cors",
  apiKeySource: "x-amazon-apigateway-api-key-source",
  authtype: "x-amazon-apigateway-authtype",
  authorizer: "x-amazon-apigateway-authorizer",
  gatewayResponses: "x-amazon-apigateway-gateway-responses",
  integrations: "x-amazon-apigateway-integrations",
  importExportVersion: "x-amazon-apigateway-importexport-version",
} as const;

export const HUAWEI = {
  anyMethod: "x-apigateway-any-method",
  cors: "x-apigateway-cors",
  backend: "x-apigateway-backend",
  matchMode: "x-apigateway-match-mode",
  authType: "x-apigateway-auth-type",
  plugins: "x-apigateway-plugins",
  ratelimit: "x-apigateway-ratelimit",
  ratelimits: "x-apigateway-ratelimits",
  accessControl: "x-apigateway-access-control",
  accessControls: "x-apigateway-access-controls",
  backendPolicies: "x-apigateway-backend-policies",
} as const;

/**
 * OpenAPI operation keys and the crossgate method each one becomes. Looked up with a document's keys:
 * no prototype, so that `constructor` or `__proto__` in a path item is no operation.
 */
export const OPERATION_KEYS: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  get: "GET",
  put: "PUT",
  post: "POST",
  delete: "DELETE",
  options: "OPTIONS",
  head: "HEAD",
  patch: "PATCH",
  trace: "TRACE",
  [AWS.anyMethod]: "ANY",
  [HUAWEI.anyMethod]: "ANY",
});

/** A static value of an Amazon mapping: `'*'` is `*`; anything else (a request or context reference) is null. */
export function staticMappingValue(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const m = /^'(.*)'$/s.exec(value);
  return m ? (m[1] as string) : null;
}

/** A comma-separated header value as a list: `"GET, POST,"` is `[GET, POST]`. */
export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
