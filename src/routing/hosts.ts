/**
 * Host matching (SPEC section 3, step 2): a group's `domains` match the Host header's name
 * case-insensitively, ignoring the port; `*.example.com` matches any subdomain, never example.com.
 */

/** The Host header's name, lowercase, without the port: `API.Test:8080` is `api.test`, `[::1]:80` is `[::1]`. */
export function hostName(host: string | undefined): string {
  if (host === undefined || host === "") return "";
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return (close < 0 ? host : host.slice(0, close + 1)).toLowerCase();
  }
  const colon = host.indexOf(":");
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}

/**
 * Values by the hosts they serve, chosen as routing chooses groups: the value that names the host
 * exactly, else the one whose `*.` domain covers it with the longest suffix, else the one without
 * domains (any host); among values naming the same domain, the first added. A value may be null: that
 * host is served, by something that carries no value (a group without a default policy, without HSTS),
 * and a wildcard or any-host value must not stand in for it.
 *
 * ```ts
 * const t = new HostTable<string>();
 * t.add(["*.shop.test"], "wild"); t.add(["api.shop.test"], "exact");
 * t.get("api.shop.test"); // "exact"     t.get("a.b.shop.test"); // "wild"
 * ```
 */
export class HostTable<T> {
  readonly #exact = new Map<string, T | null>();
  /** `example.com` for `*.example.com`, covering any depth below it (as group domains match). */
  readonly #suffix = new Map<string, T | null>();
  #any: T | null | undefined = undefined;
  #size = 0;

  /** Adds `value` for `domains` (lowercase host names or `*.` wildcards); no domains: any host. */
  add(domains: readonly string[], value: T | null): void {
    this.#size++;
    if (domains.length === 0) {
      if (this.#any === undefined) this.#any = value;
      return;
    }
    for (const domain of domains) {
      const name = domain.toLowerCase();
      const map = name.startsWith("*.") ? this.#suffix : this.#exact;
      const key = name.startsWith("*.") ? name.slice(2) : name;
      if (!map.has(key)) map.set(key, value);
    }
  }

  /** The value for a host name (lowercase, no port: `hostName(Host)`), or undefined. */
  get(host: string): T | undefined {
    if (this.#size === 0) return undefined;
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact ?? undefined;
    if (this.#suffix.size > 0) {
      // The longest `*.` domain first: strip labels from the left.
      for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1)) {
        const value = this.#suffix.get(host.slice(dot + 1));
        if (value !== undefined) return value ?? undefined;
      }
    }
    return this.#any ?? undefined;
  }
}
