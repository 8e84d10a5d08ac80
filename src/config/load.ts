import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import type { Problem } from "../problems.js";
import { type BuildResult, compileConfig } from "./compile.js";
import { parseJsonText } from "./parse-json.js";
import { parseYamlText } from "./parse-yaml.js";
import { certificateSource } from "./tls/sources.js";
import { checkTlsMaterial, servesHttps, soundTlsSections } from "./tls-material.js";

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

/**
 * Reads, parses, validates and compiles a configuration file, and reads the files it names
 * (function modules, certificates). `listen`: the command line's --listen, which decides whether
 * certificate problems are errors (https) or warnings (plain http).
 */
export async function loadConfigFile(
  path: string,
  overrides: { readonly listen?: string | undefined } = {},
): Promise<BuildResult & { readonly raw?: unknown }> {
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
  const baseDir = dirname(resolve(path));
  const built = compileConfig(parsed.value, { baseDir });
  if (!built.ok) {
    // The certificates are read all the same when the sections the check reads are sound, so that one
    // pass lists every problem (a missing certificate is not left for the second attempt).
    const sections = soundTlsSections(parsed.value, built.problems);
    const tls =
      sections === undefined
        ? []
        : await checkTlsMaterial(sections, certificateSource(baseDir), {
            https: servesHttps(sections, overrides.listen),
          });
    return { ok: false, problems: [...built.problems, ...tls] };
  }
  // The certificates it names are read (files, or the store): problems of their own, after the rest.
  const tls = await checkTlsMaterial(built.snapshot.config, certificateSource(baseDir), {
    https: servesHttps(built.snapshot.config, overrides.listen),
  });
  const errors = tls.filter((p) => p.severity === "error");
  const warnings = [...built.warnings, ...tls.filter((p) => p.severity === "warning")];
  return errors.length > 0 ? { ok: false, problems: [...errors, ...warnings] } : { ...built, warnings };
}
