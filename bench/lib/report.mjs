/** Markdown for docs/benchmarks.md, and replacing a marked block of a file in place. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeMachine } from "./machine.mjs";

/** Quotes a command-line argument for a POSIX shell when it needs it, so the printed command can be pasted. */
export const shellQuote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);

const int = (n) => (n == null ? "—" : Math.round(n).toLocaleString("en-US"));
const fixed = (n, d) => (n == null ? "—" : n.toFixed(d));
const ms = (us) => (us == null ? "—" : (us / 1000).toFixed(2));
const pct = (n) => (n == null ? "—" : `${Math.round(n * 100)}%`);
const ratio = (n) => (n == null ? "—" : `${n.toFixed(2)}×`);

function settingsLine(s) {
  const pin = s.loadCpu === undefined ? "unpinned" : `wrk on CPU ${s.loadCpu}, servers on CPU ${s.serverCpu}`;
  return `${s.runs} interleaved runs × ${s.durationSec} s (after ${s.warmupSec} s warm-up each), ${s.connections} connections, ${s.threads} wrk thread${s.threads === 1 ? "" : "s"}, ${pin}`;
}

/** The handshakes scenario: full and resumed TLS handshakes per second, by contender. */
function renderHandshakes(r, shared) {
  const out = [`### ${r.title}`, "", r.describe, ""];
  if (r.note && !shared) out.push(`> **⚠ ${r.note}** These figures are indicative only.`, "");
  out.push(
    `- Measured ${r.date} with \`${r.command}\``,
    `- ${r.settings.runs} interleaved runs × ${r.settings.durationSec} s per mode, openssl s_time on CPU ${r.settings.loadCpu}, servers on CPU ${r.settings.serverCpu}`,
    `- Machine: ${describeMachine(r.machine)}; load average at start ${r.machine.loadAverage.join(" / ")}`,
    "",
    "| contender | full handshakes/s | resumed handshakes/s |",
    "| --- | ---: | ---: |",
  );
  for (const c of r.contenders) {
    if (c.status === "ok") out.push(`| ${c.label} | ${int(c.summary.full)} | ${int(c.summary.resumed)} |`);
  }
  out.push("");
  for (const c of r.contenders.filter((x) => x.status !== "ok")) out.push(`- **${c.label}**: ${c.reason}`);
  return out.join("\n");
}

