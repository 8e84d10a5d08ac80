#!/usr/bin/env node
/**
 * The gateway's own cost per request, without sockets: crossgate's node:http server is handed an
 * in-memory connection, and one request is written after the other (keep-alive, no pipelining).
 * The figure, CPU µs per request of this single process (node:http parsing and writing included,
 * no system calls, no wrk), is far steadier than the loopback benchmarks on a busy machine: it is
 * meant for before/after comparisons of one change. The minimum of the batches is the figure:
 * noise from other processes only ever adds time.
 *
 *   node bench/gateway-micro.mjs [--case preflight|actual|proxy|scale|scale-10|raw|raw-same-headers|fastify] [--requests 50000] [--batches 7] [--access-log FILE] [--decisions]
 *
 * --access-log FILE: the gateway writes its access log to FILE as `crossgate start` writes it to stdout
 * (the same buffered sink), so that logs on and off compare in one harness. `--access-log discard`
 * builds every line and drops it: the cost of the line apart from the sink's.
 *
 * Under valgrind the instruction count is exact and repeatable:
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node bench/gateway-micro.mjs --case preflight --requests 20000 --batches 1
 */
import { createServer } from "node:http";
import { isAbsolute } from "node:path";
import { Duplex } from "node:stream";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { PREFLIGHT_REQUEST, PROXY_REQUEST, UPSTREAM_BODY } from "./cases.mjs";
import { BENCH_POLICY } from "./lib/scenarios.mjs";
import { generateConfig, scaleRequest } from "./scale/generate.mjs";

const { values } = parseArgs({
  options: {
    case: { type: "string", default: "preflight" },
    requests: { type: "string", default: "50000" },
    batches: { type: "string", default: "7" },
    warmup: { type: "string", default: "20000" },
    dist: { type: "string", default: "dist" },
    "access-log": { type: "string" },
    decisions: { type: "boolean", default: false },
  },
});
// --dist: crossgate's build to load, relative to the repository or absolute (e.g. a copy of a previous build).
const dist = isAbsolute(values.dist)
  ? pathToFileURL(`${values.dist}/`)
  : new URL(`../${values.dist}/`, import.meta.url);
const { compileConfig } = await import(new URL("config/compile.js", dist).href);
const { Gateway } = await import(new URL("gateway/gateway.js", dist).href);
const { GatewayMetrics } = await import(new URL("observability/metrics.js", dist).href);
const { newRequestId } = await import(new URL("gateway/request-id.js", dist).href);
const { DecisionWindow } = await import(new URL("observability/decisions.js", dist).href);
const { accessLog } = values["access-log"] ? await openAccessLog(values["access-log"]) : {};

async function openAccessLog(file) {
  const { openSync } = await import("node:fs");
  const { AccessLog } = await import(new URL("observability/access-log.js", dist).href);
  const { FdSink } = await import(new URL("observability/line-sink.js", dist).href);
  const sink =
    file === "discard"
      ? // Both sink interfaces: reserve/commit (the access log's change 9 on) and push (a --dist from before it).
        {
          dropped: 0,
          bufferedBytes: 0,
          buffer: Buffer.allocUnsafe(64 * 1024),
          reserve: () => 0,
          commit() {},
          push() {},
          drain: async () => {},
          flushSync() {},
        }
      : new FdSink(openSync(file, "w"));
  return { accessLog: new AccessLog(sink) };
}

const mock = { type: "mock", body: UPSTREAM_BODY };
const small = {
  corsPolicies: [BENCH_POLICY],
  apis: [
    { name: "simple", method: "GET", path: "/simple", corsPolicy: "bench", backend: mock },
    { name: "put", method: "PUT", path: "/simple", corsPolicy: "bench", backend: mock },
  ],
};
const cases = {
  preflight: { config: small, request: PREFLIGHT_REQUEST, status: 200 },
  actual: { config: small, request: PROXY_REQUEST, status: 200 },
  "scale-10": {
    config: generateConfig({ apis: 10, policies: 1 }),
    request: scaleRequest({ apis: 10, policies: 1 }),
    status: 200,
  },
  scale: {
    config: generateConfig({ apis: 10_000, policies: 1_000 }),
    request: scaleRequest({ apis: 10_000, policies: 1_000 }),
    status: 200,
  },
};
// The floor: bench/peers/raw-preflight.mjs's handler (static headers) in the same harness.
cases.raw = { request: PREFLIGHT_REQUEST, status: 204, handler: async () => rawPreflight };
// The same floor answering with crossgate's header set (status 200, request id, Server-Timing,
// Content-Length): what those lines cost node:http, apart from anything crossgate computes.
cases["raw-same-headers"] = { request: PREFLIGHT_REQUEST, status: 200, handler: async () => rawSameHeaders };
// The proxied GET, to bench/peers/upstream.mjs's handler listening on loopback in this process:
// the upstream's work and the loopback system calls are counted too (CPU time, not instructions).
if (values.case === "proxy") {
  const upstream = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.resume();
    res.writeHead(200, ["content-type", "application/json", "content-length", String(UPSTREAM_BODY.length)]);
    res.end(UPSTREAM_BODY);
  });
  await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstream.unref();
  const http = { type: "http", url: `http://127.0.0.1:${upstream.address().port}` };
  cases.proxy = {
    config: {
      corsPolicies: [BENCH_POLICY],
      apis: [{ name: "simple", method: "GET", path: "/simple", corsPolicy: "bench", backend: http }],
    },
    request: PROXY_REQUEST,
    status: 200,
  };
}
// fastify + @fastify/cors, the application of bench/peers/fastify-preflight.mjs (its answer: 204),
// its request handler in the same harness: the peer's cost beside crossgate's, by instructions too.
cases.fastify = { request: PREFLIGHT_REQUEST, status: 204, handler: fastifyHandler };
const c = cases[values.case];
if (!c) throw new Error(`--case ${values.case}: expected ${Object.keys(cases).join(", ")}`);
let handler;
if (c.config) {
  const built = compileConfig(c.config);
  if (!built.ok) throw new Error(JSON.stringify(built.problems.slice(0, 3)));
  // --decisions: the gateway records each request in a DecisionWindow (the console's recent
  // decisions), as `crossgate start` always has it do.
  const decisions = values.decisions ? new DecisionWindow() : undefined;
  handler = new Gateway(built.snapshot, { metrics: new GatewayMetrics(), accessLog, decisions }).handle;
} else handler = await c.handler();
const server = createServer({ keepAliveTimeout: 5000 }, handler);

