#!/usr/bin/env node
/**
 * CORS engine micro-benchmark: nanoseconds per `decide` call, preflight and actual request, for
 * policies of 1, 100 and 10,000 exact origins plus 10 wildcard and 5 regular-expression rules.
 * No HTTP: this is the engine alone, as the gateway calls it on every cross-origin request.
 *
 *   npm run bench:engine            (node --expose-gc bench/engine.mjs)
 *   node --expose-gc bench/engine.mjs [--quick] [--note TEXT] [--no-write]
 *
 * Each case is warmed up, then timed in 5 batches with process.hrtime.bigint(); the figure is the
 * median batch. Request origins cycle through a mix: exact hits at the start, middle and end of the
 * list, wildcard hits, pattern hits and misses. Writes bench/results/engine.json and the block
 * between the engine markers of docs/benchmarks.md.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeMachine, machineInfo, median } from "./lib/machine.mjs";
import { replaceBlock, shellQuote, writeJson } from "./lib/report.mjs";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    note: { type: "string" },
    "no-write": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("Usage: node --expose-gc bench/engine.mjs [--quick] [--note TEXT] [--no-write]");
  process.exit(0);
}

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(`${root}dist/cors/index.js`)) {
  console.error("dist/cors/index.js is missing: run npm run build first");
  process.exit(2);
}
const { compilePolicy, decide } = await import(new URL("../dist/cors/index.js", import.meta.url).href);

const SIZES = [1, 100, 10_000];
const WILDCARDS = 10;
const PATTERNS = 5;
/** Time budget per case in ms: the mix gets most of it, each origin kind a short look. */
const MIX_BUDGET_MS = values.quick ? 600 : 1800;
const KIND_BUDGET_MS = values.quick ? 200 : 500;
const BATCHES = 5;
const gc = globalThis.gc ?? (() => {});
if (!globalThis.gc)
  console.error("note: run with node --expose-gc so that each batch starts after a collection");

function policyInput(n) {
  const allowOrigins = [];
  for (let i = 0; i < n; i++) allowOrigins.push(`https://app${i}.example.com`);
  for (let j = 0; j < WILDCARDS; j++) allowOrigins.push(`https://*.tenant${j}.example.net`);
  const allowOriginPatterns = [];
  for (let k = 0; k < PATTERNS; k++)
    allowOriginPatterns.push(`^https://[a-z0-9-]+\\.region${k}\\.example\\.org$`);
  return {
    name: `engine-${n}`,
    allowOrigins,
    allowOriginPatterns,
    allowMethods: ["GET", "PUT", "POST", "DELETE"],
    allowHeaders: ["Content-Type", "X-Sdk-Date"],
    exposeHeaders: ["X-Request-Id"],
    maxAge: 600,
  };
}

/** The origins a case cycles through, each with its kind and whether the policy admits it. */
function originMix(n) {
  return [
    { kind: "exact", origin: "https://app0.example.com", allowed: true },
    { kind: "exact", origin: `https://app${n >> 1}.example.com`, allowed: true },
    { kind: "exact", origin: `https://app${n - 1}.example.com`, allowed: true },
    { kind: "wildcard", origin: "https://eu.tenant0.example.net", allowed: true },
    { kind: "wildcard", origin: `https://a.b.tenant${WILDCARDS - 1}.example.net`, allowed: true },
    { kind: "pattern", origin: "https://edge-1.region0.example.org", allowed: true },
    { kind: "pattern", origin: `https://edge-7.region${PATTERNS - 1}.example.org`, allowed: true },
    { kind: "miss", origin: "https://evil.example.com", allowed: false },
    { kind: "miss", origin: "https://app0.example.com.evil.net", allowed: false },
    { kind: "miss", origin: "https://tenant0.example.net", allowed: false },
  ];
}

const preflightRequest = (origin) => ({
  method: "OPTIONS",
  origin,
  accessControlRequestMethod: "PUT",
  accessControlRequestHeaders: "content-type,x-sdk-date",
  accessControlRequestPrivateNetwork: false,
});
const actualRequest = (origin) => ({
  method: "GET",
  origin,
  accessControlRequestMethod: undefined,
  accessControlRequestHeaders: undefined,
  accessControlRequestPrivateNetwork: false,
});

let sink = 0;

/** Runs `decide` over `requests` (cycling) `iterations` times; returns elapsed nanoseconds. */
function loop(policy, requests, iterations) {
  const len = requests.length;
  let j = 0;
  let acc = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const d = decide(policy, requests[j]);
    acc += d.status + d.headers.length;
    if (++j === len) j = 0;
  }
  const elapsed = Number(process.hrtime.bigint() - t0);
  sink ^= acc;
  return elapsed;
}

/** Warm-up, calibration, then BATCHES timed batches within about `budgetMs`; median ns per decision. */
function measure(policy, requests, budgetMs) {
  const warmEnd = Date.now() + budgetMs * 0.15;
  const n = 1000;
  let elapsed = 0;
  while (Date.now() < warmEnd) elapsed = loop(policy, requests, n);
  // Size each batch so that the batches share the remaining 85% of the budget.
  const perOp = Math.max(1, elapsed / n);
  const iterations = Math.max(1000, Math.floor((budgetMs * 0.85 * 1e6) / BATCHES / perOp));
  const batches = [];
  for (let b = 0; b < BATCHES; b++) {
    gc();
    batches.push(loop(policy, requests, iterations) / iterations);
  }
  const m = median(batches);
  return { ns: m, spread: (Math.max(...batches) - Math.min(...batches)) / m, iterations, batches };
}

