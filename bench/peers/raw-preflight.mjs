// The Node.js ceiling for the preflight scenario: raw node:http, one Set lookup, static headers.
// No method or header checks, no request id: nothing a real gateway could do with less work.
// With --same-headers it answers with crossgate's header set instead (200, X-Request-Id from the
// same random pool, Server-Timing, Content-Length): what those SPEC-required lines cost node:http.
// Usage: node bench/peers/raw-preflight.mjs [--port N] [--same-headers]
import { randomFillSync } from "node:crypto";
import { createServer } from "node:http";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port } = peerArgs();
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

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const origin = req.headers.origin;
  const ok = origin !== undefined && allowed.has(origin);
  if (req.method === "OPTIONS" && origin !== undefined && req.headers["access-control-request-method"]) {
    // writeHead with a flat [name, value, ...] array skips node's header object bookkeeping.
    if (sameHeaders && ok) {
      const start = performance.now();
      res.writeHead(200, [
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
        "x-request-id",
        requestId(),
        "server-timing",
        `gateway;dur=${(performance.now() - start).toFixed(2)}`,
        "content-length",
        "0",
      ]);
      res.end();
      return;
    }
    res.writeHead(
      204,
      ok
        ? [
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
          ]
        : ["vary", preflightVary],
    );
    res.end();
    return;
  }
  res.writeHead(200, ok ? ["access-control-allow-origin", origin, "vary", "Origin"] : ["vary", "Origin"]);
  res.end("ok");
});
server.listen(port, "127.0.0.1", () => {
  console.log(`raw-preflight listening on http://127.0.0.1:${server.address().port}`);
});
