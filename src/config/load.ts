import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import type { Problem } from "../problems.js";
import { type BuildResult, compileConfig } from "./compile.js";
import { parseJsonText } from "./parse-json.js";
import { parseYamlText } from "./parse-yaml.js";

export { MAX_ALIAS_COUNT, MAX_NESTING_DEPTH } from "./syntax.js";

export type ParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problems: Problem[] };

/**
 * Parses configuration text: JSON when the file name ends in .json (or the text starts with
 * "{"), YAML otherwise. Every refusal is a SYNTAX problem with its line and column: syntax errors,
 * nesting deeper than MAX_NESTING_DEPTH, YAML alias bombs and endless YAML structures.
 */
export function parseConfigText(text: string, fileName = "config.yaml"): ParseResult {
  const json = extname(fileName).toLowerCase() === ".json" || /^\s*\{/.test(text);
  if (!json) return parseYamlText(text);
  const parsed = parseJsonText(text);
  return parsed.ok ? parsed : { ok: false, problems: [parsed.problem] };
}

/** Reads, parses, validates and compiles a configuration file. */
export async function loadConfigFile(path: string): Promise<BuildResult & { readonly raw?: unknown }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          severity: "error",
          code: "READ",
          path: "",
          reason: `cannot read ${path}: ${(error as Error).message}`,
        },
      ],
    };
  }
  const parsed = parseConfigText(text, path);
  if (!parsed.ok) return parsed;
  return compileConfig(parsed.value, { baseDir: dirname(resolve(path)) });
}
