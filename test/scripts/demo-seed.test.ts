/**
 * `npm start`'s seed (scripts/demo.mjs): with openssl it writes the demo configuration plus a
 * certificate to .tmp/demo/seed.yaml, away from examples/, whose relative file names (the function
 * backend's module) must still name the same files there.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoCertificate, seedWithCertificate } from "../../scripts/demo-https.mjs";
import { readSeed } from "../../src/control/seed.js";

const REPO = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "crossgate-demo-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start's seed with the demo certificate", () => {
  it("is a valid seed where it is written: the function module and the certificate are found", async () => {
    const certificate = demoCertificate(join(dir, "tls"));
    const seed = seedWithCertificate(
      join(REPO, "examples", "demo.yaml"),
      certificate,
      join(dir, "seed.yaml"),
    );
    const config = await readSeed(seed, dir);
    const functions = (config.apis ?? []).filter((api) => api.backend.type === "function");
    expect(functions.length).toBeGreaterThan(0);
    for (const api of functions) {
      expect(api.backend.type === "function" && api.backend.module).toMatch(
        /examples\/handlers\/[^/]+\.mjs$/,
      );
    }
    expect(config.tls?.certificates?.map((c) => c.name)).toEqual(["demo-localhost"]);
  });
});
