import { request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import type { Snapshot } from "../config/snapshot.js";
import {
  type BrowserRequest,
  type BrowserVerdict,
  checkPreflight,
  checkResponse,
  type ResponseHeaders,
} from "../cors/browser.js";
import { type ExplainInput, type Explanation, explain } from "../explain/explain.js";
import { setOwnField } from "../own-field.js";

/**
 * The console's Test tab: sends a request through the real data plane as a browser on `origin`
 * would (the preflight first when one is needed, then the actual request, unless the preflight
 * fails), and returns both exchanges with their request ids and timings, what the browser does with
 * each real answer (in Chromium's words), and explain's prediction for comparison.
 *
 * Only the gateway's own listener is ever a target: the caller names a Host header and a path,
 * never a URL, so the admin API cannot be turned against another server (SSRF).
 */

export interface TestInput extends ExplainInput {
  /** The actual request's body (POST, PUT, PATCH), at most MAX_BODY characters. */
  readonly body?: string;
}

export interface TestExchange {
  readonly stage: "preflight" | "actual";
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly headers: readonly (readonly [string, string])[];
  };
  readonly response: {
    readonly status: number;
    readonly statusText: string;
    readonly headers: readonly (readonly [string, string])[];
    /** The body's first BODY_EXCERPT characters. */
    readonly body: string;
    readonly bodyTruncated: boolean;
  };
  /** The gateway's X-Request-Id of this exchange. */
  readonly requestId: string | undefined;
  readonly durationMs: number;
  /** What Chromium does with this real answer. */
  readonly browser: BrowserVerdict;
}

export interface TestResult {
  readonly exchanges: readonly TestExchange[];
  readonly outcome: { readonly ok: boolean; readonly summary: string };
  /** explain's prediction for the same request (the engine's trace of every check). */
  readonly explanation: Explanation;
  /** True when the real exchanges ended as explain predicted (allowed or blocked). */
  readonly agreesWithExplain: boolean;
}

export const MAX_BODY = 65_536;
const BODY_EXCERPT = 2048;
const TIMEOUT_MS = 10_000;

interface Reply {
  status: number;
  statusText: string;
  rawHeaders: string[];
  body: string;
  bodyTruncated: boolean;
  durationMs: number;
}

function exchange(
  gateway: URL,
  method: string,
  path: string,
  headers: readonly (readonly [string, string])[],
  body: string | undefined,
): Promise<Reply> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    // Grouped in a Map: a name such as `constructor` or `__proto__` is the user's header, not Object's.
    const grouped = new Map<string, string[]>();
    for (const [name, value] of headers) {
      const prior = grouped.get(name);
      if (prior === undefined) grouped.set(name, [value]);
      else prior.push(value);
    }
    const outgoing: Record<string, string | string[]> = {};
    for (const [name, values] of grouped)
      setOwnField(outgoing, name, values.length === 1 ? values[0] : values);
    if (body !== undefined) outgoing["content-length"] = String(Buffer.byteLength(body));
    const req = httpRequest(
      {
        host: gateway.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: gateway.port,
        method,
        path,
        headers: outgoing,
        agent: false,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < BODY_EXCERPT * 4) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            rawHeaders: res.rawHeaders,
            body: text.slice(0, BODY_EXCERPT),
            bodyTruncated: text.length > BODY_EXCERPT || size > BODY_EXCERPT * 4,
            durationMs: Number((performance.now() - start).toFixed(2)),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`the gateway did not answer within ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    out.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
  return out;
}

function lookup(list: readonly (readonly [string, string])[]): ResponseHeaders {
  const map = new Map<string, string[]>();
  for (const [k, v] of list) {
    const values = map.get(k);
    if (values) values.push(v);
    else map.set(k, [v]);
  }
  return map;
}

function toExchange(
  stage: "preflight" | "actual",
  method: string,
  path: string,
  headers: readonly (readonly [string, string])[],
  reply: Reply,
  browser: (h: ResponseHeaders, status: number) => BrowserVerdict,
): TestExchange {
  const responseHeaders = pairs(reply.rawHeaders);
  return {
    stage,
    request: { method, path, headers },
    response: {
      status: reply.status,
      statusText: reply.statusText,
      headers: responseHeaders,
      body: reply.body,
      bodyTruncated: reply.bodyTruncated,
    },
    requestId: responseHeaders.find(([k]) => k === "x-request-id")?.[1],
    durationMs: reply.durationMs,
    browser: browser(lookup(responseHeaders), reply.status),
  };
}

/**
 * Sends `input` through the gateway at `gatewayUrl` as Chromium would.
 *
 * @example
 * const result = await testThroughGateway("http://127.0.0.1:8080", snapshot, { origin: "http://app.test", method: "PUT", path: "/simple" });
 * result.exchanges.map((e) => e.response.status); // [200, 200]
 */
export async function testThroughGateway(
  gatewayUrl: string,
  snapshot: Snapshot,
  input: TestInput,
): Promise<TestResult> {
  const explanation = explain(snapshot, input);
  const gateway = new URL(gatewayUrl);
  const host = new URL(explanation.url).host;
  const browserReq: BrowserRequest = {
    url: explanation.url,
    origin: input.origin,
    method: input.method,
    headers: input.headers ?? [],
    credentials: input.credentials === true,
    privateNetwork: input.privateNetwork === true,
  };
  const exchanges: TestExchange[] = [];
  const predicted = explanation.outcome.ok;

  if (explanation.preflightNeeded) {
    const asked = explanation.stages.find((s) => s.stage === "preflight");
    const headers: (readonly [string, string])[] = [["host", host], ...(asked?.request.headers ?? [])];
    const reply = await exchange(gateway, "OPTIONS", input.path, headers, undefined);
    const preflight = toExchange("preflight", "OPTIONS", input.path, headers, reply, (h, status) =>
      checkPreflight(browserReq, status, h),
    );
    exchanges.push(preflight);
    if (!preflight.browser.ok) {
      return {
        exchanges,
        outcome: { ok: false, summary: `blocked at preflight: ${preflight.browser.message}` },
        explanation,
        agreesWithExplain: predicted === false,
      };
    }
  }

  const headers: [string, string][] = [
    ["host", host],
    ["origin", input.origin],
  ];
  for (const h of input.headers ?? []) headers.push([h.name.toLowerCase(), h.value ?? ""]);
  const body = input.body === undefined || input.body === "" ? undefined : input.body;
  const reply = await exchange(gateway, input.method, input.path, headers, body);
  const actual = toExchange("actual", input.method, input.path, headers, reply, (h) =>
    checkResponse(browserReq, h),
  );
  exchanges.push(actual);
  const ok = actual.browser.ok;
  return {
    exchanges,
    outcome: {
      ok,
      summary: ok
        ? `${exchanges.length === 2 ? "preflight passed, then " : ""}${input.method} answered ${reply.status}: ${actual.browser.detail}`
        : `${input.method} answered ${reply.status}, but the page cannot read it: ${actual.browser.message}`,
    },
    explanation,
    agreesWithExplain: predicted === ok,
  };
}
