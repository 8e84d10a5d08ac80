import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { compileConfig } from "../config/compile.js";
import { parseConfigText } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { formatProblem, type Problem } from "../problems.js";

function listed(problems: readonly Problem[]): string {
  return problems
    .filter((p) => p.severity === "error")
    .map((p) => `\n  ${formatProblem(p)}`)
    .join("");
}

/**
 * A `--seed` file that cannot be stored: unreadable, not YAML or JSON, or not a valid configuration.
 * Nothing was stored; the message names the file, every problem, and what to do.
 */
export class SeedRefusedError extends Error {
  constructor(path: string, what: string, problems: readonly Problem[] = []) {
    super(
      `--seed ${path}: ${what}; nothing was stored. ` +
        "Fix the file (`crossgate validate FILE` lists every problem), or leave --seed out to start with an empty store." +
        listed(problems),
    );
    this.name = "SeedRefusedError";
  }
}

/**
 * Reads and validates a configuration file to seed a store; throws SeedRefusedError with every problem.
 * Function modules, certificate files and backend CA files are relative to the file; in a store they
 * are relative to the gateway's working directory, so their paths are rewritten accordingly.
 *
 * @example const config = await readSeed("examples/demo.yaml");
 */
export async function readSeed(path: string, workingDir = process.cwd()): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SeedRefusedError(path, `cannot read the file (${(error as Error).message})`);
  }
  const parsed = parseConfigText(text, path);
  if (!parsed.ok) throw new SeedRefusedError(path, "it does not parse", parsed.problems);
  const fileDir = dirname(resolve(path));
  const built = compileConfig(parsed.value, { baseDir: fileDir });
  if (!built.ok) throw new SeedRefusedError(path, "it is not a valid configuration", built.problems);
  // Validated: the configuration has the schema's shape from here on.
  const config = parsed.value as Config;
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
