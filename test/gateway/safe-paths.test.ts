/**
 * The request path is a security boundary (SPEC section 3, step 0; issue 10, part 1): `auth: app` and
 * CORS policies are bound to paths, so what the gateway routes must be exactly what the backend receives.
 * Real gateway, real upstream over loopback; raw sockets for what no HTTP client would send.
 */
import type { IncomingMessage } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/config/snapshot.js";
import { joinPath } from "../../src/gateway/backends/http.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";
import { GatewayMetrics } from "../../src/observability/metrics.js";
import { normalizePath } from "../../src/routing/normalize-path.js";
import {
  expectGatewayError,
  Resources,
  rawRequest,
  snapshotOf,
  startUpstream,
  type Upstream,
} from "../backends/support.js";
import { send } from "../support/gateway.js";

const KEY = "k-0123456789abcdef";

function config(upstream: string, paths?: Record<string, string>): unknown {
  return {
    ...(paths ? { gateway: { paths } } : {}),
    groups: [{ name: "v1", basePath: "/v1" }],
    corsPolicies: [{ name: "web", allowOrigins: ["https://app.test"], allowMethods: ["GET", "PUT"] }],
    apis: [
      // An open API, its whole subtree served (prefix), as in the bypass.
      {
        name: "pub",
        group: "v1",
        method: "GET",
        path: "/pub",
        match: "prefix",
        corsPolicy: "web",
        backend: { type: "http", url: `${upstream}/as-pub` },
      },
      {
        name: "secret",
        group: "v1",
        method: "GET",
        path: "/secret",
        match: "prefix",
        auth: "app",
        corsPolicy: "web",
        backend: { type: "http", url: `${upstream}/as-secret` },
      },
      {
        name: "item",
        group: "v1",
        method: "GET",
        path: "/items/{id}",
        corsPolicy: "web",
        backend: { type: "http", url: `${upstream}/as-item` },
      },
      {
        name: "internal",
        method: "GET",
        path: "/internal-admin",
        match: "prefix",
        auth: "app",
        backend: { type: "http", url: `${upstream}/as-internal` },
      },
    ],
    apps: [{ name: "client", keys: [KEY], apis: ["secret", "internal"] }],
  };
}

const resources = new Resources();
let upstream: Upstream;
let strict: RunningGateway;
let lenient: RunningGateway;
let metrics: GatewayMetrics;
let snapshot: Snapshot;

beforeAll(async () => {
  upstream = await startUpstream(resources, (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ url: req.url }));
  });
  metrics = new GatewayMetrics();
  snapshot = snapshotOf(config(upstream.url));
  strict = await startGateway(snapshot, { host: "127.0.0.1", port: 0 }, { metrics });
  lenient = await startGateway(
    snapshotOf(config(upstream.url, { semicolons: "keep", encodedSlashes: "keep" })),
    { host: "127.0.0.1", port: 0 },
  );
  resources.add(async () => {
    await strict.close();
    await lenient.close();
  });
});
afterAll(() => resources.closeAll());

function lastUpstreamUrl(): string | undefined {
  return (upstream.requests.at(-1) as IncomingMessage | undefined)?.url;
}

describe("dot segments cannot move a request past auth: app (the bypass of issue 10)", () => {
  it("GET /v1/pub/../secret/x is the secret API's request: 401 without a key, and the backend is not called", async () => {
    const before = upstream.requests.length;
    const r = await send(strict.url, "GET", "/v1/pub/../secret/x");
    expectGatewayError(r.status, r.headers, r.body, "AUTH_KEY_MISSING");
    expect(r.status).toBe(401);
    expect(upstream.requests.length).toBe(before);
  });

  it("with the key, the secret API's backend receives the normalized path, never the dots", async () => {
    const r = await send(strict.url, "GET", "/v1/pub/../secret/x", { "x-api-key": KEY });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ url: "/as-secret/x" });
  });

  it("GET /v1/pub/%2e%2e/%2e%2e/internal-admin is the internal API's request: 401 without a key", async () => {
    const before = upstream.requests.length;
    const r = await send(strict.url, "GET", "/v1/pub/%2e%2e/%2e%2e/internal-admin");
    expect(r.status).toBe(401);
    expect(upstream.requests.length).toBe(before);
  });

  it("mixed-case and half-encoded dots (%2E., .%2e) resolve the same way", async () => {
    for (const path of ["/v1/pub/%2E./secret/x", "/v1/pub/.%2e/secret/x", "/v1/pub/./../secret/x"]) {
      const r = await send(strict.url, "GET", path);
      expect(r.status, path).toBe(401);
    }
  });

  it("a path that climbs above / is refused with 400 PATH_ABOVE_ROOT", async () => {
    const r = await send(strict.url, "GET", "/v1/../../etc/passwd");
    expectGatewayError(r.status, r.headers, r.body, "PATH_ABOVE_ROOT");
    expect(r.status).toBe(400);
  });
});

