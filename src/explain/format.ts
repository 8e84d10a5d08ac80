import type { Explanation } from "./explain.js";

const MARK: Record<string, string> = { pass: "✔", fail: "✘", skip: "–", info: "ℹ" };

function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}

/** Renders an explanation for a terminal: route, checks, headers, and the browser's verdict. */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  lines.push(`${e.url}`);
  lines.push(e.preflightNeeded ? "The browser sends a preflight first." : "No preflight: a simple request.");
  for (const s of e.stages) {
    lines.push("");
    lines.push(`── ${s.stage === "preflight" ? "Preflight" : "Actual request"}: ${s.request.method} ──`);
    for (const [k, v] of s.request.headers) lines.push(`  > ${titleCase(k)}: ${v}`);
    lines.push(`  group: ${s.group ?? "(none)"}   API: ${s.api ?? "(none)"}   CORS rules: ${s.corsRules}`);
    for (const t of s.trace) lines.push(`  ${MARK[t.verdict] ?? "?"} ${t.check}: ${t.detail}`);
    lines.push(
      `  answered by ${s.answeredBy}: ${s.status === null ? "(status from the backend)" : s.status}`,
    );
    for (const [k, v] of s.headers) lines.push(`  < ${titleCase(k)}: ${v}`);
    lines.push(s.browser.ok ? `  browser: ${s.browser.detail}` : `  browser: BLOCKED. ${s.browser.message}`);
  }
  lines.push("");
  lines.push(`${e.outcome.ok ? "ALLOWED" : "BLOCKED"}: ${e.outcome.summary}`);
  return lines.join("\n");
}
