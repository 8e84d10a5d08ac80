/**
 * The engine's decisions, rule by rule of SPEC section 4, as one table: each case is a policy, a
 * request and the exact answer (status, reason, every CORS header, the Vary tokens).
 */
import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile.js";
import type { CompiledPolicy } from "./compiled-policy.js";
import { decide, isPreflight } from "./decide.js";
import { decideToggle } from "./toggle.js";
import type { CorsDecision, CorsPolicyInput, CorsReason, CorsRequest, TraceStep } from "./types.js";

// ---------------------------------------------------------------------------------------------
// Helpers

type Headers = Readonly<Record<string, string>>;

interface Want {
  readonly status: number;
  readonly reason: CorsReason;
  /** Defaults to `status < 400`. */
  readonly allowed?: boolean;
  readonly headers: Headers;
  /** The Vary tokens, in any order. */
  readonly vary: readonly string[];
  readonly wouldReject?: CorsReason;
}

interface Case {
  readonly name: string;
  readonly policy: CorsPolicyInput;
  /** Applications' JavaScript origins admitted besides the policy's own. */
  readonly apps?: readonly string[];
  readonly req: CorsRequest;
  readonly want: Want;
}

function compile(policy: CorsPolicyInput, apps: readonly string[] = []): CompiledPolicy {
  const r = compilePolicy(policy, {
    additionalOrigins: apps.map((origin) => ({ origin, source: "app storefront" })),
  });
  if (!r.ok) throw new Error(`test policy ${policy.name} does not compile: ${JSON.stringify(r.problems)}`);
  return r.policy;
}

function preflight(
  origin: string | undefined,
  method: string,
  headers?: string,
  extra: Partial<CorsRequest> = {},
): CorsRequest {
  return {
    method: "OPTIONS",
    origin,
    accessControlRequestMethod: method,
    accessControlRequestHeaders: headers,
    accessControlRequestPrivateNetwork: false,
    ...extra,
  };
}

function actual(method: string, origin: string | undefined, extra: Partial<CorsRequest> = {}): CorsRequest {
  return {
    method,
    origin,
    accessControlRequestMethod: undefined,
    accessControlRequestHeaders: undefined,
    accessControlRequestPrivateNetwork: false,
    ...extra,
  };
}

function varyTokens(vary: string): string[] {
  return vary === "" ? [] : vary.split(",").map((t) => t.trim());
}