describe("forms that servers read differently are refused by default (400), kept on request", () => {
  const cases: [string, string, string, string][] = [
    ["an encoded slash", "/v1/items/a%2Fb", "PATH_ENCODED_SLASH", "/as-item"],
    ["an encoded backslash", "/v1/items/a%5cb", "PATH_ENCODED_SLASH", "/as-item"],
    ["a ';' path parameter", "/v1/secret;x=1/data", "PATH_SEMICOLON", "/as-secret"],
  ];
  for (const [name, path, code] of cases) {
    it(`refuses ${name}: ${path}`, async () => {
      const before = upstream.requests.length;
      const r = await send(strict.url, "GET", path, { "x-api-key": KEY });
      expectGatewayError(r.status, r.headers, r.body, code);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).error_msg).toMatch(/gateway\.paths\./);
      expect(upstream.requests.length).toBe(before);
    });
  }

  it("with paths.encodedSlashes: keep, an encoded slash reaches the backend encoded, inside its segment", async () => {
    const r = await send(lenient.url, "GET", "/v1/pub/a%2fb/c");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ url: "/as-pub/a%2Fb/c" });
  });

  it("with paths.semicolons: keep, a ';' is an ordinary character that the backend receives", async () => {
    const r = await send(lenient.url, "GET", "/v1/pub/a;jsessionid=1");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ url: "/as-pub/a;jsessionid=1" });
  });

  it("refuses a raw backslash and an encoded NUL even when the gateway keeps the others", async () => {
    for (const gateway of [strict, lenient]) {
      const before = upstream.requests.length;
      const backslash = await rawRequest(
        gateway.address.port,
        "GET /v1/pub/..\\..\\secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      );
      expect(backslash.status).toBe(400);
      expect(JSON.parse(backslash.body).error_code).toBe("PATH_BACKSLASH");
      const nul = await send(gateway.url, "GET", "/v1/pub/a%00b");
      expectGatewayError(nul.status, nul.headers, nul.body, "PATH_NUL");
      expect(upstream.requests.length).toBe(before);
    }
  });

  it("refuses a malformed escape with 400 PATH_MALFORMED", async () => {
    const r = await send(strict.url, "GET", "/v1/pub/%zz");
    expectGatewayError(r.status, r.headers, r.body, "PATH_MALFORMED");
  });

  it("a refused path is readable by the page: it carries the CORS headers of the group's default policy", async () => {
    const withDefault = await startGateway(
      snapshotOf({
        groups: [{ name: "shop", domains: ["api.test"], corsPolicy: "web" }],
        corsPolicies: [{ name: "web", allowOrigins: ["https://app.test"] }],
        apis: [{ name: "a", group: "shop", method: "GET", path: "/a", backend: { type: "mock" } }],
      }),
      { host: "127.0.0.1", port: 0 },
    );
    try {
      const r = await send(withDefault.url, "GET", "/a%2Fb", {
        host: "api.test",
        origin: "https://app.test",
      });
      expectGatewayError(r.status, r.headers, r.body, "PATH_ENCODED_SLASH");
      expect(r.headers["access-control-allow-origin"]).toBe("https://app.test");
      expect(r.headers.vary).toBe("Origin");
      // A preflight for such a path gets no CORS headers, but the full Vary of every preflight answer.
      const p = await send(withDefault.url, "OPTIONS", "/a%2Fb", {
        host: "api.test",
        origin: "https://app.test",
        "access-control-request-method": "PUT",
      });
      expect(p.status).toBe(400);
      expect(p.headers["access-control-allow-origin"]).toBeUndefined();
      expect(p.headers.vary).toBe("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    } finally {
      await withDefault.close();
    }
  });
});

