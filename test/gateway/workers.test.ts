import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";

// Issues 4 and 5: `--workers N` runs N processes sharing the listener, each following changes.
const handler =
  "export const handler = async () => ({ statusCode: 200, headers: { 'x-version': 'VERSION' }, body: String(process.pid) });\n";

let dir: string;
let gw: GatewayProcess;

function writeVersion(version: number): void {
  writeFileSync(join(dir, `pid-${version}.mjs`), handler.replace("VERSION", String(version)));
  writeFileSync(
    join(dir, "gateway.yaml"),
    `apis:\n  - { name: pid, method: GET, path: /pid, cors: true, backend: { type: function, module: ./pid-${version}.mjs } }\n`,
  );
}

async function sample(agent: Agent, n: number): Promise<{ pids: Set<string>; versions: Set<string> }> {
  const pids = new Set<string>();
  const versions = new Set<string>();
  for (let i = 0; i < n; i++) {
    // A new connection each time: cluster hands connections to workers in turn.
    const res = await request(`${gw.url}/pid`, { dispatcher: agent, reset: true });
    pids.add(await res.body.text());
    versions.add(String(res.headers["x-version"]));
  }
  return { pids, versions };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crossgate-workers-"));
  writeVersion(1);
  gw = await spawnGateway([
    "--config",
    join(dir, "gateway.yaml"),
    "--listen",
    "127.0.0.1:0",
    "--workers",
    "2",
  ]);
});

afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("--workers", () => {
  it("serves from two processes sharing one listener", async () => {
    await gw.waitFor(/\(2 workers\)/);
    const agent = new Agent({ pipelining: 0 });
    const { pids } = await sample(agent, 12);
    await agent.close();
    expect(pids.size).toBe(2);
  });

  it("has every worker follow a configuration change", async () => {
    writeVersion(2);
    const agent = new Agent({ pipelining: 0 });
    const deadline = Date.now() + 10_000;
    let seen: { pids: Set<string>; versions: Set<string> };
    do {
      await sleep(100);
      seen = await sample(agent, 8);
    } while ((seen.versions.size !== 1 || !seen.versions.has("2")) && Date.now() < deadline);
    await agent.close();
    expect([...seen.versions]).toEqual(["2"]);
    expect(seen.pids.size).toBe(2);
  });

  it("stops every worker on SIGTERM and exits 0", async () => {
    const code = await gw.stop();
    expect(code).toBe(0);
    // The primary waits for every worker and reports once for all (test/cli/workers-log.test.ts).
    expect(gw.output().match(/"unfinished":0,"msg":"stopped"/g)?.length).toBe(1);
  });
});
