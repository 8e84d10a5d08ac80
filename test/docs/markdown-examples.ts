/**
 * Finds the shell examples of README.md and docs/*.md and what each one promises. A ```sh block is preceded
 * (blank lines aside) by an HTML comment that says either how to run it and what it shows:
 *
 *   <!-- example: demo            the setup: demo (npm start running), cluster (PostgreSQL), or none
 *   prelude                       optional: also run this block before every later block of the same setup
 *   exit: 2                       optional: the exit code of the block (default 0)
 *   expect: HTTP/1.1 200 OK       fragments the output holds, in this order (case-insensitive)
 *   -->
 *
 * or why it cannot run here: `<!-- not runnable: the reason -->`. A block of another language preceded by
 * `<!-- example-file: NAME -->` is written to NAME in the examples' working directory before they run.
 */
import { readFileSync } from "node:fs";

export type Setup = "demo" | "cluster" | "none";

export interface ShellExample {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  readonly marker:
    | { readonly kind: "run"; setup: Setup; prelude: boolean; exit: number; expect: readonly string[] }
    | { readonly kind: "skip"; reason: string }
    | { readonly kind: "unmarked"; problem: string };
}

export interface ExampleFile {
  readonly file: string;
  readonly name: string;
  readonly content: string;
}

export interface MarkdownExamples {
  readonly shell: ShellExample[];
  readonly files: ExampleFile[];
}

const FENCE = /^```(\S*)\s*$/;
const COMMENT = /<!--([\s\S]*?)-->\s*$/;

function parseMarker(comment: string | undefined): ShellExample["marker"] {
  if (comment === undefined) {
    return {
      kind: "unmarked",
      problem: "no <!-- example: SETUP --> or <!-- not runnable: REASON --> comment right before it",
    };
  }
  const body = comment.trim();
  const skip = /^not runnable:\s*([\s\S]+)$/.exec(body);
  if (skip) return { kind: "skip", reason: (skip[1] as string).trim() };
  const lines = body.split("\n").map((l) => l.trim());
  const head = /^example:\s*(demo|cluster|none)(\s+prelude)?$/.exec(lines[0] ?? "");
  if (!head) {
    return {
      kind: "unmarked",
      problem: `the comment before it is neither "example: demo|cluster|none" nor "not runnable: ..."`,
    };
  }
  const expect: string[] = [];
  let exit = 0;
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const m = /^(expect|exit):\s?(.*)$/.exec(line);
    if (!m)
      return { kind: "unmarked", problem: `unknown line in its example comment: ${JSON.stringify(line)}` };
    if (m[1] === "exit") exit = Number(m[2]);
    else expect.push(m[2] as string);
  }
  return { kind: "run", setup: head[1] as Setup, prelude: head[2] !== undefined, exit, expect };
}

/** Reads every fenced block of a Markdown file, with the comment that precedes it. */
export function readExamples(file: string): MarkdownExamples {
  const lines = readFileSync(file, "utf8").split("\n");
  const shell: ShellExample[] = [];
  const files: ExampleFile[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE.exec(lines[i] as string);
    if (!open) {
      i++;
      continue;
    }
    const start = i;
    const body: string[] = [];
    i++;
    while (i < lines.length && !/^```\s*$/.test(lines[i] as string)) body.push(lines[i++] as string);
    i++;
    // The comment that ends right above the fence (blank lines allowed between).
    let above = start - 1;
    while (above >= 0 && (lines[above] as string).trim() === "") above--;
    let comment: string | undefined;
    if (above >= 0 && (lines[above] as string).trimEnd().endsWith("-->")) {
      let first = above;
      while (first > 0 && !(lines[first] as string).includes("<!--")) first--;
      comment = COMMENT.exec(lines.slice(first, above + 1).join("\n"))?.[1];
    }
    const language = open[1] ?? "";
    if (language === "sh") {
      shell.push({ file, line: start + 1, code: body.join("\n"), marker: parseMarker(comment) });
    } else {
      const named = /^\s*example-file:\s*(\S+)\s*$/.exec(comment ?? "");
      if (named) files.push({ file, name: named[1] as string, content: `${body.join("\n")}\n` });
    }
  }
  return { shell, files };
}

/**
 * The commands of a block: a transcript (`$ command` lines followed by the output they print) keeps only
 * the commands (with their `\` continuation lines); any other block is all commands.
 */
export function commandsOf(code: string): string {
  const lines = code.split("\n");
  if (!lines.some((l) => l.startsWith("$ "))) return code;
  const kept: string[] = [];
  let continuing = false;
  for (const line of lines) {
    if (line.startsWith("$ ") || continuing) {
      kept.push(line.startsWith("$ ") ? line.slice(2) : line);
      continuing = line.trimEnd().endsWith("\\");
    }
  }
  return kept.join("\n");
}

/** Whether `output` holds every fragment, in order, ignoring case; else the first fragment missing. */
export function missingFragment(output: string, fragments: readonly string[]): string | undefined {
  const haystack = output.toLowerCase();
  let from = 0;
  for (const fragment of fragments) {
    const at = haystack.indexOf(fragment.toLowerCase(), from);
    if (at < 0) return fragment;
    from = at + fragment.length;
  }
  return undefined;
}
