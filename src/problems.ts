/**
 * A configuration finding: an error refuses the configuration, a warning is reported but allowed.
 * Paths use the file's own shape, e.g. `corsPolicies[0].allowOrigins[2]`.
 */
export interface Problem {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly path: string;
  readonly value?: unknown;
  readonly reason: string;
  /** SYNTAX problems: where in the text, 1-based (also written in `reason`). */
  readonly line?: number;
  readonly column?: number;
}

export function formatProblem(problem: Problem): string {
  const where = problem.path === "" ? "(root)" : problem.path;
  return `${where}: ${problem.reason}`;
}

/** Joins a parent path and a child key or index: `joinPath("apis", 3)` is `apis[3]`. */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === "number") return `${parent}[${child}]`;
  return parent === "" ? child : `${parent}.${child}`;
}

/** Re-roots problems found in a sub-document under `parent`. */
export function prefixProblems(parent: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({
    ...p,
    path: p.path === "" ? parent : p.path.startsWith("[") ? `${parent}${p.path}` : joinPath(parent, p.path),
  }));
}
