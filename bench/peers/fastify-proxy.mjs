// fastify + @fastify/http-proxy + @fastify/cors, configured as their documentation shows.
// Usage: node bench/peers/fastify-proxy.mjs --upstream http://127.0.0.1:PORT [--port N] [--cert FILE --key FILE]
// With --cert and --key: HTTPS with HTTP/2 and HTTP/1.1 on one port (`http2: true`, `allowHTTP1`).

import { readFileSync } from "node:fs";
import cors from "@fastify/cors";
import proxy from "@fastify/http-proxy";
import Fastify from "fastify";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port, upstream, tls } = peerArgs();
if (!upstream) throw new Error("--upstream URL is required");
const app = Fastify({
  logger: false,
  ...(tls
    ? {
        http2: true,
        https: { allowHTTP1: true, cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      }
    : {}),
});
await app.register(cors, {
  origin: ALLOWED_ORIGINS,
  methods: ALLOW_METHODS,
  allowedHeaders: ALLOW_HEADERS,
  maxAge: MAX_AGE,
});
// The same pool size as the undici proxy (reply-from's documented default is 128 as well).
await app.register(proxy, {
  upstream,
  prefix: "/simple",
  rewritePrefix: "/simple",
  undici: { connections: 128, pipelining: 1 },
});
const url = await app.listen({ port, host: "127.0.0.1" });
console.log(`fastify-proxy listening on ${url}`);
