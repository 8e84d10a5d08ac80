/**
 * What the HTTPS and HTTP/2 scenarios need besides wrk: a certificate made with openssl, an HTTP/2
 * client for the correctness checks, h2load (Debian's nghttp2-client) for the timed HTTP/2 runs, and
 * `openssl s_time` for TLS handshakes per second.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { connect } from "node:http2";
import { join } from "node:path";
import { track } from "./proc.mjs";

/** A certificate for localhost and 127.0.0.1 (EC P-256, self-signed), made once per run in `env.tmp`. */
export function benchCertificate(env) {
  if (env.tls) return env.tls;
  const dir = join(env.tmp, "tls");
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, "bench.crt");
  const key = join(dir, "bench.key");
  execFileSync(
    "openssl",
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
    {
      stdio: "ignore",
    },
  );
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-new",
      "-key",
      key,
      "-subj",
      "/CN=localhost",
      "-days",
      "30",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  env.tls = { cert, key };
  return env.tls;
}

/** One request over HTTP/2 on a fresh session (5 s bound), answered as check.mjs's `send` answers. */
export function sendH2(url, { method = "GET", headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const session = connect(target.origin, { rejectUnauthorized: false });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error("no answer within 5 s"));
    }, 5000);
    session.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const stream = session.request({
      ":method": method,
      ":path": `${target.pathname}${target.search}`,
      ...lower,
    });
    let status = 0;
    const pairs = [];
    const chunks = [];
    stream.on("response", (h, _flags, raw) => {
      status = Number(h[":status"]);
      for (let i = 0; i < (raw ?? []).length; i += 2)
        if (!raw[i].startsWith(":")) pairs.push([raw[i].toLowerCase(), raw[i + 1]]);
    });
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => {
      clearTimeout(timer);
      session.close();
      if (status === 0) reject(new Error("the stream ended without a response"));
      else resolve({ status, headers: pairs, body: Buffer.concat(chunks).toString("utf8"), protocol: "h2" });
    });
    stream.on("error", (e) => {
      clearTimeout(timer);
      session.destroy();
      reject(e);
    });
    stream.end();
  });
}

/**
 * Runs h2load once (pinned to `cpu`) and returns wrk-shaped figures. h2load prints no latency
 * percentiles: p50/p99 stay null and `mean_us` carries its mean time per request.
 * `connections` concurrent streams in all: `clients` connections of `streams` streams each.
 */
export function runH2load({ url, request, durationSec, connections, threads, cpu, streams = 10 }) {
  const clients = Math.max(1, Math.round(connections / streams));
  const args = [
    "-D",
    String(durationSec),
    "-c",
    String(clients),
    "-m",
    String(streams),
    "-t",
    String(threads),
  ];
  args.push("-H", `:method: ${request.method}`);
  for (const [k, v] of Object.entries(request.headers ?? {})) args.push("-H", `${k.toLowerCase()}: ${v}`);
  args.push(url);
  const command = cpu === undefined ? "h2load" : "taskset";
  const argv = cpu === undefined ? args : ["-c", String(cpu), "h2load", ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), (durationSec + 30) * 1000);
    child.on("error", (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      const finished = /finished in ([\d.]+)(ms|s), ([\d.]+) req\/s/.exec(out);
      const requests =
        /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
          out,
        );
      const statuses = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
      const time = /time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/.exec(out);
      if (!finished || !requests || !statuses) {
        reject(new Error(`h2load ${signal ?? `exited ${code}`} without figures: ${out.trim().slice(-300)}`));
        return;
      }
      const us = (n, unit) => Number(n) * (unit === "s" ? 1e6 : unit === "ms" ? 1e3 : 1);
      const done = Number(requests[3]);
      resolve({
        requests: done,
        duration_us: us(finished[1], finished[2]),
        p50_us: null,
        p99_us: null,
        mean_us: time ? us(time[5], time[6]) : null,
        status_errors: Number(statuses[3]) + Number(statuses[4]),
        connect_errors: 0,
        read_errors: Number(requests[6]),
        write_errors: 0,
        timeouts: Number(requests[7]),
        failed: Number(requests[5]),
      });
    });
  });
}

/**
 * TLS handshakes per second against `port` with `openssl s_time` (one connection at a time, pinned
 * to `cpu`): `-new` full handshakes (TLS 1.3), and `-reuse` resumed ones (TLS 1.2 session tickets;
 * s_time's TLS 1.3 reconnects do not wait for the tickets). No HTTP request: the handshake alone.
 */
export function runSTime({ port, mode, durationSec, cpu }) {
  const args = [
    "s_time",
    "-connect",
    `127.0.0.1:${port}`,
    mode === "new" ? "-new" : "-reuse",
    "-time",
    String(durationSec),
  ];
  if (mode === "reuse") args.push("-tls1_2");
  const command = cpu === undefined ? "openssl" : "taskset";
  const argv = cpu === undefined ? args : ["-c", String(cpu), "openssl", ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), (durationSec + 30) * 1000);
    child.on("close", () => {
      clearTimeout(killer);
      // "1234 connections in 6 real seconds, 0 bytes read per connection"
      const m = /(\d+) connections in (\d+) real seconds/.exec(out);
      if (!m) {
        reject(new Error(`openssl s_time gave no figures: ${out.trim().slice(-300)}`));
        return;
      }
      resolve({
        connections: Number(m[1]),
        seconds: Number(m[2]),
        perSecond: Number(m[1]) / Math.max(1, Number(m[2])),
      });
    });
    child.on("error", (e) => {
      clearTimeout(killer);
      reject(e);
    });
  });
}