describe("ambiguous requests (SPEC section 3, step 0)", () => {
  it("answers two Host headers with 400 DUPLICATE_HOST and forwards nothing", async () => {
    const before = upstream.requests.length;
    const r = await rawRequest(
      strict.address.port,
      "GET /v1/pub/x HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error_code).toBe("DUPLICATE_HOST");
    expect(upstream.requests.length).toBe(before);
  });

  it("answers CONNECT with 405 JSON (not a closed socket) and closes the connection", async () => {
    const r = await rawRequest(
      strict.address.port,
      "CONNECT backend.test:443 HTTP/1.1\r\nHost: backend.test:443\r\n\r\n",
    );
    expect(r.status).toBe(405);
    const body = JSON.parse(r.body);
    expect(body.error_code).toBe("CONNECT_NOT_ALLOWED");
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(r.headerLines).toContainEqual(["x-request-id", body.request_id]);
  });

  it("answers an HTTP/1 request line naming HTTP/2.0 with 505, and forwards nothing", async () => {
    const before = upstream.requests.length;
    const r = await rawRequest(
      strict.address.port,
      "GET /v1/pub/x HTTP/2.0\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(505);
    expect(JSON.parse(r.body).error_code).toBe("HTTP_VERSION_NOT_SUPPORTED");
    expect(upstream.requests.length).toBe(before);
  });

  it("answers HTTP/0.9 in the request line with 505 too", async () => {
    const r = await rawRequest(
      strict.address.port,
      "GET /v1/pub/x HTTP/0.9\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(505);
  });

  it("counts every refusal in crossgate_gateway_errors_total by its code", async () => {
    const text = await metrics.text();
    for (const code of [
      "PATH_ABOVE_ROOT",
      "PATH_ENCODED_SLASH",
      "PATH_SEMICOLON",
      "DUPLICATE_HOST",
      "CONNECT_NOT_ALLOWED",
      "HTTP_VERSION_NOT_SUPPORTED",
      "AUTH_KEY_MISSING",
    ]) {
      expect(text, code).toMatch(new RegExp(`crossgate_gateway_errors_total\\{code="${code}"\\} [1-9]`));
    }
  });
});

// Paths built from the pieces an attacker combines: raw and encoded dots, slashes, names of both APIs.
const piece = fc.constantFrom(
  "..",
  ".",
  "%2e%2e",
  "%2E.",
  ".%2e",
  "%2e",
  "",
  "pub",
  "secret",
  "items",
  "x",
  "%61",
  "%7e",
  "%3A",
  "a%20b",
  "v1",
  "internal-admin",
);
const attackPath = fc.array(piece, { minLength: 1, maxLength: 7 }).map((parts) => `/${parts.join("/")}`);

describe("property: what the router matched is what the backend receives", () => {
  it("for generated paths, the backend receives the normalized path, which routes to the API that served it", async () => {
    await fc.assert(
      fc.asyncProperty(attackPath, async (path) => {
        const before = upstream.requests.length;
        const r = await send(strict.url, "GET", path, { "x-api-key": KEY });
        const normalized = normalizePath(path);
        if (!normalized.ok) {
          expect(r.status).toBe(400);
          expect(upstream.requests.length).toBe(before);
          return;
        }
        const match = snapshot.router.match("", "GET", normalized.path);
        if (match === null) {
          expect([404, 405]).toContain(r.status);
          expect(upstream.requests.length).toBe(before);
          return;
        }
        expect(r.status, path).toBe(200);
        const received = JSON.parse(r.body).url as string;
        // The backend got the matched API's base path joined with the remainder of the normalized path ...
        expect(received).toBe(joinPath(`/as-${match.api.name}`, match.remainder));
        expect(lastUpstreamUrl()).toBe(received);
        // ... and that path, as any backend would resolve it, has nothing left to resolve.
        expect(normalizePath(received)).toMatchObject({ ok: true, path: received });
        expect(new URL(`http://backend.test${received}`).pathname).toBe(received);
      }),
      { numRuns: 300 },
    );
  });
});
