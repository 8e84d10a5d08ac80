import { afterEach, describe, expect, it } from "vitest";
import { Resources, rawRequest, startWith } from "./support.js";

const resources = new Resources();
afterEach(async () => {
  await resources.closeAll();
});

describe("mock backend", () => {
  it("sends configured headers named __proto__, toString or constructor like any other", async () => {
    // As a configuration file gives them: JSON.parse makes `__proto__` an own field, not a prototype.
    const config = JSON.parse(
      '{"apis":[{"name":"m","method":"GET","path":"/m","backend":{"type":"mock","body":"ok","headers":{"__proto__":"p","toString":"t","constructor":"c","x-plain":"1"}}}]}',
    );
    const gw = await startWith(resources, config);
    const r = await rawRequest(
      gw.address.port,
      ["GET /m HTTP/1.1", "Host: m.test", "Connection: close", "", ""].join("\r\n"),
    );
    expect(r.status).toBe(200);
    expect(r.body).toBe("ok");
    expect(
      r.headerLines.filter(([n]) => ["__proto__", "tostring", "constructor", "x-plain"].includes(n)),
    ).toEqual([
      ["__proto__", "p"],
      ["tostring", "t"],
      ["constructor", "c"],
      ["x-plain", "1"],
    ]);
  });
});
