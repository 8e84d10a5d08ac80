// The Node.js ceiling for the preflight scenario: raw node:http, one Set lookup, static headers.
// No method or header checks, no request id: nothing a real gateway could do with less work.
// With --same-headers it answers with crossgate's header set instead (200, X-Request-Id from the
// same random pool, Server-Timing, Content-Length): what those SPEC-required lines cost node:http.
// With --cert and --key: HTTP/2 over TLS, answered on the stream (node:http2's core API, without the
// compatibility layer): the same ceiling over HTTP/2.
// Usage: node bench/peers/raw-preflight.mjs [--port N] [--same-headers] [--cert FILE --key FILE]
import { randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createSecureServer } from "node:http2";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port, tls } = peerArgs();
const allowed = new Set(ALLOWED_ORIGINS);
const methods = ALLOW_METHODS.join(",");
const headers = ALLOW_HEADERS.join(",");
const maxAge = String(MAX_AGE);
const preflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
const sameHeaders = process.argv.includes("--same-headers");

const pool = Buffer.allocUnsafe(4096);
let hex = "";
let offset = 8192;
function requestId() {
  if (offset === 8192) {
    randomFillSync(pool);
    hex = pool.toString("hex");
    offset = 0;
  }
  offset += 32;
  return hex.slice(offset - 32, offset);
}

/** An allowed preflight's CORS fields, as a new flat list. */
function preflightFields(origin) {
  return [
    "access-control-allow-origin",
    origin,
    "access-control-allow-methods",
    methods,
    "access-control-allow-headers",
    headers,
    "access-control-max-age",
    maxAge,
    "vary",
    preflightVary,
  ];
}

/** The answer as [status, flat fields, body]: the ceiling's whole work. */
function answer(method, origin, requestMethod) {
  const ok = origin !== undefined && allowed.has(origin);
  if (method === "OPTIONS" && origin !== undefined && requestMethod) {
    if (sameHeaders && ok) {
      const start = performance.now();
      const fields = preflightFields(origin);
      fields.push(
        "x-request-id",
        requestId(),
        "server-timing",
        `gateway;dur=${(performance.now() - start).toFixed(2)}`,
        "content-length",
        "0",
      );
      return [200, fields, undefined];
    }
    return [204, ok ? preflightFields(origin) : ["vary", preflightVary], undefined];
  }
  return [200, ok ? ["access-control-allow-origin", origin, "vary", "Origin"] : ["vary", "Origin"], "ok"];
}

let server;
if (tls === undefined) {
  server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const [status, fields, body] = answer(
      req.method,
      req.headers.origin,
      req.headers["access-control-request-method"],
    );
    // writeHead with a flat [name, value, ...] array skips node's header object bookkeeping.
    res.writeHead(status, fields);
    res.end(body);
  });
} else {
  // HTTP/2 on the stream itself (no compatibility layer): the ceiling over HTTP/2.
  server = createSecureServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) });
  server.on("stream", (stream, h) => {
    const [status, fields, body] = answer(h[":method"], h.origin, h["access-control-request-method"]);
    const out = { ":status": status };
    for (let i = 0; i < fields.length; i += 2) out[fields[i]] = fields[i + 1];
    if (body === undefined) stream.respond(out, { endStream: true });
    else {
      stream.respond(out);
      stream.end(body);
    }
  });
}
server.listen(port, "127.0.0.1", () => {
  console.log(
    `raw-preflight listening on ${tls === undefined ? "http" : "https"}://127.0.0.1:${server.address().port}`,
  );
});
