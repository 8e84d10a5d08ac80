import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfigText } from "../config/load.js";
import type { Config } from "../config/schema.js";

/** The demo configuration shipped with crossgate, used to seed an empty store on first start. */
export const DEMO_CONFIG_PATH = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));

/**
 * Reads a configuration file to seed a store. Function modules are relative to the file; in a store
 * they are relative to the gateway's working directory, so their paths are rewritten accordingly.
 */
export async function readSeed(path: string, workingDir = process.cwd()): Promise<Config> {
  const parsed = parseConfigText(await readFile(path, "utf8"), path);
  if (!parsed.ok) throw new Error(`${path}: ${parsed.problems.map((p) => p.reason).join("; ")}`);
  const config = parsed.value as Config;
  const fileDir = dirname(resolve(path));
  return {
    ...config,
    apis: config.apis?.map((api) => {
      if (api.backend.type !== "function" || isAbsolute(api.backend.module)) return api;
      const moved = relative(workingDir, resolve(fileDir, api.backend.module));
      return { ...api, backend: { ...api.backend, module: moved.startsWith(".") ? moved : `./${moved}` } };
    }),
  };
}
