import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfigText } from "../config/load.js";
import type { Config } from "../config/schema.js";

/** The demo configuration shipped with crossgate, used to seed an empty store on first start. */
export const DEMO_CONFIG_PATH = fileURLToPath(new URL("../../examples/demo.yaml", import.meta.url));

/**
 * Reads a configuration file to seed a store. Function modules, certificate files and backend CA
 * files are relative to the file; in a store they are relative to the gateway's working directory, so
 * their paths are rewritten accordingly.
 */
export async function readSeed(path: string, workingDir = process.cwd()): Promise<Config> {
  const parsed = parseConfigText(await readFile(path, "utf8"), path);
  if (!parsed.ok) throw new Error(`${path}: ${parsed.problems.map((p) => p.reason).join("; ")}`);
  const config = parsed.value as Config;
  const fileDir = dirname(resolve(path));
  const move = (file: string) => {
    if (isAbsolute(file)) return file;
    const moved = relative(workingDir, resolve(fileDir, file));
    return moved.startsWith(".") ? moved : `./${moved}`;
  };
  return {
    ...config,
    apis: config.apis?.map((api) => {
      if (api.backend.type === "function")
        return { ...api, backend: { ...api.backend, module: move(api.backend.module) } };
      if (api.backend.type === "http" && api.backend.tls?.ca !== undefined)
        return {
          ...api,
          backend: { ...api.backend, tls: { ...api.backend.tls, ca: move(api.backend.tls.ca) } },
        };
      return api;
    }),
    ...(config.tls?.certificates === undefined
      ? {}
      : {
          tls: {
            ...config.tls,
            certificates: config.tls.certificates.map((c) => ({
              ...c,
              ...(c.cert === undefined ? {} : { cert: move(c.cert) }),
              ...(c.key === undefined ? {} : { key: move(c.key) }),
            })),
          },
        }),
  };
}
