/**
 * A CORS policy read from a vendor document, made into one crossgate accepts without widening access:
 * what crossgate refuses is imported as what browsers actually did with it (A2: `'*'` with
 * credentials worked only without credentials), and every change is reported at its source path.
 */
import type { CorsPolicyConfig } from "../config/schema.js";
import { compilePolicy, isParseError, MAX_MAX_AGE, parseOrigin } from "../cors/index.js";
import type { Notes } from "./findings.js";

const LISTS = [
  "allowOrigins",
  "allowOriginPatterns",
  "allowMethods",
  "allowHeaders",
  "exposeHeaders",
] as const;

/**
 * An origin value as a browser compares it: `*`, or `scheme://host[:port]` with nothing after it.
 * Null when browsers never matched it (a path, a trailing slash, a `*` inside a name, no scheme).
 */
export function browserOrigin(value: string): string | null {
  const v = value.trim();
  if (v === "*") return "*";
  const parsed = parseOrigin(v);
  return isParseError(parsed) ? null : v;
}

/** Keeps the origins browsers could match; reports each other one (A3: never guessed into a wildcard). */
export function keepBrowserOrigins(
  values: readonly string[],
  notes: Notes,
  at: string,
  what: string,
): string[] {
  const kept: string[] = [];
  for (const value of values) {
    const origin = browserOrigin(value);
    if (origin === null) {
      notes.warn(
        "IMPORT_CORS_NARROWED",
        at,
        `${what} ${JSON.stringify(value)} is not an origin (scheme://host[:port], nothing after it), so no browser ever matched it: left out`,
        value.includes("*")
          ? "if every subdomain was meant, add https://*.<domain> to the policy's allowOrigins deliberately"
          : "add the origin the pages really use to the policy's allowOrigins",
      );
    } else if (!kept.includes(origin)) kept.push(origin);
  }
  return kept;
}

/**
 * Applies the rules browsers applied, then crossgate's own limits, reporting each change at `at`:
 * `'*'` origins with credentials lose the credentials; `*` in other lists with credentials is a
 * literal name browsers never matched; max age is bounded; values crossgate refuses are dropped.
 */
export function fitPolicy(policy: CorsPolicyConfig, notes: Notes, at: string): CorsPolicyConfig {
  const out: CorsPolicyConfig = structuredClone(policy);
  if (out.allowCredentials === true && (out.allowOrigins ?? []).includes("*")) {
    delete out.allowCredentials;
    notes.warn(
      "IMPORT_CORS_NARROWED",
      at,
      "Access-Control-Allow-Origin '*' together with credentials: browsers refuse credentialed responses with '*', so only calls without credentials ever worked; imported as '*' without credentials",
      "if pages send cookies or Authorization with credentials: 'include', list their origins in allowOrigins and set allowCredentials: true",
    );
  }
  if (out.allowCredentials === true) {
    for (const field of ["allowMethods", "allowHeaders", "exposeHeaders"] as const) {
      if ((out[field] ?? []).includes("*")) {
        out[field] = (out[field] ?? []).filter((v) => v !== "*");
        notes.warn(
          "IMPORT_CORS_NARROWED",
          at,
          `'*' in ${field} with credentials is a literal name for browsers, never a wildcard: left out`,
          `list the ${field === "allowMethods" ? "methods" : "header names"} the pages use in ${field}`,
        );
      }
    }
  }
  if (out.maxAge !== undefined && (out.maxAge < 0 || out.maxAge > MAX_MAX_AGE)) {
    const fitted = out.maxAge < 0 ? 0 : MAX_MAX_AGE;
    notes.warn(
      "IMPORT_CORS_NARROWED",
      at,
      out.maxAge < 0
        ? `max age ${out.maxAge} asks browsers not to cache preflights: imported as 0`
        : `max age ${out.maxAge} is more than any browser caches (at most ${MAX_MAX_AGE}): imported as ${MAX_MAX_AGE}`,
      "nothing; set maxAge by hand to cache preflights for another time",
    );
    out.maxAge = fitted;
  }
  // What crossgate still refuses (forbidden header names, public-suffix wildcards...) is dropped item by item.
  for (let round = 0; round < 8; round++) {
    const compiled = compilePolicy(out);
    if (compiled.ok) break;
    let changed = false;
    for (const p of compiled.problems) {
      if (p.severity !== "error") continue;
      const m = /^(\w+)\[(\d+)\]$/.exec(p.path);
      const field = m?.[1] as (typeof LISTS)[number] | undefined;
      if (!field || !LISTS.includes(field)) continue;
      const list = out[field] ?? [];
      const value = list[Number(m?.[2])];
      if (value === undefined) continue;
      out[field] = list.filter((_, i) => i !== Number(m?.[2]));
      notes.warn(
        "IMPORT_CORS_NARROWED",
        at,
        `${field} ${JSON.stringify(value)} is refused by crossgate (${p.reason}): left out`,
        `check that the pages do not need it; see docs/cors.md for what ${field} accepts`,
      );
      changed = true;
      break;
    }
    if (!changed) break;
  }
  for (const field of LISTS)
    if (out[field]?.length === 0 && (policy[field]?.length ?? 0) > 0) delete out[field];
  return out;
}
