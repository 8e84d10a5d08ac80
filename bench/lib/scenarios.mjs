/**
 * The three scenarios: what each contender is, how it starts, what it must answer, what is timed
 * and which targets the figures are held to.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DISALLOWED_ORIGIN,
  PREFLIGHT_REQUEST,
  PROXY_REQUEST,
  READY_PATTERN,
  UPSTREAM_BODY,
} from "../cases.mjs";
import { generateConfig, SCALE_BODY, scaleRequest } from "../scale/generate.mjs";
import { checkActual, checkPreflight } from "./check.mjs";
import { freePort, haveCommand, startServer } from "./proc.mjs";

// Matches the plain line and the structured (JSON log) form of the ready message alike.
const CROSSGATE_READY = /crossgate gateway listening on (https?:\/\/[\w.:[\]-]+)/;

/**
 * `node bin/crossgate.js start --config FILE --listen 127.0.0.1:0`, pinned, as users run it: its access
 * log on (the default), written to a file as a service's stdout is; `accessLog: false` adds
 * `--no-access-log` (the peers log no line per request). Prometheus metrics stay on either way.
 * `env.nodeArgs` (e.g. `--cpu-prof`) go before the script, for bench/profile.mjs.
 */
export function startCrossgate(env, name, config, extraArgs = [], { accessLog = true } = {}) {
  // `env.crossgateRoot`: another build to run (bench/profile.mjs --root, for before/after figures).
  const root = env.crossgateRoot ?? env.root;
  if (!existsSync(join(root, "dist/cli/main.js"))) {
    throw new Error("dist/ is missing: run npm run build first");
  }
  const file = join(env.tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 1));
  return startServer({
    name,
    command: process.execPath,
    args: [
      ...(env.nodeArgs ?? []),
      join(root, "bin/crossgate.js"),
      "start",
      "--config",
      file,
      "--listen",
      "127.0.0.1:0",
      ...(accessLog ? [] : ["--no-access-log"]),
      ...extraArgs,
    ],
    cwd: root,
    cpu: env.serverCpu,
    stdoutFile: join(env.tmp, `${name}.log`),
    readyPattern: CROSSGATE_READY,
    timeoutMs: 60_000,
  });
}

export function startPeer(env, name, script, extraArgs = []) {
  return startServer({
    name,
    command: process.execPath,
    args: [join(env.root, "bench/peers", script), "--port", "0", ...extraArgs],
    cwd: env.root,
    cpu: env.serverCpu,
    readyPattern: READY_PATTERN,
  });
}

/** Renders bench/peers/<conf> into a temp prefix directory and runs nginx in the foreground, pinned. */
export async function startNginx(env, name, conf, vars = {}) {
  if (!haveCommand("nginx")) throw new Error("nginx is not installed (apt-get install -y nginx)");
  const prefix = join(env.tmp, name);
  mkdirSync(prefix, { recursive: true });
  const port = await freePort();
  let text = readFileSync(join(env.root, "bench/peers", conf), "utf8");
  for (const [k, v] of Object.entries({ PREFIX: prefix, PORT: String(port), ...vars })) {
    text = text.replaceAll(`{{${k}}}`, v);
  }
  const file = join(prefix, "nginx.conf");
  writeFileSync(file, text);
  const test = spawnSync("nginx", ["-t", "-q", "-p", prefix, "-c", file, "-e", "stderr"], {
    encoding: "utf8",
  });
  if (test.status !== 0)
    throw new Error(`nginx -t refused the configuration: ${test.stderr.trim().split("\n")[0]}`);
  return startServer({
    name,
    command: "nginx",
    args: ["-p", prefix, "-c", file, "-e", "stderr", "-g", "daemon off;"],
    cwd: prefix,
    cpu: env.serverCpu,
    port,
  });
}

/** The policy of the preflight and proxy scenarios, in crossgate's configuration format. */
export const BENCH_POLICY = {
  name: "bench",
  allowOrigins: ["https://a.example.com", "https://b.example.com", "https://c.example.com"],
  allowMethods: ["GET", "PUT", "POST"],
  allowHeaders: ["X-Sdk-Date"],
  maxAge: 600,
};

const PREFLIGHT_CONFIG = {
  corsPolicies: [BENCH_POLICY],
  apis: [
    {
      name: "simple",
      method: "GET",
      path: "/simple",
      corsPolicy: "bench",
      backend: { type: "mock", body: "ok" },
    },
    {
      name: "put",
      method: "PUT",
      path: "/simple",
      corsPolicy: "bench",
      backend: { type: "mock", body: "ok" },
    },
  ],
};

/** The proxy scenario's configuration: GET proxied to the upstream, under the bench policy. */
function proxyConfig(upstream) {
  return {
    corsPolicies: [BENCH_POLICY],
    apis: [
      {
        name: "simple",
        method: "GET",
        path: "/simple",
        corsPolicy: "bench",
        backend: { type: "http", url: upstream },
      },
      {
        name: "put",
        method: "PUT",
        path: "/simple",
        corsPolicy: "bench",
        backend: { type: "mock", body: "ok" },
      },
    ],
  };
}

