#!/usr/bin/env node
/**
 * crossgate's benchmark suite: crossgate against its peers under wrk, on loopback.
 *
 *   node bench/run.mjs [--duration 10s] [--connections 50] [--runs 3] [--quick] [--only preflight|proxy|scale|workers|console]
 *
 * For every scenario: start each contender pinned to the servers' core, check that it answers
 * correctly (a contender that does not is reported and never timed), warm each up, then time them
 * interleaved (A B C A B C ...) with wrk pinned to the load core. Each figure is the median of the
 * runs. Writes bench/results/latest.json and the block between the bench markers of docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineInfo, median } from "./lib/machine.mjs";
import { pairedRatio } from "./lib/paired.mjs";
import { cpuMicros, haveCommand, memory } from "./lib/proc.mjs";
import { renderAll, replaceBlock, shellQuote, writeJson } from "./lib/report.mjs";
import * as scenarios from "./lib/scenarios.mjs";
import { runH2load, runSTime } from "./lib/tls.mjs";
import * as tlsScenarios from "./lib/tls-scenarios.mjs";
import { runWrk, writeWrkScript } from "./lib/wrk.mjs";

const HELP = `Usage: node bench/run.mjs [options]

  --duration D        length of each timed run: 10s, 30s, 1m (default 10s)
  --connections N     concurrent keep-alive connections (default 50)
  --runs N            timed runs per contender, interleaved; figures are medians (default 3)
  --threads N         wrk threads, all on the load core (default 1)
  --warmup D          untimed warm-up per contender before the first run (default 2s)
  --pairs N           pairs of fresh processes for the paired targets (access log on vs off, and
                      crossgate against the Node.js peers), two rounds of half --duration each
                      (default 6; 0 skips them)
  --quick             smoke run: 3 s runs, 1 s warm-up, 3 compileConfig repeats
  --only LIST         scenarios to run, comma-separated: preflight, proxy, scale, workers, tls-preflight,
                      tls-proxy, h2-preflight, h2-proxy, handshakes, console (default all; console runs
                      bench/console.mjs: the web console's budgets in headless Chromium)
  --contenders LIST   only these contender ids (crossgate, node-raw, node-raw-same, fastify, express, nginx, undici, crossgate-10, crossgate-w1, ...)
  --server-cpu N      core for the servers under test and the upstream (default 0)
  --load-cpu N        core for wrk (default 1)
  --scale-apis N      APIs of the large scale table (default 10000)
  --scale-policies N  policies of the large scale table (default 1000)
  --note TEXT         a warning printed above the figures, e.g. "Smoke run, machine busy."
  --no-write          print the results only; leave docs/ and bench/results/ alone
  -h, --help          this text

Needs wrk, nginx and taskset (apt-get install -y wrk nginx) and a built crossgate (npm run build); the
HTTPS scenarios need openssl, the HTTP/2 ones h2load (apt-get install -y nghttp2-client).`;

const ORDER = [
  "preflight",
  "proxy",
  "scale",
  "workers",
  "tls-preflight",
  "tls-proxy",
  "h2-preflight",
  "h2-proxy",
  "handshakes",
];
/** Run by bench/console.mjs (Chromium, not wrk), after the others. */
const CONSOLE = "console";
const root = fileURLToPath(new URL("..", import.meta.url));
const log = (line) => process.stderr.write(`${line}\n`);

function seconds(text, name) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
  if (!m) throw new Error(`--${name} ${text}: expected a duration such as 10s, 500ms or 1m`);
  const n = Number(m[1]);
  const s = m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
  // wrk takes whole seconds.
  return Math.max(1, Math.round(s));
}

