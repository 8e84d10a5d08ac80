import type { Command } from "commander";
import { loadConfigFile } from "../config/load.js";
import { printProblems } from "./problems-output.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "check a configuration file: exit 0 when valid, 1 with every problem on stderr; lint warnings either way",
    )
    .argument("<file>", "YAML or JSON configuration")
    .option("--json", "print the problems as JSON on stdout")
    .action(async (file: string, options: { json?: boolean }) => {
      const result = await loadConfigFile(file);
      const problems = result.ok ? result.warnings : result.problems;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ valid: result.ok, problems }, null, 2)}\n`);
      } else {
        printProblems(problems);
        const errors = problems.filter((p) => p.severity === "error").length;
        const warnings = problems.length - errors;
        process.stderr.write(
          result.ok
            ? `${file}: valid${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}\n`
            : `${file}: ${errors} error${errors === 1 ? "" : "s"}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}\n`,
        );
      }
      process.exitCode = result.ok ? 0 : 1;
    });
}
