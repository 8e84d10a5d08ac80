/**
 * The access log is written off the request path (src/observability/line-sink.ts), so stopping must not
 * lose the line of an answered request (issue 12): a real `crossgate start` under load is stopped with
 * SIGTERM, and every request the clients got an answer to has its line in the log, once.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { spawnGateway } from "../support/cli-process.js";

const dir = mkdtempSync(join(tmpdir(), "crossgate-access-stop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stopping never loses an answered request's access log line", () => {
  it("SIGTERM mid-load: every answered request id is logged, each once", async () => {
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      stringify({
        corsPolicies: [{ name: "web", allowOrigins: ["https://app.test"] }],
        apis: [
          {
            name: "ping",
            method: "GET",
            path: "/ping",
            corsPolicy: "web",
            backend: { type: "mock", body: "pong" },
          },
        ],
      }),
    );
    const gw = await spawnGateway(["--config", config, "--listen", "127.0.0.1:0"]);
    const agent = new Agent({ connections: 8, pipelining: 1 });
    const answered: string[] = [];
    let failed = 0;
    let stopping = false;
    // Eight clients, each asking in a loop until the gateway stops answering (bounded: 20,000 requests or 20 s).
    const deadline = Date.now() + 20_000;
    const client = async () => {
      while (answered.length + failed < 20_000 && Date.now() < deadline) {
        try {
          const res = await request(`${gw.url}/ping`, {
            dispatcher: agent,
            headers: { origin: "https://app.test" },
          });
          await res.body.text();
          answered.push(String(res.headers["x-request-id"]));
        } catch {
          failed++;
          if (stopping) return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    // Stop once a good share of requests has been answered, while the clients keep asking.
    while (answered.length < 1500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    stopping = true;
    const code = await gw.stop();
    await Promise.all(clients);
    await agent.close();
    expect(code).toBe(0);
    expect(answered.length).toBeGreaterThanOrEqual(1500);

    const lines = gw
      .output()
      .split("\n")
      .filter((l) => l.includes('"log":"access"'))
      .map((l) => JSON.parse(l) as { requestId: string; status: number });
    const logged = new Map<string, number>();
    for (const l of lines) logged.set(l.requestId, (logged.get(l.requestId) ?? 0) + 1);
    const missing = answered.filter((id) => !logged.has(id));
    expect(missing).toEqual([]);
    expect([...logged.values()].every((n) => n === 1)).toBe(true);
    // A line is an answered exchange (200), or one the client left before its answer (499).
    expect(lines.every((l) => l.status === 200 || l.status === 499)).toBe(true);
  });
});
