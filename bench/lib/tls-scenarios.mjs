/**
 * The HTTPS and HTTP/2 scenarios (issue 13): the preflight and the proxied GET of scenarios.mjs,
 * over HTTPS/1.1 (wrk) and over HTTP/2 (h2load), against fastify with `https` and `http2: true`
 * (+ @fastify/cors, @fastify/http-proxy) and nginx with `ssl http2`, one worker. Every contender
 * serves the same self-signed certificate (bench/lib/tls.mjs) on one port for both protocols.
 */
import { DISALLOWED_ORIGIN, PREFLIGHT_REQUEST, PROXY_REQUEST, UPSTREAM_BODY } from "../cases.mjs";
import { checkActual, checkPreflight, send } from "./check.mjs";
import { BENCH_POLICY, startCrossgate, startNginx, startPeer } from "./scenarios.mjs";
import { benchCertificate, sendH2 } from "./tls.mjs";

const https = (server) => ({ ...server, url: server.url.replace(/^http:/, "https:") });

function crossgateTls(env, name, apis) {
  const { cert, key } = benchCertificate(env);
  return startCrossgate(
    env,
    name,
    {
      tls: { certificates: [{ default: true, cert, key }] },
      corsPolicies: [BENCH_POLICY],
      apis,
    },
    ["--listen", "https://127.0.0.1:0"],
  );
}

const PREFLIGHT_APIS = [
  {
    name: "simple",
    method: "GET",
    path: "/simple",
    corsPolicy: "bench",
    backend: { type: "mock", body: "ok" },
  },
  { name: "put", method: "PUT", path: "/simple", corsPolicy: "bench", backend: { type: "mock", body: "ok" } },
];

/** @param {"https1" | "h2"} protocol */
function preflightOver(protocol) {
  const h2 = protocol === "h2";
  const sender = h2 ? sendH2 : send;
  return {
    id: h2 ? "h2-preflight" : "tls-preflight",
    title: h2 ? "Preflight over HTTP/2" : "Preflight over HTTPS/1.1",
    describe: `the preflight scenario's request over ${h2 ? "HTTP/2 (TLS, ALPN h2; h2load, 10 streams per connection)" : "HTTP/1.1 with TLS (wrk)"}; one certificate, session resumption on`,
    tool: h2 ? "h2load" : "wrk",
    request: PREFLIGHT_REQUEST,
    check: (url, request) => checkPreflight(url, request, DISALLOWED_ORIGIN, sender),
    ratioBase: "crossgate",
    ratioLabel: "crossgate ÷ this",
    contenders: [
      {
        id: "crossgate",
        label: "crossgate, https listener",
        start: (env) => crossgateTls(env, `crossgate-${protocol}-preflight`, PREFLIGHT_APIS),
      },
      {
        id: "fastify",
        label: "fastify (https, http2: true) + @fastify/cors",
        start: (env) => {
          const { cert, key } = benchCertificate(env);
          return startPeer(env, `fastify-${protocol}-preflight`, "fastify-preflight.mjs", [
            "--cert",
            cert,
            "--key",
            key,
          ]);
        },
      },
      ...(h2
        ? [
            {
              id: "node-raw-same",
              label: "raw node:http2 on the stream, crossgate's header set (reference)",
              start: (env) => {
                const { cert, key } = benchCertificate(env);
                return startPeer(env, "raw-h2-preflight-same", "raw-preflight.mjs", [
                  "--same-headers",
                  "--cert",
                  cert,
                  "--key",
                  key,
                ]);
              },
            },
          ]
        : []),
      {
        id: "nginx",
        label: "nginx ssl http2, map allow-list, 1 worker",
        start: async (env) => {
          const { cert, key } = benchCertificate(env);
          return https(
            await startNginx(env, `nginx-${protocol}-preflight`, "nginx-tls-preflight.conf", {
              CERT: cert,
              KEY: key,
            }),
          );
        },
      },
    ],
    targets: [
      {
        label: `preflight over ${h2 ? "HTTP/2" : "HTTPS/1.1"} vs fastify`,
        kind: "ratio",
        of: "crossgate",
        to: "fastify",
        min: 1.2,
        paired: true,
      },
      ...(h2
        ? [
            {
              label: "preflight over HTTP/2 vs nginx",
              kind: "ratio",
              of: "crossgate",
              to: "nginx",
              min: 0.5,
            },
            {
              label:
                "preflight over HTTP/2 vs raw node:http2 sending crossgate's header set on the stream (reference, not an issue target)",
              kind: "ratio",
              paired: true,
              of: "crossgate",
              to: "node-raw-same",
              min: 0.95,
            },
          ]
        : []),
    ],
  };
}

