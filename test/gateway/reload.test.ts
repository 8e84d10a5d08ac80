import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";

// Issue 3: a bounded loop of requests while the configuration file changes 20 times, some
// changes invalid: zero failed requests, every response consistent with one configuration.
function configFor(version: number): string {
  return `
corsPolicies:
  - name: web
    allowOrigins: ["https://v${version}.example.com", "https://app.example.com"]
    exposeHeaders: [X-Config-Version]
apis:
  - name: versioned
    method: GET
    path: /version
    corsPolicy: web
    backend:
      type: mock
      headers: { X-Config-Version: "${version}", Content-Type: application/json }
      body: '{"version":${version}}'
`;
}

const INVALID = [
  "apis: [ { name: broken",
  "corsPolicies:\n  - name: web\n    allowOrigins: ['*']\n    allowCredentials: true\napis: []\n",
  "apis:\n  - { name: x, method: GET, path: /version, corsPolicy: missing, backend: { type: mock } }\n",
];

interface Sample {
  readonly status: number;
  readonly header: number;
  readonly body: number;
  readonly allowOrigin: string | undefined;
}

let dir: string;
let file: string;
let gw: GatewayProcess;

function writeAtomically(text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crossgate-reload-"));
  file = join(dir, "gateway.yaml");
  writeFileSync(file, configFor(1));
  gw = await spawnGateway(["--config", file, "--listen", "127.0.0.1:0"], { CROSSGATE_LOG_LEVEL: "info" });
});

afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function probe(agent: Agent): Promise<Sample> {
  const res = await request(`${gw.url}/version`, {
    dispatcher: agent,
    headers: { origin: "https://app.example.com" },
  });
  const body = (await res.body.json()) as { version: number };
  return {
    status: res.statusCode,
    header: Number(res.headers["x-config-version"]),
    body: body.version,
    allowOrigin: res.headers["access-control-allow-origin"] as string | undefined,
  };
}

describe("live reload", () => {
  it("swaps 20 configuration changes under load without a failed or mixed response", async () => {
    const agent = new Agent({ connections: 8 });
    const valid = new Set<number>([1]);
    const errors: unknown[] = [];
    const samples: Sample[][] = [[], [], [], []];
    let stop = false;
    const started = Date.now();
    const loops = samples.map(async (mine) => {
      // Bounded in count and time.
      while (!stop && mine.length < 20_000 && Date.now() - started < 60_000) {
        try {
          mine.push(await probe(agent));
        } catch (error) {
          errors.push(error);
        }
      }
    });

    let version = 1;
    let refusals = 0;
    const waitForRefusals = async (n: number) => {
      const deadline = Date.now() + 10_000;
      while ((gw.output().match(/configuration refused/g)?.length ?? 0) < n) {
        if (Date.now() > deadline) throw new Error(`refusal ${n} never logged:\n${gw.output()}`);
        await sleep(20);
      }
    };
    for (let change = 1; change <= 20; change++) {
      if (change % 4 === 0) {
        writeAtomically(INVALID[change % INVALID.length] as string);
        refusals += 1;
        await waitForRefusals(refusals);
        // The refused change left the previous configuration serving.
        expect((await probe(agent)).body).toBe(version);
        continue;
      }
      version += 1;
      valid.add(version);
      writeAtomically(configFor(version));
      const deadline = Date.now() + 10_000;
      while ((await probe(agent)).body !== version) {
        if (Date.now() > deadline) throw new Error(`version ${version} never served:\n${gw.output()}`);
        await sleep(20);
      }
    }
    stop = true;
    await Promise.all(loops);
    await agent.close();

    expect(errors).toEqual([]);
    const all = samples.flat();
    expect(all.length).toBeGreaterThan(100);
    for (const s of all) {
      expect(s.status).toBe(200);
      // Headers, body and CORS answer all come from one configuration.
      expect(s.header).toBe(s.body);
      expect(s.allowOrigin).toBe("https://app.example.com");
      expect(valid.has(s.body)).toBe(true);
    }
    // Each client only ever moves forward through the versions.
    for (const mine of samples) {
      for (let i = 1; i < mine.length; i++) {
        expect((mine[i] as Sample).body).toBeGreaterThanOrEqual((mine[i - 1] as Sample).body);
      }
    }
    expect(version).toBe(16);
    expect(gw.output().match(/configuration refused/g)?.length).toBe(5);
  });

  it("reloads on SIGHUP", async () => {
    writeFileSync(file, configFor(99));
    gw.child.kill("SIGHUP");
    const agent = new Agent();
    const deadline = Date.now() + 10_000;
    while ((await probe(agent)).body !== 99) {
      if (Date.now() > deadline) throw new Error("SIGHUP reload never happened");
      await sleep(20);
    }
    await agent.close();
  });
});