/** Checks one decision against its expectation, header for header. */
function expectDecision(d: CorsDecision, want: Want, req: CorsRequest): void {
  expect(d.preflight).toBe(isPreflight(req));
  expect({ status: d.status, reason: d.reason, allowed: d.allowed, wouldReject: d.wouldReject }).toEqual({
    status: want.status,
    reason: want.reason,
    allowed: want.allowed ?? want.status < 400,
    wouldReject: want.wouldReject,
  });
  // Every header at most once, lowercase names: comparing as a record would hide a duplicate.
  const names = d.headers.map(([n]) => n);
  expect(new Set(names).size).toBe(names.length);
  for (const n of names) expect(n).toBe(n.toLowerCase());
  expect(Object.fromEntries(d.headers)).toEqual(want.headers);
  const tokens = varyTokens(d.vary);
  expect(new Set(tokens).size).toBe(tokens.length);
  expect([...tokens].sort()).toEqual([...want.vary].sort());
  // Access-Control-Allow-Origin is one value: `*` or the request's own origin, never a list.
  const acao = d.headers.filter(([n]) => n === "access-control-allow-origin");
  expect(acao.length).toBeLessThanOrEqual(1);
  for (const [, value] of acao) expect(value === "*" || value === req.origin).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Policies

/** The SPEC's sketch policy, with PATCH added. */
const WEB: CorsPolicyInput = {
  name: "web",
  allowOrigins: ["https://app.example.com", "https://*.example.com"],
  allowOriginPatterns: ["^https://[a-z0-9-]+\\.example\\.org$"],
  allowMethods: ["GET", "POST", "PUT", "PATCH"],
  allowHeaders: ["Content-Type", "X-Sdk-Date"],
  exposeHeaders: ["X-Request-Id"],
  allowCredentials: true,
  maxAge: 600,
};
const WEB_PREFLIGHT = (origin: string): Headers => ({
  "access-control-allow-origin": origin,
  "access-control-allow-credentials": "true",
  "access-control-allow-methods": "GET,POST,PUT,PATCH",
  "access-control-allow-headers": "Content-Type,X-Sdk-Date",
  "access-control-max-age": "600",
});
const WEB_ACTUAL = (origin: string): Headers => ({
  "access-control-allow-origin": origin,
  "access-control-allow-credentials": "true",
  "access-control-expose-headers": "X-Request-Id",
});
const PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"];
const ACTUAL_VARY = ["Origin"];
const NONE: Headers = {};

/** A wildcard only, no credentials, no max age: the plainest origin-dependent policy. */
const SUBS: CorsPolicyInput = { name: "subs", allowOrigins: ["https://*.example.com"] };
const SUBS_ACTUAL = (origin: string): Headers => ({ "access-control-allow-origin": origin });

/** Methods limited to PUT: safelisted methods must still pass a preflight. */
const PUT_ONLY: CorsPolicyInput = {
  name: "put-only",
  allowOrigins: ["https://app.example.com"],
  allowMethods: ["PUT"],
};
const PUT_ONLY_PREFLIGHT: Headers = {
  "access-control-allow-origin": "https://app.example.com",
  "access-control-allow-methods": "PUT",
};

const ANY: CorsPolicyInput = {
  name: "any",
  allowOrigins: ["*"],
  allowHeaders: ["*"],
  exposeHeaders: ["X-Request-Id"],
};
const ANY_WITH_AUTH: CorsPolicyInput = {
  name: "any-with-auth",
  allowOrigins: ["*"],
  allowMethods: ["*"],
  allowHeaders: ["*", "Authorization"],
};

const PNA: CorsPolicyInput = {
  name: "pna",
  allowOrigins: ["https://app.example.com"],
  allowPrivateNetwork: true,
};
const PNA_VARY = [...PREFLIGHT_VARY, "Access-Control-Request-Private-Network"];

const OMIT: CorsPolicyInput = { ...WEB, name: "omit", onDisallowedOrigin: "omit" };
const REPORT: CorsPolicyInput = { ...WEB, name: "report", mode: "report" };

/** The webMethods policy of seed 003 (rows 1-4), and row 5's, which admits test2 only through an app. */
const WM: CorsPolicyInput = {
  name: "webmethods",
  allowOrigins: ["http://test2.com"],
  allowMethods: ["POST", "GET", "PUT"],
  allowHeaders: ["test1", "test2"],
  maxAge: 100,
  allowCredentials: true,
  exposeHeaders: ["header1", "header2"],
};
const WM_APP: CorsPolicyInput = { ...WM, name: "webmethods-app", allowOrigins: ["http://test1.com"] };
const WM_PREFLIGHT_200: Headers = {
  "access-control-allow-origin": "http://test2.com",
  "access-control-allow-methods": "POST,GET,PUT",
  "access-control-allow-headers": "test1,test2",
  "access-control-max-age": "100",
  "access-control-allow-credentials": "true",
};
const WM_ACTUAL_200: Headers = {
  "access-control-allow-origin": "http://test2.com",
  "access-control-allow-credentials": "true",
  "access-control-expose-headers": "header1,header2",
};

/** A pattern of two alternatives, each anchored on its own. */
const ALT: CorsPolicyInput = {
  name: "alt",
  allowOriginPatterns: ["^https://a\\.example\\.net$|^https://b\\.example\\.net$"],
};

const LONG_ORIGIN = `https://${"a".repeat(1010)}.example.com`;

// ---------------------------------------------------------------------------------------------
// The table

const refused = (reason: CorsReason, status = 403, vary = PREFLIGHT_VARY): Want => ({
  status,
  reason,
  headers: NONE,
  vary,
});
const webOk = (origin: string): Want => ({
  status: 200,
  reason: "ORIGIN_ALLOWED",
  headers: WEB_PREFLIGHT(origin),
  vary: PREFLIGHT_VARY,
});
const webActualOk = (origin: string): Want => ({
  status: 0,
  reason: "ORIGIN_ALLOWED",
  headers: WEB_ACTUAL(origin),
  vary: ACTUAL_VARY,
});
const subsOk = (origin: string): Want => ({
  status: 0,
  reason: "ORIGIN_ALLOWED",
  headers: SUBS_ACTUAL(origin),
  vary: ACTUAL_VARY,
});
const subsRefused = (reason: CorsReason = "ORIGIN_NOT_ALLOWED"): Want => refused(reason, 403, ACTUAL_VARY);

const CASES: readonly Case[] = [
  // --- Origins: exact, wildcard, lookalikes ---------------------------------------------------
  {
    name: "an exact origin is echoed in Access-Control-Allow-Origin on an actual request",
    policy: WEB,
    req: actual("GET", "https://app.example.com"),
    want: webActualOk("https://app.example.com"),
  },
  {
    name: "an exact origin passes a preflight with every configured header",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "content-type"),
    want: webOk("https://app.example.com"),
  },
  {
    name: "a one-level subdomain matches https://*.example.com",
    policy: SUBS,
    req: actual("GET", "https://api.example.com"),
    want: subsOk("https://api.example.com"),
  },
  {
    name: "a deeper subdomain a.b.c.example.com matches https://*.example.com",
    policy: SUBS,
    req: actual("GET", "https://a.b.c.example.com"),
    want: subsOk("https://a.b.c.example.com"),
  },
  {
    name: "the bare domain example.com is not matched by https://*.example.com",
    policy: SUBS,
    req: actual("GET", "https://example.com"),
    want: subsRefused(),
  },
  {
    name: "a lookalike host evil-example.com is not a subdomain of example.com",
    policy: SUBS,
    req: actual("GET", "https://evil-example.com"),
    want: subsRefused(),
  },
  {
    name: "a lookalike host example.com.evil.com is not a subdomain of example.com",
    policy: SUBS,
    req: actual("GET", "https://example.com.evil.com"),
    want: subsRefused(),
  },
  {
    name: "a lookalike host app.example.com.evil.com is not a subdomain of example.com either",
    policy: SUBS,
    req: actual("GET", "https://app.example.com.evil.com"),
    want: subsRefused(),
  },
  {
    name: "a host that merely ends in example.com (notexample.com) is not a subdomain",
    policy: SUBS,
    req: actual("GET", "https://notexample.com"),
    want: subsRefused(),
  },
  {
    name: "a lookalike preflight is refused with 403 before the method is looked at",
    policy: WEB,
    req: preflight("https://evil-example.com", "DELETE", "x-anything"),
    want: refused("ORIGIN_NOT_ALLOWED"),
  },
  {
    name: "plain http does not match the https wildcard",
    policy: SUBS,
    req: actual("GET", "http://api.example.com"),
    want: subsRefused(),
  },
  {
    name: "a non-default port does not match a wildcard without a port",
    policy: SUBS,
    req: actual("GET", "https://api.example.com:8443"),
    want: subsRefused(),
  },
  {
    name: "the explicit default port :443 matches the wildcard, echoed as sent",
    policy: SUBS,
    req: actual("GET", "https://api.example.com:443"),
    want: subsOk("https://api.example.com:443"),
  },
  {
    name: "a wildcard with a port matches subdomains on that port",
    policy: { name: "port", allowOrigins: ["https://*.example.com:8443"] },
    req: actual("GET", "https://api.example.com:8443"),
    want: subsOk("https://api.example.com:8443"),
  },
  {
    name: "a wildcard with a port does not match the default port",
    policy: { name: "port", allowOrigins: ["https://*.example.com:8443"] },
    req: actual("GET", "https://api.example.com"),
    want: subsRefused(),
  },
  {
    name: "an exact origin does not admit its subdomains",
    policy: PUT_ONLY,
    req: actual("GET", "https://www.app.example.com"),
    want: subsRefused(),
  },
  {
    name: "an exact origin does not admit the same host over http",
    policy: PUT_ONLY,
    req: actual("GET", "http://app.example.com"),
    want: subsRefused(),
  },
  {
    name: "an exact origin does not admit the same host on another port",
    policy: PUT_ONLY,
    req: actual("GET", "https://app.example.com:8443"),
    want: subsRefused(),
  },

  // --- Origins: case and default ports ------------------------------------------------------
  {
    name: "HTTPS://APP.EXAMPLE.COM:443 matches https://app.example.com and is echoed as sent (actual)",
    policy: WEB,
    req: actual("GET", "HTTPS://APP.EXAMPLE.COM:443"),
    want: webActualOk("HTTPS://APP.EXAMPLE.COM:443"),
  },
  {
    name: "HTTPS://APP.EXAMPLE.COM:443 matches https://app.example.com and is echoed as sent (preflight)",
    policy: WEB,
    req: preflight("HTTPS://APP.EXAMPLE.COM:443", "PUT"),
    want: webOk("HTTPS://APP.EXAMPLE.COM:443"),
  },
  {
    name: "a configured origin written in capitals with its default port matches the lowercase request origin",
    policy: { name: "caps", allowOrigins: ["HTTPS://APP.Example.COM:443"] },
    req: actual("GET", "https://app.example.com"),
    want: subsOk("https://app.example.com"),
  },
  {
    name: "a mixed-case subdomain matches the wildcard and is echoed as sent",
    policy: SUBS,
    req: actual("GET", "https://Api.Example.Com"),
    want: subsOk("https://Api.Example.Com"),
  },
  {
    name: "http with the explicit default port :80 matches http://test2.com",
    policy: WM,
    req: actual("GET", "http://test2.com:80"),
    want: {
      status: 0,
      reason: "ORIGIN_ALLOWED",
      headers: { ...WM_ACTUAL_200, "access-control-allow-origin": "http://test2.com:80" },
      vary: ACTUAL_VARY,
    },
  },

  // --- Origins: regular expressions -----------------------------------------------------------
  {
    name: "an origin matching the anchored pattern is allowed",
    policy: WEB,
    req: actual("GET", "https://shop.example.org"),
    want: webActualOk("https://shop.example.org"),
  },
  {
    name: "the pattern is anchored at the end: shop.example.org.evil.net does not match",
    policy: WEB,
    req: actual("GET", "https://shop.example.org.evil.net"),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "a query string cannot smuggle an allowed origin: https://evil.com?https://shop.example.org is malformed",
    policy: WEB,
    req: actual("GET", "https://evil.com?https://shop.example.org"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "a pattern whose alternatives are each anchored admits its second alternative",
    policy: ALT,
    req: actual("GET", "https://b.example.net"),
    want: subsOk("https://b.example.net"),
  },
  {
    name: "a pattern whose alternatives are each anchored refuses a longer host built on the first",
    policy: ALT,
    req: actual("GET", "https://a.example.net.evil.com"),
    want: subsRefused(),
  },
  {
    name: "the pattern sees the normalized origin: HTTPS://SHOP.EXAMPLE.ORG:443 matches",
    policy: WEB,
    req: actual("GET", "HTTPS://SHOP.EXAMPLE.ORG:443"),
    want: webActualOk("HTTPS://SHOP.EXAMPLE.ORG:443"),
  },
  {
    name: "a pattern does not match two labels where it allows one",
    policy: WEB,
    req: actual("GET", "https://a.b.example.org"),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },

  // --- Origins: null, malformed, over-long ----------------------------------------------------
  {
    name: "the null origin is refused by a policy",
    policy: WEB,
    req: actual("GET", "null"),
    want: refused("NULL_ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "a preflight from the null origin is refused by a policy",
    policy: WEB,
    req: preflight("null", "PUT"),
    want: refused("NULL_ORIGIN_NOT_ALLOWED"),
  },
  {
    name: "the null origin is allowed and echoed with dangerouslyAllowNullOrigin",
    policy: { name: "null-ok", allowOrigins: ["https://app.example.com"], dangerouslyAllowNullOrigin: true },
    req: actual("GET", "null"),
    want: {
      status: 0,
      reason: "ORIGIN_ALLOWED",
      headers: { "access-control-allow-origin": "null" },
      vary: ACTUAL_VARY,
    },
  },
  {
    name: "an origin without a scheme is malformed and refused",
    policy: WEB,
    req: actual("GET", "app.example.com"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "an origin with a trailing slash is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app.example.com/"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "an origin with a path is malformed and refused",
    policy: WEB,
    req: preflight("https://app.example.com/app", "PUT"),
    want: refused("ORIGIN_MALFORMED"),
  },
  {
    name: "an origin with userinfo is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://user@app.example.com"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "userinfo cannot smuggle an allowed host in front of another",
    policy: WEB,
    req: actual("GET", "https://app.example.com@evil.com"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "a port above 65535 is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app.example.com:65536"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "a non-numeric port is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app.example.com:https"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "an empty port after the colon is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app.example.com:"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "a space inside the host is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app .example.com"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "a trailing space after the origin is malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app.example.com "),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "two origins in one Origin header are malformed and refused",
    policy: WEB,
    req: actual("GET", "https://app.example.com https://api.example.com"),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "an empty Origin is malformed and refused",
    policy: WEB,
    req: actual("GET", ""),
    want: refused("ORIGIN_MALFORMED", 403, ACTUAL_VARY),
  },
  {
    name: "an over-long origin (more than 1024 characters) under an allowed wildcard is refused",
    policy: WEB,
    req: preflight(LONG_ORIGIN, "PUT"),
    want: refused("ORIGIN_MALFORMED"),
  },

  // --- Access-Control-Request-Headers parsing -------------------------------------------------
  {
    name: "requested headers with odd spaces and tabs around the names are accepted",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "  content-type ,\tx-sdk-date\t "),
    want: webOk("https://app.example.com"),
  },
  {
    name: "requested header names compare case-insensitively",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "CONTENT-TYPE,X-Sdk-DATE"),
    want: webOk("https://app.example.com"),
  },
  {
    name: "empty items (a,,b) and leading and trailing commas are skipped",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", ",content-type,,x-sdk-date,"),
    want: webOk("https://app.example.com"),
  },
  {
    name: "several Access-Control-Request-Headers lines joined by ', ' are one list",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "content-type, x-sdk-date, content-type"),
    want: webOk("https://app.example.com"),
  },
  {
    name: "a list of only commas and spaces requests no header",
    policy: PUT_ONLY,
    req: preflight("https://app.example.com", "PUT", " , ,\t,"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: PUT_ONLY_PREFLIGHT, vary: PREFLIGHT_VARY },
  },
  {
    name: "one unlisted header among listed ones is refused with 403 Header Not Supported",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "content-type, x-forbidden"),
    want: refused("HEADER_NOT_ALLOWED"),
  },
  {
    name: "a requested name with a space inside is not a header name and is refused",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "content type"),
    want: refused("HEADER_NOT_ALLOWED"),
  },
  {
    name: "an Access-Control-Request-Headers longer than 8 KiB is refused",
    policy: ANY,
    req: preflight("https://app.example.com", "GET", `x-a,${" ".repeat(8200)}`),
    // Refusals of a preflight vary on all three headers too (SPEC section 4).
    want: refused("HEADER_NOT_ALLOWED", 403),
  },
  {
    name: "an OPTIONS with an empty Access-Control-Request-Method is not a preflight: an ordinary request",
    policy: WEB,
    req: preflight("https://app.example.com", ""),
    want: {
      status: 0,
      reason: "ORIGIN_ALLOWED",
      headers: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "X-Request-Id",
      },
      vary: ACTUAL_VARY,
    },
  },

  // --- Methods --------------------------------------------------------------------------------
  {
    name: "a preflight for GET with no requested headers succeeds although allowMethods lists only PUT",
    policy: PUT_ONLY,
    req: preflight("https://app.example.com", "GET"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: PUT_ONLY_PREFLIGHT, vary: PREFLIGHT_VARY },
  },
  {
    name: "a preflight for HEAD with no requested headers succeeds although allowMethods lists only PUT",
    policy: PUT_ONLY,
    req: preflight("https://app.example.com", "HEAD"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: PUT_ONLY_PREFLIGHT, vary: PREFLIGHT_VARY },
  },
  {
    name: "a preflight for POST with an empty header list succeeds although allowMethods lists only PUT",
    policy: PUT_ONLY,
    req: preflight("https://app.example.com", "POST", ""),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: PUT_ONLY_PREFLIGHT, vary: PREFLIGHT_VARY },
  },
  {
    name: "a safelisted-method preflight from a disallowed origin is still refused",
    policy: PUT_ONLY,
    req: preflight("https://evil.example.net", "GET"),
    want: refused("ORIGIN_NOT_ALLOWED"),
  },
  {
    name: "a safelisted-method preflight with an unlisted header is refused",
    policy: PUT_ONLY,
    req: preflight("https://app.example.com", "POST", "x-custom"),
    want: refused("HEADER_NOT_ALLOWED"),
  },
  {
    name: "the requested method put is normalized to PUT and allowed",
    policy: PUT_ONLY,
    req: preflight("https://app.example.com", "put"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: PUT_ONLY_PREFLIGHT, vary: PREFLIGHT_VARY },
  },
  {
    name: "the requested method patch is not normalized and does not match PATCH",
    policy: WEB,
    req: preflight("https://app.example.com", "patch"),
    want: refused("METHOD_NOT_ALLOWED", 405),
  },
  {
    name: "the requested method PATCH matches PATCH",
    policy: WEB,
    req: preflight("https://app.example.com", "PATCH"),
    want: webOk("https://app.example.com"),
  },
  {
    name: "a method the policy does not list is refused with 405",
    policy: WEB,
    req: preflight("https://app.example.com", "DELETE"),
    want: refused("METHOD_NOT_ALLOWED", 405),
  },
  {
    name: "allowMethods * without credentials allows any method and answers *",
    policy: ANY_WITH_AUTH,
    req: preflight("https://any.example.net", "PURGE"),
    want: {
      status: 200,
      reason: "ANY_ORIGIN",
      headers: {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "*",
        "access-control-allow-headers": "*,Authorization",
      },
      vary: PREFLIGHT_VARY,
    },
  },

  // --- Authorization and * --------------------------------------------------------------------
  {
    name: "Authorization is not covered by allowHeaders *",
    policy: ANY,
    req: preflight("https://any.example.net", "GET", "authorization"),
    // Refusals of a preflight vary on all three headers too (SPEC section 4).
    want: refused("HEADER_NOT_ALLOWED", 403),
  },
  {
    name: "Authorization with other headers is refused under allowHeaders *",
    policy: ANY,
    req: preflight("https://any.example.net", "GET", "x-custom, Authorization"),
    // Refusals of a preflight vary on all three headers too (SPEC section 4).
    want: refused("HEADER_NOT_ALLOWED", 403),
  },
  {
    name: "any other header is covered by allowHeaders *",
    policy: ANY,
    req: preflight("https://any.example.net", "GET", "x-custom, x-other"),
    want: {
      status: 200,
      reason: "ANY_ORIGIN",
      headers: {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET,HEAD,POST",
        "access-control-allow-headers": "*",
      },
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "Authorization is allowed when listed explicitly alongside *",
    policy: ANY_WITH_AUTH,
    req: preflight("https://any.example.net", "PUT", "authorization, x-custom"),
    want: {
      status: 200,
      reason: "ANY_ORIGIN",
      headers: {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "*",
        "access-control-allow-headers": "*,Authorization",
      },
      vary: PREFLIGHT_VARY,
    },
  },

  // --- Access-Control-Allow-Origin is one value -----------------------------------------------
  {
    name: "a policy listing several origins answers only the request's origin, never the list",
    policy: { name: "two", allowOrigins: ["https://a.example.com", "https://b.example.com"] },
    req: actual("GET", "https://b.example.com"),
    want: subsOk("https://b.example.com"),
  },
  {
    name: "* without credentials answers * to an actual request, with no Vary",
    policy: ANY,
    req: actual("GET", "https://any.example.net"),
    want: {
      status: 0,
      reason: "ANY_ORIGIN",
      headers: { "access-control-allow-origin": "*", "access-control-expose-headers": "X-Request-Id" },
      vary: [],
    },
  },
  {
    name: "* listed beside exact origins still answers the constant *",
    policy: { name: "mixed", allowOrigins: ["https://app.example.com", "*"] },
    req: actual("GET", "https://other.example.net"),
    want: { status: 0, reason: "ANY_ORIGIN", headers: { "access-control-allow-origin": "*" }, vary: [] },
  },
  {
    name: "* admits the null origin with the constant *",
    policy: ANY,
    req: actual("GET", "null"),
    want: {
      status: 0,
      reason: "ANY_ORIGIN",
      headers: { "access-control-allow-origin": "*", "access-control-expose-headers": "X-Request-Id" },
      vary: [],
    },
  },

  // --- Credentials, max age, expose headers ---------------------------------------------------
  {
    name: "without allowCredentials neither answer carries Access-Control-Allow-Credentials",
    policy: SUBS,
    req: preflight("https://api.example.com", "GET"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        "access-control-allow-origin": "https://api.example.com",
        "access-control-allow-methods": "GET,HEAD,POST",
      },
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "maxAge 0 is sent as Access-Control-Max-Age: 0",
    policy: { ...PUT_ONLY, maxAge: 0 },
    req: preflight("https://app.example.com", "PUT"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: { ...PUT_ONLY_PREFLIGHT, "access-control-max-age": "0" },
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "expose headers are sent on actual responses and never on preflights",
    policy: { ...PUT_ONLY, exposeHeaders: ["X-Request-Id", "Server-Timing"] },
    req: preflight("https://app.example.com", "PUT"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: PUT_ONLY_PREFLIGHT, vary: PREFLIGHT_VARY },
  },
  {
    name: "expose headers are sent on the actual response",
    policy: { ...PUT_ONLY, exposeHeaders: ["X-Request-Id", "Server-Timing"] },
    req: actual("PUT", "https://app.example.com"),
    want: {
      status: 0,
      reason: "ORIGIN_ALLOWED",
      headers: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-expose-headers": "X-Request-Id,Server-Timing",
      },
      vary: ACTUAL_VARY,
    },
  },

  // --- Private network access -----------------------------------------------------------------
  {
    name: "a private network preflight is allowed with Access-Control-Allow-Private-Network: true",
    policy: PNA,
    req: preflight("https://app.example.com", "GET", undefined, { accessControlRequestPrivateNetwork: true }),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "GET,HEAD,POST",
        "access-control-allow-private-network": "true",
      },
      vary: PNA_VARY,
    },
  },
  {
    name: "a policy allowing private network access does not send the header to an ordinary preflight, but varies on it",
    policy: PNA,
    req: preflight("https://app.example.com", "GET"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-methods": "GET,HEAD,POST",
      },
      vary: PNA_VARY,
    },
  },
  {
    name: "a private network preflight is refused with 403 when the policy does not allow it",
    policy: WEB,
    req: preflight("https://app.example.com", "PUT", "content-type", {
      accessControlRequestPrivateNetwork: true,
    }),
    want: refused("PRIVATE_NETWORK_NOT_ALLOWED"),
  },
  {
    name: "a private network preflight from a disallowed origin is refused for the origin first",
    policy: PNA,
    req: preflight("https://evil.example.net", "GET", undefined, {
      accessControlRequestPrivateNetwork: true,
    }),
    want: refused("ORIGIN_NOT_ALLOWED", 403, PNA_VARY),
  },

  // --- Vary -----------------------------------------------------------------------------------
  {
    name: "a refused actual request still carries Vary: Origin",
    policy: WEB,
    req: actual("GET", "https://evil.example.net"),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "a preflight under * varies on Origin and the requested method and headers, as every preflight answer does",
    policy: ANY,
    req: preflight("https://any.example.net", "GET", "x-custom"),
    want: {
      status: 200,
      reason: "ANY_ORIGIN",
      headers: {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET,HEAD,POST",
        "access-control-allow-headers": "*",
      },
      vary: PREFLIGHT_VARY,
    },
  },

  // --- Requests without Origin, ordinary OPTIONS ----------------------------------------------
  {
    name: "a request without Origin gets no CORS headers but Vary: Origin under an origin-dependent policy",
    policy: WEB,
    req: actual("GET", undefined),
    want: { status: 0, reason: "NOT_CORS", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "a request without Origin gets Access-Control-Allow-Origin: * and no Vary under a * policy",
    policy: ANY,
    req: actual("GET", undefined),
    want: {
      status: 0,
      reason: "NOT_CORS",
      headers: { "access-control-allow-origin": "*", "access-control-expose-headers": "X-Request-Id" },
      vary: [],
    },
  },
  {
    name: "an OPTIONS with Access-Control-Request-Method but no Origin is not a preflight",
    policy: WEB,
    req: preflight(undefined, "PUT"),
    want: { status: 0, reason: "NOT_CORS", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "an OPTIONS with Origin but no Access-Control-Request-Method is an ordinary request",
    policy: WEB,
    req: actual("OPTIONS", "https://app.example.com"),
    want: webActualOk("https://app.example.com"),
  },
  {
    name: "Access-Control-Request-Method on a GET does not make it a preflight",
    policy: WEB,
    req: { ...preflight("https://app.example.com", "DELETE"), method: "GET" },
    want: webActualOk("https://app.example.com"),
  },

  // --- onDisallowedOrigin ---------------------------------------------------------------------
  {
    name: "onDisallowedOrigin reject refuses a disallowed actual request with 403",
    policy: WEB,
    req: actual("POST", "https://evil.example.net"),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "onDisallowedOrigin omit lets a disallowed actual request proceed without CORS headers",
    policy: OMIT,
    req: actual("POST", "https://evil.example.net"),
    want: { status: 0, allowed: false, reason: "ORIGIN_NOT_ALLOWED", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "onDisallowedOrigin omit lets a malformed origin proceed without CORS headers",
    policy: OMIT,
    req: actual("GET", "https://app.example.com/"),
    want: { status: 0, allowed: false, reason: "ORIGIN_MALFORMED", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "onDisallowedOrigin omit still refuses a disallowed preflight with 403",
    policy: OMIT,
    req: preflight("https://evil.example.net", "PUT"),
    want: refused("ORIGIN_NOT_ALLOWED"),
  },
  {
    name: "onDisallowedOrigin omit answers an allowed origin as usual",
    policy: OMIT,
    req: actual("GET", "https://app.example.com"),
    want: webActualOk("https://app.example.com"),
  },

  // --- Report mode ----------------------------------------------------------------------------
  {
    name: "report mode lets a disallowed actual request through with its origin, recording wouldReject",
    policy: REPORT,
    req: actual("GET", "https://evil.example.net"),
    want: {
      status: 0,
      reason: "ORIGIN_ALLOWED",
      headers: WEB_ACTUAL("https://evil.example.net"),
      vary: ACTUAL_VARY,
      wouldReject: "ORIGIN_NOT_ALLOWED",
    },
  },
  {
    name: "report mode answers a disallowed preflight 200, recording the origin refusal",
    policy: REPORT,
    req: preflight("https://evil.example.net", "PUT", "content-type"),
    want: { ...webOk("https://evil.example.net"), wouldReject: "ORIGIN_NOT_ALLOWED" },
  },
  {
    name: "report mode widens Access-Control-Allow-Methods with a method the policy does not list",
    policy: REPORT,
    req: preflight("https://app.example.com", "DELETE"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        ...WEB_PREFLIGHT("https://app.example.com"),
        "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE",
      },
      vary: PREFLIGHT_VARY,
      wouldReject: "METHOD_NOT_ALLOWED",
    },
  },
  {
    name: "report mode widens Access-Control-Allow-Headers with the headers the policy does not list",
    policy: REPORT,
    req: preflight("https://app.example.com", "PUT", "content-type, X-One, x-two"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        ...WEB_PREFLIGHT("https://app.example.com"),
        "access-control-allow-headers": "Content-Type,X-Sdk-Date,x-one,x-two",
      },
      vary: PREFLIGHT_VARY,
      wouldReject: "HEADER_NOT_ALLOWED",
    },
  },
  {
    name: "report mode adds Access-Control-Allow-Headers when the policy lists none",
    policy: { ...PUT_ONLY, name: "put-report", mode: "report" },
    req: preflight("https://app.example.com", "PUT", "x-one"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: { ...PUT_ONLY_PREFLIGHT, "access-control-allow-headers": "x-one" },
      vary: PREFLIGHT_VARY,
      wouldReject: "HEADER_NOT_ALLOWED",
    },
  },
  {
    name: "report mode records the first refusal (origin) when origin, method and header all fail",
    policy: REPORT,
    req: preflight("https://evil.example.net", "DELETE", "x-one"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        ...WEB_PREFLIGHT("https://evil.example.net"),
        "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE",
        "access-control-allow-headers": "Content-Type,X-Sdk-Date,x-one",
      },
      vary: PREFLIGHT_VARY,
      wouldReject: "ORIGIN_NOT_ALLOWED",
    },
  },
  {
    name: "report mode lets a private network preflight through that the policy does not allow",
    policy: REPORT,
    req: preflight("https://app.example.com", "PUT", undefined, { accessControlRequestPrivateNetwork: true }),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: {
        ...WEB_PREFLIGHT("https://app.example.com"),
        "access-control-allow-private-network": "true",
      },
      vary: PREFLIGHT_VARY,
      wouldReject: "PRIVATE_NETWORK_NOT_ALLOWED",
    },
  },
  {
    name: "report mode records nothing for an allowed request",
    policy: REPORT,
    req: preflight("https://app.example.com", "PUT", "content-type"),
    want: webOk("https://app.example.com"),
  },

  // --- Same origin ----------------------------------------------------------------------------
  {
    name: "a same-origin request is never rejected, though the policy does not list the gateway's origin",
    policy: WEB,
    req: actual("POST", "http://api.shop.test", { selfOrigin: "http://api.shop.test" }),
    want: { status: 0, reason: "SAME_ORIGIN", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "same origin compares normalized: HTTP://API.SHOP.TEST:80 is the gateway's own origin",
    policy: WEB,
    req: actual("DELETE", "HTTP://API.SHOP.TEST:80", { selfOrigin: "http://api.shop.test" }),
    want: { status: 0, reason: "SAME_ORIGIN", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "a same-origin request under onDisallowedOrigin omit is same-origin, not a refusal",
    policy: OMIT,
    req: actual("POST", "http://api.shop.test:8080", { selfOrigin: "http://api.shop.test:8080" }),
    want: { status: 0, reason: "SAME_ORIGIN", headers: NONE, vary: ACTUAL_VARY },
  },
  {
    name: "the gateway's host on another port is cross-origin and refused",
    policy: WEB,
    req: actual("POST", "http://api.shop.test:8080", { selfOrigin: "http://api.shop.test" }),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "the gateway's host over https is cross-origin when the gateway is http",
    policy: WEB,
    req: actual("POST", "https://api.shop.test", { selfOrigin: "http://api.shop.test" }),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "a same-origin request under a * policy gets the same constant * as every other origin",
    policy: ANY,
    req: actual("GET", "http://api.shop.test", { selfOrigin: "http://api.shop.test" }),
    want: {
      status: 0,
      reason: "SAME_ORIGIN",
      headers: { "access-control-allow-origin": "*", "access-control-expose-headers": "X-Request-Id" },
      vary: [],
    },
  },
  {
    name: "a same-origin preflight under a * policy gets the same constant * as every other origin",
    policy: ANY,
    req: preflight("http://api.shop.test", "POST", "x-custom", { selfOrigin: "http://api.shop.test" }),
    want: {
      status: 200,
      reason: "SAME_ORIGIN",
      headers: {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET,HEAD,POST",
        "access-control-allow-headers": "*",
      },
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "a same-origin preflight passes the origin check and is answered with its own origin",
    policy: WEB,
    req: preflight("http://api.shop.test", "PUT", "content-type", { selfOrigin: "http://api.shop.test" }),
    want: {
      status: 200,
      reason: "SAME_ORIGIN",
      headers: WEB_PREFLIGHT("http://api.shop.test"),
      vary: PREFLIGHT_VARY,
    },
  },

  // --- Applications' JavaScript origins -------------------------------------------------------
  {
    name: "an application's JavaScript origin is allowed by the policy of an API it is authorized for",
    policy: PUT_ONLY,
    apps: ["https://partner.example.net"],
    req: actual("GET", "https://partner.example.net"),
    want: {
      status: 0,
      reason: "ORIGIN_ALLOWED",
      headers: { "access-control-allow-origin": "https://partner.example.net" },
      vary: ACTUAL_VARY,
    },
  },
  {
    name: "an application's JavaScript origin compares normalized, like the policy's own",
    policy: PUT_ONLY,
    apps: ["HTTPS://Partner.Example.NET:443"],
    req: preflight("https://partner.example.net", "PUT"),
    want: {
      status: 200,
      reason: "ORIGIN_ALLOWED",
      headers: { ...PUT_ONLY_PREFLIGHT, "access-control-allow-origin": "https://partner.example.net" },
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "an application's origin admits no subdomain of itself",
    policy: PUT_ONLY,
    apps: ["https://partner.example.net"],
    req: actual("GET", "https://www.partner.example.net"),
    want: subsRefused(),
  },

  // --- Seed 003: the webMethods preflight table ----------------------------------------------
  {
    name: "seed 003 preflight row 1: origin http://test.com is not http://test2.com, 403 Specified Origin is not allowed",
    policy: WM,
    req: preflight("http://test.com", "POST", "test1,test2"),
    want: refused("ORIGIN_NOT_ALLOWED"),
  },
  {
    name: "seed 003 preflight row 2: DELETE is not in POST,GET,PUT, 405 Method Not Allowed",
    policy: WM,
    req: preflight("http://test2.com", "DELETE", "test1,test2"),
    want: refused("METHOD_NOT_ALLOWED", 405),
  },
  {
    name: "seed 003 preflight row 3: test3 is not in test1,test2, 403 Header Not Supported",
    policy: WM,
    req: preflight("http://test2.com", "POST", "test3"),
    want: refused("HEADER_NOT_ALLOWED"),
  },
  {
    name: "seed 003 preflight row 4: everything allowed, 200 with origin, methods, headers, max age and credentials",
    policy: WM,
    req: preflight("http://test2.com", "POST", "test1"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: WM_PREFLIGHT_200, vary: PREFLIGHT_VARY },
  },
  {
    name: "seed 003 preflight row 5: an origin only an application's JavaScript origins list gets the same 200",
    policy: WM_APP,
    apps: ["http://test2.com"],
    req: preflight("http://test2.com", "POST", "test1"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: WM_PREFLIGHT_200, vary: PREFLIGHT_VARY },
  },
  {
    name: "seed 003 preflight row 5, without the application: the same origin is refused",
    policy: WM_APP,
    req: preflight("http://test2.com", "POST", "test1"),
    want: refused("ORIGIN_NOT_ALLOWED"),
  },

  // --- Seed 003: the webMethods actual-request table ------------------------------------------
  {
    name: "seed 003 actual row 1: origin http://test.com is not allowed, 403 Specified Origin is not allowed",
    policy: WM,
    req: actual("GET", "http://test.com"),
    want: refused("ORIGIN_NOT_ALLOWED", 403, ACTUAL_VARY),
  },
  {
    name: "seed 003 actual row 2: origin http://test2.com gets origin, credentials and expose headers",
    policy: WM,
    req: actual("GET", "http://test2.com"),
    want: { status: 0, reason: "ORIGIN_ALLOWED", headers: WM_ACTUAL_200, vary: ACTUAL_VARY },
  },
  {
    // The seed's row 3 request carries Access-Control-Request-Method and -Headers and its answer has
    // Allow-Methods, Allow-Headers and Max-Age: that is a preflight (OPTIONS), answered as in row 5.
    name: "seed 003 actual row 3: an application's JavaScript origin with the seed's request headers gets the seed's 200",
    policy: WM_APP,
    apps: ["http://test2.com"],
    req: preflight("http://test2.com", "POST", "test1"),
    want: { status: 200, reason: "ORIGIN_ALLOWED", headers: WM_PREFLIGHT_200, vary: PREFLIGHT_VARY },
  },
  {
    name: "seed 003 actual row 3, as an actual POST: the application's origin gets origin, credentials and expose headers",
    policy: WM_APP,
    apps: ["http://test2.com"],
    req: actual("POST", "http://test2.com"),
    want: { status: 0, reason: "ORIGIN_ALLOWED", headers: WM_ACTUAL_200, vary: ACTUAL_VARY },
  },
];

describe("decide: SPEC section 4, case by case", () => {
  const compiled = new Map<CorsPolicyInput, Map<string, CompiledPolicy>>();
  const policyFor = (c: Case): CompiledPolicy => {
    const key = (c.apps ?? []).join(" ");
    let byApps = compiled.get(c.policy);
    if (!byApps) {
      byApps = new Map();
      compiled.set(c.policy, byApps);
    }
    let p = byApps.get(key);
    if (!p) {
      p = compile(c.policy, c.apps);
      byApps.set(key, p);
    }
    return p;
  };

  it("has uniquely named cases", () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const policy = policyFor(c);
      expectDecision(decide(policy, c.req), c.want, c.req);
      // The trace never changes the decision, and ends with a verdict.
      const trace: TraceStep[] = [];
      const traced = decide(policy, c.req, trace);
      expect(traced).toEqual(decide(policy, c.req));
      expect(trace.length).toBeGreaterThan(0);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The toggle (`cors: true`): Huawei APIG's permissive profile, header values from seed 000.

const TOGGLE_ALLOW_HEADERS =
  "X-Stage,X-Sdk-Date,X-Sdk-Nonce,X-Proxy-Signed-Headers,X-Sdk-Content-Sha256,X-Forwarded-For,Authorization,Content-Type,Accept,Accept-Ranges,Cache-Control,Range";
const TOGGLE_PREFLIGHT = (allowHeaders: string): Headers => ({
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET,POST,PUT,DELETE,HEAD,OPTIONS,PATCH",
  "access-control-allow-headers": allowHeaders,
  "access-control-expose-headers": "X-Request-Id,Server-Timing",
  "access-control-max-age": "172800",
});

interface ToggleCase {
  readonly name: string;
  readonly req: CorsRequest;
  readonly want: Want;
}

const TOGGLE_CASES: readonly ToggleCase[] = [
  {
    name: "the toggle answers seed 000's preflight (PUT, X-Sdk-Date) with the permissive profile",
    req: preflight("http://www.cors.com", "PUT", "X-Sdk-Date"),
    want: {
      status: 200,
      reason: "PERMISSIVE_TOGGLE",
      headers: TOGGLE_PREFLIGHT(TOGGLE_ALLOW_HEADERS),
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "the toggle adds a requested header that is not in the default list to Allow-Headers",
    req: preflight("http://www.cors.com", "PUT", "x-custom-one, X-Sdk-Date, AUTHORIZATION"),
    want: {
      status: 200,
      reason: "PERMISSIVE_TOGGLE",
      headers: TOGGLE_PREFLIGHT(`${TOGGLE_ALLOW_HEADERS},x-custom-one`),
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "the toggle answers a preflight without requested headers with the default list",
    req: preflight("https://any.example.net", "DELETE"),
    want: {
      status: 200,
      reason: "PERMISSIVE_TOGGLE",
      headers: TOGGLE_PREFLIGHT(TOGGLE_ALLOW_HEADERS),
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "the toggle answers a preflight from the null origin with *",
    req: preflight("null", "PUT"),
    want: {
      status: 200,
      reason: "PERMISSIVE_TOGGLE",
      headers: TOGGLE_PREFLIGHT(TOGGLE_ALLOW_HEADERS),
      vary: PREFLIGHT_VARY,
    },
  },
  {
    name: "the toggle adds Access-Control-Allow-Origin: * to an actual request, without Vary (seed 000 scenario 1)",
    req: actual("GET", "http://www.cors.com"),
    want: {
      status: 0,
      reason: "PERMISSIVE_TOGGLE",
      headers: { "access-control-allow-origin": "*" },
      vary: [],
    },
  },
  {
    name: "the toggle adds Access-Control-Allow-Origin: * to the PUT after the preflight (seed 000)",
    req: actual("PUT", "http://www.cors.com"),
    want: {
      status: 0,
      reason: "PERMISSIVE_TOGGLE",
      headers: { "access-control-allow-origin": "*" },
      vary: [],
    },
  },
  {
    name: "the toggle adds Access-Control-Allow-Origin: * to a request without Origin too",
    req: actual("GET", undefined),
    want: {
      status: 0,
      reason: "PERMISSIVE_TOGGLE",
      headers: { "access-control-allow-origin": "*" },
      vary: [],
    },
  },
];

describe("decideToggle: the permissive profile of cors: true", () => {
  for (const c of TOGGLE_CASES) {
    it(c.name, () => {
      expectDecision(decideToggle(c.req), c.want, c.req);
    });
  }
});

describe("the toggle's Allow-Headers", () => {
  it("lists a header requested twice only once", () => {
    const d = decideToggle({
      method: "OPTIONS",
      origin: "https://a.example.com",
      accessControlRequestMethod: "PUT",
      accessControlRequestHeaders: "x-a, X-A,x-b",
      accessControlRequestPrivateNetwork: false,
    });
    const value = d.headers.find(([name]) => name === "access-control-allow-headers")?.[1] ?? "";
    expect(value.endsWith(",Range,x-a,x-b")).toBe(true);
  });
});
