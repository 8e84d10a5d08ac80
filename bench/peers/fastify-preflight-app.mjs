// The fastify + @fastify/cors application of the preflight scenario, configured as their documentation
// shows: one definition for the peer server (./fastify-preflight.mjs) and the in-memory harness
// (../gateway-micro.mjs --case fastify), so that both measure the same application.
import cors from "@fastify/cors";
import Fastify from "fastify";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE } from "../cases.mjs";

/** `options`: fastify's own (HTTPS with HTTP/2 for the TLS scenarios). */
export async function fastifyPreflightApp(options = {}) {
  const app = Fastify({ logger: false, ...options });
  await app.register(cors, {
    origin: ALLOWED_ORIGINS,
    methods: ALLOW_METHODS,
    allowedHeaders: ALLOW_HEADERS,
    maxAge: MAX_AGE,
  });
  app.get("/simple", async () => "ok");
  app.put("/simple", async () => "ok");
  return app;
}
