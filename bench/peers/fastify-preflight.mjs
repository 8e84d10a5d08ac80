// fastify + @fastify/cors, configured as their documentation shows, for the preflight scenario.
// Usage: node bench/peers/fastify-preflight.mjs [--port N] [--cert FILE --key FILE]
// With --cert and --key: HTTPS with HTTP/2 and HTTP/1.1 on one port (`http2: true`, `allowHTTP1`).

import { readFileSync } from "node:fs";
import cors from "@fastify/cors";
import Fastify from "fastify";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port, tls } = peerArgs();
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
app.get("/simple", async () => "ok");
app.put("/simple", async () => "ok");
const url = await app.listen({ port, host: "127.0.0.1" });
console.log(`fastify-preflight listening on ${url}`);
