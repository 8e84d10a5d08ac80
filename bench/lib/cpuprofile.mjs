/**
 * Reading a `node --cpu-prof` profile: self time per function, the largest first, and inclusive time
 * of the functions named (what a function and everything it calls cost).
 *
 *   node bench/lib/cpuprofile.mjs FILE.cpuprofile [--top 40] [--inclusive name,name]
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("../..", import.meta.url));

function shortUrl(url) {
  if (url.startsWith("file:")) return relative(root, fileURLToPath(url));
  if (url.startsWith("/")) return relative(root, url);
  return url;
}

function label(frame) {
  const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "";
  return `${frame.functionName || "(anonymous)"}${where}`;
}

/** Text table of the `top` functions by self time, then inclusive time of `inclusive` names. */
export function summarizeProfile(profile, top = 30, inclusive = []) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const incl = new Map(inclusive.map((name) => [name, 0]));
  let total = 0;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const t = profile.timeDeltas[i] ?? 0;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + t);
    total += t;
    if (node.callFrame.functionName !== "(idle)") busy += t;
    if (incl.size > 0) {
      const seen = new Set();
      for (let id = node.id; id !== undefined; id = parent.get(id)) {
        const name = byId.get(id).callFrame.functionName;
        if (incl.has(name) && !seen.has(name)) {
          seen.add(name);
          incl.set(name, incl.get(name) + t);
        }
      }
    }
  }
  const lines = [
    `self time, top ${top} of ${self.size} functions (${(total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / total).toFixed(0)}% not idle); % of busy time:`,
  ];
  for (const [key, t] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`${((100 * t) / busy).toFixed(1).padStart(5)}%  ${key}`);
  }
  if (incl.size > 0) {
    lines.push("", "inclusive time (% of busy time):");
    for (const [name, t] of incl) lines.push(`${((100 * t) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "40" }, inclusive: { type: "string", default: "" } },
  });
  const profile = JSON.parse(readFileSync(positionals[0], "utf8"));
  const names = values.inclusive ? values.inclusive.split(",") : [];
  console.log(summarizeProfile(profile, Number(values.top), names));
}
