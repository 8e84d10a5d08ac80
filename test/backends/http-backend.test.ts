import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { poolStats } from "../../src/gateway/backends/pool-cache.js";
import {
  deferred,
  expectGatewayError,
  freePort,
  gatewayLog,
  Resources,
  rawRequest,
  snapshotOf,
  startUpstream,
  startWith,
  type Upstream,
} from "./support.js";

const resources = new Resources();
afterEach(async () => {
  await resources.closeAll();
  vi.restoreAllMocks();
});
beforeEach(() => {
  // Backend failures are logged with console.error by default; silenced here, read where it matters.
  vi.spyOn(console, "error").mockImplementation(() => {});
});
function logged(): string {
  return gatewayLog();
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An upstream that answers with what it saw: method, url, headers. */
function echoUpstream(): Promise<Upstream> {
  return startUpstream(resources, (req, res) => {
    void readAll(req).then((body) => {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() }),
      );
    });
  });
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const healthy = { name: "healthy", method: "GET", path: "/healthy", backend: { type: "mock", body: "fine" } };

/** The fault tests end with this: the gateway still serves an ordinary request. */
async function expectHealthy(url: string): Promise<void> {
  const r = await request(`${url}/healthy`);
  expect(r.statusCode).toBe(200);
  expect(await r.body.text()).toBe("fine");
}

describe("http backend: streaming", () => {
  it("passes a large upload and download through byte-exact", async () => {
    const upstream = await startUpstream(resources, (req, res) => {
      // Echo: the request body streamed back as the response body.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      req.pipe(res);
    });
    const gw = await startWith(resources, {
      apis: [{ name: "echo", method: "POST", path: "/echo", backend: { type: "http", url: upstream.url } }],
    });
    const payload = randomBytes(5 * 1024 * 1024);
    const r = await request(`${gw.url}/echo`, { method: "POST", body: payload });
    expect(r.statusCode).toBe(200);
    const received = Buffer.from(await r.body.arrayBuffer());
    expect(received.length).toBe(payload.length);
    expect(sha256(received)).toBe(sha256(payload));
  });

  it("delivers the first request chunk upstream before the client has sent the rest", async () => {
    const firstChunkArrived = deferred<string>();
    let total = 0;
    const upstream = await startUpstream(resources, (req, res) => {
      req.on("data", (c: Buffer) => {
        if (total === 0) firstChunkArrived.resolve(c.toString());
        total += c.length;
      });
      req.on("end", () => res.end(`got ${total}`));
    });
    const gw = await startWith(resources, {
      apis: [{ name: "up", method: "PUT", path: "/up", backend: { type: "http", url: upstream.url } }],
    });
    async function* slowBody() {
      yield Buffer.from("first-");
      // A gateway that buffered the whole upload would never let the upstream see this chunk.
      expect(await firstChunkArrived.promise).toBe("first-");
      yield Buffer.from("second");
    }
    const r = await request(`${gw.url}/up`, { method: "PUT", body: Readable.from(slowBody()) });
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toBe("got 12");
  });

  it("delivers the first response chunk to the client before the upstream has sent the rest", async () => {
    const clientGotFirst = deferred();
    const upstream = await startUpstream(resources, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first-");
      // A gateway that buffered the whole response would never hand this chunk to the client.
      void clientGotFirst.promise.then(() => res.end("second"));
    });
    const gw = await startWith(resources, {
      apis: [{ name: "down", method: "GET", path: "/down", backend: { type: "http", url: upstream.url } }],
    });
    const r = await request(`${gw.url}/down`);
    let text = "";
    for await (const chunk of r.body) {
      if (text === "") {
        expect((chunk as Buffer).toString()).toBe("first-");
        clientGotFirst.resolve();
      }
      text += (chunk as Buffer).toString();
    }
    expect(text).toBe("first-second");
  });
});

