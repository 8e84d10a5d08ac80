/**
 * The server-name table of an https listener: which certificate answers a TLS ClientHello's
 * server name (SNI). Exact names first, then a `*.` wildcard covering exactly one more label
 * (as a certificate's wildcard does, RFC 6125 section 6.4.3), then the default. Pure: values are
 * whatever the caller keeps per certificate (a SecureContext in the listener).
 */
export class SniTable<T> {
  readonly #exact = new Map<string, T>();
  /** `example.com` for an entry `*.example.com`. */
  readonly #wildcard = new Map<string, T>();
  readonly #default: T | undefined;

  /**
   * `entries` in configuration order; the first entry naming a name wins (validation refuses
   * duplicates, so order matters only for certificates' own names).
   *
   * ```ts
   * const table = new SniTable([{ names: ["api.test", "*.shop.test"], value: shop }], fallback);
   * table.lookup("a.shop.test") // shop
   * table.lookup("other.test")  // fallback
   * ```
   */
  constructor(entries: readonly { readonly names: readonly string[]; readonly value: T }[], fallback?: T) {
    for (const { names, value } of entries) {
      for (const raw of names) {
        const name = normalizeServerName(raw);
        if (name === undefined) continue;
        if (name.startsWith("*.")) {
          const parent = name.slice(2);
          if (!this.#wildcard.has(parent)) this.#wildcard.set(parent, value);
        } else if (!this.#exact.has(name)) {
          this.#exact.set(name, value);
        }
      }
    }
    this.#default = fallback;
  }

  /** The value for a server name as a client sent it, or the default; undefined when neither. */
  lookup(serverName: string): T | undefined {
    const name = normalizeServerName(serverName);
    if (name === undefined || name.startsWith("*.")) return this.#default;
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    if (dot > 0) {
      const wild = this.#wildcard.get(name.slice(dot + 1));
      if (wild !== undefined) return wild;
    }
    return this.#default;
  }

  get default(): T | undefined {
    return this.#default;
  }

  /** Every name the table answers, for diagnostics: exact names, then wildcards. */
  names(): string[] {
    return [...this.#exact.keys(), ...[...this.#wildcard.keys()].map((p) => `*.${p}`)];
  }
}

/** Longest DNS name (RFC 1035); a longer server name is answered by the default. */
const MAX_NAME = 253;

/**
 * A server name as compared: lowercase, one trailing dot removed; undefined when it cannot be a
 * DNS name (empty, too long, an empty label). SNI carries names in ASCII (A-labels), so no IDN
 * mapping happens here.
 */
export function normalizeServerName(raw: string): string | undefined {
  let name = raw.toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "" || name.length > MAX_NAME || name.startsWith(".") || name.includes("..")) return undefined;
  return name;
}
