/**
 * The CORS answers do not depend on the protocol (SPEC section 10: "the same routing, CORS,
 * errors ... as HTTP/1.1"). The policies are the engine's table's (src/cors/decide.test.ts: the
 * SPEC's sketch policy, a wildcard, PUT only, Private Network Access, omit, report, webMethods),
 * served by a real gateway: representative cases of that table with their exact answers, over
 * HTTP/1.1, HTTPS/1.1 and HTTP/2; then generated requests, whose answers must be identical on the
 * three, header for header.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithDependency } from "../support/dependency.js";
import type { TestResponse } from "../support/gateway.js";
import { type GatewayOver, startOver, type TransportName } from "../support/gateway-over.js";
import { opensslDependency } from "../support/tls.js";

const WEB = {
  name: "web",
  allowOrigins: ["https://app.example.com", "https://*.example.com"],
  allowOriginPatterns: ["^https://[a-z0-9-]+\\.example\\.org$"],
  allowMethods: ["GET", "POST", "PUT", "PATCH"],
  allowHeaders: ["Content-Type", "X-Sdk-Date"],
  exposeHeaders: ["X-Request-Id"],
  allowCredentials: true,
  maxAge: 600,
};
const CONFIG = {
  corsPolicies: [
    WEB,
    { name: "subs", allowOrigins: ["https://*.example.com"] },
    { name: "put-only", allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"] },
    { name: "pna", allowOrigins: ["https://app.example.com"], allowPrivateNetwork: true },
    { ...WEB, name: "omit", onDisallowedOrigin: "omit" },
    { ...WEB, name: "report", mode: "report" },
    {
      name: "webmethods",
      allowOrigins: ["http://test2.com"],
      allowMethods: ["POST", "GET", "PUT"],
      allowHeaders: ["test1", "test2"],
      maxAge: 100,
      allowCredentials: true,
      exposeHeaders: ["header1", "header2"],
    },
  ],
  apis: [
    ...["web", "subs", "put-only", "pna", "omit", "report", "webmethods"].map((policy) => ({
      name: policy,
      method: "ANY",
      path: `/${policy}`,
      match: "prefix",
      corsPolicy: policy,
      backend: { type: "mock", headers: { "Content-Type": "text/plain" }, body: `${policy} answered` },
    })),
    {
      name: "toggle",
      method: "ANY",
      path: "/toggle",
      match: "prefix",
      cors: true,
      backend: { type: "mock", body: "t" },
    },
  ],
  gateway: { serverTiming: false },
};

const PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

interface Answer {
  readonly status: number;
  readonly cors: Record<string, string>;
  readonly vary: string | undefined;
  readonly body: string;
}

/** What must not differ between protocols: status, every Access-Control-* header, Vary, the body without its request id. */
function answerOf(res: TestResponse): Answer {
  const cors: Record<string, string> = {};
  const seen = new Map<string, number>();
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] as string).toLowerCase();
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (name.startsWith("access-control-")) cors[name] = res.rawHeaders[i + 1] as string;
  }
  // Never a duplicate CORS header, on any protocol.
  for (const [name, count] of seen) if (name.startsWith("access-control-")) expect(count, name).toBe(1);
  const vary = res.headers.vary;
  return {
    status: res.status,
    cors,
    vary: Array.isArray(vary) ? vary.join(", ") : vary,
    body: res.body.replace(/"request_id":"[0-9a-f]{32}"/, '"request_id":"…"'),
  };
}

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly want: Answer;
}

const preflight = (origin: string, method: string, headers?: string) => ({
  origin,
  "access-control-request-method": method,
  ...(headers === undefined ? {} : { "access-control-request-headers": headers }),
});
const refusal = (code: string, message: string) =>
  `{"error_code":"${code}","error_msg":"${message}","request_id":"…"}`;

