import type { GroupConfig, HstsConfig } from "../../config/schema.js";
import { HostTable, hostName } from "../../routing/hosts.js";

/** The Strict-Transport-Security value of a group's `hsts` setting. */
export function hstsValue(hsts: HstsConfig): string {
  let value = `max-age=${hsts.maxAge}`;
  if (hsts.includeSubDomains === true) value += "; includeSubDomains";
  if (hsts.preload === true) value += "; preload";
  return value;
}

/**
 * Which Strict-Transport-Security value an https response carries, by the request's host: the
 * group that serves that host, as routing picks groups (src/routing/hosts.ts HostTable). A host no
 * group with `hsts` serves gets none. Built once per configuration.
 */
export class HstsTable {
  readonly #table = new HostTable<string>();
  readonly #empty: boolean;

  constructor(groups: readonly GroupConfig[]) {
    for (const group of groups)
      this.#table.add(group.domains ?? [], group.hsts === undefined ? null : hstsValue(group.hsts));
    this.#empty = groups.every((g) => g.hsts === undefined);
  }

  /** The header value for a Host (or :authority) header, or undefined. */
  valueFor(host: string | undefined): string | undefined {
    return this.#empty ? undefined : this.#table.get(hostName(host));
  }
}
