import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("POST /admin/v1/explain/parse and /admin/v1/explain/curl", () => {
  it("turns a pasted Chromium error into a request to explain, saying what it assumed", async () => {
    const answer = await h.call("POST", "/admin/v1/explain/parse", {
      body: {
        text: "Access to fetch at 'http://api.test/v1/x' from origin 'https://app.test' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      kind: "chromium",
      request: { origin: "https://app.test", method: "PUT", path: "/v1/x", host: "api.test" },
      notes: [],
    });
    // The parsed request is a valid explain request.
    const explained = await h.call("POST", "/admin/v1/explain", { body: answer.json.request });
    expect(explained.status).toBe(200);
  });

  it("turns a curl command into a request, and gives the curl command of a request", async () => {
    const curl = await h.call("POST", "/admin/v1/explain/curl", {
      body: {
        origin: "https://app.test",
        method: "PUT",
        path: "/x",
        host: "api.test",
        headers: [{ name: "X-A", value: "it's" }],
      },
    });
    expect(curl.json.curl).toBe(
      `curl -X 'PUT' -H 'Origin: https://app.test' -H 'X-A: it'\\''s' 'http://api.test/x'`,
    );
    const parsed = await h.call("POST", "/admin/v1/explain/parse", { body: { text: curl.json.curl } });
    expect(parsed.json.request).toEqual({
      origin: "https://app.test",
      method: "PUT",
      path: "/x",
      host: "api.test",
      headers: [{ name: "X-A", value: "it's" }],
    });
  });

  it("refuses text that is neither, saying what to paste", async () => {
    const answer = await h.call("POST", "/admin/v1/explain/parse", { body: { text: "hello" } });
    expect(answer.status).toBe(400);
    expect(answer.json.error_msg).toMatch(/paste a Chromium console error .* or a curl command/);
    expect((await h.call("POST", "/admin/v1/explain/parse", { body: {} })).status).toBe(400);
    expect((await h.call("POST", "/admin/v1/explain/curl", { body: { origin: 1 } })).status).toBe(400);
  });
});
