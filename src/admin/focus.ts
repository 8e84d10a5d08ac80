import type { Problem } from "../problems.js";

/**
 * The problems of a write of one resource, as answered: those inside the resource with paths
 * relative to the object sent (`allowOrigins[2]`, not `corsPolicies[3].allowOrigins[2]`; the
 * resource itself is `""`), those elsewhere with their full path. A warning elsewhere is answered
 * only when the write caused it: one already in `before` (the served configuration's warnings) is
 * not repeated. Errors elsewhere are always caused by the write, since what is served is valid.
 *
 * @example
 * focusProblems(problems, "corsPolicies[3]", snapshot.warnings)
 */
export function focusProblems(
  problems: readonly Problem[],
  itemPath: string,
  before: readonly Problem[],
): Problem[] {
  const known = new Set(before.map(identity));
  const out: Problem[] = [];
  for (const p of problems) {
    const local = relativeTo(itemPath, p.path);
    if (local !== null) out.push({ ...p, path: local });
    else if (p.severity === "error" || !known.has(identity(p))) out.push(p);
  }
  return out;
}

function identity(p: Problem): string {
  return `${p.code}\u0000${p.path}\u0000${p.reason}`;
}

/** `path` relative to `base` when it is inside it: ("apis[2]", "apis[2].backend.url") is "backend.url". */
function relativeTo(base: string, path: string): string | null {
  if (path === base) return "";
  if (!path.startsWith(base)) return null;
  const next = path[base.length];
  if (next === ".") return path.slice(base.length + 1);
  if (next === "[") return path.slice(base.length);
  return null;
}