const machine = machineInfo();
const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const command = ["node", "--expose-gc", "bench/engine.mjs", ...process.argv.slice(2)]
  .map(shellQuote)
  .join(" ");
const rows = [];
for (const n of SIZES) {
  // compilePolicy: the median of 3, so that the first call's module warm-up does not count.
  const input = policyInput(n);
  const compileTimes = [];
  let compiled;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    compiled = compilePolicy(input);
    compileTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const compileMs = median(compileTimes);
  if (!compiled.ok) {
    console.error(`policy of ${n} origins does not compile:`, compiled.problems);
    process.exit(1);
  }
  const policy = compiled.policy;
  const mix = originMix(n);
  // Correct answers first: a fast wrong decision is worth nothing.
  for (const { origin, allowed } of mix) {
    for (const req of [preflightRequest(origin), actualRequest(origin)]) {
      const d = decide(policy, req);
      if (d.allowed !== allowed) {
        console.error(
          `policy of ${n}: ${req.method} from ${origin}: allowed=${d.allowed}, expected ${allowed}`,
        );
        process.exit(1);
      }
    }
  }
  const row = {
    exactOrigins: n,
    wildcards: WILDCARDS,
    patterns: PATTERNS,
    compileMs,
    preflight: {},
    actual: {},
  };
  for (const [kind, make] of [
    ["preflight", preflightRequest],
    ["actual", actualRequest],
  ]) {
    row[kind].mix = measure(
      policy,
      mix.map((m) => make(m.origin)),
      MIX_BUDGET_MS,
    );
    for (const k of ["exact", "wildcard", "pattern", "miss"]) {
      row[kind][k] = measure(
        policy,
        mix.filter((m) => m.kind === k).map((m) => make(m.origin)),
        KIND_BUDGET_MS,
      );
    }
    console.error(
      `${String(n).padStart(6)} origins  ${kind.padEnd(9)} mix ${row[kind].mix.ns.toFixed(0).padStart(5)} ns` +
        `  exact ${row[kind].exact.ns.toFixed(0)}  wildcard ${row[kind].wildcard.ns.toFixed(0)}` +
        `  pattern ${row[kind].pattern.ns.toFixed(0)}  miss ${row[kind].miss.ns.toFixed(0)}`,
    );
  }
  rows.push(row);
}

const ns = (m) => (m ? Math.round(m.ns).toLocaleString("en-US") : "—");
const md = [
  "<!-- Generated by bench/engine.mjs: everything between the engine markers is replaced on every run. -->",
  "",
];
if (values.note) md.push(`> **${values.note}** These figures are indicative only.`, "");
md.push(
  `- Measured ${date} with \`${command}\``,
  `- Machine: ${describeMachine(machine)}; load average at start ${machine.loadAverage.join(" / ")}`,
  `- Each policy: N exact origins + ${WILDCARDS} wildcards (\`https://*.tenantJ.example.net\`) + ${PATTERNS} patterns (\`^https://[a-z0-9-]+\\.regionK\\.example\\.org$\`); preflight requests \`PUT\` with \`content-type,x-sdk-date\``,
  `- Origin mix: ${originMix(4)
    .map((m) => m.kind)
    .join(", ")} (exact hits at the start, middle and end of the list)`,
  "",
  "| exact origins | compilePolicy ms | preflight ns/decision | actual ns/decision | preflight decisions/s (one core) |",
  "| ---: | ---: | ---: | ---: | ---: |",
);
for (const r of rows) {
  md.push(
    `| ${r.exactOrigins.toLocaleString("en-US")} | ${r.compileMs.toFixed(1)} | ${ns(r.preflight.mix)} | ${ns(r.actual.mix)} | ${Math.round(1e9 / r.preflight.mix.ns).toLocaleString("en-US")} |`,
  );
}
md.push(
  "",
  "By kind of origin (ns/decision, median of 5 batches):",
  "",
  "| exact origins | request | exact hit | wildcard hit | pattern hit | miss (refused) |",
  "| ---: | --- | ---: | ---: | ---: | ---: |",
);
for (const r of rows) {
  for (const kind of ["preflight", "actual"]) {
    const k = r[kind];
    md.push(
      `| ${r.exactOrigins.toLocaleString("en-US")} | ${kind} | ${ns(k.exact)} | ${ns(k.wildcard)} | ${ns(k.pattern)} | ${ns(k.miss)} |`,
    );
  }
}
md.push("");
const markdown = md.join("\n");
console.log(`\n${markdown}`);
if (sink === 0.5) console.log(sink); // keeps the decisions observable so that nothing is optimized away

if (!values["no-write"]) {
  writeJson(root, `${root}bench/results/engine.json`, {
    generatedBy: "bench/engine.mjs",
    date,
    command,
    note: values.note,
    machine,
    rows,
  });
  replaceBlock(`${root}docs/benchmarks.md`, "<!-- engine:begin -->", "<!-- engine:end -->", markdown);
  console.error("wrote bench/results/engine.json and docs/benchmarks.md");
}
