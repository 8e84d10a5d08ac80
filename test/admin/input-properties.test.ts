/**
 * Property of the admin API's writes (issue 10, part 2): whatever JSON or YAML body a client sends to
 * POST /admin/v1/{kind}, PUT /admin/v1/{kind}/{name} or PUT /admin/v1/config, the answer is never
 * 5xx, and every refusal is the error shape with an error_code. Bounded in runs and in time.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { arbitraryConfigInput } from "../support/config-arbitrary.js";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const KINDS = [
  ["groups", "groups"],
  ["apis", "apis"],
  ["cors-policies", "corsPolicies"],
  ["apps", "apps"],
] as const;

/** An item of a mutated configuration's list, or the mutated configuration itself when there is none. */
function itemOf(config: unknown, field: string): unknown {
  const list = (config as Record<string, unknown> | null)?.[field];
  return Array.isArray(list) && list.length > 0 ? list[0] : config;
}

const RUNS = { numRuns: 120, interruptAfterTimeLimit: 25_000, markInterruptAsFailure: false };

async function expectAnswered(method: string, path: string, body: unknown, yaml: boolean): Promise<void> {
  const text = yaml ? toYaml(body ?? null) : JSON.stringify(body ?? null);
  const res = await h.call(method, path, {
    body: text,
    headers: { "content-type": yaml ? "application/yaml" : "application/json" },
  });
  expect(res.status, `${method} ${path} ${text.slice(0, 300)}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.json?.error_code, res.text.slice(0, 300)).toBe("string");
    expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
  }
}

describe("the admin API's writes never answer 5xx, whatever the body", () => {
  for (const [kind, field] of KINDS) {
    it(`property: POST /admin/v1/${kind} and PUT /admin/v1/${kind}/{name}`, async () => {
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        arbitraryConfigInput().map((c) => itemOf(c, field)),
      );
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.boolean(),
          fc.constantFrom("x", "users", "web", "shop"),
          async (b, yaml, name) => {
            await expectAnswered("POST", `/admin/v1/${kind}`, b, yaml);
            await expectAnswered("PUT", `/admin/v1/${kind}/${name}`, b, yaml);
          },
        ),
        RUNS,
      );
    });
  }

  it("property: PUT /admin/v1/config", async () => {
    const body = fc.oneof(fc.jsonValue({ maxDepth: 4 }), arbitraryConfigInput());
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, yaml) => {
        await expectAnswered("PUT", "/admin/v1/config", b, yaml);
      }),
      RUNS,
    );
  });
});
