// The upstream backend of the proxy scenario: raw node:http answering a small JSON body to anything.
// Usage: node bench/peers/upstream.mjs [--port N]
import { createServer } from "node:http";
import { peerArgs, UPSTREAM_BODY } from "../cases.mjs";

const { port } = peerArgs();
const headers = [
  "content-type",
  "application/json",
  "content-length",
  String(Buffer.byteLength(UPSTREAM_BODY)),
];

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  // Drain any request body before answering so the connection stays reusable.
  req.resume();
  res.writeHead(200, headers);
  res.end(UPSTREAM_BODY);
});
server.listen(port, "127.0.0.1", () => {
  console.log(`upstream listening on http://127.0.0.1:${server.address().port}`);
});
