import { readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { compileConfig } from "../config/compile.js";
import { parseConfigText } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { ExportError, exportOpenApi } from "../openapi/export.js";
import { formatNote } from "../openapi/findings.js";
import { printProblems } from "./problems-output.js";

interface ExportCliOptions {
  config: string;
  format: string;
  group?: string;
  out?: string;
  json?: boolean;
}

/** The configuration with relative function module paths made relative to `to` instead of `from`. */
function rebaseModules(config: Config, from: string, to: string): Config {
  if (from === to) return config;
  return {
    ...config,
    apis: (config.apis ?? []).map((api) => {
      if (api.backend.type !== "function" || isAbsolute(api.backend.module)) return api;
      const rebased = relative(to, resolve(from, api.backend.module)).split("\\").join("/");
      return {
        ...api,
        backend: { ...api.backend, module: rebased.startsWith(".") ? rebased : `./${rebased}` },
      };
    }),
  };
}

/** `crossgate export --config FILE`: the APIs as OpenAPI 3.0 (or Swagger 2.0), importable by Amazon API Gateway. */
export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "write a configuration's APIs as an OpenAPI 3.0 (or Swagger 2.0) document with Amazon API Gateway integrations; crossgate import reads it back",
    )
    .requiredOption("--config <file>", "YAML or JSON configuration")
    .option("--format <format>", "openapi (3.0) or swagger (2.0)", "openapi")
    .option("--group <name>", "export only this group's APIs")
    .option("--out <file>", "write the document to this file (default: stdout)")
    .option("--json", "write JSON (default: YAML, or JSON when --out ends in .json)")
    .action(async (options: ExportCliOptions) => {
      if (options.format !== "openapi" && options.format !== "swagger") {
        process.stderr.write(`error   --format ${options.format}: use openapi or swagger\n`);
        process.exitCode = 1;
        return;
      }
      let text: string;
      try {
        text = await readFile(options.config, "utf8");
      } catch (error) {
        process.stderr.write(`error   cannot read ${options.config}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const parsed = parseConfigText(text, options.config);
      if (!parsed.ok) {
        printProblems(parsed.problems);
        process.exitCode = 1;
        return;
      }
      const built = compileConfig(parsed.value);
      if (!built.ok) {
        printProblems(built.problems);
        process.stderr.write(`${options.config}: not exported, the configuration is invalid\n`);
        process.exitCode = 1;
        return;
      }
      // Function modules are relative to the configuration; the document is read relative to itself.
      const config = rebaseModules(
        parsed.value as Config,
        dirname(resolve(options.config)),
        options.out ? dirname(resolve(options.out)) : process.cwd(),
      );
      let result: ReturnType<typeof exportOpenApi>;
      try {
        result = exportOpenApi(config, {
          format: options.format,
          ...(options.group !== undefined && { group: options.group }),
        });
      } catch (error) {
        if (!(error instanceof ExportError)) throw error;
        process.stderr.write(`error   ${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      for (const note of result.notes) process.stderr.write(`${formatNote(note)}\n`);
      const json = options.json === true || options.out?.toLowerCase().endsWith(".json") === true;
      const body = json
        ? `${JSON.stringify(result.document, null, 2)}\n`
        : stringify(result.document, { lineWidth: 0 });
      if (options.out) await writeFile(options.out, body, "utf8");
      else process.stdout.write(body);
      process.exitCode = 0;
    });
}
