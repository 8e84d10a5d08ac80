import type { Command } from "commander";
import { loadConfigFile } from "../config/load.js";
import { printProblems } from "./problems-output.js";

export function registerLint(program: Command): void {
  program
    .command("lint")
    .description(
      "print lint warnings (risky but legal settings) and errors; exit 1 on errors, 2 with --strict on warnings",
    )
    .argument("<file>", "YAML or JSON configuration")
    .option("--strict", "exit 2 when there are warnings")
    .action(async (file: string, options: { strict?: boolean }) => {
      const result = await loadConfigFile(file);
      const problems = result.ok ? result.warnings : result.problems;
      printProblems(problems, process.stdout);
      if (problems.length === 0) process.stdout.write(`${file}: no findings\n`);
      process.exitCode = !result.ok ? 1 : options.strict && problems.length > 0 ? 2 : 0;
    });
}
