#!/usr/bin/env node --expose-gc
/**
 * What a configuration costs in V8 heap once built: the parsed configuration, the snapshot (policies,
 * APIs, router) and, separately, one more router over the same APIs. Each figure is heapUsed after
 * two full collections, so it is live memory only.
 *
 *   node --expose-gc bench/scale/heap.mjs [--apis 10000] [--policies 1000] [--dist dist]
 */
import { parseArgs } from "node:util";
import { generateConfig } from "./generate.mjs";

const { values } = parseArgs({
  options: {
    apis: { type: "string", default: "10000" },
    policies: { type: "string", default: "1000" },
    dist: { type: "string", default: "dist" },
  },
});
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const dist = new URL(`../../${values.dist}/`, import.meta.url);
const { compileConfig } = await import(new URL("config/compile.js", dist).href);
const { Router } = await import(new URL("routing/router.js", dist).href);

const heapMB = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed / 1e6;
};
const shape = { apis: Number(values.apis), policies: Number(values.policies) };
const m0 = heapMB();
const config = JSON.parse(JSON.stringify(generateConfig(shape)));
const m1 = heapMB();
const built = compileConfig(config);
if (!built.ok) throw new Error(JSON.stringify(built.problems.slice(0, 3)));
const m2 = heapMB();
const router = new Router(built.snapshot.apis);
const m3 = heapMB();
const out = {
  apis: shape.apis,
  policies: shape.policies,
  configMB: Number((m1 - m0).toFixed(1)),
  snapshotMB: Number((m2 - m1).toFixed(1)),
  routerMB: Number((m3 - m2).toFixed(1)),
};
console.log(JSON.stringify(out));
// Keeps everything measured alive until the end.
if (config === router) console.log(built);
