// express + cors, configured as their documentation shows, for the preflight scenario.
// Usage: node bench/peers/express-preflight.mjs [--port N]
import cors from "cors";
import express from "express";
import { ALLOW_HEADERS, ALLOW_METHODS, ALLOWED_ORIGINS, MAX_AGE, peerArgs } from "../cases.mjs";

const { port } = peerArgs();
const app = express();
app.use(
  cors({ origin: ALLOWED_ORIGINS, methods: ALLOW_METHODS, allowedHeaders: ALLOW_HEADERS, maxAge: MAX_AGE }),
);
app.get("/simple", (_req, res) => res.send("ok"));
app.put("/simple", (_req, res) => res.send("ok"));
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`express-preflight listening on http://127.0.0.1:${server.address().port}`);
});
server.keepAliveTimeout = 65_000;
