import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { compileConfig } from "../config/compile.js";
import type { Config } from "../config/schema.js";
import type { Problem } from "../problems.js";
import { type ConfigDiff, diffConfigs } from "./diff.js";

/**
 * Checks a whole configuration typed as YAML (or JSON) in the console's editor: every problem, each
 * with the line and column of the field it is about, and what would change against the configuration
 * being served. Nothing is applied.
 */

export interface LocatedProblem extends Problem {
  /** 1-based line and column of the field in the text, when it can be found. */
  readonly line?: number;
  readonly column?: number;
}

export interface ConfigCheck {
  readonly valid: boolean;
  readonly problems: readonly LocatedProblem[];
  /** Against the current configuration; absent when the text does not parse. */
  readonly diff?: ConfigDiff;
  /** The parsed configuration (for the console to PUT), absent when the text does not parse. */
  readonly config?: Config;
}

/** `apis[3].backend.url` to `["apis", 3, "backend", "url"]`. */
export function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) keys.push(Number(m[2]));
    else if (m[1] !== undefined) keys.push(m[1]);
  }
  return keys;
}

/** The deepest node along `keys` that exists: a problem about a missing field points at its parent. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  keys: readonly (string | number)[],
): [number, number] | undefined {
  let node: unknown = doc.contents;
  let range: [number, number, number] | undefined = (node as { range?: [number, number, number] })?.range;
  for (const key of keys) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === key);
      next = pair?.value;
      const keyRange = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (keyRange) range = keyRange;
    } else if (isSeq(node) && typeof key === "number") {
      next = node.items[key];
    }
    if (next === undefined || next === null) break;
    const r = (next as { range?: [number, number, number] }).range;
    if (r && !(isMap(node) && typeof key === "string")) range = r;
    node = next;
  }
  return range ? [range[0], range[1]] : undefined;
}

export function checkConfigText(text: string, current: Config): ConfigCheck {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      valid: false,
      problems: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          severity: "error" as const,
          code: "SYNTAX",
          path: "",
          reason: `invalid YAML: ${e.message.split("\n")[0]}`,
          line: pos.line,
          column: pos.col,
        };
      }),
    };
  }
  let value: Config;
  try {
    value = (doc.toJS() ?? {}) as Config;
  } catch (error) {
    // An alias whose anchor is missing parses without errors and fails only here.
    return {
      valid: false,
      problems: [
        { severity: "error", code: "SYNTAX", path: "", reason: `invalid YAML: ${(error as Error).message}` },
      ],
    };
  }
  const built = compileConfig(value);
  const found = built.ok ? built.warnings : built.problems;
  const problems = found.map((p): LocatedProblem => {
    const at = locate(doc, pathKeys(p.path));
    if (!at) return p;
    const pos = lines.linePos(at[0]);
    return { ...p, line: pos.line, column: pos.col };
  });
  return {
    valid: built.ok,
    problems,
    diff: diffConfigs(current, value),
    config: value,
  };
}
