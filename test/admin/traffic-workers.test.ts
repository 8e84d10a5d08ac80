import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";
import { send } from "../support/gateway.js";

// --workers N: the admin API runs in the primary and merges every worker's window of decisions.
const TOKEN = "workers-test-token-0123456789";
let dir: string;
let gw: GatewayProcess;
let adminUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crossgate-traffic-workers-"));
  writeFileSync(
    join(dir, "seed.yaml"),
    [
      "corsPolicies: [{ name: web, allowOrigins: ['http://app.test'] }]",
      "apis: [{ name: items, method: GET, path: /items, corsPolicy: web, backend: { type: mock, body: '[]' } }]",
      "",
    ].join("\n"),
  );
  gw = await spawnGateway(
    [
      "--store",
      `sqlite:${join(dir, "crossgate.db")}`,
      "--seed",
      join(dir, "seed.yaml"),
      "--listen",
      "127.0.0.1:0",
      "--admin",
      "127.0.0.1:0",
      "--workers",
      "2",
      "--no-access-log",
    ],
    { CROSSGATE_ADMIN_TOKEN: TOKEN },
  );
  const line = await gw.waitFor(/admin API on (http:\/\/[0-9.:]+)/);
  adminUrl = (/http:\/\/[0-9.:]+/.exec(line) as RegExpExecArray)[0];
  await gw.waitFor(/\(2 workers\)/);
});
afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /admin/v1/traffic with --workers 2", () => {
  it("adds up both workers' decisions", async () => {
    // A new connection per request (agent: false): the cluster hands connections to workers in turn.
    for (let i = 0; i < 10; i++) {
      await send(gw.url, "GET", "/items", { origin: i % 2 === 0 ? "http://app.test" : "http://evil.test" });
    }
    const headers = { authorization: `Bearer ${TOKEN}` };
    const traffic = (await (await fetch(`${adminUrl}/admin/v1/traffic`, { headers })).json()) as {
      nodes: number;
      totals: unknown;
      topRefusedOrigins: unknown;
    };
    expect(traffic.nodes).toBe(2);
    expect(traffic.totals).toEqual({ requests: 10, refused: { ORIGIN_NOT_ALLOWED: 5 }, wouldRefuse: {} });
    expect(traffic.topRefusedOrigins).toEqual([
      { origin: "http://evil.test", count: 5, reasons: { ORIGIN_NOT_ALLOWED: 5 } },
    ]);
    const decisions = (await (
      await fetch(`${adminUrl}/admin/v1/decisions?limit=20`, { headers })
    ).json()) as {
      decisions: { time: number }[];
    };
    expect(decisions.decisions).toHaveLength(10);
    const times = decisions.decisions.map((d) => d.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
