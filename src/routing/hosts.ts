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

/** How well `domain` covers `host`: 2 exactly, 1 through a `*.` wildcard, 0 not at all. */
export function domainMatches(domain: string, host: string): 0 | 1 | 2 {
  if (domain === host) return 2;
  if (domain.startsWith("*.") && host.endsWith(domain.slice(1)) && host.length > domain.length - 1) return 1;
  return 0;
}

/**
 * The item whose `domains` serve `host` best: one naming the host beats a `*.` one, which beats one
 * without domains (any host). Used for the group default policy of requests no API serves.
 */
export function bestForHost<T extends { readonly domains: readonly string[] }>(
  items: readonly T[],
  host: string,
): T | undefined {
  let best: T | undefined;
  let bestRank = -1;
  for (const item of items) {
    let rank = item.domains.length === 0 ? 0 : -1;
    for (const d of item.domains) {
      const m = domainMatches(d, host);
      if (m > 0) rank = Math.max(rank, m);
    }
    if (rank > bestRank) {
      best = item;
      bestRank = rank;
    }
  }
  return best;
}