/** @param {"https1" | "h2"} protocol */
function proxyOver(protocol) {
  const h2 = protocol === "h2";
  const sender = h2 ? sendH2 : send;
  return {
    id: h2 ? "h2-proxy" : "tls-proxy",
    title: h2 ? "Proxied GET over HTTP/2" : "Proxied GET over HTTPS/1.1",
    describe: `the proxied GET scenario's request over ${h2 ? "HTTP/2 (TLS, ALPN h2; h2load, 10 streams per connection)" : "HTTP/1.1 with TLS (wrk)"}, to the same plain node:http upstream`,
    tool: h2 ? "h2load" : "wrk",
    request: PROXY_REQUEST,
    check: (url, request) => checkActual(url, request, UPSTREAM_BODY, DISALLOWED_ORIGIN, sender),
    ratioBase: "crossgate",
    ratioLabel: "crossgate ÷ this",
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
        label: "crossgate, https listener",
        start: (env) =>
          crossgateTls(env, `crossgate-${protocol}-proxy`, [
            {
              name: "simple",
              method: "GET",
              path: "/simple",
              corsPolicy: "bench",
              backend: { type: "http", url: env.upstream.url },
            },
          ]),
      },
      {
        id: "fastify",
        label: "fastify (https, http2: true) + @fastify/http-proxy + @fastify/cors",
        start: (env) => {
          const { cert, key } = benchCertificate(env);
          return startPeer(env, `fastify-${protocol}-proxy`, "fastify-proxy.mjs", [
            "--upstream",
            env.upstream.url,
            "--cert",
            cert,
            "--key",
            key,
          ]);
        },
      },
      {
        id: "nginx",
        label: "nginx ssl http2 proxy_pass, keepalive upstream, 1 worker",
        start: async (env) => {
          const { cert, key } = benchCertificate(env);
          return https(
            await startNginx(env, `nginx-${protocol}-proxy`, "nginx-tls-proxy.conf", {
              CERT: cert,
              KEY: key,
              UPSTREAM_PORT: new URL(env.upstream.url).port,
            }),
          );
        },
      },
    ],
    targets: [
      {
        label: `proxied GET over ${h2 ? "HTTP/2" : "HTTPS/1.1"} vs fastify`,
        kind: "ratio",
        of: "crossgate",
        to: "fastify",
        min: 1.2,
        paired: true,
      },
    ],
  };
}

export const tlsPreflight = preflightOver("https1");
export const h2Preflight = preflightOver("h2");
export const tlsProxy = proxyOver("https1");
export const h2Proxy = proxyOver("h2");

/** TLS handshakes per second (openssl s_time), full and resumed, against each contender's preflight server. */
export const handshakes = {
  id: "handshakes",
  title: "TLS handshakes",
  describe:
    "`openssl s_time`, one connection at a time, no request: full TLS 1.3 handshakes (`-new`) and resumed TLS 1.2 sessions (`-reuse`, session tickets); P-256 certificate",
  contenders: tlsPreflight.contenders,
  request: PREFLIGHT_REQUEST,
  check: tlsPreflight.check,
};
