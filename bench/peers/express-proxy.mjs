// express + http-proxy-middleware + cors, configured as their documentation shows, with a keep-alive agent.
// Usage: node bench/peers/express-proxy.mjs --upstream http://127.0.0.1:PORT [--port N]
import { Agent } from "node:http";
import cors from "cors";
import express from "express";
import { createProxyMiddleware } from "http-proxy-middleware";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port, upstream } = peerArgs();
if (!upstream) throw new Error("--upstream URL is required");
const app = express();
app.use(
  cors({ origin: ALLOWED_ORIGINS, methods: ALLOW_METHODS, allowedHeaders: ALLOW_HEADERS, maxAge: MAX_AGE }),
);
app.use(
  createProxyMiddleware({
    target: upstream,
    pathFilter: "/simple",
    // Without a keep-alive agent every request would open a new upstream connection.
    agent: new Agent({ keepAlive: true, maxSockets: 128 }),
  }),
);
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`express-proxy listening on http://127.0.0.1:${server.address().port}`);
});
server.keepAliveTimeout = 65_000;
