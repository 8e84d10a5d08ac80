import { isDeepStrictEqual } from "node:util";
import type { Config } from "../config/schema.js";
import { KINDS, type Kind, type KindName, type Resource } from "./kinds.js";

export interface ResourceChange {
  readonly name: string;
  /** The resource's top-level fields that differ, e.g. `["allowOrigins", "maxAge"]`. */
  readonly fields: readonly string[];
}

export interface KindDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ResourceChange[];
}

export interface SettingChange {
  /** e.g. `gateway.limits.maxBodyBytes` or `listen.admin`. */
  readonly path: string;
  /** Absent: the setting was not set. */
  readonly from?: unknown;
  readonly to?: unknown;
}

export interface ConfigDiff {
  /** True when the two configurations are deep-equal. */
  readonly identical: boolean;
  readonly resources: Readonly<Record<KindName, KindDiff>>;
  /** Changed settings outside the four resource lists (listen, gateway, $schema). */
  readonly settings: readonly SettingChange[];
}

const RESOURCE_FIELDS = new Set<string>(KINDS.map((k) => k.field));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function settingChanges(path: string, from: unknown, to: unknown, out: SettingChange[]): void {
  if (isDeepStrictEqual(from, to)) return;
  if (isPlainObject(from) && isPlainObject(to)) {
    for (const key of [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()) {
      settingChanges(path === "" ? key : `${path}.${key}`, from[key], to[key], out);
    }
    return;
  }
  out.push({ path, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
}

/**
 * The named items of a kind. A configuration sent to PUT /admin/v1/config is diffed (for the revision's
 * summary) before it is validated, so anything in its lists that is not a named object is passed over.
 */
function namedItems(config: Config, kind: Kind): readonly Resource[] {
  const list: unknown = (config as Record<string, unknown>)[kind.field];
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is Resource => isPlainObject(item) && typeof item.name === "string");
}

/**
 * What changed from configuration `from` to configuration `to`: resources added, removed and changed
 * by kind and name (the order of a list is not a change), and the settings that changed.
 *
 * @example
 * diffConfigs(rev2.config, head.config).resources["cors-policies"].changed // [{ name: "web", fields: ["allowOrigins"] }]
 */
export function diffConfigs(from: Config, to: Config): ConfigDiff {
  const resources = {} as Record<KindName, KindDiff>;
  for (const kind of KINDS) {
    const before = new Map(namedItems(from, kind).map((item) => [item.name, item]));
    const after = new Map(namedItems(to, kind).map((item) => [item.name, item]));
    const added = [...after.keys()].filter((n) => !before.has(n));
    const removed = [...before.keys()].filter((n) => !after.has(n));
    const changed: ResourceChange[] = [];
    for (const [name, item] of after) {
      const old = before.get(name);
      if (old === undefined || isDeepStrictEqual(old, item)) continue;
      const fields = [...new Set([...Object.keys(old), ...Object.keys(item)])]
        .filter((f) => !isDeepStrictEqual(old[f], item[f]))
        .sort();
      changed.push({ name, fields });
    }
    resources[kind.kind] = { added, removed, changed };
  }
  const settings: SettingChange[] = [];
  const rest = (c: Config) =>
    Object.fromEntries(Object.entries(c).filter(([key]) => !RESOURCE_FIELDS.has(key)));
  settingChanges("", rest(from), rest(to), settings);
  return { identical: isDeepStrictEqual(from, to), resources, settings };
}
