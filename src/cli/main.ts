import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerCheck } from "./check.js";
import { recordInvocation } from "./cluster.js";
import { registerExplain } from "./explain.js";
import { registerExport } from "./export.js";
import { registerImport } from "./import.js";
import { registerLint } from "./lint.js";
import { registerStart } from "./start.js";
import { registerValidate } from "./validate.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** The `crossgate` command. */
export async function main(argv: readonly string[]): Promise<void> {
  recordInvocation(argv);
  const program = new Command();
  program
    .name("crossgate")
    .description("An API gateway whose first-class feature is CORS, exact to the Fetch standard.")
    .version(version());
  registerStart(program);
  registerValidate(program);
  registerLint(program);
  registerExplain(program);
  registerCheck(program);
  registerImport(program);
  registerExport(program);
  await program.parseAsync([...argv]);
}
