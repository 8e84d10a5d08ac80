import { formatProblem, type Problem } from "../problems.js";

/** Prints problems the way every command does: errors, then warnings, one per line on stderr. */
export function printProblems(
  problems: readonly Problem[],
  stream: NodeJS.WritableStream = process.stderr,
): void {
  for (const p of problems.filter((x) => x.severity === "error"))
    stream.write(`error   ${formatProblem(p)}\n`);
  for (const p of problems.filter((x) => x.severity === "warning"))
    stream.write(`warning ${formatProblem(p)}\n`);
}
