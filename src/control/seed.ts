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
  // Not validated yet (the control plane validates it before storing it): every part is looked at
  // with care, and anything unexpected is passed on unchanged to be refused with its path.
  const config = parsed.value as Config;
  if (!isObject(config) || !Array.isArray(config.apis)) return config;
  const fileDir = dirname(resolve(path));
  return {
    ...config,
    apis: config.apis.map((api: unknown) => {
      if (!isObject(api)) return api;
      const backend = api.backend;
      if (!isObject(backend) || backend.type !== "function" || typeof backend.module !== "string") return api;
      if (isAbsolute(backend.module)) return api;
      const moved = relative(workingDir, resolve(fileDir, backend.module));
      return { ...api, backend: { ...backend, module: moved.startsWith(".") ? moved : `./${moved}` } };
    }) as Config["apis"],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
