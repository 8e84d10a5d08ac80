import { stringify as toYaml } from "yaml";
import { compileConfig } from "../config/compile.js";
import type { Config } from "../config/schema.js";
import type { Snapshot } from "../config/snapshot.js";
import type { Problem } from "../problems.js";
import { itemsOf, type Kind, withItems } from "./kinds.js";

/**
 * What a draft resource would do if saved, without saving it: every problem found in it (paths
 * relative to the resource, so that the console shows each next to its field while the user types),
 * problems it causes elsewhere, and its YAML. The same validator as a real write, so a draft that
 * previews clean saves clean and one with an error is refused the same way.
 */

export interface DraftPreview {
  /** No error anywhere: a save would be accepted. */
  readonly valid: boolean;
  /** Problems of the draft itself, paths relative to it (`allowOrigins[2]`, `path`, `` for the whole). */
  readonly problems: readonly Problem[];
  /** Problems elsewhere that the draft causes (another API's route it now conflicts with), paths rooted in the configuration. */
  readonly elsewhere: readonly Problem[];
  /** The draft as YAML (as it would appear in the configuration). */
  readonly yaml: string;
  /** The configuration with the draft in place. */
  readonly config: Config;
  /** Its snapshot when valid. */
  readonly snapshot: Snapshot | undefined;
  /** Where the draft sits in its kind's list. */
  readonly position: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `apis[1]` in a sentence becomes `apis[1] (simple)`: the console shows names, not positions. */
function nameReferences(reason: string, config: Config): string {
  return reason.replace(
    /\b(groups|apis|corsPolicies|apps)\[(\d+)\](?! \()/g,
    (all, field: string, index: string) => {
      const item = (config as Record<string, unknown>)[field];
      const name = Array.isArray(item)
        ? (item[Number(index)] as { name?: unknown } | undefined)?.name
        : undefined;
      return typeof name === "string" ? `${all} (${name})` : all;
    },
  );
}

/** Strips `apis[3]` (and the following dot) from a path that starts with it. */
function relativeTo(prefix: string, path: string): string | undefined {
  if (path === prefix) return "";
  if (path.startsWith(`${prefix}.`)) return path.slice(prefix.length + 1);
  if (path.startsWith(`${prefix}[`)) return path.slice(prefix.length);
  return undefined;
}

/**
 * Previews `item` as a resource of `kind` in `config`: replacing the resource named `replaces`
 * (an edit; the draft may rename it), else added at the end (a creation).
 */
export function previewDraft(config: Config, kind: Kind, item: unknown, replaces?: string): DraftPreview {
  const items = itemsOf(config, kind);
  const replacing = replaces === undefined ? -1 : items.findIndex((i) => i.name === replaces);
  const position = replacing < 0 ? items.length : replacing;
  const next = withItems(
    config,
    kind,
    replacing < 0 ? [...items, item] : items.map((existing, j) => (j === replacing ? item : existing)),
  );
  const prefix = `${kind.field}[${position}]`;
  const own: Problem[] = [];
  const elsewhere: Problem[] = [];

  const name = isObject(item) && typeof item.name === "string" ? item.name : undefined;
  if (name !== undefined && items.some((other, j) => other.name === name && j !== replacing)) {
    own.push({
      severity: "error",
      code: "NAME_EXISTS",
      path: "name",
      value: name,
      reason: `a ${kind.singular} named ${name} already exists: choose another name`,
    });
  }

  const built = compileConfig(next);
  const named = (p: Problem): Problem => ({ ...p, reason: nameReferences(p.reason, next) });
  const found = (built.ok ? built.warnings : built.problems).map(named);
  for (const p of found) {
    const rel = relativeTo(prefix, p.path);
    if (rel !== undefined) {
      own.push({ ...p, path: rel });
    } else if (p.code === "API_CONFLICT" && p.reason.includes(`${prefix} `)) {
      // The router reports a duplicate route on the later of the two APIs: show it on the draft too.
      own.push({ ...p, path: "path", reason: p.reason.replace(prefix, "this API") });
      elsewhere.push(p);
    } else if (p.severity === "error") {
      elsewhere.push(p);
    }
  }
  const valid = !own.some((p) => p.severity === "error") && built.ok;
  return {
    valid,
    problems: own,
    elsewhere,
    yaml: toYaml(item),
    config: next,
    snapshot: built.ok ? built.snapshot : undefined,
    position,
  };
}
