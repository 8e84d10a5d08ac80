import type { LinearRegex } from "./linear-regex/index.js";
import { isParseError, type ParsedOrigin, parseOrigin } from "./origin.js";

export interface WildcardRule {
  readonly scheme: string;
  readonly port: string;
  /** The domain under the `*.`: `example.com` for `https://*.example.com`. */
  readonly suffix: string;
  readonly source: string;
}

export interface PatternRule {
  readonly regex: LinearRegex;
  readonly source: string;
}

export interface OriginRules {
  readonly any: boolean;
  readonly allowNull: boolean;
  /** Normalized origin to the rule that admits it (`allowOrigins[1]`, `app storefront`). */
  readonly exact: ReadonlyMap<string, string>;
  readonly wildcards: readonly WildcardRule[];
  readonly patterns: readonly PatternRule[];
}

export type OriginMatch =
  | { readonly allowed: true; readonly source: string; readonly normalized: string }
  | { readonly allowed: false; readonly malformed: boolean; readonly detail: string };

/**
 * Decides whether a request's Origin is admitted, in time independent of the number of rules:
 * exact origins are one Map lookup, wildcards one lookup per label of the host, and each
 * pattern is a linear-time automaton.
 */
export class OriginMatcher {
  readonly #rules: OriginRules;
  /** Wildcard rules by suffix; a request host is looked up once per dot. */
  readonly #wildcardsBySuffix: Map<string, WildcardRule[]>;

  constructor(rules: OriginRules) {
    this.#rules = rules;
    this.#wildcardsBySuffix = new Map();
    for (const w of rules.wildcards) {
      const list = this.#wildcardsBySuffix.get(w.suffix);
      if (list) list.push(w);
      else this.#wildcardsBySuffix.set(w.suffix, [w]);
    }
  }

  get rules(): OriginRules {
    return this.#rules;
  }

  /** Fast path for the common case: a browser sends the canonical form, so a raw hit is exact. */
  matchExactRaw(origin: string): string | undefined {
    return this.#rules.exact.get(origin);
  }

  match(origin: string): OriginMatch {
    const raw = this.#rules.exact.get(origin);
    if (raw !== undefined) return { allowed: true, source: raw, normalized: origin };
    // `*` admits every Origin value, null included: the answer does not depend on it.
    if (this.#rules.any) return { allowed: true, source: "allowOrigins: *", normalized: origin };
    if (origin === "null") {
      if (this.#rules.allowNull)
        return { allowed: true, source: "dangerouslyAllowNullOrigin", normalized: "null" };
      return {
        allowed: false,
        malformed: false,
        detail: "the origin is null (sandboxed document, file: URL or redirect)",
      };
    }
    const parsed = parseOrigin(origin);
    if (isParseError(parsed)) return { allowed: false, malformed: true, detail: parsed.detail };
    const exact = this.#rules.exact.get(parsed.normalized);
    if (exact !== undefined) return { allowed: true, source: exact, normalized: parsed.normalized };
    const wildcard = this.#matchWildcard(parsed);
    if (wildcard !== undefined) return { allowed: true, source: wildcard, normalized: parsed.normalized };
    for (const p of this.#rules.patterns) {
      if (p.regex.test(parsed.normalized))
        return { allowed: true, source: p.source, normalized: parsed.normalized };
    }
    return { allowed: false, malformed: false, detail: `${parsed.normalized} matches no allowed origin` };
  }

  #matchWildcard(origin: ParsedOrigin): string | undefined {
    if (this.#wildcardsBySuffix.size === 0) return undefined;
    const host = origin.host;
    // Only proper subdomains: the suffix starts after a dot that is not the host's first character.
    for (let dot = host.indexOf("."); dot > 0; dot = host.indexOf(".", dot + 1)) {
      const rules = this.#wildcardsBySuffix.get(host.slice(dot + 1));
      if (rules === undefined) continue;
      for (const r of rules) {
        if (r.scheme === origin.scheme && r.port === origin.port) return r.source;
      }
    }
    return undefined;
  }
}