function positiveInt(text, name) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${text}: expected a positive whole number`);
  return n;
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string" },
      connections: { type: "string", default: "50" },
      runs: { type: "string", default: "3" },
      threads: { type: "string", default: "1" },
      warmup: { type: "string" },
      pairs: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      contenders: { type: "string" },
      "server-cpu": { type: "string", default: "0" },
      "load-cpu": { type: "string", default: "1" },
      "scale-apis": { type: "string", default: "10000" },
      "scale-policies": { type: "string", default: "1000" },
      note: { type: "string" },
      "no-write": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const only = values.only ? values.only.split(",").map((s) => s.trim()) : ORDER;
  for (const id of only)
    if (!ORDER.includes(id) && id !== CONSOLE)
      throw new Error(`--only ${id}: expected ${[...ORDER, CONSOLE].join(", ")}`);
  const serverCpu = Number(values["server-cpu"]);
  const loadCpu = Number(values["load-cpu"]);
  const ncpu = cpus().length;
  for (const [name, cpu] of [
    ["server-cpu", serverCpu],
    ["load-cpu", loadCpu],
  ]) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= ncpu)
      throw new Error(`--${name} ${cpu}: this machine has CPUs 0-${ncpu - 1}`);
  }
  if (serverCpu === loadCpu)
    log(`warning: servers and wrk share CPU ${serverCpu}; figures will be meaningless`);
  return {
    durationSec: seconds(values.duration ?? (values.quick ? "3s" : "10s"), "duration"),
    warmupSec: seconds(values.warmup ?? (values.quick ? "1s" : "2s"), "warmup"),
    connections: positiveInt(values.connections, "connections"),
    runs: positiveInt(values.runs, "runs"),
    pairs: values.pairs === "0" ? 0 : positiveInt(values.pairs ?? (values.quick ? "1" : "6"), "pairs"),
    threads: positiveInt(values.threads, "threads"),
    compileRepeat: values.quick ? 3 : 5,
    only: ORDER.filter((id) => only.includes(id)),
    console: values.only === undefined || only.includes(CONSOLE),
    contenders: values.contenders ? new Set(values.contenders.split(",").map((s) => s.trim())) : null,
    serverCpu,
    loadCpu,
    scaleApis: positiveInt(values["scale-apis"], "scale-apis"),
    scalePolicies: positiveInt(values["scale-policies"], "scale-policies"),
    note: values.note,
    write: !values["no-write"],
  };
}

function summarize(runs) {
  const ok = runs.filter((r) => !r.error);
  const rps = ok.map((r) => r.rps);
  const m = median(rps);
  return {
    rps: m,
    spread: m ? (Math.max(...rps) - Math.min(...rps)) / m : null,
    p50Us: ok.some((r) => r.p50Us == null) ? null : median(ok.map((r) => r.p50Us)),
    p99Us: ok.some((r) => r.p99Us == null) ? null : median(ok.map((r) => r.p99Us)),
    meanUs: ok.some((r) => r.meanUs == null) ? null : median(ok.map((r) => r.meanUs)),
    cpuPerReqUs: median(ok.map((r) => r.cpuPerReqUs)),
    cpuUse: median(ok.map((r) => r.cpuUse)),
    upstreamCpuPerReqUs: median(ok.map((r) => r.upstreamCpuPerReqUs)),
    peakRssMB: ok.length ? Math.max(...ok.map((r) => r.peakRss)) / 1e6 : null,
    rssMB: ok.length ? ok[ok.length - 1].rss / 1e6 : null,
    non2xx: ok.reduce((a, r) => a + r.non2xx, 0),
    socketErrors: ok.reduce((a, r) => a + r.socketErrors, 0),
    timedRuns: ok.length,
    failedRuns: runs.length - ok.length,
  };
}

/**
 * CPU time the servers' core spends per request on this contender: the server's own, plus the shared
 * upstream's. The req/s a contender would reach when that core is the bottleneck is its inverse, so
 * ratios of it are what the req/s ratios would be on a quiet machine, and much less noisy on a busy one.
 */
const cpuCost = (st) => st.summary.cpuPerReqUs + (st.summary.upstreamCpuPerReqUs ?? 0);

function evaluateTargets(sc, byId, paired) {
  return sc.targets.map((t) => {
    const a = byId.get(t.of);
    if (t.kind === "ratio") {
      const b = byId.get(t.to);
      const required = `≥ ${t.min}×`;
      const missing = [
        [a, t.of],
        [b, t.to],
      ].find(([c]) => c?.status !== "ok");
      if (missing)
        return {
          ...t,
          required,
          measured: null,
          verdict: `n/a: ${missing[0]?.label ?? missing[1]} not timed`,
        };
      const sequential = a.summary.rps / b.summary.rps;
      const pair = t.paired ? paired.get(t.label) : undefined;
      const value = pair?.median ?? sequential;
      const byCpu = cpuCost(b) / cpuCost(a);
      const met = value >= t.min;
      return {
        ...t,
        required,
        value,
        measured:
          pair === undefined
            ? `${value.toFixed(2)}×`
            : `${value.toFixed(2)}× paired (median of ${pair.ratios.length} rounds, ${Math.min(...pair.ratios).toFixed(2)}-${Math.max(...pair.ratios).toFixed(2)}); ${sequential.toFixed(2)}× timed apart`,
        ...(pair === undefined ? {} : { pairedRatios: pair.ratios }),
        byCpu: `${byCpu.toFixed(2)}×`,
        verdict: `${met ? "met" : "MISSED"}${t.stretch ? " (stretch)" : ""}`,
      };
    }
    const required = `< ${t.max} ${t.unit}`;
    const value = a?.summary?.[t.metric];
    if (a?.status !== "ok" || value == null)
      return { ...t, required, measured: null, verdict: `n/a: not measured` };
    return {
      ...t,
      required,
      value,
      measured: `${value.toFixed(t.unit === "ms" ? 0 : 1)} ${t.unit}${t.also && a.summary[t.also] != null ? ` (${a.summary[t.also].toFixed(1)} after the runs)` : ""}`,
      verdict: value < t.max ? "met" : "MISSED",
    };
  });
}

async function runScenario(sc, env, opts, command) {
  log(`\n== ${sc.title}: ${sc.describe.replaceAll("`", "")}`);
  const machine = machineInfo();
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const chosen = sc.contenders.filter((c) => !opts.contenders || opts.contenders.has(c.id));
  const state = chosen.map((c) => ({
    id: c.id,
    label: c.label,
    status: "pending",
    request: c.request ?? sc.request,
    runs: [],
  }));
  const fail = (st, reason) => {
    st.status = "failed";
    st.reason = `contender failed its correctness check: ${reason}`;
    log(`  ${st.label}: ${st.reason}`);
  };
  const servers = new Map();
  const paired = new Map();
  try {
    try {
      await sc.setup?.(env);
    } catch (e) {
      for (const st of state) fail(st, `scenario setup failed: ${e.message}`);
    }
    for (const [i, c] of chosen.entries()) {
      const st = state[i];
      if (st.status === "failed") continue;
      let server;
      try {
        server = await c.start(env);
      } catch (e) {
        fail(st, `did not start: ${e.message}`);
        continue;
      }
      st.startupMs = server.startupMs;
      const reason = await sc.check(server.url, st.request);
      if (reason) {
        fail(st, reason);
        await server.stop();
        continue;
      }
      st.status = "ok";
      servers.set(st.id, server);
      log(`  ${st.label}: answers correctly (ready in ${Math.round(server.startupMs)} ms) at ${server.url}`);
    }
    const live = state.filter((st) => st.status === "ok");
    const scripts = new Map(
      live.map((st) => [st.id, writeWrkScript(env.tmp, `${sc.id}-${st.id}`, st.request)]),
    );
    const wrkFor = (st, durationSec) =>
      sc.tool === "h2load"
        ? runH2load({
            url: servers.get(st.id).url + st.request.path,
            request: st.request,
            durationSec,
            connections: opts.connections,
            threads: opts.threads,
            cpu: sc.unpinned ? undefined : opts.loadCpu,
          })
        : runWrk({
            url: servers.get(st.id).url + st.request.path,
            script: scripts.get(st.id),
            durationSec,
            connections: opts.connections,
            threads: opts.threads,
            cpu: sc.unpinned ? undefined : opts.loadCpu,
          });

    for (const st of live) {
      try {
        await wrkFor(st, opts.warmupSec);
      } catch (e) {
        log(`  ${st.label}: warm-up failed: ${e.message}`);
      }
    }
    for (let run = 1; run <= opts.runs; run++) {
      for (const st of live) {
        const server = servers.get(st.id);
        const cpu0 = cpuMicros(server.pid);
        const up0 = env.upstream ? cpuMicros(env.upstream.pid) : null;
        let w;
        try {
          w = await wrkFor(st, opts.durationSec);
        } catch (e) {
          st.runs.push({ run, error: e.message });
          log(`  run ${run} ${st.id}: ${e.message}`);
          continue;
        }
        const cpu = cpuMicros(server.pid) - cpu0;
        const up = env.upstream ? cpuMicros(env.upstream.pid) - up0 : null;
        const mem = memory(server.pid);
        const requests = Math.max(1, w.requests);
        const r = {
          run,
          requests: w.requests,
          rps: w.requests / (w.duration_us / 1e6),
          p50Us: w.p50_us,
          p99Us: w.p99_us,
          meanUs: w.mean_us ?? null,
          cpuPerReqUs: cpu / requests,
          cpuUse: cpu / w.duration_us,
          upstreamCpuPerReqUs: up === null ? null : up / requests,
          peakRss: mem.peak,
          rss: mem.rss,
          non2xx: w.status_errors,
          socketErrors: w.connect_errors + w.read_errors + w.write_errors + w.timeouts,
          wrk: w,
        };
        st.runs.push(r);
        const latency =
          r.p50Us == null
            ? `mean ${((r.meanUs ?? 0) / 1000).toFixed(2)} ms`
            : `p50 ${(r.p50Us / 1000).toFixed(2)} ms  p99 ${(r.p99Us / 1000).toFixed(2)} ms`;
        log(
          `  run ${run} ${st.id.padEnd(16)} ${Math.round(r.rps).toString().padStart(7)} req/s  ${latency}  ${r.cpuPerReqUs.toFixed(1)} µs CPU/req  ${(r.peakRss / 1e6).toFixed(1)} MB${r.non2xx || r.socketErrors ? `  ⚠ ${r.non2xx} non-2xx, ${r.socketErrors} socket errors` : ""}`,
        );
      }
    }
    // A contender that stopped answering correctly under load is not to be trusted either.
    for (const st of live) {
      const reason = await sc.check(servers.get(st.id).url, st.request);
      if (reason) {
        st.status = "failed";
        st.reason = `answered wrongly after the timed runs: ${reason}`;
        log(`  ${st.label}: ${st.reason}`);
      }
    }
    // Targets between Node.js processes (the access log on vs off, crossgate vs its Node.js peers) are
    // measured again in pairs (./lib/paired.mjs); the verdict is the paired figure.
    for (const t of sc.targets.filter((x) => x.paired && opts.pairs > 0)) {
      const both = [t.of, t.to].map((id) => state.find((st) => st.id === id));
      if (both.some((st) => st?.status !== "ok")) continue;
      log(`  ${t.label}: ${opts.pairs} pairs, measured at the same time`);
      paired.set(
        t.label,
        await pairedRatio({
          sc,
          env,
          opts,
          of: t.of,
          to: t.to,
          pairs: opts.pairs,
          durationSec: Math.max(1, Math.round(opts.durationSec / 2)),
          log,
        }),
      );
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    await sc.teardown?.(env);
  }

  for (const st of state) {
    if (st.status !== "ok") continue;
    st.summary = { ...summarize(st.runs), ...(sc.extras?.(env, st.id) ?? {}) };
    if (st.summary.timedRuns === 0) {
      st.status = "failed";
      st.reason = `every timed run failed: ${st.runs[0]?.error ?? "no runs"}`;
    }
  }
  const byId = new Map(state.map((st) => [st.id, st]));
  const base = byId.get(sc.ratioBase);
  for (const st of state) {
    if (st.status === "ok" && base?.status === "ok") {
      st.ratio = base.summary.rps / st.summary.rps;
      st.cpuRatio = cpuCost(st) / cpuCost(base);
    }
  }
  return {
    id: sc.id,
    title: sc.title,
    describe: sc.describe,
    date,
    command,
    note: opts.note,
    machine,
    settings: {
      durationSec: opts.durationSec,
      warmupSec: opts.warmupSec,
      connections: opts.connections,
      threads: opts.threads,
      runs: opts.runs,
      serverCpu: sc.unpinned ? undefined : opts.serverCpu,
      loadCpu: sc.unpinned ? undefined : opts.loadCpu,
    },
    ratioBase: sc.ratioBase,
    ratioLabel: sc.ratioLabel,
    contenders: state,
    targets: evaluateTargets(sc, byId, paired),
  };
}

/**
 * TLS handshakes per second: each contender started and checked as in runScenario, then
 * `openssl s_time -new` (full handshakes) and `-reuse` (resumed sessions), interleaved, medians.
 */
async function runHandshakes(sc, env, opts, command) {
  log(`\n== ${sc.title}: ${sc.describe.replaceAll("`", "")}`);
  const machine = machineInfo();
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const chosen = sc.contenders.filter((c) => !opts.contenders || opts.contenders.has(c.id));
  const state = chosen.map((c) => ({ id: c.id, label: c.label, status: "pending", full: [], resumed: [] }));
  const servers = new Map();
  try {
    for (const [i, c] of chosen.entries()) {
      const st = state[i];
      let server;
      try {
        server = await c.start(env);
      } catch (e) {
        st.status = "failed";
        st.reason = `did not start: ${e.message}`;
        continue;
      }
      const reason = await sc.check(server.url, sc.request);
      if (reason) {
        st.status = "failed";
        st.reason = `contender failed its correctness check: ${reason}`;
        await server.stop();
        continue;
      }
      st.status = "ok";
      servers.set(st.id, server);
    }
    for (let run = 1; run <= opts.runs; run++) {
      for (const st of state.filter((x) => x.status === "ok")) {
        const port = Number(new URL(servers.get(st.id).url).port);
        for (const mode of ["new", "reuse"]) {
          try {
            const r = await runSTime({ port, mode, durationSec: opts.durationSec, cpu: opts.loadCpu });
            (mode === "new" ? st.full : st.resumed).push(r.perSecond);
            log(
              `  run ${run} ${st.id.padEnd(10)} ${mode === "new" ? "full   " : "resumed"} ${r.perSecond.toFixed(0).padStart(6)} handshakes/s`,
            );
          } catch (e) {
            log(`  run ${run} ${st.id} ${mode}: ${e.message}`);
          }
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
  for (const st of state) {
    if (st.status !== "ok") continue;
    st.summary = { full: median(st.full), resumed: median(st.resumed) };
  }
  return {
    id: sc.id,
    kind: "handshakes",
    title: sc.title,
    describe: sc.describe,
    date,
    command,
    note: opts.note,
    machine,
    settings: {
      durationSec: opts.durationSec,
      runs: opts.runs,
      serverCpu: opts.serverCpu,
      loadCpu: opts.loadCpu,
    },
    contenders: state,
  };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  for (const tool of opts.only.length > 0 ? ["wrk", "taskset"] : []) {
    if (!haveCommand(tool)) {
      log(`${tool} is not installed: apt-get install -y wrk nginx (taskset is in util-linux)`);
      process.exit(2);
    }
  }
  const tlsIds = ["tls-preflight", "tls-proxy", "h2-preflight", "h2-proxy", "handshakes"];
  if (opts.only.some((id) => tlsIds.includes(id)) && !haveCommand("openssl")) {
    log(
      "openssl is not installed (the HTTPS scenarios make their certificate with it): apt-get install -y openssl",
    );
    process.exit(2);
  }
  if (opts.only.some((id) => id.startsWith("h2-")) && !haveCommand("h2load")) {
    log("h2load is not installed (the HTTP/2 scenarios): apt-get install -y nghttp2-client");
    process.exit(2);
  }
  const command = ["node", "bench/run.mjs", ...process.argv.slice(2)].map(shellQuote).join(" ");
  const tmp = mkdtempSync(join(tmpdir(), "crossgate-bench-"));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
  const env = { root, tmp, serverCpu: opts.serverCpu, compileRepeat: opts.compileRepeat };
  const all = {
    preflight: scenarios.preflight,
    proxy: scenarios.proxy,
    scale: scenarios.scale({ apis: opts.scaleApis, policies: opts.scalePolicies }),
    workers: scenarios.workers,
    "tls-preflight": tlsScenarios.tlsPreflight,
    "tls-proxy": tlsScenarios.tlsProxy,
    "h2-preflight": tlsScenarios.h2Preflight,
    "h2-proxy": tlsScenarios.h2Proxy,
    handshakes: tlsScenarios.handshakes,
  };

  const results = {};
  for (const id of opts.only)
    results[id] =
      id === "handshakes"
        ? await runHandshakes(all[id], env, opts, command)
        : await runScenario(all[id], env, opts, command);
  if (opts.console) {
    const args = [join(root, "bench/console.mjs"), ...(opts.write ? [] : ["--no-write"])];
    const r = spawnSync(process.execPath, args, { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`bench/console.mjs failed (exit ${r.status})`);
  }
  if (opts.only.length === 0) return;

  // Scenarios not run this time keep their previous figures (each carries its own date and command).
  const latestFile = join(root, "bench/results/latest.json");
  let merged = { ...results };
  try {
    const previous = JSON.parse(readFileSync(latestFile, "utf8"));
    merged = { ...previous.scenarios, ...results };
  } catch {}
  const markdown = renderAll(merged, ORDER);
  process.stdout.write(`\n${renderAll(results, ORDER)}\n`);
  if (opts.write) {
    writeJson(root, latestFile, { generatedBy: "bench/run.mjs", scenarios: merged });
    replaceBlock(join(root, "docs/benchmarks.md"), "<!-- bench:begin -->", "<!-- bench:end -->", markdown);
    log(`\nwrote bench/results/latest.json and docs/benchmarks.md`);
  }
}

main().catch((e) => {
  // Option errors are for the user; anything else is a harness bug and gets its stack.
  log(
    e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || /^--/.test(e.message) ? e.message : (e.stack ?? String(e)),
  );
  process.exit(1);
});
