/**
 * With --workers N, the start lines (lint warnings, configuration applied, listening, serving, stopping)
 * appear once, from the primary; a worker logs only what is its own: its access lines (tagged with its
 * worker id), its warnings and errors. (Runs the built CLI: `npm run build` first, as `npm test` does.)
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../support/cli-process.js";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "crossgate-workers-log-"));
  // Valid, with two lint warnings.
  copyFileSync(new URL("fixtures/valid-with-warnings.yaml", import.meta.url), join(dir, "gateway.yaml"));
  writeFileSync(
    join(dir, "seed.yaml"),
    "apis:\n  - { name: a, method: GET, path: /a, backend: { type: mock } }\n",
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const count = (text: string, pattern: RegExp) =>
  text.match(new RegExp(pattern, `${pattern.flags}g`))?.length ?? 0;

/** Sends `n` requests, each on a new connection so that both workers get some. */
async function traffic(gw: GatewayProcess, n: number): Promise<void> {
  const agent = new Agent({ pipelining: 0 });
  for (let i = 0; i < n; i++)
    await (await request(`${gw.url}/a`, { dispatcher: agent, reset: true })).body.dump();
  await agent.close();
}

async function runTwoWorkers(args: string[]): Promise<string> {
  const gw = await spawnGateway([...args, "--listen", "127.0.0.1:0", "--workers", "2"], {
    CROSSGATE_ADMIN_TOKEN: "workers-log-token",
  });
  try {
    await gw.waitFor(/\(2 workers\)/);
    await traffic(gw, 8);
    await gw.waitFor(/("log":"access"[\s\S]*?){8}/);
  } finally {
    expect(await gw.stop()).toBe(0);
  }
  return gw.output();
}

function expectOneOfEachStartLine(output: string): void {
  expect(count(output, /crossgate gateway listening on/)).toBe(1);
  expect(output).toMatch(/crossgate gateway listening on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)/);
  expect(count(output, /"msg":"stopping"/)).toBe(1);
  expect(count(output, /"msg":"stopped"/)).toBe(1);
  // Every access line says which worker answered, and both answered.
  const workers = new Set([...output.matchAll(/"worker":(\d+),"log":"access"/g)].map((m) => m[1]));
  expect(count(output, /"log":"access"/)).toBe(8);
  expect(workers).toEqual(new Set(["1", "2"]));
}

describe("--workers 2 logs", () => {
  it("file mode: lint warnings, listening and stop lines appear once", async () => {
    const output = await runTwoWorkers(["--config", join(dir, "gateway.yaml")]);
    expectOneOfEachStartLine(output);
    expect(count(output, /^warning corsPolicies\[0\]\.maxAge/m)).toBe(1);
  });

  it("store mode: configuration applied and serving from the store appear once", async () => {
    const output = await runTwoWorkers([
      "--store",
      `sqlite:${join(dir, "store.db")}`,
      "--seed",
      join(dir, "seed.yaml"),
      "--admin",
      "127.0.0.1:0",
    ]);
    expectOneOfEachStartLine(output);
    expect(count(output, /"msg":"configuration applied"/)).toBe(1);
    expect(count(output, /"msg":"serving from the store"/)).toBe(1);
  });
});
