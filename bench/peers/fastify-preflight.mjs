// fastify + @fastify/cors, configured as their documentation shows, for the preflight scenario.
// Usage: node bench/peers/fastify-preflight.mjs [--port N] [--cert FILE --key FILE]
// With --cert and --key: HTTPS with HTTP/2 and HTTP/1.1 on one port (`http2: true`, `allowHTTP1`).

import { readFileSync } from "node:fs";
import { peerArgs } from "../cases.mjs";
import { fastifyPreflightApp } from "./fastify-preflight-app.mjs";

const { port, tls } = peerArgs();
const app = await fastifyPreflightApp(
  tls
    ? {
        http2: true,
        https: { allowHTTP1: true, cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      }
    : {},
);
const url = await app.listen({ port, host: "127.0.0.1" });
console.log(`fastify-preflight listening on ${url}`);
