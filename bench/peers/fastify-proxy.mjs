// fastify + @fastify/http-proxy + @fastify/cors, configured as their documentation shows.
// Usage: node bench/peers/fastify-proxy.mjs --upstream http://127.0.0.1:PORT [--port N]
import cors from "@fastify/cors";
import proxy from "@fastify/http-proxy";
import Fastify from "fastify";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port, upstream } = peerArgs();
if (!upstream) throw new Error("--upstream URL is required");
const app = Fastify({ logger: false });
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
