/**
 * Times compileConfig (validate + compile policies + build the router) on a configuration file:
 * what a reload or an admin change costs before the new snapshot is swapped in.
 * Prints one JSON line. Usage: node bench/scale/compile-time.mjs CONFIG.json [--repeat 5]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { repeat: { type: "string", default: "5" }, dist: { type: "string", default: "dist" } },
});
const file = positionals[0];
if (!file) throw new Error("usage: compile-time.mjs CONFIG.json [--repeat N]");
const { compileConfig } = await import(
  new URL(`../../${values.dist}/config/compile.js`, import.meta.url).href
);

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
let t0 = process.hrtime.bigint();
const text = readFileSync(file, "utf8");
const raw = JSON.parse(text);
const parseMs = ms(t0);

const times = [];
let result;
const deadline = Date.now() + 60_000; // bounded: stop repeating after a minute whatever --repeat says
for (let i = 0; i < Number(values.repeat) && Date.now() < deadline; i++) {
  t0 = process.hrtime.bigint();
  result = compileConfig(raw);
  times.push(ms(t0));
  if (!result.ok) {
    console.log(JSON.stringify({ ok: false, problems: result.problems.slice(0, 5) }));
    process.exit(1);
  }
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    ok: true,
    apis: raw.apis?.length ?? 0,
    policies: raw.corsPolicies?.length ?? 0,
    bytes: text.length,
    parseMs,
    firstMs: times[0],
    medianMs: sorted[sorted.length >> 1],
    timesMs: times,
    warnings: result.warnings.length,
    heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
  }),
);