describe("http backend: path and query", () => {
  const cases: { name: string; target: string; upstreamUrl: string }[] = [
    {
      name: "an exact API passes the path after the group's base path, appended to the URL's path",
      target: "/v1/users/42?x=1&y=%20",
      upstreamUrl: "/base/users/42?x=1&y=%20",
    },
    {
      name: "a prefix API passes what follows its prefix, to a URL without a path",
      target: "/v1/files/a/b?q=1",
      upstreamUrl: "/a/b?q=1",
    },
    {
      name: "a prefix API hit exactly sends / to a URL without a path",
      target: "/v1/files",
      upstreamUrl: "/",
    },
    {
      name: "the remaining path is passed on normalized: escapes of unreserved characters decoded, others uppercased",
      target: "/v1/files/%7euser/c%20d/x%3ay",
      upstreamUrl: "/~user/c%20d/x%3Ay",
    },
    {
      name: "dot segments are resolved before routing, so the backend receives the path that was routed",
      target: "/v1/files/a/%2e%2e/../static/css/./site.css",
      upstreamUrl: "/root/css/site.css",
    },
    {
      name: "duplicate slashes are merged in what is forwarded as in what is routed",
      target: "/v1//files///a//b",
      upstreamUrl: "/a/b",
    },
    {
      name: "a prefix API with a URL path joins them with one slash",
      target: "/v1/static/css/site.css",
      upstreamUrl: "/root/css/site.css",
    },
    { name: "a prefix API hit exactly sends the URL's own path", target: "/v1/static", upstreamUrl: "/root" },
    {
      name: "an API without a group passes its whole path",
      target: "/simple?a=b",
      upstreamUrl: "/simple?a=b",
    },
  ];

  it.each(cases)("$name", async ({ target, upstreamUrl }) => {
    const upstream = await echoUpstream();
    const gw = await startWith(resources, {
      groups: [{ name: "shop", basePath: "/v1" }],
      apis: [
        {
          name: "user",
          group: "shop",
          method: "GET",
          path: "/users/{id}",
          backend: { type: "http", url: `${upstream.url}/base/` },
        },
        {
          name: "files",
          group: "shop",
          method: "GET",
          path: "/files",
          match: "prefix",
          backend: { type: "http", url: upstream.url },
        },
        {
          name: "static",
          group: "shop",
          method: "GET",
          path: "/static",
          match: "prefix",
          backend: { type: "http", url: `${upstream.url}/root` },
        },
        {
          name: "simple",
          method: "GET",
          path: "/simple",
          backend: { type: "http", url: `${upstream.url}/` },
        },
      ],
    });
    const r = await request(`${gw.url}${target}`);
    expect(r.statusCode).toBe(200);
    const seen = (await r.body.json()) as Seen;
    expect(seen.url).toBe(upstreamUrl);
  });
});

