import { createServer, request as httpRequest, type Server } from "node:http";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { createLogger } from "../../src/logger.js";
import { AccessLog } from "../../src/observability/access-log.js";
import { StreamSink } from "../../src/observability/line-sink.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { send } from "../support/gateway.js";

/**
 * Every exchange is counted once, with its real status, whether the gateway answered it in the same
 * tick (preflights, refusals, 404s: counted without a `close` listener) or after a backend (counted
 * when the response closes), and a client that leaves before the answer is a 499.
 */
const ORIGIN = "https://app.example.com";
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString("utf8").split("\n"))
      if (line.trim() !== "") lines.push(JSON.parse(line));
    done();
  },
});
const metrics = new GatewayMetrics();
let slow: Server;
let gw: RunningGateway;

beforeAll(async () => {
  // A backend that never answers /slow, so the client can leave first.
  slow = createServer(() => {});
  await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
  const port = (slow.address() as { port: number }).port;
  const built = compileConfig({
    corsPolicies: [{ name: "web", allowOrigins: [ORIGIN], allowMethods: ["GET", "PUT"] }],
    apis: [
      {
        name: "items",
        method: "GET",
        path: "/items",
        corsPolicy: "web",
        backend: { type: "mock", body: "ok" },
      },
      { name: "put-items", method: "PUT", path: "/items", corsPolicy: "web", backend: { type: "mock" } },
      {
        name: "slow",
        method: "GET",
        path: "/slow",
        backend: { type: "http", url: `http://127.0.0.1:${port}`, timeoutMs: 30_000 },
      },
    ],
  });
  if (!built.ok) throw new Error(JSON.stringify(built.problems));
  gw = await startGateway(
    built.snapshot,
    { host: "127.0.0.1", port: 0 },
    { metrics, logger: createLogger({ destination: sink }), accessLog: new AccessLog(new StreamSink(sink)) },
  );
});

afterAll(async () => {
  await gw.close();
  slow.closeAllConnections();
  await new Promise((r) => slow.close(r));
});

function accessLines(): Record<string, unknown>[] {
  return lines.filter((l) => l.log === "access");
}

describe("metrics and access log lines, one per exchange", () => {
  it("counts a preflight answered by the gateway, with its CORS verdict", async () => {
    const res = await send(gw.url, "OPTIONS", "/items", {
      Origin: ORIGIN,
      "Access-Control-Request-Method": "PUT",
    });
    expect(res.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/crossgate_requests_total\{api="put-items",status="200"\} 1/);
    expect(text).toMatch(
      /crossgate_cors_decisions_total\{kind="preflight",outcome="allowed",reason="[A-Z_]+"\} 1/,
    );
    const line = accessLines().at(-1);
    expect(line).toMatchObject({
      method: "OPTIONS",
      status: 200,
      api: "put-items",
      cors: { preflight: true },
    });
  });

  it("counts a refused preflight and a 404 with their statuses", async () => {
    const refused = await send(gw.url, "OPTIONS", "/items", {
      Origin: "https://evil.example.net",
      "Access-Control-Request-Method": "PUT",
    });
    expect(refused.status).toBe(403);
    const missing = await send(gw.url, "GET", "/nowhere");
    expect(missing.status).toBe(404);
    const text = await metrics.text();
    expect(text).toMatch(/crossgate_requests_total\{api="put-items",status="403"\} 1/);
    expect(text).toMatch(/crossgate_requests_total\{api="",status="404"\} 1/);
    expect(
      accessLines()
        .slice(-2)
        .map((l) => l.status),
    ).toEqual([403, 404]);
  });

  it("counts a request served by a backend once its response is finished", async () => {
    const res = await send(gw.url, "GET", "/items", { Origin: ORIGIN });
    expect(res.body).toBe("ok");
    // The close listener runs after the client has its response: wait for the line.
    await expect.poll(() => accessLines().some((l) => l.api === "items")).toBe(true);
    expect(await metrics.text()).toMatch(/crossgate_requests_total\{api="items",status="200"\} 1/);
  });

  it("counts a client that leaves before the backend answers as 499, and nothing stays in flight", async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: "127.0.0.1", port: new URL(gw.url).port, path: "/slow", agent: false });
      req.on("error", () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await expect.poll(() => accessLines().some((l) => l.api === "slow")).toBe(true);
    expect(accessLines().find((l) => l.api === "slow")).toMatchObject({ status: 499 });
    expect(await metrics.text()).toMatch(/crossgate_requests_total\{api="slow",status="499"\} 1/);
    await expect.poll(() => gw.gateway.inFlight).toBe(0);
    // Every exchange of this file, one line each.
    expect(accessLines()).toHaveLength(5);
  });

  it("caps the header values and the path it logs: a 5,000-character Origin is not logged whole", async () => {
    const origin = `https://${"a".repeat(5000)}.test`;
    const path = `/nowhere/${"p".repeat(3000)}`;
    const res = await send(gw.url, "GET", path, { Origin: origin, Host: `h${"o".repeat(1000)}.test` });
    expect(res.status).toBe(404);
    await expect.poll(() => accessLines().some((l) => String(l.path).startsWith("/nowhere/p"))).toBe(true);
    const line = accessLines().find((l) => String(l.path).startsWith("/nowhere/p")) as Record<string, string>;
    expect(line.origin).toBe(`${origin.slice(0, 256)}…[${origin.length} chars]`);
    expect(String(line.host).length).toBeLessThan(300);
    expect(line.path).toBe(`${path.slice(0, 1024)}…[${path.length} chars]`);
  });
});
