import { METHODS } from "node:http";
import FindMyWay from "find-my-way";
import type { Segment } from "../config/route-path.js";

/** What the router needs to know of an API; the snapshot's ApiRuntime extends it. */
export interface Routable {
  readonly index: number;
  readonly method: string;
  readonly match: "exact" | "prefix";
  /** Group base path plus API path, parsed. */
  readonly segments: readonly Segment[];
  /** Host names (lowercase, `*.` wildcards allowed); empty means any Host. */
  readonly domains: readonly string[];
  /** Length of the group's base path: exact APIs pass on the path after it. */
  readonly basePathLength: number;
}

export interface RouteMatch<A extends Routable> {
  readonly api: A;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The request path after the API's prefix (prefix APIs) or after the group's base path (exact APIs). */
  readonly remainder: string;
}

export type RouteResult<A extends Routable> =
  | { readonly found: true; readonly match: RouteMatch<A> }
  | { readonly found: false; readonly status: 404 | 405; readonly allow: readonly string[] };

interface Entry<A> {
  readonly api: A;
  /** Higher wins: exact over prefix, then more literal segments or a longer prefix. */
  readonly score: number;
}

const KNOWN_METHODS = new Set(METHODS);
/** Largest route table whose lookups are compiled to JavaScript (see HostRoutes.compile). */
const COMPILE_MAX_ROUTES = 1000;
const noop = () => {};

/** Converts parsed segments to find-my-way syntax: `{id}` is `:id`, `{rest+}` is `*`, `:` is escaped. */
function toFmwPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return "/";
  let out = "";
  for (const s of segments) {
    if (s.kind === "literal") out += `/${s.text.replaceAll(":", "::")}`;
    else if (s.kind === "param") out += `/:${s.name}`;
    else out += "/*";
  }
  return out;
}

function literalLength(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) if (s.kind === "literal") n += s.text.length + 1;
  return n;
}

/** The raw (still percent-encoded) path after its first `count` segments: `afterSegments("/a/b/c", 1)` is `/b/c`. */
function afterSegments(path: string, count: number): string {
  let at = 0;
  for (let k = 0; k < count; k++) {
    at = path.indexOf("/", at + 1);
    if (at < 0) return "";
  }
  return at === 0 && count === 0 ? path : path.slice(at);
}

function newFmw() {
  return FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 });
}

/** What find-my-way answers for a hit: the entry registered with the route, and the path parameters. */
interface Hit<A> {
  readonly store: Entry<A>;
  readonly params: Record<string, string | undefined>;
}

/** The routes of one Host class (an exact domain, a wildcard domain, or any Host). */
class HostRoutes<A extends Routable> {
  readonly methods = newFmw();
  /** ANY APIs, registered under GET in their own tree. */
  readonly any = newFmw();
  readonly registered = new Map<string, A>();
  /** Whether each tree holds a route: an empty tree is never searched (most tables have no ANY API). */
  #hasMethods = false;
  #hasAny = false;
  /** Routes registered, both trees. */
  #routes = 0;

  add(api: A, onConflict: (api: A, other: A) => void): void {
    const fmwPath = toFmwPath(api.segments);
    const paths =
      api.match === "prefix" ? (fmwPath === "/" ? ["/", "/*"] : [fmwPath, `${fmwPath}/*`]) : [fmwPath];
    const score =
      api.match === "exact"
        ? 2_000_000 +
          literalLength(api.segments) * 2 -
          (api.segments.some((s) => s.kind === "greedy") ? 1 : 0)
        : 1_000_000 + literalLength(api.segments);
    const entry: Entry<A> = { api, score };
    for (const path of paths) {
      // Parameter names do not matter to find-my-way: `/a/:x` and `/a/:y` are the same route.
      const key = `${api.method} ${path.replace(/:[^/]+/g, ":")}`;
      const other = this.registered.get(key);
      if (other !== undefined) {
        onConflict(api, other);
        return;
      }
      this.registered.set(key, api);
      this.#routes++;
      if (api.method === "ANY") {
        this.any.on("GET", path, noop, entry);
        this.#hasAny = true;
      } else {
        this.methods.on(api.method as "GET", path, noop, entry);
        this.#hasMethods = true;
      }
    }
  }

