import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { compileConfig } from "../config/compile.js";
import { parseConfigText } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { type Finding, formatNote } from "../openapi/findings.js";
import { ImportError, importOpenApi } from "../openapi/import.js";
import type { Problem } from "../problems.js";
import { printProblems } from "./problems-output.js";

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

interface ImportCliOptions {
  out?: string;
  group?: string;
  backendUrl?: string;
  keepOptionsMocks?: boolean;
  keepBasePath?: boolean;
  json?: boolean;
  report?: string;
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

/**
 * Function modules of a document written by `crossgate export` are relative to where that document
 * is; the written configuration is elsewhere, so they are rebased to point at the same files.
 */
function rebaseModules(config: Config, stubs: ReadonlySet<string>, from: string, to: string): void {
  if (from === to) return;
  for (const api of config.apis ?? []) {
    if (api.backend.type !== "function" || isAbsolute(api.backend.module)) continue;
    if (stubs.has(api.backend.module)) continue;
    const target = resolve(from, api.backend.module);
    const rebased = relative(to, target).split("\\").join("/");
    api.backend.module = rebased.startsWith(".") ? rebased : `./${rebased}`;
  }
}

function problemFinding(p: Problem): Finding {
  return {
    severity: p.severity,
    code: p.code,
    source: `configuration ${p.path === "" ? "(root)" : p.path}`,
    message: p.reason,
    action: "fix it in the written configuration, then run crossgate validate",
  };
}

/** `crossgate import FILE`: OpenAPI 3 / Swagger 2 to a configuration; findings on stderr, never a silent drop. */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "translate an OpenAPI 3.x or Swagger 2.0 document (with Amazon and Huawei gateway extensions) into a crossgate configuration; every finding names its source path and what to do",
    )
    .argument("<file>", "the OpenAPI or Swagger document, YAML or JSON ('-' reads stdin)")
    .option(
      "--out <file>",
      "write the configuration to this file, YAML or JSON by its name (default: stdout)",
    )
    .option("--group <name>", "the group's name (default: the document's info.title)")
    .option(
      "--backend-url <url>",
      "where operations without a gateway integration forward to (default: the document's server URL)",
    )
    .option(
      "--keep-options-mocks",
      "copy Amazon's \"enable CORS\" OPTIONS mocks as OPTIONS APIs with their static headers, instead of CORS policies bound to the path's APIs",
    )
    .option(
      "--keep-base-path",
      "serve Amazon APIs under their stage base path (/prod), which Amazon's own import ignores",
    )
    .option("--json", "print { config, findings, valid } as JSON on stdout instead of the configuration")
    .option("--report <file>", "also write the findings as JSON to this file")
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
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ findings: parsed.problems.map(problemFinding), valid: false }, null, 2)}\n`,
          );
        } else printProblems(parsed.problems);
        process.exitCode = 1;
        return;
      }
      let result: ReturnType<typeof importOpenApi>;
      try {
        result = importOpenApi(parsed.value, {
          ...(options.group !== undefined && { group: options.group }),
          ...(options.backendUrl !== undefined && { backendUrl: options.backendUrl }),
          keepOptionsMocks: options.keepOptionsMocks === true,
          keepBasePath: options.keepBasePath === true,
        });
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        if (options.json) {
          const finding = {
            severity: "error",
            code: "IMPORT_MALFORMED",
            source: "",
            message: error.message,
            action: "import an OpenAPI 3.x or Swagger 2.0 document",
          };
          process.stdout.write(`${JSON.stringify({ findings: [finding], valid: false }, null, 2)}\n`);
        } else process.stderr.write(`error   ${file}: ${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      const { config, notes, stubs } = result;
      const configDir = options.out ? dirname(resolve(options.out)) : process.cwd();
      rebaseModules(
        config,
        new Set(stubs.map((s) => s.module)),
        file === "-" ? process.cwd() : dirname(resolve(file)),
        configDir,
      );
      if (!options.json) for (const note of notes) process.stderr.write(`${formatNote(note)}\n`);

      // The stub modules, so that the configuration validates; a file already there is the user's code.
      const written: string[] = [];
      for (const stub of stubs) {
        const target = resolve(configDir, stub.module);
        if (existsSync(target)) continue;
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, stub.content, "utf8");
        written.push(stub.module);
      }

      // The written configuration, checked exactly as crossgate validate checks it.
      const built = compileConfig(config, { baseDir: configDir });
      const problems = built.ok ? built.warnings : built.problems;
      const errors = problems.filter((p) => p.severity === "error").length;

      const json = options.out?.toLowerCase().endsWith(".json") === true;
      const body = json
        ? `${JSON.stringify(config, null, 2)}\n`
        : `# Imported by crossgate import from ${file === "-" ? "stdin" : file}; check it with crossgate validate.\n${stringify(config, { lineWidth: 0 })}`;
      if (options.out) await writeFile(options.out, body, "utf8");
      const findings = [...result.findings, ...problems.map(problemFinding)];
      const envelope = { config, findings, valid: errors === 0, stubs: written };
      if (options.report) await writeFile(options.report, `${JSON.stringify(envelope, null, 2)}\n`, "utf8");
      if (options.json) process.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`);
      else if (!options.out) process.stdout.write(body);

      if (!options.json) {
        for (const module of written) {
          process.stderr.write(
            `info    stub module ${resolve(configDir, module)} written: replace it with the function's code\n`,
          );
        }
        if (problems.length > 0) {
          process.stderr.write("the written configuration, as crossgate validate sees it:\n");
          printProblems(problems);
        }
        const warnings = notes.filter((n) => n.severity === "warning").length;
        process.stderr.write(
          `${file}: ${plural(config.apis?.length ?? 0, "API", "APIs")}, ${plural(config.corsPolicies?.length ?? 0, "CORS policy", "CORS policies")}; ${warnings} not translated exactly${options.out ? `; written to ${options.out}` : ""}\n`,
        );
        if (errors > 0) {
          process.stderr.write(
            `${file}: the configuration does not validate (${plural(errors, "error", "errors")} above)${options.out ? `; ${options.out} was written anyway so that you can fix it` : ""}\n`,
          );
        }
      }
      process.exitCode = errors > 0 ? 1 : 0;
    });
}
