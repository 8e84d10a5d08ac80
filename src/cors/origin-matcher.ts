import { compileLinearRegex, type LinearRegex } from "./linear-regex/index.js";
import { isParseError, type OriginParseResult, type ParsedOrigin, parseOrigin } from "./origin.js";

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
/** Up to this many wildcard rules of one suffix length are compared in place rather than looked up. */
const FEW_RULES = 2;

export class OriginMatcher {
  readonly #rules: OriginRules;
  /** Wildcard rules by suffix; a request host is looked up once per dot. */
  readonly #wildcardsBySuffix: Map<string, WildcardRule[]>;
  /**
   * Wildcard rules by the length of their suffix (a host is at most 253 characters). A host's
   * suffix after a dot is compared only with rules of its length: in place with `endsWith` when
   * they are few, else cut out and looked up in `#wildcardsBySuffix` (hot path: no substring per
   * label of the host, and usually none at all).
   */
  readonly #wildcardsByLength: (WildcardRule[] | undefined)[] = [];
  /** Every pattern as one automaton (`(?:a)|(?:b)|...`), or null: one pass over an origin, not one per pattern. */
  readonly #anyPattern: LinearRegex | null;

  constructor(rules: OriginRules) {
    this.#rules = rules;
    this.#wildcardsBySuffix = new Map();
    for (const w of rules.wildcards) {
      const list = this.#wildcardsBySuffix.get(w.suffix);
      if (list) list.push(w);
      else this.#wildcardsBySuffix.set(w.suffix, [w]);
      const sameLength = this.#wildcardsByLength[w.suffix.length];
      if (sameLength) sameLength.push(w);
      else this.#wildcardsByLength[w.suffix.length] = [w];
    }
    this.#anyPattern = rules.patterns.length > 1 ? unionOf(rules.patterns) : null;
  }

  get rules(): OriginRules {
    return this.#rules;
  }

  /** Fast path for the common case: a browser sends the canonical form, so a raw hit is exact. */
  matchExactRaw(origin: string): string | undefined {
    return this.#rules.exact.get(origin);
  }

  /** `parsed`: `parseOrigin(origin)` when the caller has it already, so that it is not parsed twice. */
  match(origin: string, parsed?: OriginParseResult): OriginMatch {
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
    parsed ??= parseOrigin(origin);
    if (isParseError(parsed)) return { allowed: false, malformed: true, detail: parsed.detail };
    // An origin sent in normalized form was looked up above already.
    const exact = parsed.normalized === origin ? undefined : this.#rules.exact.get(parsed.normalized);
    if (exact !== undefined) return { allowed: true, source: exact, normalized: parsed.normalized };
    const wildcard = this.#matchWildcard(parsed);
    if (wildcard !== undefined) return { allowed: true, source: wildcard, normalized: parsed.normalized };
    const patterns = this.#rules.patterns;
    if (patterns.length > 0) {
      const normalized = parsed.normalized;
      if (this.#anyPattern === null) {
        for (const p of patterns)
          if (p.regex.test(normalized)) return { allowed: true, source: p.source, normalized };
      } else if (this.#anyPattern.test(normalized)) {
        return new PatternMatch(patterns, normalized);
      }
    }
    return { allowed: false, malformed: false, detail: `${parsed.normalized} matches no allowed origin` };
  }

  #matchWildcard(origin: ParsedOrigin): string | undefined {
    if (this.#wildcardsBySuffix.size === 0) return undefined;
    const host = origin.host;
    // Only proper subdomains: the suffix starts after a dot that is not the host's first character.
    for (let dot = host.indexOf("."); dot > 0; dot = host.indexOf(".", dot + 1)) {
      const sameLength = this.#wildcardsByLength[host.length - dot - 1];
      if (sameLength === undefined) continue;
      // In configuration order either way, so the first rule that fits is the one reported.
      if (sameLength.length <= FEW_RULES) {
        for (const r of sameLength) {
          if (host.endsWith(r.suffix) && r.scheme === origin.scheme && r.port === origin.port)
            return r.source;
        }
        continue;
      }
      const rules = this.#wildcardsBySuffix.get(host.slice(dot + 1));
      if (rules === undefined) continue;
      for (const r of rules) {
        if (r.scheme === origin.scheme && r.port === origin.port) return r.source;
      }
    }
    return undefined;
  }
}

/**
 * The patterns as one: `test` is true when any of them matches (search semantics, as each is
 * tested). Null when the union does not compile (too long, or the same group name twice); each
 * pattern is then tested on its own.
 */
function unionOf(patterns: readonly PatternRule[]): LinearRegex | null {
  try {
    return compileLinearRegex(patterns.map((p) => `(?:${p.regex.source})`).join("|"));
  } catch {
    return null;
  }
}

/**
 * A pattern hit found by the union: which pattern admitted the origin (the first in order, as
 * testing them one by one would say) is worked out only if someone asks, i.e. explain's trace.
 */
class PatternMatch {
  readonly allowed = true;
  readonly normalized: string;
  readonly #patterns: readonly PatternRule[];

  constructor(patterns: readonly PatternRule[], normalized: string) {
    this.#patterns = patterns;
    this.normalized = normalized;
  }

  get source(): string {
    for (const p of this.#patterns) if (p.regex.test(this.normalized)) return p.source;
    return "allowOriginPatterns";
  }
}
