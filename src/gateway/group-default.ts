import type { GroupDefault, Snapshot } from "../config/snapshot.js";

function domainMatches(domain: string, host: string): 0 | 1 | 2 {
  if (domain === host) return 2;
  if (domain.startsWith("*.") && host.endsWith(domain.slice(1)) && host.length > domain.length - 1) return 1;
  return 0;
}

/**
 * The default CORS policy of the group that serves `host`, for requests that matched no API:
 * a group naming the host beats a `*.` group, which beats a group without domains.
 */
export function groupDefaultFor(snapshot: Snapshot, host: string): GroupDefault | undefined {
  let best: GroupDefault | undefined;
  let bestRank = -1;
  for (const g of snapshot.groupDefaults) {
    let rank = g.domains.length === 0 ? 0 : -1;
    for (const d of g.domains) {
      const m = domainMatches(d, host);
      if (m > 0) rank = Math.max(rank, m);
    }
    if (rank > bestRank) {
      best = g;
      bestRank = rank;
    }
  }
  return best;
}