/** Representative rows of src/cors/decide.test.ts, as the wire shows them. */
const CASES: readonly Case[] = [
  {
    name: "an exact origin is echoed on an actual request, with credentials and expose headers",
    method: "GET",
    path: "/web/x",
    headers: { origin: "https://app.example.com" },
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "X-Request-Id",
      },
      vary: "Origin",
      body: "web answered",
    },
  },
  {
    name: "an exact origin passes a preflight with every configured header",
    method: "OPTIONS",
    path: "/web/x",
    headers: preflight("https://app.example.com", "PUT", "content-type"),
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,POST,PUT,PATCH",
        "access-control-allow-headers": "Content-Type,X-Sdk-Date",
        "access-control-max-age": "600",
      },
      vary: PREFLIGHT_VARY,
      body: "",
    },
  },
  {
    name: "a deeper subdomain a.b.c.example.com matches https://*.example.com",
    method: "GET",
    path: "/subs/x",
    headers: { origin: "https://a.b.c.example.com" },
    want: {
      status: 200,
      cors: { "access-control-allow-origin": "https://a.b.c.example.com" },
      vary: "Origin",
      body: "subs answered",
    },
  },
  ...[
    "https://example.com",
    "https://evil-example.com",
    "https://example.com.evil.com",
    "http://app.example.com",
  ].map(
    (origin): Case => ({
      name: `${origin} is not admitted by https://*.example.com`,
      method: "GET",
      path: "/subs/x",
      headers: { origin },
      want: {
        status: 403,
        cors: {},
        vary: "Origin",
        body: refusal("CORS_ORIGIN_NOT_ALLOWED", "Specified Origin is not allowed"),
      },
    }),
  ),
  {
    name: "the null origin is refused by a policy",
    method: "GET",
    path: "/web/x",
    headers: { origin: "null" },
    want: {
      status: 403,
      cors: {},
      vary: "Origin",
      body: refusal("CORS_ORIGIN_NOT_ALLOWED", "Specified Origin is not allowed"),
    },
  },
  {
    name: "requested headers with odd spaces, case and empty items are accepted",
    method: "OPTIONS",
    path: "/web/x",
    headers: preflight("https://shop.example.org", "PATCH", " ,X-SDK-DATE ,, content-type,"),
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "https://shop.example.org",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,POST,PUT,PATCH",
        "access-control-allow-headers": "Content-Type,X-Sdk-Date",
        "access-control-max-age": "600",
      },
      vary: PREFLIGHT_VARY,
      body: "",
    },
  },
  {
    name: "one unlisted header among listed ones is refused with 403 Header Not Supported",
    method: "OPTIONS",
    path: "/web/x",
    headers: preflight("https://app.example.com", "PUT", "content-type, x-other"),
    want: {
      status: 403,
      cors: {},
      vary: PREFLIGHT_VARY,
      body: refusal("CORS_HEADER_NOT_SUPPORTED", "Header Not Supported"),
    },
  },
  {
    name: "the requested method patch is not normalized and does not match PATCH (405)",
    method: "OPTIONS",
    path: "/web/x",
    headers: preflight("https://app.example.com", "patch"),
    want: {
      status: 405,
      cors: {},
      vary: PREFLIGHT_VARY,
      body: refusal("CORS_METHOD_NOT_ALLOWED", "Method Not Allowed"),
    },
  },
  {
    name: "a preflight for GET with no requested headers succeeds although allowMethods lists only PUT",
    method: "OPTIONS",
    path: "/put-only/x",
    headers: preflight("https://app.example.com", "GET"),
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "PUT",
      },
      vary: PREFLIGHT_VARY,
      body: "",
    },
  },
  {
    name: "a Private Network Access preflight is answered with Access-Control-Allow-Private-Network",
    method: "OPTIONS",
    path: "/pna/x",
    headers: {
      ...preflight("https://app.example.com", "GET"),
      "access-control-request-private-network": "true",
    },
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "GET,HEAD,POST",
        "access-control-allow-private-network": "true",
      },
      vary: `${PREFLIGHT_VARY}, Access-Control-Request-Private-Network`,
      body: "",
    },
  },
  {
    name: "onDisallowedOrigin: omit lets the request through without CORS headers",
    method: "GET",
    path: "/omit/x",
    headers: { origin: "https://evil.test" },
    want: { status: 200, cors: {}, vary: "Origin", body: "omit answered" },
  },
  {
    name: "mode: report lets a disallowed actual request through with its origin (the refusal is only recorded)",
    method: "GET",
    path: "/report/x",
    headers: { origin: "https://evil.example.net" },
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "https://evil.example.net",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "X-Request-Id",
      },
      vary: "Origin",
      body: "report answered",
    },
  },
  {
    name: "webMethods row 4: everything allowed",
    method: "OPTIONS",
    path: "/webmethods/orders",
    headers: preflight("http://test2.com", "POST", "test1"),
    want: {
      status: 200,
      cors: {
        "access-control-allow-origin": "http://test2.com",
        "access-control-allow-methods": "POST,GET,PUT",
        "access-control-allow-headers": "test1,test2",
        "access-control-max-age": "100",
        "access-control-allow-credentials": "true",
      },
      vary: PREFLIGHT_VARY,
      body: "",
    },
  },
  {
    name: "the toggle answers any origin with *, without Vary",
    method: "PUT",
    path: "/toggle/x",
    headers: { origin: "http://www.cors.com" },
    want: { status: 200, cors: { "access-control-allow-origin": "*" }, vary: undefined, body: "t" },
  },
];