export const preflight = {
  id: "preflight",
  title: "Preflight",
  describe:
    "`OPTIONS /simple` from `https://b.example.com` requesting `PUT` with `X-Sdk-Date`; allow-list of three origins",
  request: PREFLIGHT_REQUEST,
  check: (url, request) => checkPreflight(url, request, DISALLOWED_ORIGIN),
  ratioBase: "crossgate",
  ratioLabel: "crossgate ÷ this",
  contenders: [
    {
      id: "crossgate",
      label: "crossgate (access log on, to a file: the default)",
      // Mock backends: a preflight never reaches the backend, so this scenario needs no upstream.
      start: (env) => startCrossgate(env, "crossgate-preflight", PREFLIGHT_CONFIG),
    },
    {
      id: "crossgate-nolog",
      label: "crossgate --no-access-log",
      start: (env) =>
        startCrossgate(env, "crossgate-preflight-nolog", PREFLIGHT_CONFIG, [], { accessLog: false }),
    },
    {
      id: "node-raw",
      label: "raw node:http, static headers (ceiling)",
      start: (env) => startPeer(env, "raw-preflight", "raw-preflight.mjs"),
    },
    {
      id: "node-raw-same",
      label: "raw node:http, crossgate's header set (200, request id, Server-Timing, Content-Length)",
      start: (env) => startPeer(env, "raw-preflight-same", "raw-preflight.mjs", ["--same-headers"]),
    },
    {
      id: "fastify",
      label: "fastify + @fastify/cors",
      start: (env) => startPeer(env, "fastify-preflight", "fastify-preflight.mjs"),
    },
    {
      id: "express",
      label: "express + cors",
      start: (env) => startPeer(env, "express-preflight", "express-preflight.mjs"),
    },
    {
      id: "nginx",
      label: "nginx, map allow-list, 1 worker",
      start: (env) => startNginx(env, "nginx-preflight", "nginx-preflight.conf"),
    },
  ],
  targets: [
    {
      label: "preflight, access log on vs off (issue 12: at most 10% slower)",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "crossgate-nolog",
      min: 0.9,
    },
    {
      label: "preflight vs raw node:http",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "node-raw",
      min: 0.95,
    },
    {
      label: "preflight vs raw node:http sending crossgate's header set (reference, not an issue target)",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "node-raw-same",
      min: 0.95,
    },
    {
      label: "preflight vs fastify + @fastify/cors",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "fastify",
      min: 1.2,
    },
  ],
};

export const proxy = {
  id: "proxy",
  title: "Proxied GET",
  describe:
    "`GET /simple` from `https://b.example.com`, proxied to a raw node:http upstream (small JSON body) on the servers' core, CORS headers added",
  request: PROXY_REQUEST,
  check: (url, request) => checkActual(url, request, UPSTREAM_BODY, DISALLOWED_ORIGIN),
  ratioBase: "crossgate",
  ratioLabel: "crossgate ÷ this",
  /** One upstream for every contender, pinned with them: "a raw node:http backend on the same core". */
  setup: async (env) => {
    env.upstream = await startPeer(env, "upstream", "upstream.mjs");
  },
  teardown: async (env) => {
    await env.upstream?.stop();
    env.upstream = undefined;
  },
  contenders: [
    {
      id: "crossgate",
      label: "crossgate (access log on, to a file: the default)",
      start: (env) => startCrossgate(env, "crossgate-proxy", proxyConfig(env.upstream.url)),
    },
    {
      id: "crossgate-nolog",
      label: "crossgate --no-access-log",
      start: (env) =>
        startCrossgate(env, "crossgate-proxy-nolog", proxyConfig(env.upstream.url), [], { accessLog: false }),
    },
    {
      id: "undici",
      label: "node:http + undici Pool, a few lines",
      start: (env) => startPeer(env, "undici-proxy", "undici-proxy.mjs", ["--upstream", env.upstream.url]),
    },
    {
      id: "fastify",
      label: "fastify + @fastify/http-proxy + @fastify/cors",
      start: (env) => startPeer(env, "fastify-proxy", "fastify-proxy.mjs", ["--upstream", env.upstream.url]),
    },
    {
      id: "express",
      label: "express + http-proxy-middleware + cors",
      start: (env) => startPeer(env, "express-proxy", "express-proxy.mjs", ["--upstream", env.upstream.url]),
    },
    {
      id: "nginx",
      label: "nginx proxy_pass, keepalive upstream, 1 worker",
      start: (env) =>
        startNginx(env, "nginx-proxy", "nginx-proxy.conf", { UPSTREAM_PORT: new URL(env.upstream.url).port }),
    },
  ],
  targets: [
    {
      label: "proxied GET, access log on vs off (issue 12: at most 10% slower)",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "crossgate-nolog",
      min: 0.9,
    },
    {
      label: "proxied GET vs fastify + @fastify/http-proxy",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "fastify",
      min: 1.5,
    },
    {
      label: "proxied GET vs the undici proxy",
      kind: "ratio",
      paired: true,
      of: "crossgate",
      to: "undici",
      min: 1.2,
    },
    {
      label: "proxied GET vs nginx (stretch)",
      kind: "ratio",
      of: "crossgate",
      to: "nginx",
      min: 0.45,
      stretch: true,
    },
  ],
};

