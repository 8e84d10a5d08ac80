// The Node.js ceiling for the preflight scenario: raw node:http, one Set lookup, static headers.
// No method or header checks, no request id: nothing a real gateway could do with less work.
// Usage: node bench/peers/raw-preflight.mjs [--port N]
import { createServer } from "node:http";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port } = peerArgs();
const allowed = new Set(ALLOWED_ORIGINS);
const methods = ALLOW_METHODS.join(",");
const headers = ALLOW_HEADERS.join(",");
const maxAge = String(MAX_AGE);
const preflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const origin = req.headers.origin;
  const ok = origin !== undefined && allowed.has(origin);
  if (req.method === "OPTIONS" && origin !== undefined && req.headers["access-control-request-method"]) {
    // writeHead with a flat [name, value, ...] array skips node's header object bookkeeping.
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
