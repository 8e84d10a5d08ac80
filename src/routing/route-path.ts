import { normalizePath, type PathOptions } from "./normalize-path.js";

/**
 * API paths: literal segments, `{param}` segments and one final greedy `{rest+}`.
 * `parseRoutePath("/users/{id}")` gives segments [literal users, param id].
 */
export type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "greedy"; readonly name: string };

export type RoutePathResult =
  | { readonly ok: true; readonly segments: readonly Segment[]; readonly normalized: string }
  | { readonly ok: false; readonly reason: string };

/** Literal segments may hold what a request path may keep; whether a request may send it is the gateway's call. */
const KEEP_ALL: PathOptions = { semicolons: "keep", encodedSlashes: "keep" };

const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,;=:@%]+$/;
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;

export function parseRoutePath(path: string, allowParams = true): RoutePathResult {
  if (!path.startsWith("/")) return { ok: false, reason: "must start with '/'" };
  if (path.length > 2048) return { ok: false, reason: "is longer than 2048 characters" };
  if (path.includes("?") || path.includes("#")) return { ok: false, reason: "has no query or fragment" };
  const parts = path.split("/").slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === "") return { ok: false, reason: "has an empty segment ('//')" };
    const param = PARAM.exec(part);
    if (param) {
      if (!allowParams) return { ok: false, reason: "cannot have {param} segments" };
      const name = param[1] as string;
      if (name === "__proto__") {
        // Parameters become keys of plain objects (the router's match, a function's pathParameters),
        // where `__proto__` is not a key but the object's prototype: the value would be lost.
        return { ok: false, reason: "{__proto__} cannot name a parameter (choose another name)" };
      }
      if (names.has(name)) return { ok: false, reason: `uses {${name}} twice` };
      names.add(name);
      if (param[2] === "+") {
        if (i !== parts.length - 1) return { ok: false, reason: `{${name}+} must be the last segment` };
        segments.push({ kind: "greedy", name });
      } else {
        segments.push({ kind: "param", name });
      }
      continue;
    }
    if (part.includes("{") || part.includes("}")) {
      return {
        ok: false,
        reason: `segment ${JSON.stringify(part)}: a parameter is a whole segment, {name} or {name+}`,
      };
    }
    if (!LITERAL.test(part))
      return { ok: false, reason: `segment ${JSON.stringify(part)} has characters a path cannot` };
    // Literals are compared with normalized request paths, so they are normalized the same way.
    const normalized = normalizePath(`/a/${part}`, KEEP_ALL);
    if (!normalized.ok) return { ok: false, reason: `segment ${JSON.stringify(part)}: ${normalized.detail}` };
    const text = normalized.path.slice(3);
    if (text === "" || text.includes("/")) {
      return { ok: false, reason: `segment ${JSON.stringify(part)} is a '.' or '..' segment once decoded` };
    }
    segments.push({ kind: "literal", text });
  }
  return { ok: true, segments, normalized: formatSegments(segments) };
}

export function formatSegments(segments: readonly Segment[]): string {
  if (segments.length === 0) return "/";
  return segments
    .map((s) => (s.kind === "literal" ? `/${s.text}` : s.kind === "param" ? `/{${s.name}}` : `/{${s.name}+}`))
    .join("");
}

/** The shape of a path with parameter names erased: two APIs with equal shapes conflict. */
export function pathShape(segments: readonly Segment[]): string {
  return (
    segments
      .map((s) => (s.kind === "literal" ? `/${s.text}` : s.kind === "param" ? "/{}" : "/{+}"))
      .join("") || "/"
  );
}

/**
 * An API's whole route: its group's base path, then its own path (`/v1` and `/users/{id}` give
 * `/v1/users/{id}`; an API path of `/` is the base path itself).
 */
export function apiRoute(basePath: string | undefined, path: string): RoutePathResult {
  const base = basePath === undefined ? "" : basePath.replace(/\/+$/, "");
  return parseRoutePath(`${base}${path === "/" ? "" : path}` || "/");
}
