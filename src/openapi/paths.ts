import type { Notes } from "./findings.js";

/**
 * Paths and backend URLs: OpenAPI path templates to crossgate API paths, and a backend's full target
 * (Amazon's integration `uri`, Huawei's `httpEndpoints`) to a crossgate backend `url`, to which the
 * gateway appends the request's path (after the group's base path for exact APIs, after the API's path
 * for prefix APIs).
 */

const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,;=:@%]+$/;
const WHOLE_PARAM = /^\{([^{}]+?)(\+?)\}$/;
const ANY_PARAM = /\{([^{}]+?)\+?\}/;

function paramName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
  return name;
}

/**
 * An OpenAPI path template as a crossgate path: `{param}` segments kept, a final `{name+}` greedy,
 * parameter names made valid, empty segments dropped. Null (with a note) when it cannot be expressed.
 */
export function convertPath(template: string, notes: Notes, at: string): string | null {
  if (!template.startsWith("/")) {
    notes.warn(
      "IMPORT_ROUTE_SKIPPED",
      at,
      `path ${JSON.stringify(template)} does not start with '/': not imported`,
      "add the API by hand with a path that starts with '/'",
    );
    return null;
  }
  if (/[?#]/.test(template)) {
    notes.warn(
      "IMPORT_ROUTE_SKIPPED",
      at,
      `path ${JSON.stringify(template)} has a query or fragment: not imported`,
      "add the API by hand on the path without its query",
    );
    return null;
  }
  const parts = template.split("/").filter((p) => p !== "");
  const out: string[] = [];
  const names = new Set<string>();
  const unique = (wanted: string): string => {
    let name = wanted;
    for (let n = 2; names.has(name); n++) name = `${wanted}_${n}`;
    names.add(name);
    return name;
  };
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const whole = WHOLE_PARAM.exec(part);
    if (whole) {
      const raw = whole[1] as string;
      const greedy = whole[2] === "+";
      if (greedy && i !== parts.length - 1) {
        notes.warn(
          "IMPORT_ROUTE_SKIPPED",
          at,
          `{${raw}+} is not the last segment of ${template}: not imported`,
          "crossgate's greedy segment must be last: add a prefix API by hand",
        );
        return null;
      }
      const name = unique(paramName(raw));
      if (name !== raw) {
        notes.info(
          "IMPORT_ROUTE_CHANGED",
          at,
          `path parameter {${raw}} is named {${name}} here`,
          "nothing, unless a function backend reads the parameter by its old name",
        );
      }
      out.push(greedy ? `{${name}+}` : `{${name}}`);
      continue;
    }
    const partial = ANY_PARAM.exec(part);
    if (partial) {
      const name = unique(paramName(partial[1] as string));
      notes.warn(
        "IMPORT_ROUTE_CHANGED",
        at,
        `segment ${JSON.stringify(part)} mixes a parameter with text; crossgate parameters are whole segments, so it became {${name}} and matches any segment there`,
        "check that the wider match is acceptable, or let the backend refuse what it does not serve",
      );
      out.push(`{${name}}`);
      continue;
    }
    if (part === "." || part === ".." || !LITERAL.test(part)) {
      notes.warn(
        "IMPORT_ROUTE_SKIPPED",
        at,
        `segment ${JSON.stringify(part)} of ${template} cannot be a path segment: not imported`,
        "add the API by hand with a path crossgate can route",
      );
      return null;
    }
    out.push(part);
  }
  return `/${out.join("/")}`;
}

/** A path's segments, parameters reduced to `{}` so that differently named parameters compare equal. */
function shapes(path: string): string[] {
  return path
    .split("/")
    .filter((p) => p !== "")
    .map((p) => (WHOLE_PARAM.test(p) ? "{}" : p));
}

function isTemplate(segment: string): boolean {
  return segment.includes("{");
}

export interface BackendTarget {
  readonly url: string;
  /** Set when the API must become a prefix API on a shorter path to keep the backend's paths right. */
  readonly prefixPath?: string;
}

/**
 * The crossgate backend URL for a backend's full target URL and the API's path.
 *
 * - `exact` API `/pets/{id}`, target `http://b/v1/pets/{id}`: url `http://b/v1` (the gateway appends the path).
 * - API `/api/{proxy+}`, target `http://b/{proxy}`: a prefix API on `/api` with url `http://b` (Amazon's proxy
 *   resource: the backend receives only the part below `/api`).
 * - `prefix` API (Huawei SWA, `x-crossgate-match: prefix`), target `http://b/x` or `http://b/x/{proxy}`: url `http://b/x`.
 * - anything else keeps the target's origin and the path before its first parameter, with a warning.
 */
