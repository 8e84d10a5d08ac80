/**
 * The admin API client. The token lives in this module's memory only (never localStorage, never a
 * cookie): a reload signs out. Every call sends it as a bearer header.
 */

export interface Problem {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly path: string;
  readonly value?: unknown;
  readonly reason: string;
  readonly line?: number;
  readonly column?: number;
}

/** A refusal of the admin API: `{ error_code, error_msg, problems?, current? }`, or no answer at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: readonly Problem[];
  /** STALE_REVISION: the head revision. */
  readonly current: number | undefined;
  readonly requestId: string | undefined;

  constructor(status: number, code: string, message: string, body?: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.problems = Array.isArray(body?.problems) ? (body.problems as Problem[]) : [];
    this.current = typeof body?.current === "number" ? body.current : undefined;
    this.requestId = typeof body?.request_id === "string" ? body.request_id : undefined;
  }
}

let token: string | null = null;
const listeners = new Set<() => void>();

export function setToken(value: string | null): void {
  token = value;
  for (const l of listeners) l();
}

export function getToken(): string | null {
  return token;
}

export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface Answer<T> {
  readonly data: T;
  /** The revision in the ETag, when the answer has one. */
  readonly revision: number | undefined;
}

export interface CallOptions {
  readonly method?: string;
  readonly body?: unknown;
  /** Sent as text with this content type instead of JSON. */
  readonly text?: { readonly body: string; readonly type: string };
  readonly ifMatch?: number;
  readonly accept?: string;
  /** A token to try instead of the stored one (sign in). */
  readonly token?: string;
}

function revisionOf(etag: string | null): number | undefined {
  const m = etag === null ? null : /"?(\d+)"?/.exec(etag);
  return m ? Number(m[1]) : undefined;
}

/** Calls the admin API at `path` (under /admin/v1); throws ApiError for refusals and lost connections. */
export async function call<T>(path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { "x-crossgate-actor": "console" };
  const bearer = options.token ?? token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  if (options.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
  if (options.accept) headers.accept = options.accept;
  let body: string | undefined;
  if (options.text) {
    body = options.text.body;
    headers["content-type"] = options.text.type;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(`/admin/v1${path}`, {
      method: options.method ?? "GET",
      headers,
      body,
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "NETWORK", "The admin API cannot be reached: is crossgate running?");
  }
  const text = await res.text();
  let json: unknown;
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  if (isJson && text !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const b = (json ?? {}) as Record<string, unknown>;
    throw new ApiError(
      res.status,
      typeof b.error_code === "string" ? b.error_code : `HTTP_${res.status}`,
      typeof b.error_msg === "string" ? b.error_msg : `${res.status} ${res.statusText}`,
      b,
    );
  }
  return { data: (isJson ? json : text) as T, revision: revisionOf(res.headers.get("etag")) };
}

/**
 * Saves an editor's draft: created in `collection` (POST) when `replaces` is undefined, else put in
 * place of the resource of that name, guarded by the revision it was read at (a 412 when it moved on).
 */
export function saveResource<T>(
  collection: string,
  draft: unknown,
  replaces: string | undefined,
  revision: number | undefined,
): Promise<Answer<T>> {
  if (replaces === undefined) return call<T>(collection, { method: "POST", body: draft });
  return call<T>(`${collection}/${encodeURIComponent(replaces)}`, {
    method: "PUT",
    body: draft,
    ...(revision !== undefined ? { ifMatch: revision } : {}),
  });
}
