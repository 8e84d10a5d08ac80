/**
 * Small loops for bench/instructions.mjs (`--loop NAME`): one engine decision or one piece of the
 * request path, called `--n` times after 20,000 warm-up calls, nothing else. Under valgrind the
 * difference between two `--n` is exact to a few instructions per call.
 *
 *   node bench/lib/loops.mjs --loop decide:preflight-exact --n 100000 [--dist DIR]
 *
 * Loops: decide:{preflight,actual}-{exact,wildcard,pattern,miss} (a policy of 2 exact origins, 10
 * wildcards and 5 patterns, as bench/engine.mjs; two origins of the kind alternating), route-miss
 * (`router.route` of a preflight's OPTIONS lookup), match-miss (`router.match`, the same lookup since
 * it exists), metrics-prom (prom-client `inc` with label objects, as the gateway counted before),
 * metrics-tally (`countRequest` + `countCorsDecision`), request-id, format (a Server-Timing duration).
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    loop: { type: "string" },
    n: { type: "string", default: "100000" },
    dist: { type: "string", default: "dist" },
  },
});
const dist = isAbsolute(values.dist)
  ? pathToFileURL(`${values.dist}/`)
  : new URL(`../../${values.dist}/`, import.meta.url);
const load = (path) => import(new URL(path, dist).href);

async function decideLoop(kind) {
  const { compilePolicy, decide } = await load("cors/index.js");
  const allowOrigins = ["https://app0.example.com", "https://app1.example.com"];
  for (let j = 0; j < 10; j++) allowOrigins.push(`https://*.tenant${j}.example.net`);
  const allowOriginPatterns = [0, 1, 2, 3, 4].map((k) => `^https://[a-z0-9-]+\\.region${k}\\.example\\.org$`);
  const policy = compilePolicy({
    name: "loop",
    allowOrigins,
    allowOriginPatterns,
    allowMethods: ["GET", "PUT", "POST", "DELETE"],
    allowHeaders: ["Content-Type", "X-Sdk-Date"],
    exposeHeaders: ["X-Request-Id"],
    maxAge: 600,
  }).policy;
  const [request, origin] = kind.split("-");
  const origins = {
    exact: ["https://app0.example.com", "https://app1.example.com"],
    wildcard: ["https://eu.tenant0.example.net", "https://a.b.tenant9.example.net"],
    pattern: ["https://edge-1.region0.example.org", "https://edge-7.region4.example.org"],
    miss: ["https://evil.example.com", "https://tenant0.example.net"],
  }[origin];
  if (!origins || !["preflight", "actual"].includes(request)) throw new Error(`--loop decide:${kind}?`);
  const pre = request === "preflight";
  const requests = origins.map((o) => ({
    method: pre ? "OPTIONS" : "GET",
    origin: o,
    accessControlRequestMethod: pre ? "PUT" : undefined,
    accessControlRequestHeaders: pre ? "content-type,x-sdk-date" : undefined,
    accessControlRequestPrivateNetwork: false,
  }));
  let i = 0;
  return () => decide(policy, requests[i++ & 1]).headers.length;
}

async function pieceLoop(name) {
  const { compileConfig } = await load("config/compile.js");
  const { GatewayMetrics } = await load("observability/metrics.js");
  const { newRequestId } = await load("gateway/request-id.js");
  const { formatDuration } = await load("gateway/respond.js");
  const policy = { name: "bench", allowOrigins: ["https://b.example.com"], allowMethods: ["GET", "PUT"] };
  const mock = { type: "mock" };
  const { snapshot } = compileConfig({
    corsPolicies: [policy],
    apis: [
      { name: "simple", method: "GET", path: "/simple", corsPolicy: "bench", backend: mock },
      { name: "put", method: "PUT", path: "/simple", corsPolicy: "bench", backend: mock },
    ],
  });
  const m = new GatewayMetrics();
  let i = 0;
  const pieces = {
    "route-miss": () => (snapshot.router.route("", "OPTIONS", "/simple").found ? 1 : 2),
    "match-miss": () => (snapshot.router.match("", "OPTIONS", "/simple") === null ? 2 : 1),
    "metrics-prom": () => {
      m.requests.inc({ api: "put", status: 200 });
      m.corsDecisions.inc({ kind: "preflight", outcome: "allowed", reason: "ORIGIN_ALLOWED" });
      return 1;
    },
    "metrics-tally": () => {
      m.countRequest("put", 200);
      m.countCorsDecision(true, "allowed", "ORIGIN_ALLOWED");
      return 1;
    },
    "request-id": () => newRequestId().length,
    format: () => formatDuration(1.2345 + (i++ % 7) * 0.01).length,
  };
  const piece = pieces[name];
  if (!piece) throw new Error(`--loop ${name}: expected ${Object.keys(pieces).join(", ")} or decide:KIND`);
  return piece;
}

const name = values.loop ?? "";
const call = name.startsWith("decide:") ? await decideLoop(name.slice(7)) : await pieceLoop(name);
let sink = 0;
for (let k = 0; k < 20_000; k++) sink += call();
for (let k = 0, n = Number(values.n); k < n; k++) sink += call();
if (sink === 0.5) console.log(sink);