describeWithDependency(opensslDependency(), "CORS over HTTP/1.1, HTTPS/1.1 and HTTP/2", () => {
  const gateways = new Map<TransportName, GatewayOver>();
  beforeAll(async () => {
    gateways.set("HTTP/1.1", await startOver("HTTP/1.1", CONFIG));
    gateways.set("HTTPS/1.1", await startOver("HTTPS/1.1", CONFIG));
    gateways.set("HTTP/2", await startOver("HTTP/2", CONFIG));
  });
  afterAll(async () => {
    await Promise.all([...gateways.values()].map((g) => g.close()));
  });

  async function overAll(method: string, path: string, headers: Record<string, string>): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (const g of gateways.values()) answers.push(answerOf(await g.send(g.url, method, path, headers)));
    return answers;
  }

  for (const c of CASES) {
    it(`${c.name}, on every protocol`, async () => {
      for (const answer of await overAll(c.method, c.path, c.headers)) expect(answer).toEqual(c.want);
    });
  }

  it("answers generated requests identically on the three protocols (400 runs)", async () => {
    const origin = fc.constantFrom(
      undefined,
      "https://app.example.com",
      "https://a.b.example.com",
      "HTTPS://APP.EXAMPLE.COM:443",
      "https://shop.example.org",
      "https://evil-example.com",
      "http://test2.com",
      "null",
      "https://app.example.com/",
      "",
    );
    const token = fc.constantFrom("content-type", "X-Sdk-Date", "x-other", "test1", "Authorization", "", " ");
    const request = fc.record({
      method: fc.constantFrom("GET", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"),
      path: fc.constantFrom(
        "/web/a",
        "/subs/a",
        "/put-only/a",
        "/pna/a",
        "/omit/a",
        "/report/a",
        "/webmethods/a",
        "/toggle/a",
        "/none",
      ),
      origin,
      acrm: fc.option(fc.constantFrom("GET", "PUT", "patch", "PATCH", "DELETE", "POST", ""), {
        nil: undefined,
      }),
      // Trimmed: HTTP/1.1 drops the whitespace around a field value, and node:http2 drops a field
      // that has any (see the test below), so only trimmed values are the same request on both.
      acrh: fc.option(
        fc.array(token, { maxLength: 4 }).map((t) => t.join(",").trim()),
        { nil: undefined },
      ),
      pna: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.origin !== undefined) headers.origin = r.origin;
        if (r.acrm !== undefined) headers["access-control-request-method"] = r.acrm;
        if (r.acrh !== undefined) headers["access-control-request-headers"] = r.acrh;
        if (r.pna) headers["access-control-request-private-network"] = "true";
        const [first, ...rest] = await overAll(r.method, r.path, headers);
        for (const other of rest) expect(other).toEqual(first);
        // Access-Control-Allow-Origin is one value: * or the request's origin.
        const acao = first?.cors["access-control-allow-origin"];
        if (acao !== undefined) expect(acao === "*" || acao === r.origin).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  // Noticed here, left as it is: nghttp2 (under node:http2) silently drops a header field whose
  // value starts or ends with whitespace, where RFC 9113 section 8.2.1 calls the request malformed.
  // Browsers never send one; the gateway sees the request without the field, as if not sent.
  it("over HTTP/2, a field value with surrounding whitespace never reaches the gateway (node:http2 drops it)", async () => {
    const h1 = gateways.get("HTTP/1.1") as GatewayOver;
    const h2 = gateways.get("HTTP/2") as GatewayOver;
    const headers = preflight("https://app.example.com", "GET", "test1, ");
    expect(answerOf(await h1.send(h1.url, "OPTIONS", "/web/a", headers)).status).toBe(403);
    expect(answerOf(await h2.send(h2.url, "OPTIONS", "/web/a", headers)).status).toBe(200);
  });
});
