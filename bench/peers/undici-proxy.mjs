// A plain proxy in a few lines: node:http in front, an undici Pool behind, ACAO added by hand.
// Usage: node bench/peers/undici-proxy.mjs --upstream http://127.0.0.1:PORT [--port N]
import { createServer } from "node:http";
import { pipeline } from "node:stream";
import { Pool } from "undici";
import { ALLOWED_ORIGINS, peerArgs } from "../cases.mjs";

const { port, upstream } = peerArgs();
if (!upstream) throw new Error("--upstream URL is required");
const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
const allowed = new Set(ALLOWED_ORIGINS);
// Hop-by-hop headers (RFC 9110 section 7.6.1) never cross a proxy; undici refuses them anyway.
const HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "host",
]);

const server = createServer({ keepAliveTimeout: 65_000 }, async (req, res) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP.has(name)) headers[name] = value;
  try {
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const up = await pool.request({ path: req.url, method: req.method, headers, body: hasBody ? req : null });
    const out = {};
    for (const [name, value] of Object.entries(up.headers)) if (!HOP.has(name)) out[name] = value;
    const origin = req.headers.origin;
    if (origin !== undefined && allowed.has(origin)) out["access-control-allow-origin"] = origin;
    out.vary = "Origin";
    res.writeHead(up.statusCode, out);
    pipeline(up.body, res, () => {});
  } catch {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  }
});
server.listen(port, "127.0.0.1", () => {
  console.log(`undici-proxy listening on http://127.0.0.1:${server.address().port}`);
});
