import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Problem, problem } from "../problems.js";
import { isPlainObject } from "./well-typed.js";

/**
 * What the configuration names on disk, checked against `baseDir` (the configuration file's directory;
 * the working directory in store mode): function backends whose module file does not exist. Reads the
 * raw input with care, so that it can run beside the schema's checks in the same pass.
 */
export function fileProblems(raw: unknown, baseDir: string): Problem[] {
  const problems: Problem[] = [];
  if (!isPlainObject(raw) || !Array.isArray(raw.apis)) return problems;
  raw.apis.forEach((api: unknown, i) => {
    if (!isPlainObject(api) || !isPlainObject(api.backend)) return;
    const { type, module } = api.backend;
    if (type !== "function" || typeof module !== "string" || module === "") return;
    const file = resolve(baseDir, module);
    if (!existsSync(file)) {
      problems.push(
        problem("FUNCTION_MODULE_MISSING", `apis[${i}].backend.module`, module, `no file at ${file}`),
      );
    }
  });
  return problems;
}
