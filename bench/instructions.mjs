#!/usr/bin/env node
/**
 * Instructions per request of bench/gateway-micro.mjs, counted by valgrind (callgrind): exact and
 * repeatable whatever else the machine runs, which CPU time on a shared machine is not. Two runs
 * that differ only in the number of timed requests; the difference of their instruction counts,
 * divided by the difference of requests, is the cost of one request (start-up and warm-up cancel).
 * V8 runs --single-threaded so that background compilation and GC threads do not add noise.
 *
 *   node bench/instructions.mjs [--case preflight|actual|proxy|scale|raw|raw-same-headers|fastify] [--warmup 3000] [--requests 2000,12000] [--repeat 3] [--access-log FILE|discard] [--decisions]
 *   node bench/instructions.mjs --loop decide:preflight-exact|route-miss|... [--dist DIR]   (bench/lib/loops.mjs)
 *
 * Slow (valgrind runs node some 50 times slower): several minutes per case.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    case: { type: "string", default: "preflight" },
    loop: { type: "string" },
    warmup: { type: "string", default: "3000" },
    requests: { type: "string", default: "2000,12000" },
    repeat: { type: "string", default: "3" },
    dist: { type: "string", default: "dist" },
    "access-log": { type: "string" },
    decisions: { type: "boolean", default: false },
  },
});
const micro = fileURLToPath(new URL("gateway-micro.mjs", import.meta.url));
const loops = fileURLToPath(new URL("lib/loops.mjs", import.meta.url));
// --loop: a call of bench/lib/loops.mjs instead of a request (100,000 more calls, not requests).
const [a, b] = (values.loop ? "20000,120000" : values.requests).split(",").map(Number);

function count(requests) {
  const script = values.loop
    ? [loops, "--loop", values.loop, "--n", String(requests)]
    : [
        micro,
        "--case",
        values.case,
        "--warmup",
        values.warmup,
        "--requests",
        String(requests),
        "--batches",
        "1",
        ...(values["access-log"] ? ["--access-log", values["access-log"]] : []),
        ...(values.decisions ? ["--decisions"] : []),
      ];
  const args = [
    "--tool=callgrind",
    "--callgrind-out-file=/dev/null",
    process.execPath,
    "--single-threaded",
    ...script,
    "--dist",
    values.dist,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("valgrind", args, { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", () => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (!m) reject(new Error(`no instruction count: ${err.slice(-400)}`));
      else resolve(Number(m[1].replaceAll(",", "")));
    });
  });
}

// Counts still vary by about 1% from run to run (V8's garbage collector and tiering react to
// timing), which the difference amplifies: the pair is repeated and the median is the figure.
const figures = [];
for (let r = 0; r < Number(values.repeat); r++) {
  const [ia, ib] = await Promise.all([count(a), count(b)]);
  figures.push((ib - ia) / (b - a));
}
const sorted = [...figures].sort((x, y) => x - y);
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const unit = values.loop ? "call" : "request";
console.log(
  `${values.loop ?? values.case}: ${fmt(sorted[sorted.length >> 1])} instructions/${unit} (median of ${figures.length}: ${figures.map(fmt).join(", ")}; ${a} vs ${b} ${unit}s)`,
);
