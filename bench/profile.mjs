#!/usr/bin/env node
/**
 * Where crossgate's time goes under load: starts the crossgate contender of one scenario (the same
 * configuration and pinning as bench/run.mjs), drives it with wrk, and reports its CPU µs/req; with
 * --prof it runs under `node --cpu-prof` and prints the functions with the most self time.
 *
 *   node bench/profile.mjs --scenario preflight [--duration 5s] [--runs 3] [--prof] [--top 30]
 *   node bench/profile.mjs --scenario proxy --prof
 *   node bench/profile.mjs --scenario scale --apis 10000 --policies 1000
 *   node bench/profile.mjs --scenario preflight --contender node-raw     (a peer, for a same-tool baseline)
 *   node bench/profile.mjs --scenario proxy --contender crossgate-nolog  (crossgate without its access log)
 *   node bench/profile.mjs --scenario proxy --root /tmp/crossgate-before  (a copy of bin/ and dist/ before a change)
 *   node bench/profile.mjs --scenario scale --apis 10 --node-args=--max-semi-space-size=8  (V8 flags for crossgate)
 *   node bench/profile.mjs --scenario h2-preflight --prof        (also tls-preflight, tls-proxy, h2-proxy: HTTPS, HTTP/2)
 *
 * A quick before/after tool for one change, not a comparison with peers (that is bench/run.mjs).
 * CPU µs/req is read from /proc like bench/run.mjs does, so it stays meaningful on a busy machine.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { summarizeProfile } from "./lib/cpuprofile.mjs";
import { median } from "./lib/machine.mjs";
import { CLK_TCK, cpuMicros, memory } from "./lib/proc.mjs";
import * as scenarios from "./lib/scenarios.mjs";
import { runH2load } from "./lib/tls.mjs";
import * as tlsScenarios from "./lib/tls-scenarios.mjs";
import { runWrk, writeWrkScript } from "./lib/wrk.mjs";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "preflight" },
    contender: { type: "string" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    runs: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    apis: { type: "string", default: "10000" },
    policies: { type: "string", default: "1000" },
    prof: { type: "boolean", default: false },
    top: { type: "string", default: "30" },
    root: { type: "string" },
    "node-args": { type: "string", default: "" },
    "server-cpu": { type: "string", default: "0" },
    "load-cpu": { type: "string", default: "1" },
  },
});
const root = fileURLToPath(new URL("..", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "crossgate-profile-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const profDir = join(tmp, "prof");
const env = {
  root,
  tmp,
  serverCpu: Number(values["server-cpu"]),
  compileRepeat: 1,
  // --root: a directory holding another build (bin/ and dist/), e.g. a copy made before a change.
  crossgateRoot: values.root,
  nodeArgs: [
    ...(values.prof ? ["--cpu-prof", "--cpu-prof-dir", profDir] : []),
    ...values["node-args"].split(" ").filter(Boolean),
  ],
};

const sc =
  values.scenario === "scale"
    ? scenarios.scale({ apis: Number(values.apis), policies: Number(values.policies) })
    : {
        preflight: scenarios.preflight,
        proxy: scenarios.proxy,
        "tls-preflight": tlsScenarios.tlsPreflight,
        "tls-proxy": tlsScenarios.tlsProxy,
        "h2-preflight": tlsScenarios.h2Preflight,
        "h2-proxy": tlsScenarios.h2Proxy,
      }[values.scenario];
if (!sc)
  throw new Error(
    `--scenario ${values.scenario}: expected preflight, proxy, scale, tls-preflight, tls-proxy, h2-preflight or h2-proxy`,
  );
const contender = values.contender
  ? sc.contenders.find((c) => c.id === values.contender)
  : values.scenario === "scale"
    ? sc.contenders[sc.contenders.length - 1]
    : sc.contenders[0];
if (!contender) throw new Error(`--contender ${values.contender}: not in ${sc.id}`);
const request = contender.request ?? sc.request;
/** `5`, `5s`: whole seconds (wrk takes no fractions). */
const seconds = (text) => {
  const n = Number(String(text).replace(/s$/, ""));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${text}: expected seconds, such as 5 or 5s`);
  return Math.max(1, Math.round(n));
};

if (sc.setup && values.scenario !== "scale") await sc.setup(env);
const server = await contender.start(env);
try {
  const reason = await sc.check(server.url, request);
  if (reason) throw new Error(`crossgate answers wrongly: ${reason}`);
  const script = writeWrkScript(tmp, "profile", request);
  const wrk = (durationSec) =>
    (sc.tool === "h2load" ? runH2load : runWrk)({
      request,
      url: server.url + request.path,
      script,
      durationSec,
      connections: Number(values.connections),
      threads: 1,
      cpu: Number(values["load-cpu"]),
    });
  await wrk(seconds(values.warmup));
  const runs = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const c0 = cpuMicros(server.pid);
    const s0 = systemMicros(server.pid);
    const u0 = env.upstream ? cpuMicros(env.upstream.pid) : 0;
    const w = await wrk(seconds(values.duration));
    const cpu = (cpuMicros(server.pid) - c0) / w.requests;
    const sys = (systemMicros(server.pid) - s0) / w.requests;
    const up = env.upstream ? (cpuMicros(env.upstream.pid) - u0) / w.requests : 0;
    const rps = w.requests / (w.duration_us / 1e6);
    runs.push({ cpu, up, rps });
    console.log(
      `run ${i + 1}: ${Math.round(rps)} req/s, ${cpu.toFixed(1)} CPU µs/req (${sys.toFixed(1)} of it in the kernel)` +
        `${env.upstream ? ` (+ upstream ${up.toFixed(1)})` : ""}, non-2xx ${w.status_errors}`,
    );
  }
  const mem = memory(server.pid);
  console.log(
    `median: ${Math.round(median(runs.map((r) => r.rps)))} req/s, ${median(runs.map((r) => r.cpu)).toFixed(1)} CPU µs/req, peak RSS ${(mem.peak / 1e6).toFixed(1)} MB, RSS ${(mem.rss / 1e6).toFixed(1)} MB`,
  );
} finally {
  await server.stop();
  await sc.teardown?.(env);
}

if (values.prof) {
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no .cpuprofile written");
  console.log(summarizeProfile(JSON.parse(readFileSync(join(profDir, file), "utf8")), Number(values.top)));
}

/** System CPU time (stime) of a process, in microseconds: the kernel's share, system calls mostly. */
function systemMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[12]) * 1e6) / CLK_TCK;
}
