import type { GroupConfig, HstsConfig } from "../../config/schema.js";
import { hostName } from "../../routing/hosts.js";

/** The Strict-Transport-Security value of a group's `hsts` setting. */
export function hstsValue(hsts: HstsConfig): string {
  let value = `max-age=${hsts.maxAge}`;
  if (hsts.includeSubDomains === true) value += "; includeSubDomains";
  if (hsts.preload === true) value += "; preload";
  return value;
}

/**
 * Which Strict-Transport-Security value an https response carries, by the request's host: the
 * group that serves that host, as routing picks groups (an exact domain, else the longest
 * `*.` domain covering it, else a group without domains), first in configuration order. A host
 * no group with `hsts` serves gets none. Built once per configuration.
 */
export class HstsTable {
  /** Host name to the value of the group that serves it; null: that group has no hsts. */
  readonly #exact = new Map<string, string | null>();
  /** `example.com` for `*.example.com`, covering any depth below it (as group domains match). */
  readonly #suffix = new Map<string, string | null>();
  readonly #anyHost: string | null;
  readonly #empty: boolean;

  constructor(groups: readonly GroupConfig[]) {
    let anyHost: string | null | undefined;
    for (const group of groups) {
      const value = group.hsts === undefined ? null : hstsValue(group.hsts);
      if (group.domains === undefined || group.domains.length === 0) {
        if (anyHost === undefined) anyHost = value;
        continue;
      }
      for (const domain of group.domains) {
        const name = domain.toLowerCase();
        const map = name.startsWith("*.") ? this.#suffix : this.#exact;
        const key = name.startsWith("*.") ? name.slice(2) : name;
        if (!map.has(key)) map.set(key, value);
      }
    }
    this.#anyHost = anyHost ?? null;
    this.#empty = groups.every((g) => g.hsts === undefined);
  }

  /** The header value for a Host (or :authority) header, or undefined. */
  valueFor(host: string | undefined): string | undefined {
    if (this.#empty) return undefined;
    const name = hostName(host);
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact ?? undefined;
    // The longest `*.` domain first: strip labels from the left.
    for (let dot = name.indexOf("."); dot >= 0; dot = name.indexOf(".", dot + 1)) {
      const value = this.#suffix.get(name.slice(dot + 1));
      if (value !== undefined) return value ?? undefined;
    }
    return this.#anyHost ?? undefined;
  }
}
