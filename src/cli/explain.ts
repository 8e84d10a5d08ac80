import type { Command } from "commander";
import { loadConfigFile } from "../config/load.js";
import { explain } from "../explain/explain.js";
import { formatExplanation } from "../explain/format.js";
import { originOption } from "./origin-option.js";
import { printProblems } from "./problems-output.js";

/** Exit codes shared with `check`: the browser would allow the request, it would block it. Usage errors: 1. */
export const EXIT_ALLOWED = 0;
export const EXIT_BLOCKED = 2;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--header X-Sdk-Date` or `--header "Content-Type: application/json"`. */
export function parseHeaderOption(value: string): { name: string; value?: string } {
  const colon = value.indexOf(":");
  if (colon < 0) return { name: value.trim() };
  return { name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() };
}

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description(
      "explain what the gateway and a browser do with a cross-origin request " +
        "(exit 0: allowed, 2: the browser blocks it, 1: a usage or configuration error)",
    )
    .requiredOption("--config <file>", "YAML or JSON configuration")
    .requiredOption("--origin <origin>", "the page's origin, e.g. https://app.example.com", originOption)
    .requiredOption("--method <method>", "the request's method")
    .requiredOption("--path <path>", "the request's path (and query)")
    .option("--host <host>", "the Host header (default: the first group domain, else localhost)")
    .option("--header <name[: value]>", "a request header the page sets (repeatable)", collect, [])
    .option("--credentials", "the request is credentialed (cookies, credentials: 'include')")
    .option("--private-network", "the page is public and the gateway is on a private network")
    .option("--json", "print the explanation as JSON")
    .action(
      async (options: {
        config: string;
        origin: string;
        method: string;
        path: string;
        host?: string;
        header: string[];
        credentials?: boolean;
        privateNetwork?: boolean;
        json?: boolean;
      }) => {
        const loaded = await loadConfigFile(options.config);
        if (!loaded.ok) {
          printProblems(loaded.problems);
          process.exitCode = 1;
          return;
        }
        const result = explain(loaded.snapshot, {
          origin: options.origin,
          method: options.method,
          path: options.path,
          host: options.host,
          headers: options.header.map(parseHeaderOption),
          credentials: options.credentials === true,
          privateNetwork: options.privateNetwork === true,
        });
        process.stdout.write(
          options.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatExplanation(result)}\n`,
        );
        process.exitCode = result.outcome.ok ? EXIT_ALLOWED : EXIT_BLOCKED;
      },
    );
}