/**
 * Multi-core: `crossgate start --workers 1` against `--workers 2` (node:cluster, one shared listener),
 * cross-origin GET to a mock backend. This machine has two cores, so nothing is pinned: the workers,
 * the primary and wrk share both, which is also what a deployment on a two-core host would do.
 */
export const workers = {
  id: "workers",
  title: "Workers",
  describe:
    "`GET /simple` from `https://b.example.com` to a mock backend, `crossgate start --workers 1` against `--workers 2`; servers and wrk unpinned on both cores",
  request: { ...PREFLIGHT_REQUEST, method: "GET", headers: { Origin: PREFLIGHT_REQUEST.headers.Origin } },
  check: (url, request) => checkActual(url, request, "ok", DISALLOWED_ORIGIN),
  ratioBase: "crossgate-w2",
  ratioLabel: "2 workers ÷ this",
  /** wrk and the servers share every core (see above). */
  unpinned: true,
  contenders: [1, 2].map((n) => ({
    id: `crossgate-w${n}`,
    label: `crossgate, --workers ${n}`,
    start: (env) =>
      startCrossgate({ ...env, serverCpu: undefined }, `crossgate-workers-${n}`, WORKERS_CONFIG, [
        "--workers",
        String(n),
      ]),
  })),
  targets: [],
};

const WORKERS_CONFIG = {
  corsPolicies: [BENCH_POLICY],
  apis: [
    {
      name: "simple",
      method: "GET",
      path: "/simple",
      corsPolicy: "bench",
      backend: { type: "mock", body: "ok" },
    },
  ],
};

/** The scale scenario compares crossgate with itself: a small table against a large one. */
export function scale({ apis = 10_000, policies = 1_000 } = {}) {
  const small = { apis: 10, policies: 1 };
  const large = { apis, policies };
  const big = `crossgate-${apis}`;
  const contender = (shape) => ({
    id: `crossgate-${shape.apis}`,
    label: `crossgate, ${shape.apis.toLocaleString("en-US")} APIs, ${shape.policies.toLocaleString("en-US")} ${shape.policies === 1 ? "policy" : "policies"}`,
    request: scaleRequest(shape),
    start: (env) => startCrossgate(env, `crossgate-scale-${shape.apis}`, generateConfig(shape)),
  });
  return {
    id: "scale",
    title: "Scale",
    describe: `cross-origin \`GET /svc{i}/items/42\` to an API near the end of the table (mock backend), ${small.apis} APIs against ${apis.toLocaleString("en-US")} APIs on distinct paths with ${policies.toLocaleString("en-US")} policies of four origins each`,
    check: (url, request) => checkActual(url, request, SCALE_BODY, DISALLOWED_ORIGIN),
    ratioBase: big,
    ratioLabel: `${apis.toLocaleString("en-US")} APIs ÷ this`,
    shapes: { small, large },
    /** compileConfig timings of both tables, in a separate process pinned to the servers' core, before any server runs. */
    setup: async (env) => {
      env.compile = {};
      for (const shape of [small, large]) {
        const file = join(env.tmp, `scale-${shape.apis}-compile.json`);
        writeFileSync(file, JSON.stringify(generateConfig(shape)));
        const r = spawnSync(
          "taskset",
          [
            "-c",
            String(env.serverCpu),
            process.execPath,
            join(env.root, "bench/scale/compile-time.mjs"),
            file,
            "--repeat",
            String(env.compileRepeat ?? 5),
          ],
          { encoding: "utf8", timeout: 180_000, cwd: env.root },
        );
        try {
          env.compile[`crossgate-${shape.apis}`] = JSON.parse(r.stdout.trim().split("\n").pop());
        } catch {
          env.compile[`crossgate-${shape.apis}`] = {
            ok: false,
            error: (r.stderr || r.error?.message || "no output").trim().slice(-300),
          };
        }
      }
    },
    /** Figures that are not from wrk, merged into each contender's summary. */
    extras: (env, id) => {
      const c = env.compile?.[id];
      return c?.ok
        ? {
            compileMedianMs: c.medianMs,
            compileFirstMs: c.firstMs,
            compileTimesMs: c.timesMs,
            parseMs: c.parseMs,
          }
        : { compileError: c?.error ?? c?.problems };
    },
    contenders: [contender(small), contender(large)],
    targets: [
      {
        label: `${apis.toLocaleString("en-US")} APIs vs 10 APIs`,
        kind: "ratio",
        of: big,
        to: `crossgate-${small.apis}`,
        min: 0.9,
      },
      {
        label: `peak RSS with ${apis.toLocaleString("en-US")} APIs`,
        kind: "max",
        metric: "peakRssMB",
        of: big,
        max: 150,
        unit: "MB",
        also: "rssMB",
      },
      {
        label: `compileConfig of ${apis.toLocaleString("en-US")} APIs (median, warm)`,
        kind: "max",
        metric: "compileMedianMs",
        of: big,
        max: 1000,
        unit: "ms",
      },
    ],
  };
}
