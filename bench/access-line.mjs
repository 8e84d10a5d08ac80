#!/usr/bin/env node
/**
 * What building one access log line costs, alone: AccessLog.write with a sink that keeps lines as
 * FdSink does for a file, without writing them anywhere: written into a reused buffer of 256 KiB
 * (`--chunk KIB` to change), or, for a build from before the access log's change 9 (a sink's `push` of
 * a string per line), held and joined into one string per chunk. 5 batches of 500,000 lines, ns per
 * line for each batch. For before/after comparisons of the line's code (`--dist` a copy of dist/ made before a
 * change); the writes' own cost is gateway-micro's `--access-log FILE` against `--access-log discard`.
 *
 *   node bench/access-line.mjs [--dist DIR]
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { dist: { type: "string", default: "dist" }, chunk: { type: "string", default: "256" } },
});
const chunkBytes = Number(values.chunk) * 1024;
const dist = isAbsolute(values.dist)
  ? pathToFileURL(`${values.dist}/`)
  : new URL(`../${values.dist}/`, import.meta.url);
const { AccessLog } = await import(new URL("observability/access-log.js", dist).href);

let bytes = 0;
let held = [];
let used = 0;
let joined = 0;
const log = new AccessLog({
  // Change 9 on: the line is written into the sink's buffer.
  buffer: Buffer.allocUnsafe(chunkBytes),
  reserve(max) {
    if (used + max > chunkBytes) {
      joined += used;
      used = 0;
    }
    return used;
  },
  commit(end) {
    bytes += end - used;
    used = end;
  },
  // Before: a string per line.
  push(line) {
    bytes += line.length;
    if (used + line.length > chunkBytes) {
      joined += held.join("").length;
      held = [];
      used = 0;
    }
    held.push(line);
    used += line.length;
  },
  drain: async () => {},
  flushSync() {},
});
// A preflight's line, as the gateway writes it.
const entry = {
  requestId: "460b7e8e515b58130812c5ed27cd84e6",
  method: "OPTIONS",
  protocol: "1.1",
  host: "127.0.0.1:8080",
  path: "/simple",
  origin: "https://b.example.com",
  api: "simple",
  status: 200,
  cors: { verdict: "allowed", reason: "ORIGIN_ALLOWED", preflight: true },
  durationMs: 0,
  upstreamMs: undefined,
};
const lines = 500_000;
const batches = [];
for (let b = 0; b < 5; b++) {
  const start = process.hrtime.bigint();
  // A new entry each time, as the gateway makes one per exchange (the log holds it until the lines are built).
  for (let i = 0; i < lines; i++) log.write({ ...entry, durationMs: i / 7919 });
  log.flush();
  batches.push(Number(process.hrtime.bigint() - start) / lines);
}
const sorted = [...batches].sort((a, b) => a - b);
console.log(
  `access line: min ${sorted[0].toFixed(0)} ns, median ${sorted[2].toFixed(0)} ns (batches: ${batches.map((x) => x.toFixed(0)).join(" ")}; ${Math.round(bytes / lines / 5)} bytes per line, ${joined} joined)`,
);