describe("http backend: headers", () => {
  it("drops hop-by-hop request fields, and those Connection names, and replaces Host", async () => {
    const upstream = await echoUpstream();
    const gw = await startWith(resources, {
      apis: [{ name: "hop", method: "GET", path: "/hop", backend: { type: "http", url: upstream.url } }],
    });
    const r = await rawRequest(
      gw.address.port,
      [
        "GET /hop HTTP/1.1",
        "Host: shop.test:8080",
        "Connection: close, X-Private",
        "X-Private: secret",
        "Keep-Alive: timeout=5",
        "Proxy-Connection: keep-alive",
        "TE: trailers",
        "Proxy-Authorization: Basic c2VjcmV0",
        "Upgrade: h2c",
        "X-Keep: kept",
        "X-Keep: twice",
        "",
        "",
      ].join("\r\n"),
    );
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as Seen;
    for (const name of [
      "x-private",
      "keep-alive",
      "proxy-connection",
      "te",
      "proxy-authorization",
      "upgrade",
      "transfer-encoding",
    ]) {
      expect(seen.headers, name).not.toHaveProperty(name);
    }
    // undici's own connection management: keep-alive to the upstream, never the client's "close".
    expect(seen.headers.connection ?? "keep-alive").toBe("keep-alive");
    expect(seen.headers["x-keep"]).toBe("kept, twice");
    expect(seen.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(seen.headers["x-forwarded-host"]).toBe("shop.test:8080");
  });

  it("drops Expect after node:http answered 100-continue itself, and still forwards the body", async () => {
    const upstream = await echoUpstream();
    const gw = await startWith(resources, {
      apis: [{ name: "exp", method: "POST", path: "/exp", backend: { type: "http", url: upstream.url } }],
    });
    const r = await rawRequest(
      gw.address.port,
      "POST /exp HTTP/1.1\r\nHost: gw.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as Seen;
    expect(seen.headers).not.toHaveProperty("expect");
    expect(seen.headers["content-length"]).toBe("5");
    expect(seen.body).toBe("hello");
  });

  it("answers HEAD through the GET API with the upstream's length and no body", async () => {
    const upstream = await startUpstream(resources, (req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "11", "x-method": req.method });
      res.end(req.method === "HEAD" ? undefined : "hello world");
    });
    const gw = await startWith(resources, {
      apis: [{ name: "get", method: "GET", path: "/get", backend: { type: "http", url: upstream.url } }],
    });
    const r = await rawRequest(
      gw.address.port,
      "HEAD /get HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(200);
    expect(r.headerLines).toContainEqual(["content-length", "11"]);
    expect(r.headerLines).toContainEqual(["x-method", "HEAD"]);
    expect(r.body).toBe("");
  });

  it("drops hop-by-hop response fields, and those Connection names", async () => {
    const upstream = await startUpstream(resources, (_req, res) => {
      res.writeHead(200, [
        ["Content-Type", "text/plain"],
        ["Content-Length", "2"],
        ["Connection", "X-Up-Private"],
        ["X-Up-Private", "secret"],
        ["Keep-Alive", "timeout=1"],
        ["Proxy-Authenticate", "Basic"],
        ["Proxy-Connection", "keep-alive"],
        ["X-Up-Keep", "kept"],
      ]);
      res.end("ok");
    });
    const gw = await startWith(resources, {
      apis: [{ name: "hop", method: "GET", path: "/hop", backend: { type: "http", url: upstream.url } }],
    });
    const r = await rawRequest(
      gw.address.port,
      "GET /hop HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(200);
    expect(r.body).toBe("ok");
    const names = r.headerLines.map(([n]) => n);
    expect(names).not.toContain("x-up-private");
    expect(names).not.toContain("proxy-authenticate");
    expect(names).not.toContain("proxy-connection");
    expect(names).not.toContain("keep-alive");
    // The client's connection is the gateway's own: it asked for close and gets close.
    expect(r.headerLines.filter(([n]) => n === "connection")).toEqual([["connection", "close"]]);
    expect(r.headerLines).toContainEqual(["x-up-keep", "kept"]);
  });

  it("sends X-Request-Id (the response's) and X-Forwarded-*, replacing the client's", async () => {
    const upstream = await echoUpstream();
    const gw = await startWith(resources, {
      apis: [{ name: "fwd", method: "POST", path: "/fwd", backend: { type: "http", url: upstream.url } }],
    });
    const r = await request(`${gw.url}/fwd`, {
      method: "POST",
      body: "hello",
      headers: {
        host: "api.shop.test",
        "x-request-id": "spoofed",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "spoofed.test",
        "content-type": "text/plain",
      },
    });
    expect(r.statusCode).toBe(200);
    const seen = (await r.body.json()) as Seen;
    expect(seen.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.headers["x-request-id"]).toBe(r.headers["x-request-id"]);
    expect(seen.headers["x-forwarded-for"]).toBe("203.0.113.7, 127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("api.shop.test");
    expect(seen.headers["content-type"]).toBe("text/plain");
    expect(seen.body).toBe("hello");
  });

  it("sends X-Forwarded-For with the client address alone when the client sent none", async () => {
    const upstream = await echoUpstream();
    const gw = await startWith(resources, {
      apis: [{ name: "fwd", method: "GET", path: "/fwd", backend: { type: "http", url: upstream.url } }],
    });
    const seen = (await (await request(`${gw.url}/fwd`)).body.json()) as Seen;
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });
});

describe("http backend: connection pool", () => {
  it("reuses keep-alive connections: 20 sequential requests use one upstream connection", async () => {
    const upstream = await startUpstream(resources, (_req, res) => res.end("ok"));
    const gw = await startWith(resources, {
      apis: [{ name: "ka", method: "GET", path: "/ka", backend: { type: "http", url: upstream.url } }],
    });
    for (let i = 0; i < 20; i++) {
      const r = await request(`${gw.url}/ka`);
      expect(await r.body.text()).toBe("ok");
    }
    expect(upstream.requests.length).toBe(20);
    expect(upstream.connections()).toBe(1);
  });

  it("keeps the pool, its connections and a request in flight across a configuration swap", async () => {
    const release = deferred();
    const upstream = await startUpstream(resources, (req, res) => {
      if (req.url === "/slow") void release.promise.then(() => res.end("slow done"));
      else res.end("ok");
    });
    const config = (name: string) => ({
      apis: [
        { name, method: "GET", path: "/", match: "prefix", backend: { type: "http", url: upstream.url } },
      ],
    });
    const gw = await startWith(resources, config("before"));
    expect(await (await request(`${gw.url}/warm`)).body.text()).toBe("ok");
    const inFlight = request(`${gw.url}/slow`);
    while (upstream.requests.length < 2) await new Promise((r) => setImmediate(r));

    gw.gateway.swap(snapshotOf(config("after")));
    expect(await (await request(`${gw.url}/again`)).body.text()).toBe("ok");
    release.resolve();
    const slow = await inFlight;
    expect(await slow.body.text()).toBe("slow done");
    // Two connections at most: the warm one (reused after the swap) and the one the slow request held.
    expect(upstream.connections()).toBeLessThanOrEqual(2);
    expect(poolStats().filter((p) => p.origin.startsWith(upstream.url))).toEqual([
      { origin: expect.stringContaining(upstream.url), refs: 1 },
    ]);
  });

  it("closes a pool once no configuration uses its upstream, after its request in flight finishes", async () => {
    const release = deferred();
    const upstream = await startUpstream(resources, (_req, res) => {
      void release.promise.then(() => res.end("done"));
    });
    const gw = await startWith(resources, {
      apis: [{ name: "old", method: "GET", path: "/old", backend: { type: "http", url: upstream.url } }],
    });
    const inFlight = request(`${gw.url}/old`);
    while (upstream.requests.length < 1) await new Promise((r) => setImmediate(r));
    gw.gateway.swap(snapshotOf({ apis: [healthy] }));
    expect(poolStats().some((p) => p.origin.startsWith(upstream.url))).toBe(false);
    release.resolve();
    const r = await inFlight;
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toBe("done");
    await expectHealthy(gw.url);
  });

  it("aborts the upstream request when the client goes away", async () => {
    const upstreamClosed = deferred();
    const upstream = await startUpstream(resources, (_req, res) => {
      res.once("close", () => upstreamClosed.resolve());
    });
    const gw = await startWith(resources, {
      apis: [
        { name: "hang", method: "GET", path: "/hang", backend: { type: "http", url: upstream.url } },
        healthy,
      ],
    });
    const controller = new AbortController();
    const pending = request(`${gw.url}/hang`, { signal: controller.signal });
    while (upstream.requests.length < 1) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await upstreamClosed.promise;
    await expectHealthy(gw.url);
  });
});

describe("http backend: faults", () => {
  it("answers 502 BACKEND_UNREACHABLE, with CORS headers, when nothing listens", async () => {
    const port = await freePort();
    const gw = await startWith(resources, {
      apis: [
        {
          name: "down",
          method: "GET",
          path: "/down",
          cors: true,
          backend: { type: "http", url: `http://127.0.0.1:${port}` },
        },
        healthy,
      ],
    });
    const r = await request(`${gw.url}/down`, { headers: { origin: "http://www.cors.com" } });
    expect(r.statusCode).toBe(502);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "BACKEND_UNREACHABLE");
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    expect(logged()).toContain(
      `request ${r.headers["x-request-id"]}: http backend http://127.0.0.1:${port}: unreachable (ECONNREFUSED`,
    );
    await expectHealthy(gw.url);
  });

  it("answers 502 BACKEND_UNREACHABLE when the upstream resets the connection before answering", async () => {
    let calls = 0;
    const upstream = await startUpstream(resources, (req, res) => {
      calls++;
      if (calls === 1) req.socket.destroy();
      else res.end("recovered");
    });
    const gw = await startWith(resources, {
      apis: [{ name: "reset", method: "GET", path: "/reset", backend: { type: "http", url: upstream.url } }],
    });
    const r = await request(`${gw.url}/reset`);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "BACKEND_UNREACHABLE");
    expect(r.statusCode).toBe(502);
    const next = await request(`${gw.url}/reset`);
    expect(await next.body.text()).toBe("recovered");
  });

  it("answers 504 BACKEND_TIMEOUT, with CORS headers, when the upstream hangs past timeoutMs", async () => {
    const upstream = await startUpstream(resources, () => {
      // Never answers.
    });
    const gw = await startWith(resources, {
      apis: [
        {
          name: "hang",
          method: "GET",
          path: "/hang",
          cors: true,
          backend: { type: "http", url: upstream.url, timeoutMs: 150 },
        },
        healthy,
      ],
    });
    const r = await request(`${gw.url}/hang`);
    expect(r.statusCode).toBe(504);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "BACKEND_TIMEOUT");
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    await expectHealthy(gw.url);
  });

  it("answers 504 BACKEND_TIMEOUT when the response headers take longer than headersTimeoutMs", async () => {
    let calls = 0;
    const upstream = await startUpstream(resources, (_req, res) => {
      calls++;
      if (calls > 1) res.end("fast");
    });
    const gw = await startWith(resources, {
      apis: [
        {
          name: "slow",
          method: "GET",
          path: "/slow",
          backend: { type: "http", url: upstream.url, timeoutMs: 60_000, headersTimeoutMs: 150 },
        },
      ],
    });
    const r = await request(`${gw.url}/slow`);
    expect(r.statusCode).toBe(504);
    expectGatewayError(r.statusCode, r.headers, await r.body.text(), "BACKEND_TIMEOUT");
    expect(await (await request(`${gw.url}/slow`)).body.text()).toBe("fast");
  });

  it("aborts the client's body when the upstream resets mid-body", async () => {
    let calls = 0;
    const upstream = await startUpstream(resources, (req, res) => {
      calls++;
      if (calls > 1) {
        res.end("whole");
        return;
      }
      res.writeHead(200, { "content-length": "1000", "content-type": "text/plain" });
      res.write("partial", () => setImmediate(() => req.socket.destroy()));
    });
    const gw = await startWith(resources, {
      apis: [{ name: "cut", method: "GET", path: "/cut", backend: { type: "http", url: upstream.url } }],
    });
    const r = await request(`${gw.url}/cut`);
    expect(r.statusCode).toBe(200);
    await expect(r.body.text()).rejects.toThrow();
    expect(logged()).toContain(
      `request ${r.headers["x-request-id"]}: http backend ${upstream.url}: failed mid-body`,
    );
    expect(await (await request(`${gw.url}/cut`)).body.text()).toBe("whole");
  });

  it("passes a 5xx from the upstream through as it is, not as a gateway error", async () => {
    const upstream = await startUpstream(resources, (_req, res) => {
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "7" });
      res.end("upstream is busy");
    });
    const gw = await startWith(resources, {
      apis: [
        {
          name: "busy",
          method: "GET",
          path: "/busy",
          cors: true,
          backend: { type: "http", url: upstream.url },
        },
        healthy,
      ],
    });
    const r = await request(`${gw.url}/busy`, { headers: { origin: "http://www.cors.com" } });
    expect(r.statusCode).toBe(503);
    expect(r.headers["content-type"]).toBe("text/plain");
    expect(r.headers["retry-after"]).toBe("7");
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    expect(r.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(await r.body.text()).toBe("upstream is busy");
    await expectHealthy(gw.url);
  });

  it("keeps the backend's own CORS headers under the toggle (seed 000, scenario 2)", async () => {
    const upstream = await startUpstream(resources, (_req, res) => {
      res.writeHead(200, { "access-control-allow-origin": "http://www.cors.com" });
      res.end("{}");
    });
    const gw = await startWith(resources, {
      apis: [
        {
          name: "own",
          method: "GET",
          path: "/own",
          cors: true,
          backend: { type: "http", url: upstream.url },
        },
      ],
    });
    const r = await rawRequest(
      gw.address.port,
      "GET /own HTTP/1.1\r\nHost: gw.test\r\nOrigin: http://www.cors.com\r\nConnection: close\r\n\r\n",
    );
    expect(r.headerLines.filter(([n]) => n === "access-control-allow-origin")).toEqual([
      ["access-control-allow-origin", "http://www.cors.com"],
    ]);
  });
});