async function fastifyHandler() {
  const { fastifyPreflightApp } = await import("./peers/fastify-preflight-app.mjs");
  const app = await fastifyPreflightApp();
  await app.ready();
  return app.routing;
}

function rawPreflight(req, res) {
  const origin = req.headers.origin;
  res.writeHead(204, [
    "access-control-allow-origin",
    origin,
    "access-control-allow-methods",
    "GET,PUT,POST",
    "access-control-allow-headers",
    "X-Sdk-Date",
    "access-control-max-age",
    "600",
    "vary",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  ]);
  res.end();
}

function rawSameHeaders(req, res) {
  const origin = req.headers.origin;
  res.writeHead(200, [
    "access-control-allow-origin",
    origin,
    "access-control-allow-methods",
    "GET,PUT,POST",
    "access-control-allow-headers",
    "X-Sdk-Date",
    "access-control-max-age",
    "600",
    "vary",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "x-request-id",
    newRequestId(),
    "server-timing",
    "gateway;dur=0.05",
    "content-length",
    "0",
  ]);
  res.end();
}

const head = [`${c.request.method} ${c.request.path} HTTP/1.1`, "Host: 127.0.0.1:8080"];
for (const [k, v] of Object.entries(c.request.headers)) head.push(`${k}: ${v}`);
const requestBytes = Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1");

/** An in-memory connection: each response is parsed just enough to know where it ends. */
class Connection extends Duplex {
  remoteAddress = "127.0.0.1";
  remotePort = 50000;
  localAddress = "127.0.0.1";
  localPort = 8080;
  encrypted = false;
  #pending = "";
  #onResponse = () => {};
  setTimeout() {
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  _read() {}
  _write(chunk, _encoding, callback) {
    this.#pending += chunk.toString("latin1");
    for (;;) {
      const end = this.#pending.indexOf("\r\n\r\n");
      if (end < 0) break;
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(this.#pending.slice(0, end))?.[1] ?? 0);
      if (this.#pending.length < end + 4 + length) break;
      const response = this.#pending.slice(0, end + 4 + length);
      this.#pending = this.#pending.slice(end + 4 + length);
      this.#onResponse(response);
    }
    callback();
  }
  /** Sends one request; resolves with the raw response. */
  exchange() {
    return new Promise((resolve) => {
      this.#onResponse = resolve;
      this.push(requestBytes);
    });
  }
}

const conn = new Connection();
server.emit("connection", conn);
const first = await conn.exchange();
const status = Number(first.slice(9, 12));
if (status !== c.status) throw new Error(`expected ${c.status}, got:\n${first}`);

/** A turn of the event loop every so many requests, as a server under load takes one per socket read:
 * the access log's writes (and their callbacks) run, as they would between requests of a real server. */
const YIELD_EVERY = 32;
const turn = () => new Promise((resolve) => setImmediate(resolve));
let exchanged = 1;

async function batch(n) {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await conn.exchange();
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await turn();
  }
  exchanged += n;
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / n;
}

await batch(Number(values.warmup));
const results = [];
for (let b = 0; b < Number(values.batches); b++) results.push(await batch(Number(values.requests)));
const sorted = [...results].sort((a, b) => a - b);
console.log(
  `${values.case}: min ${sorted[0].toFixed(2)} µs/req, median ${sorted[sorted.length >> 1].toFixed(2)} µs/req (batches: ${results.map((r) => r.toFixed(2)).join(" ")})`,
);
console.log(first.split("\r\n\r\n")[0]);
if (accessLog && values["access-log"] !== "discard") {
  await accessLog.drain();
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(values["access-log"], "utf8").split("\n").length - 1;
  console.log(
    `access log: ${lines} lines for ${exchanged} requests${lines === exchanged ? "" : " (lines were dropped: the figure is not the logged cost)"}`,
  );
}
process.exit(0);
