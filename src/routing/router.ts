import { DEFAULT_PATH_OPTIONS, normalizePath, type PathOptions } from "./normalize-path.js";
import { type PathHit, PathTree, routablePath, type SanitizedPath } from "./path-tree.js";
import { pathShape, type Segment } from "./route-path.js";

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

/** The shape of a route for conflict checks (`pathShape`), a prefix API's subtree as a greedy tail. */
function routeKey(segments: readonly Segment[], tail: boolean): string {
  const shape = pathShape(segments);
  return tail ? `${shape === "/" ? "" : shape}/{+}` : shape;
}

/** Whether the route takes a greedy tail as well as its own path: a prefix API serves every path below it. */
function tailsOf(segments: readonly Segment[], match: "exact" | "prefix"): readonly boolean[] {
  const greedy = segments.some((s) => s.kind === "greedy");
  return match === "prefix" && !greedy ? [false, true] : [false];
}

/**
 * The keys a route takes in the router, on each host it serves: two APIs that share a key on a shared
 * host conflict (the validator reports it; the router then never sees one). `{rest+}` and a prefix
 * API's subtree are the same shape, one greedy tail; parameter names do not count.
 */
export function routeKeys(method: string, segments: readonly Segment[], match: "exact" | "prefix"): string[] {
  return tailsOf(segments, match).map((tail) => `${method} ${routeKey(segments, tail)}`);
}

function literalLength(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) if (s.kind === "literal") n += s.text.length + 1;
  return n;
}

/** The normalized path after its first `count` segments: `afterSegments("/a/b/c", 1)` is `/b/c`. */
function afterSegments(path: string, count: number): string {
  let at = 0;
  for (let k = 0; k < count; k++) {
    at = path.indexOf("/", at + 1);
    if (at < 0) return "";
  }
  return at === 0 && count === 0 ? path : path.slice(at);
}

type Hit<A> = PathHit<Entry<A>>;

/** The routes of one Host class (an exact domain, a wildcard domain, or any Host). */
class HostRoutes<A extends Routable> {
  /** One tree per method; ANY APIs in their own. */
  readonly #methods = new Map<string, PathTree<Entry<A>>>();
  readonly #any = new PathTree<Entry<A>>();
  readonly #registered = new Map<string, A>();

  add(api: A, onConflict: (api: A, other: A) => void): void {
    const greedy = api.segments.some((s) => s.kind === "greedy");
    const score =
      api.match === "exact"
        ? 2_000_000 + literalLength(api.segments) * 2 - (greedy ? 1 : 0)
        : 1_000_000 + literalLength(api.segments);
    const entry: Entry<A> = { api, score };
    const keys = routeKeys(api.method, api.segments, api.match);
    const tails = tailsOf(api.segments, api.match);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const tail = tails[i] as boolean;
      const other = this.#registered.get(key);
      if (other !== undefined) {
        onConflict(api, other);
        return;
      }
      this.#registered.set(key, api);
      let tree = api.method === "ANY" ? this.#any : this.#methods.get(api.method);
      if (tree === undefined) {
        tree = new PathTree<Entry<A>>();
        this.#methods.set(api.method, tree);
      }
      tree.add(api.segments, tail, entry);
    }
  }

  /** The best API for the method; `includeAny` false skips ANY APIs (who serves a preflight: OPTIONS APIs only). */
  find(method: string, path: SanitizedPath, includeAny = true): Hit<A> | null {
    let specific: Hit<A> | null = null;
    const tree = this.#methods.get(method);
    if (tree !== undefined) specific = tree.find(path);
    // HEAD is served by the GET API when no HEAD API exists (RFC 9110: HEAD is GET without a body).
    if (specific === null && method === "HEAD") specific = this.#methods.get("GET")?.find(path) ?? null;
    if (this.#any.size === 0 || !includeAny) return specific;
    const any = this.#any.find(path);
    if (any === null) return specific;
    return specific !== null && specific.entry.score >= any.entry.score ? specific : any;
  }

  allowedMethods(path: SanitizedPath): string[] {
    const allowed: string[] = [];
    // In alphabetical order, as node:http lists methods.
    for (const m of [...this.#methods.keys()].sort())
      if (this.#methods.get(m)?.find(path) != null) allowed.push(m);
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

  /** How request paths are normalized before they are matched (`gateway.paths`). */
  readonly pathOptions: PathOptions;

  constructor(
    apis: readonly A[],
    onConflict: (api: A, other: A) => void = () => {},
    pathOptions: PathOptions = DEFAULT_PATH_OPTIONS,
  ) {
    this.pathOptions = pathOptions;
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
  match(
    host: string,
    method: string,
    target: string | SanitizedPath,
    includeAny = true,
  ): RouteMatch<A> | null {
    // A caller that looks up one path several times (preflights) normalizes it once.
    const path = typeof target === "string" ? this.routable(target) : target;
    if (path === null) return null;
    const rawPath = path.raw;
    // Common case first: no group names a domain, so every request goes to one table.
    if (!this.usesHost) return toMatch(this.#anyHost.find(method, path, includeAny), rawPath);
    if (this.#exact.size > 0) {
      const hit = this.#exact.get(host)?.find(method, path, includeAny);
      if (hit) return toMatch(hit, rawPath);
    }
    if (this.#wildcard.size > 0) {
      for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1)) {
        const hit = this.#wildcard.get(host.slice(dot + 1))?.find(method, path, includeAny);
        if (hit) return toMatch(hit, rawPath);
      }
    }
    return toMatch(this.#anyHost.find(method, path, includeAny), rawPath);
  }

  /** `match`, or why nothing matched (`miss`). */
  route(host: string, method: string, path: string): RouteResult<A> {
    const match = this.match(host, method, path);
    return match !== null ? { found: true, match } : this.miss(host, path);
  }

  /** A request path (no query) normalized and ready to match, or null when normalization refuses it. */
  routable(path: string): SanitizedPath | null {
    const n = normalizePath(path, this.pathOptions);
    return n.ok ? routablePath(n.path, n.encoded) : null;
  }

  /** Why a request matched nothing: 405 with the methods the path allows, else 404. */
  miss(host: string, target: string | SanitizedPath): RouteResult<A> & { readonly found: false } {
    const path = typeof target === "string" ? this.routable(target) : target;
    const tables = this.usesHost ? this.#tablesFor(host) : [this.#anyHost];
    const allow = new Set<string>();
    if (path !== null) for (const table of tables) for (const m of table.allowedMethods(path)) allow.add(m);
    return allow.size > 0
      ? { found: false, status: 405, allow: [...allow] }
      : { found: false, status: 404, allow: [] };
  }
}

function toMatch<A extends Routable>(hit: Hit<A> | null | undefined, path: string): RouteMatch<A> | null {
  if (hit == null) return null;
  const { api } = hit.entry;
  const remainder =
    api.match === "prefix" ? afterSegments(path, api.segments.length) : path.slice(api.basePathLength);
  return { api, params: hit.params, remainder };
}