/** One scenario: heading, provenance, the figures, failures and targets. */
export function renderScenario(r, shared = false) {
  if (r.kind === "handshakes") return renderHandshakes(r, shared);
  const out = [];
  out.push(`### ${r.title}`, "", r.describe, "");
  if (r.note && !shared) out.push(`> **⚠ ${r.note}** These figures are indicative only.`, "");
  out.push(
    `- Measured ${r.date} with \`${r.command}\``,
    `- ${settingsLine(r.settings)}`,
    `- Machine: ${describeMachine(r.machine)}; load average at start ${r.machine.loadAverage.join(" / ")}`,
    "",
  );
  const base = r.contenders.find((c) => c.id === r.ratioBase);
  const proxyCols = r.contenders.some((c) => c.summary?.upstreamCpuPerReqUs != null);
  const scaleCols = r.contenders.some((c) => c.summary?.compileMedianMs != null || c.summary?.compileError);
  // h2load gives a mean time per request, no percentiles.
  const meanCol = r.contenders.some(
    (c) => c.summary != null && c.summary.p50Us == null && c.summary.meanUs != null,
  );
  const head = [
    "contender",
    "req/s",
    "spread",
    ...(meanCol ? ["mean ms"] : ["p50 ms", "p99 ms"]),
    "server CPU µs/req",
    "server CPU use",
  ];
  if (proxyCols) head.push("upstream CPU µs/req");
  head.push("peak RSS MB");
  if (scaleCols) head.push("RSS after MB");
  head.push("non-2xx", "socket errors");
  if (scaleCols) head.push("startup ms", "compileConfig ms (first / median)");
  head.push(r.ratioLabel ?? `${base?.label ?? r.ratioBase} ÷ this`, "same, by CPU µs/req");
  out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`);
  for (const c of r.contenders) {
    if (c.status !== "ok") continue;
    const s = c.summary;
    const flag = s.non2xx > 0 || s.socketErrors > 0 ? " ⚠" : "";
    const row = [
      `${c.label}${flag}`,
      int(s.rps),
      pct(s.spread),
      ...(meanCol ? [ms(s.meanUs)] : [ms(s.p50Us), ms(s.p99Us)]),
      fixed(s.cpuPerReqUs, 1),
      pct(s.cpuUse),
    ];
    if (proxyCols) row.push(fixed(s.upstreamCpuPerReqUs, 1));
    row.push(fixed(s.peakRssMB, 1));
    if (scaleCols) row.push(fixed(s.rssMB, 1));
    row.push(int(s.non2xx), int(s.socketErrors));
    if (scaleCols)
      row.push(
        int(c.startupMs),
        s.compileMedianMs != null ? `${int(s.compileFirstMs)} / ${int(s.compileMedianMs)}` : "failed",
      );
    row.push(c.ratio == null ? "—" : ratio(c.ratio), c.cpuRatio == null ? "—" : ratio(c.cpuRatio));
    out.push(`| ${row.join(" | ")} |`);
  }
  out.push("");
  const failed = r.contenders.filter((c) => c.status !== "ok");
  if (failed.length > 0) {
    out.push("Not timed:", "");
    for (const c of failed) out.push(`- **${c.label}**: ${c.reason}`);
    out.push("");
  }
  const flagged = r.contenders.filter(
    (c) => c.status === "ok" && (c.summary.non2xx > 0 || c.summary.socketErrors > 0),
  );
  if (flagged.length > 0) {
    out.push(
      `⚠ answered with errors during the timed runs (their req/s counts them): ${flagged.map((c) => c.label).join(", ")}.`,
      "",
    );
  }
  const idle = r.contenders.filter(
    (c) => c.status === "ok" && c.summary.cpuUse != null && c.summary.cpuUse < 0.8,
  );
  if (idle.length > 0) {
    out.push(
      `Server CPU use below 80% (${idle.map((c) => `${c.id} ${pct(c.summary.cpuUse)}`).join(", ")}): the server was not the bottleneck (wrk, the shared upstream or other load on the machine was), so its req/s understates it; compare CPU µs/req instead.`,
      "",
    );
  }
  out.push(
    `Per-run req/s, in run order: ${r.contenders
      .filter((c) => c.status === "ok")
      .map((c) => `${c.id} ${c.runs.map((x) => int(x.rps)).join(", ")}`)
      .join("; ")}.`,
    "",
  );
  if (r.targets.length > 0) {
    out.push(
      "| target | required | measured | verdict | by CPU µs/req |",
      "| --- | ---: | ---: | --- | ---: |",
    );
    for (const t of r.targets) {
      out.push(`| ${t.label} | ${t.required} | ${t.measured ?? "—"} | ${t.verdict} | ${t.byCpu ?? "—"} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

export function renderAll(results, order) {
  const parts = [
    "<!-- Generated by bench/run.mjs: everything between the bench markers is replaced on every run. -->",
    "",
  ];
  const present = order.filter((id) => results[id]);
  const notes = new Set(present.map((id) => results[id].note));
  // One note shared by every scenario is said once, at the top; otherwise each scenario carries its own.
  const shared = notes.size === 1 && [...notes][0];
  if (shared) parts.push(`#### ⚠ ${shared}`, "", "These figures are indicative only.", "");
  for (const id of present) parts.push(renderScenario(results[id], Boolean(shared)));
  return parts.join("\n");
}

/** Replaces what lies between `begin` and `end` in `file` (appending both markers when absent). */
export function replaceBlock(file, begin, end, content) {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const block = `${begin}\n${content.trimEnd()}\n${end}`;
  const next =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}${text ? "\n\n" : ""}${block}\n`;
  writeFileSync(file, next);
}

/**
 * Writes `value` as JSON, then lets the repository's formatter (biome, a dev dependency) lay it out,
 * so that `npm run lint` stays clean after a benchmark run. Without biome the plain JSON stays.
 */
export function writeJson(root, file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  const biome = join(root, "node_modules/.bin/biome");
  if (existsSync(biome))
    spawnSync(biome, ["format", "--write", file], { cwd: root, stdio: "ignore", timeout: 30_000 });
}
