// A small backend for the demo (examples/demo.yaml), answering like the seeds' backend service.
//   GET /simple        200 {"status":"200"}, no CORS headers        (seed 000, scenario 1)
//   GET /backend-cors  200 {"status":"200"} with its own ACAO       (seed 000, scenario 2)
//   anything else      200 echo of the request as the backend saw it (X-Request-Id, X-Forwarded-*)
import { createServer } from "node:http";

export function startSampleBackend(port = 8081, host = "127.0.0.1") {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/simple") {
      res.writeHead(200, { "content-type": "application/json", server: "api-gateway" });
      res.end('{"status":"200"}');
      return;
    }
    if (path === "/backend-cors") {
      res.writeHead(200, {
        "content-type": "application/json",
        server: "api-gateway",
        "access-control-allow-origin": "http://www.cors.com",
      });
      res.end('{"status":"200"}');
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() },
          null,
          2,
        ),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startSampleBackend(Number(process.env.PORT ?? 8081));
  console.log(`sample backend on http://127.0.0.1:${server.address().port}`);
}