  /**
   * find-my-way's `compile()` generates JavaScript for a tree's lookups: about 20 ns faster per
   * request on small tables, but at 10,000 routes it took 400 ms more to build and 50 MB more
   * memory (bench/scale, docs/benchmarks.md) for 50-80 ns per lookup; large trees are walked.
   */
  compile(): void {
    if (this.#hasMethods && this.#routes <= COMPILE_MAX_ROUTES) this.methods.compile();
    if (this.#hasAny && this.#routes <= COMPILE_MAX_ROUTES) this.any.compile();
  }

  /** The best route for `method` and `path`, or null; find-my-way's own answer, nothing allocated here. */
  /** The best API for the method; `includeAny` false skips ANY APIs (who serves a preflight: OPTIONS APIs only). */
  find(method: string, path: string, includeAny = true): Hit<A> | null {
    let specific: Hit<A> | null = null;
    if (this.#hasMethods && KNOWN_METHODS.has(method)) {
      specific = this.methods.find(method as "GET", path) as Hit<A> | null;
      // HEAD is served by the GET API when no HEAD API exists (RFC 9110: HEAD is GET without a body).
      if (specific === null && method === "HEAD") specific = this.methods.find("GET", path) as Hit<A> | null;
    }
    if (!this.#hasAny || !includeAny) return specific;
    const any = this.any.find("GET", path) as Hit<A> | null;
    if (any === null) return specific;
    return specific !== null && specific.store.score >= any.store.score ? specific : any;
  }

  allowedMethods(path: string): string[] {
    const allowed: string[] = [];
    for (const m of KNOWN_METHODS) if (this.methods.find(m as "GET", path) !== null) allowed.push(m);
    if (allowed.includes("GET") && !allowed.includes("HEAD")) allowed.push("HEAD");
    return allowed;
  }
}

/**
 * Routes a request: Host to the routes of its group(s), then method and path to an API.
 * Precedence: exact over prefix, longer prefix over shorter, a specific method over ANY;
 * an exact domain over a `*.` domain over groups without domains.
 */
export class Router<A extends Routable> {
  readonly #exact = new Map<string, HostRoutes<A>>();
  readonly #wildcard = new Map<string, HostRoutes<A>>();
  readonly #anyHost = new HostRoutes<A>();
  /** Whether some group names domains: if not, the Host header plays no part in routing. */
  readonly usesHost: boolean;

  constructor(apis: readonly A[], onConflict: (api: A, other: A) => void = () => {}) {
    for (const api of apis) {
      if (api.domains.length === 0) {
        this.#anyHost.add(api, onConflict);
        continue;
      }
      for (const domain of api.domains) {
        const table = domain.startsWith("*.") ? this.#wildcard : this.#exact;
        const key = domain.startsWith("*.") ? domain.slice(2) : domain;
        let routes = table.get(key);
        if (routes === undefined) {
          routes = new HostRoutes<A>();
          table.set(key, routes);
        }
        routes.add(api, onConflict);
      }
    }
    this.usesHost = this.#exact.size > 0 || this.#wildcard.size > 0;
    for (const r of this.#exact.values()) r.compile();
    for (const r of this.#wildcard.values()) r.compile();
    this.#anyHost.compile();
  }

  /** The route tables that serve `host`, most specific first. */
  #tablesFor(host: string): HostRoutes<A>[] {
    const tables: HostRoutes<A>[] = [];
    if (this.#exact.size > 0) {
      const t = this.#exact.get(host);
      if (t) tables.push(t);
    }
    if (this.#wildcard.size > 0) {
      for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1)) {
        const t = this.#wildcard.get(host.slice(dot + 1));
        if (t) tables.push(t);
      }
    }
    tables.push(this.#anyHost);
    return tables;
  }

  /**
   * The API that serves a request, or null; unlike `route`, a miss costs nothing more (no 404/405
   * analysis), which is what the hot path and preflights need.
   * `host` is the Host header's name, lowercase, without port; `path` has no query string.
   */
  match(host: string, method: string, path: string, includeAny = true): RouteMatch<A> | null {
    // Common case first: no group names a domain, so every request goes to one table.
    if (!this.usesHost) return toMatch(this.#anyHost.find(method, path, includeAny), path);
    if (this.#exact.size > 0) {
      const hit = this.#exact.get(host)?.find(method, path, includeAny);
      if (hit) return toMatch(hit, path);
    }
    if (this.#wildcard.size > 0) {
      for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1)) {
        const hit = this.#wildcard.get(host.slice(dot + 1))?.find(method, path, includeAny);
        if (hit) return toMatch(hit, path);
      }
    }
    return toMatch(this.#anyHost.find(method, path, includeAny), path);
  }

  /** `match`, or why nothing matched (`miss`). */
  route(host: string, method: string, path: string): RouteResult<A> {
    const match = this.match(host, method, path);
    return match !== null ? { found: true, match } : this.miss(host, path);
  }

  /** Why a request matched nothing: 405 with the methods the path allows, else 404. */
  miss(host: string, path: string): RouteResult<A> & { readonly found: false } {
    const tables = this.usesHost ? this.#tablesFor(host) : [this.#anyHost];
    const allow = new Set<string>();
    for (const table of tables) for (const m of table.allowedMethods(path)) allow.add(m);
    return allow.size > 0
      ? { found: false, status: 405, allow: [...allow] }
      : { found: false, status: 404, allow: [] };
  }
}

function toMatch<A extends Routable>(hit: Hit<A> | null | undefined, path: string): RouteMatch<A> | null {
  if (hit == null) return null;
  const { api } = hit.store;
  const remainder =
    api.match === "prefix" ? afterSegments(path, api.segments.length) : path.slice(api.basePathLength);
  return { api, params: hit.params, remainder };
}