export function backendUrl(
  target: string,
  apiPath: string,
  match: "exact" | "prefix",
  notes: Notes,
  at: string,
): BackendTarget | null {
  const m = /^(https?):\/\/([^/?#]+)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(target.trim());
  if (!m) {
    notes.warn(
      "IMPORT_BACKEND_UNSUPPORTED",
      at,
      `backend ${JSON.stringify(target)} is not an http:// or https:// URL`,
      "set the backend's url by hand",
    );
    return null;
  }
  const authority = m[2] as string;
  if (/[{}$]/.test(authority) || authority.includes("@")) {
    notes.warn(
      "IMPORT_BACKEND_UNSUPPORTED",
      at,
      `backend host ${JSON.stringify(authority)} uses variables or credentials, which a crossgate URL cannot hold`,
      "set the backend's url to the real host by hand",
    );
    return null;
  }
  const origin = `${(m[1] as string).toLowerCase()}://${authority}`;
  if (m[4] !== undefined || m[5] !== undefined) {
    notes.warn(
      "IMPORT_BACKEND_APPROXIMATED",
      at,
      `the query or fragment of backend ${JSON.stringify(target)} is dropped: crossgate passes the request's own query string`,
      "make the backend accept the query without the fixed parameters, or add them in the client",
    );
  }
  if ((m[3] as string).includes("$")) {
    notes.warn(
      "IMPORT_BACKEND_PLACEHOLDER",
      at,
      `backend path ${JSON.stringify(m[3])} uses stage variables, which crossgate cannot resolve`,
      "replace the stage variable part of the backend url with its value",
    );
  }
  const targetSegs = (m[3] as string).split("/").filter((p) => p !== "");
  const join = (segs: readonly string[]) => (segs.length === 0 ? origin : `${origin}/${segs.join("/")}`);
  const firstTemplate = targetSegs.findIndex(isTemplate);
  const apiSegs = shapes(apiPath);
  const apiGreedy = /\{[^{}]+\+\}$/.test(apiPath);
  const lastIsTemplate = targetSegs.length > 0 && isTemplate(targetSegs[targetSegs.length - 1] as string);

  if (match === "prefix") {
    // The exporter writes `<url>/{proxy}` for prefix APIs; a plain target is the base itself.
    const base = lastIsTemplate && apiGreedy ? targetSegs.slice(0, -1) : targetSegs;
    const cut = base.findIndex(isTemplate);
    if (cut >= 0) {
      notes.warn(
        "IMPORT_BACKEND_APPROXIMATED",
        at,
        `backend path /${targetSegs.join("/")} uses path parameters; a prefix API appends the rest of the request path to its URL, so ${join(base.slice(0, cut))} is used`,
        "check the paths the backend receives, and change its url or its routes",
      );
      return { url: join(base.slice(0, cut)) };
    }
    return { url: join(base) };
  }

  // The target's path ends with the API's own path: the gateway appends exactly that.
  const tail = targetSegs.slice(targetSegs.length - apiSegs.length).map((s) => (isTemplate(s) ? "{}" : s));
  if (apiSegs.length <= targetSegs.length && tail.every((s, i) => s === apiSegs[i])) {
    const rest = targetSegs.slice(0, targetSegs.length - apiSegs.length);
    if (!rest.some(isTemplate)) return { url: join(rest) };
  }
  // Amazon's proxy resource: `/api/{proxy+}` to `http://b/{proxy}` passes only what is below `/api`.
  if (apiGreedy && lastIsTemplate && !targetSegs.slice(0, -1).some(isTemplate)) {
    const prefixPath = `/${apiPath
      .split("/")
      .filter((p) => p !== "")
      .slice(0, -1)
      .join("/")}`;
    notes.info(
      "IMPORT_ROUTE_CHANGED",
      at,
      `${apiPath} forwards only the greedy part to ${target}: imported as a prefix API on ${prefixPath} (which also matches ${prefixPath} itself)`,
      `nothing, unless ${prefixPath} itself must not reach the backend`,
    );
    return { url: join(targetSegs.slice(0, -1)), prefixPath };
  }
  const keep = firstTemplate >= 0 ? targetSegs.slice(0, firstTemplate) : targetSegs;
  const url = join(keep);
  notes.warn(
    "IMPORT_BACKEND_APPROXIMATED",
    at,
    `backend path /${targetSegs.join("/")} cannot be expressed: crossgate appends the request path after the base path to the backend URL, so ${apiPath} is sent to ${url}${apiPath === "/" ? "" : apiPath}`,
    "make the backend serve that path, or give this API a prefix match and a url that fits",
  );
  return { url };
}
