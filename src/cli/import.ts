import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { missingModules, parseConfigText } from "../config/load.js";
import { buildSnapshot } from "../config/snapshot.js";
import { formatNote } from "../openapi/common.js";
import { ImportError, importOpenApi } from "../openapi/import.js";
import { printProblems } from "./problems-output.js";

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

interface ImportCliOptions {
  out?: string;
  group?: string;
  backendUrl?: string;
  corsPolicy?: boolean;
  json?: boolean;
}

async function readInput(file: string): Promise<string> {
  if (file !== "-") return readFile(file, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function checkBackendUrl(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return "must be an http:// or https:// URL";
    if (u.search !== "" || u.hash !== "" || u.username !== "" || u.password !== "")
      return "has no query, fragment or credentials";
    return null;
  } catch {
    return "is not a URL";
  }
}

/** `crossgate import FILE`: OpenAPI 3 / Swagger 2 to a configuration; notes on stderr, never a silent drop. */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "translate an OpenAPI 3.x or Swagger 2.0 document (with Amazon and Huawei gateway extensions) into a crossgate configuration; what cannot be translated is listed on stderr",
    )
    .argument("<file>", "the OpenAPI or Swagger document, YAML or JSON ('-' reads stdin)")
    .option("--out <file>", "write the configuration to this file (default: stdout)")
    .option("--group <name>", "the group's name (default: the document's info.title)")
    .option(
      "--backend-url <url>",
      "where operations without a gateway integration forward to (default: the document's server URL)",
    )
    .option(
      "--cors-policy",
      "turn Amazon's \"enable CORS\" OPTIONS mocks into a CORS policy bound to the path's APIs (the gateway then answers preflights itself)",
    )
    .option("--json", "write JSON instead of YAML")
    .action(async (file: string, options: ImportCliOptions) => {
      if (options.backendUrl !== undefined) {
        const problem = checkBackendUrl(options.backendUrl);
        if (problem) {
          process.stderr.write(`error   --backend-url ${options.backendUrl}: ${problem}\n`);
          process.exitCode = 1;
          return;
        }
      }
      let text: string;
      try {
        text = await readInput(file);
      } catch (error) {
        process.stderr.write(`error   cannot read ${file}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const parsed = parseConfigText(text, file);
      if (!parsed.ok) {
        printProblems(parsed.problems);
        process.exitCode = 1;
        return;
      }
      let result: ReturnType<typeof importOpenApi>;
      try {
        result = importOpenApi(parsed.value, {
          ...(options.group !== undefined && { group: options.group }),
          ...(options.backendUrl !== undefined && { backendUrl: options.backendUrl }),
          corsPolicy: options.corsPolicy === true,
        });
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        process.stderr.write(`error   ${file}: ${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      const { config, notes } = result;
      for (const note of notes) process.stderr.write(`${formatNote(note)}\n`);

      // Say now what `crossgate validate` will say, so nothing surprises later.
      const built = buildSnapshot(config);
      const problems = [
        ...(built.ok ? built.warnings : built.problems),
        ...missingModules(config, options.out ? dirname(resolve(options.out)) : process.cwd()),
      ];
      if (problems.length > 0) {
        process.stderr.write("the written configuration, as crossgate validate will see it:\n");
        printProblems(problems);
      }

      const json = options.json === true || options.out?.toLowerCase().endsWith(".json") === true;
      const body = json
        ? `${JSON.stringify(config, null, 2)}\n`
        : `# Imported by crossgate import from ${file === "-" ? "stdin" : file}; check it with crossgate validate.\n${stringify(config, { lineWidth: 0 })}`;
      if (options.out) await writeFile(options.out, body, "utf8");
      else process.stdout.write(body);

      const warnings = notes.filter((n) => n.severity === "warning").length;
      const errors = problems.filter((p) => p.severity === "error").length;
      process.stderr.write(
        `${file}: ${plural(config.apis?.length ?? 0, "API", "APIs")}, ${plural(config.corsPolicies?.length ?? 0, "CORS policy", "CORS policies")}; ${warnings} not translated exactly${errors > 0 ? `; ${errors} error${errors === 1 ? "" : "s"} for crossgate validate` : ""}${options.out ? `; written to ${options.out}` : ""}\n`,
      );
      process.exitCode = 0;
    });
}
