import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";
import { describeWithPostgres, startPostgres, type TestPostgres } from "../support/postgres.js";

// Issue 5: any number of gateway nodes share one PostgreSQL. A change through one node's admin API
// is live on every node; a node that loses the store keeps serving and catches up; a node that
// starts while the store is down serves the configuration it cached on disk.
const TOKEN = "cluster-test-admin-token";

function seed(origin: string): string {
  return `
corsPolicies:
  - { name: web, allowOrigins: ["${origin}"] }
apis:
  - { name: hello, method: GET, path: /hello, corsPolicy: web, backend: { type: mock, body: hello } }
`;
}

interface Node {
  readonly process: GatewayProcess;
  readonly admin: string;
  readonly cache: string;
}

let pg: TestPostgres;
let dir: string;
const nodes: Node[] = [];

async function startNode(name: string, extra: string[] = []): Promise<Node> {
  const cache = join(dir, `${name}.last-good.json`);
  const process = await spawnGateway(
    [
      "--store",
      pg.url,
      "--listen",
      "127.0.0.1:0",
      "--admin",
      "127.0.0.1:0",
      "--cache",
      cache,
      "--seed",
      join(dir, "seed.yaml"),
      "--no-access-log",
      ...extra,
    ],
    { CROSSGATE_ADMIN_TOKEN: TOKEN },
  );
  const line = await process.waitFor(/admin API on http:\/\/[0-9.:]+/);
  const node = { process, admin: (/http:\/\/[0-9.:]+/.exec(line) as RegExpExecArray)[0], cache };
  nodes.push(node);
  return node;
}

async function allowOriginOf(node: Node, agent: Agent, origin: string): Promise<string | undefined> {
  const res = await request(`${node.process.url}/hello`, { dispatcher: agent, headers: { origin } });
  await res.body.dump();
  return res.headers["access-control-allow-origin"] as string | undefined;
}

async function setPolicyOrigin(node: Node, origin: string): Promise<number> {
  const res = await request(`${node.admin}/admin/v1/cors-policies/web`, {
    method: "PUT",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "web", allowOrigins: [origin] }),
  });
  const body = (await res.body.json()) as { revision: number };
  expect(res.statusCode).toBe(200);
  return body.revision;
}

async function ready(node: Node): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${node.admin}/readyz`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describeWithPostgres("a cluster of gateway nodes on one PostgreSQL", () => {
  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), "crossgate-cluster-"));
    writeFileSync(join(dir, "seed.yaml"), seed("https://v0.example.com"));
    await startNode("a");
    await startNode("b");
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes) await n.process.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("makes a policy change through node A's admin API live on node B (20 changes, distribution logged)", async () => {
    const [a, b] = nodes as [Node, Node];
    const agent = new Agent();
    const delays: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const origin = `https://v${i}.example.com`;
      const started = performance.now();
      await setPolicyOrigin(a, origin);
      // Bounded: the requirement is one second; the bound here only keeps a broken run from hanging.
      const deadline = started + 10_000;
      while ((await allowOriginOf(b, agent, origin)) !== origin) {
        if (performance.now() > deadline)
          throw new Error(`change ${i} never reached node B:\n${b.process.output()}`);
        await sleep(5);
      }
      delays.push(performance.now() - started);
    }
    await agent.close();
    const sorted = [...delays].sort((x, y) => x - y);
    const pick = (q: number) =>
      (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(1);
    console.log(
      `propagation A -> B over 20 changes (ms): min ${pick(0)}, p50 ${pick(0.5)}, p90 ${pick(0.9)}, max ${pick(1)}`,
    );
    expect(delays).toHaveLength(20);
  });

  it("keeps serving with zero failed requests while the store is stopped and restarted, then catches up", async () => {
    const [a, b] = nodes as [Node, Node];
    const agent = new Agent({ connections: 4 });
    const current = "https://v20.example.com";
    const failures: string[] = [];
    let served = 0;
    let stop = false;
    const started = Date.now();
    const traffic = (async () => {
      while (!stop && Date.now() - started < 60_000 && served < 50_000) {
        for (const node of [a, b]) {
          try {
            const value = await allowOriginOf(node, agent, current);
            if (value !== current) failures.push(`unexpected Access-Control-Allow-Origin ${value}`);
            served++;
          } catch (error) {
            failures.push(String(error));
          }
        }
      }
    })();

    await sleep(300);
    await pg.stopServer();
    // Both nodes notice the store is gone and say so, while still serving.
    for (const node of [a, b]) {
      const deadline = Date.now() + 10_000;
      let r = await ready(node);
      while (r.status !== 503 && Date.now() < deadline) {
        await sleep(100);
        r = await ready(node);
      }
      expect(r.status).toBe(503);
      expect(r.body.storeReachable).toBe(false);
    }
    await sleep(1000);
    await pg.startServer();
    for (const node of [a, b]) {
      const deadline = Date.now() + 15_000;
      while ((await ready(node)).status !== 200) {
        if (Date.now() > deadline)
          throw new Error(`node never became ready again:\n${node.process.output()}`);
        await sleep(100);
      }
    }
    stop = true;
    await traffic;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(50);

    // After the outage, a change through node B reaches node A again.
    await setPolicyOrigin(b, "https://after-outage.example.com");
    const deadline = Date.now() + 10_000;
    while (
      (await allowOriginOf(a, agent, "https://after-outage.example.com")) !==
      "https://after-outage.example.com"
    ) {
      if (Date.now() > deadline) throw new Error("the change after the outage never reached node A");
      await sleep(10);
    }
    await agent.close();
  }, 90_000);

  it("starts a node while the store is down from the configuration cached on disk", async () => {
    const [a] = nodes as [Node];
    const cached = join(dir, "c.last-good.json");
    copyFileSync(a.cache, cached);
    await pg.stopServer();
    try {
      const c = await startNode("c");
      const agent = new Agent();
      expect(await allowOriginOf(c, agent, "https://after-outage.example.com")).toBe(
        "https://after-outage.example.com",
      );
      await agent.close();
      const r = await ready(c);
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ storeReachable: false, source: "cache" });
    } finally {
      await pg.startServer();
    }
    const c = nodes[2] as Node;
    const deadline = Date.now() + 15_000;
    while ((await ready(c)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`node C never reached the store:\n${c.process.output()}`);
      await sleep(100);
    }
  }, 60_000);
});
