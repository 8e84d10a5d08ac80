import type { Api, Backend, Method } from "../api/types";

/** The API editor's form model; maps back to a deep-equal API when left alone (no-op saves are recognised). */
export interface ApiForm {
  name: string;
  description: string;
  group: string;
  method: Method;
  path: string;
  match: "exact" | "prefix";
  auth: "none" | "app";
  cors: boolean;
  corsPolicy: string;
  backendType: Backend["type"];
  status: number | undefined;
  body: string;
  headers: string[];
  url: string;
  module: string;
}

export function formOf(api: Api | undefined): ApiForm {
  const b = api?.backend;
  return {
    name: api?.name ?? "",
    description: api?.description ?? "",
    group: api?.group ?? "",
    method: api?.method ?? "GET",
    path: api?.path ?? "/",
    match: api?.match ?? "exact",
    auth: api?.auth ?? "none",
    cors: api?.cors ?? false,
    corsPolicy: api?.corsPolicy ?? "",
    backendType: b?.type ?? "mock",
    status: b?.type === "mock" ? b.status : 200,
    body: b?.type === "mock" ? (b.body ?? "") : "",
    headers: b?.type === "mock" ? Object.entries(b.headers ?? {}).map(([k, v]) => `${k}: ${v}`) : [],
    url: b?.type === "http" ? b.url : "",
    module: b?.type === "function" ? b.module : "",
  };
}

function headerMap(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

function backendOf(form: ApiForm, base: Backend | undefined): Backend {
  const same = base?.type === form.backendType ? base : undefined;
  if (form.backendType === "mock") {
    const b: Extract<Backend, { type: "mock" }> = { ...(same as object), type: "mock" };
    if (form.status !== undefined) b.status = form.status;
    else delete b.status;
    const headers = headerMap(form.headers);
    if (Object.keys(headers).length > 0 || (same as { headers?: unknown } | undefined)?.headers !== undefined)
      b.headers = headers;
    if (form.body !== "" || (same as { body?: unknown } | undefined)?.body !== undefined) b.body = form.body;
    return b;
  }
  if (form.backendType === "http") return { ...(same as object), type: "http", url: form.url.trim() };
  return { ...(same as object), type: "function", module: form.module.trim() };
}

export function apiOf(form: ApiForm, base: Api | undefined): Api {
  const out: Api = {
    name: form.name.trim(),
    method: form.method,
    path: form.path.trim(),
    backend: backendOf(form, base?.backend),
  };
  if (form.description !== "" || base?.description !== undefined) out.description = form.description;
  if (form.group !== "") out.group = form.group;
  if (form.match !== "exact" || base?.match !== undefined) out.match = form.match;
  if (form.auth !== "none" || base?.auth !== undefined) out.auth = form.auth;
  if (form.cors || base?.cors !== undefined) out.cors = form.cors;
  if (form.corsPolicy !== "") out.corsPolicy = form.corsPolicy;
  // Key order as the schema lists them, so the YAML reads naturally.
  const { backend, ...rest } = out;
  return { ...rest, backend };
}

/** A concrete path for a route pattern: `{id}` -> `1`, `{rest+}` -> `x`. */
export function samplePath(path: string): string {
  return path.replace(/\{[^}]+\+\}/g, "x").replace(/\{[^}]+\}/g, "1");
}
