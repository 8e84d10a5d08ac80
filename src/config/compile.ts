import type { Problem } from "../problems.js";
import type { Config } from "./schema.js";
import { buildSnapshot, type Snapshot } from "./snapshot.js";
import { analyzeConfig, hasErrors } from "./validate.js";
import { fileProblems } from "./validate-files.js";

export type BuildResult =
  | { readonly ok: true; readonly snapshot: Snapshot; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export interface CompileOptions {
  /**
   * Where the files the configuration names are resolved and checked: the configuration file's
   * directory, or the working directory in store mode. Without it, files are not checked.
   */
  readonly baseDir?: string;
}

/**
 * The one compile step of every way in (file, admin API, store, import): validate the whole
 * configuration, every problem in one pass (src/config/validate.ts checks only), then build the
 * immutable Snapshot the gateway serves (src/config/snapshot.ts builds only). Nothing partial: either
 * the configuration is good and built, or nothing is.
 *
 * ```ts
 * const r = compileConfig(YAML.parse(text), { baseDir: dirname(file) });
 * if (!r.ok) for (const p of r.problems) console.error(formatProblem(p));
 * ```
 */
export function compileConfig(raw: unknown, options: CompileOptions = {}): BuildResult {
  const { problems, policies } = analyzeConfig(raw);
  if (options.baseDir !== undefined) problems.push(...fileProblems(raw, options.baseDir));
  if (hasErrors(problems)) return { ok: false, problems };
  return { ok: true, snapshot: buildSnapshot(raw as Config, policies, problems), warnings: problems };
}
