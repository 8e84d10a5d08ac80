/**
 * Compiling a policy: configuration errors (the policy is refused) versus lint warnings (it
 * compiles, with findings), each case named by a sentence, each finding checked by code and path.
 */
import { describe, expect, it } from "vitest";
import type { Problem } from "../problems.js";
import { compilePolicy } from "./compile.js";
import type { CorsPolicyInput } from "./types.js";

type Finding = readonly [severity: "error" | "warning", code: string, path: string];

interface Case {
  readonly name: string;
  readonly policy: Omit<CorsPolicyInput, "name">;
  /** Every finding, in any order; none more. */
  readonly findings: readonly Finding[];
}

const O = "https://app.example.com";

const err = (code: string, path: string): Finding => ["error", code, path];
const warn = (code: string, path: string): Finding => ["warning", code, path];

const CASES: readonly Case[] = [
  // --- Sound policies -------------------------------------------------------------------------
  {
    name: "a policy with an exact origin, a wildcard and a pattern compiles without findings",
    policy: {
      allowOrigins: [O, "https://*.example.com"],
      allowOriginPatterns: ["^https://[a-z0-9-]+\\.example\\.org$"],
      allowMethods: ["GET", "PUT"],
      allowHeaders: ["Content-Type"],
      exposeHeaders: ["X-Request-Id"],
      allowCredentials: true,
      maxAge: 600,
    },
    findings: [],
  },
  {
    name: "* everywhere without credentials is legal",
    policy: { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], exposeHeaders: ["*"] },
    findings: [],
  },
  {
    name: "a wildcard over a registrable domain under a two-label suffix is fine",
    policy: { allowOrigins: ["https://*.example.co.uk"] },
    findings: [],
  },
  {
    name: "a wildcard with an explicit port is fine",
    policy: { allowOrigins: ["https://*.example.com:8443"] },
    findings: [],
  },

  // --- * with credentials ---------------------------------------------------------------------
  {
    name: "* in allowOrigins with credentials is an error",
    policy: { allowOrigins: ["*"], allowCredentials: true },
    findings: [err("CORS_WILDCARD_WITH_CREDENTIALS", "allowOrigins[0]")],
  },
  {
    name: "* in allowMethods with credentials is an error",
    policy: { allowOrigins: [O], allowMethods: ["GET", "*"], allowCredentials: true },
    findings: [err("CORS_WILDCARD_WITH_CREDENTIALS", "allowMethods[1]")],
  },
  {
    name: "* in allowHeaders with credentials is an error",
    policy: { allowOrigins: [O], allowHeaders: ["*"], allowCredentials: true },
    findings: [err("CORS_WILDCARD_WITH_CREDENTIALS", "allowHeaders[0]")],
  },
  {
    name: "* in exposeHeaders with credentials is an error",
    policy: { allowOrigins: [O], exposeHeaders: ["X-Request-Id", "*"], allowCredentials: true },
    findings: [err("CORS_WILDCARD_WITH_CREDENTIALS", "exposeHeaders[1]")],
  },

  // --- Origins with a path, malformed origins -------------------------------------------------
  {
    name: "an origin with a trailing / is an error",
    policy: { allowOrigins: [O, `${O}/`] },
    findings: [err("CORS_ORIGIN_HAS_PATH", "allowOrigins[1]")],
  },
  {
    name: "an origin with a path is an error",
    policy: { allowOrigins: [O, `${O}/app`] },
    findings: [err("CORS_ORIGIN_HAS_PATH", "allowOrigins[1]")],
  },
  {
    name: "an origin with a query is an error",
    policy: { allowOrigins: [O, `${O}?x=1`] },
    findings: [err("CORS_ORIGIN_HAS_PATH", "allowOrigins[1]")],
  },
  {
    name: "a wildcard origin with a trailing / is an error",
    policy: { allowOrigins: [O, "https://*.example.com/"] },
    findings: [err("CORS_ORIGIN_HAS_PATH", "allowOrigins[1]")],
  },
  {
    name: "an origin without a scheme is an error",
    policy: { allowOrigins: [O, "app.example.com"] },
    findings: [err("CORS_ORIGIN_INVALID", "allowOrigins[1]")],
  },
  {
    name: "an origin with userinfo is an error",
    policy: { allowOrigins: [O, "https://user@app.example.com"] },
    findings: [err("CORS_ORIGIN_INVALID", "allowOrigins[1]")],
  },
  {
    name: "an origin with a bad port is an error",
    policy: { allowOrigins: [O, "https://app.example.com:99999"] },
    findings: [err("CORS_ORIGIN_INVALID", "allowOrigins[1]")],
  },
  {
    name: "a timing origin with a path is an error too",
    policy: { allowOrigins: [O], timingAllowOrigins: [`${O}/`] },
    findings: [err("CORS_ORIGIN_HAS_PATH", "timingAllowOrigins[0]")],
  },

  // --- Wildcards ------------------------------------------------------------------------------
  {
    name: "a wildcard over the public suffix com (https://*.com) is an error",
    policy: { allowOrigins: [O, "https://*.com"] },
    findings: [err("CORS_WILDCARD_PUBLIC_SUFFIX", "allowOrigins[1]")],
  },
  {
    name: "a wildcard over the public suffix co.uk (https://*.co.uk) is an error",
    policy: { allowOrigins: [O, "https://*.co.uk"] },
    findings: [err("CORS_WILDCARD_PUBLIC_SUFFIX", "allowOrigins[1]")],
  },
  {
    name: "a wildcard over the private-section public suffix github.io is an error",
    policy: { allowOrigins: [O, "https://*.github.io"] },
    findings: [err("CORS_WILDCARD_PUBLIC_SUFFIX", "allowOrigins[1]")],
  },
  {
    name: "a wildcard over a public suffix written in capitals is an error",
    policy: { allowOrigins: [O, "HTTPS://*.CO.UK"] },
    findings: [err("CORS_WILDCARD_PUBLIC_SUFFIX", "allowOrigins[1]")],
  },
  {
    name: "a wildcard in the middle of the host (https://api.*.com) is an error",
    policy: { allowOrigins: [O, "https://api.*.com"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },
  {
    name: "a wildcard glued to a label (https://*example.com) is an error",
    policy: { allowOrigins: [O, "https://*example.com"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },
  {
    name: "a wildcard at the end of the host (https://app.example.*) is an error",
    policy: { allowOrigins: [O, "https://app.example.*"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },
  {
    name: "two wildcards (https://*.*.example.com) are an error",
    policy: { allowOrigins: [O, "https://*.*.example.com"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },
  {
    name: "a wildcard without a scheme (*.example.com) is an error",
    policy: { allowOrigins: [O, "*.example.com"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },
  {
    name: "a wildcard in the scheme (*://app.example.com) is an error",
    policy: { allowOrigins: [O, "*://app.example.com"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },
  {
    name: "a wildcard over part of an IP address is an error",
    policy: { allowOrigins: [O, "https://*.0.0.1"] },
    findings: [err("CORS_WILDCARD_INVALID", "allowOrigins[1]")],
  },

  // --- Patterns -------------------------------------------------------------------------------
  {
    name: "a pattern without ^ is an error",
    policy: { allowOrigins: [O], allowOriginPatterns: ["https://app\\.example\\.com$"] },
    findings: [err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]")],
  },
  {
    name: "a pattern without $ is an error",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://app\\.example\\.com"] },
    findings: [err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]")],
  },
  {
    name: "a pattern ending in an escaped \\$ is not anchored",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://app\\.example\\.com\\$"] },
    findings: [err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]")],
  },
  {
    name: "a top-level alternation anchored only at its two ends is not anchored",
    policy: {
      allowOrigins: [O],
      allowOriginPatterns: ["^https://a\\.example\\.com|https://b\\.example\\.com$"],
    },
    findings: [err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]")],
  },
  {
    name: "an empty last alternative makes a pattern match everything, so it is not anchored",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://a\\.example\\.com$|"] },
    findings: [err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]")],
  },
  {
    name: "alternatives each anchored with ^ and $ are fine",
    policy: {
      allowOrigins: [O],
      allowOriginPatterns: ["^https://a\\.example\\.com$|^https://b\\.example\\.com$"],
    },
    findings: [],
  },
  {
    name: "an alternation inside an anchored group is fine",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://(?:a|b)\\.example\\.com$"] },
    findings: [],
  },
  {
    name: "a | inside a character class does not split the pattern",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://[a|b]\\.example\\.com$"] },
    findings: [],
  },
  {
    name: "a backreference cannot run in linear time and is an error",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^(a)\\1$"] },
    findings: [err("CORS_PATTERN_NOT_LINEAR", "allowOriginPatterns[0]")],
  },
  {
    name: "a lookahead cannot run in linear time and is an error",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^(?=https)https://app\\.example\\.com$"] },
    findings: [err("CORS_PATTERN_NOT_LINEAR", "allowOriginPatterns[0]")],
  },
  {
    name: "a negative lookahead is an error",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://(?!evil)[a-z]+\\.example\\.com$"] },
    findings: [err("CORS_PATTERN_NOT_LINEAR", "allowOriginPatterns[0]")],
  },
  {
    name: "a pattern with a syntax error is an error",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://(app\\.example\\.com$"] },
    findings: [err("CORS_PATTERN_INVALID", "allowOriginPatterns[0]")],
  },
  {
    name: "a pattern that does not parse is invalid, not unanchored, whatever its ends (issue 10)",
    policy: { allowOrigins: [O], allowOriginPatterns: ["(^https://app\\.example\\.com$"] },
    findings: [err("CORS_PATTERN_INVALID", "allowOriginPatterns[0]")],
  },
  {
    name: "an unanchored pattern that cannot run in linear time has both problems",
    policy: { allowOrigins: [O], allowOriginPatterns: ["https://(a)\\1\\.example\\.com"] },
    findings: [
      err("CORS_PATTERN_NOT_LINEAR", "allowOriginPatterns[0]"),
      err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]"),
    ],
  },
  {
    name: "a policy whose only pattern is invalid is not also warned that it lists no origin",
    policy: { allowOriginPatterns: ["^https://(app\\.example\\.com$"] },
    findings: [err("CORS_PATTERN_INVALID", "allowOriginPatterns[0]")],
  },
  {
    name: "a classic ReDoS shape compiles, since the linear matcher cannot backtrack",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://(a+)+\\.example\\.com$"] },
    findings: [],
  },
  {
    name: "an unescaped dot between letters is a lint warning",
    policy: { allowOrigins: [O], allowOriginPatterns: ["^https://app.example\\.com$"] },
    findings: [warn("LINT_PATTERN_LOOSE_DOT", "allowOriginPatterns[0]")],
  },

  // --- Max age --------------------------------------------------------------------------------
  {
    name: "maxAge 86401 is an error",
    policy: { allowOrigins: [O], maxAge: 86401 },
    findings: [err("CORS_MAX_AGE_RANGE", "maxAge")],
  },
  {
    name: "a negative maxAge is an error",
    policy: { allowOrigins: [O], maxAge: -1 },
    findings: [err("CORS_MAX_AGE_RANGE", "maxAge")],
  },
  {
    name: "a fractional maxAge is an error",
    policy: { allowOrigins: [O], maxAge: 1.5 },
    findings: [err("CORS_MAX_AGE_RANGE", "maxAge")],
  },
  {
    name: "maxAge 86400 compiles, with a warning that Chromium caps it at 7200",
    policy: { allowOrigins: [O], maxAge: 86400 },
    findings: [warn("LINT_MAX_AGE_LONG", "maxAge")],
  },
  {
    name: "maxAge 7201 is a warning",
    policy: { allowOrigins: [O], maxAge: 7201 },
    findings: [warn("LINT_MAX_AGE_LONG", "maxAge")],
  },
  {
    name: "maxAge 7200 is fine",
    policy: { allowOrigins: [O], maxAge: 7200 },
    findings: [],
  },
  {
    name: "maxAge 0 is fine",
    policy: { allowOrigins: [O], maxAge: 0 },
    findings: [],
  },

  // --- null -----------------------------------------------------------------------------------
  {
    name: "null listed in allowOrigins is an error",
    policy: { allowOrigins: [O, "null"] },
    findings: [err("CORS_NULL_ORIGIN", "allowOrigins[1]")],
  },
  {
    name: "dangerouslyAllowNullOrigin is a warning",
    policy: { allowOrigins: [O], dangerouslyAllowNullOrigin: true },
    findings: [warn("LINT_NULL_ORIGIN", "dangerouslyAllowNullOrigin")],
  },
  {
    name: "null listed is an error even with dangerouslyAllowNullOrigin",
    policy: { allowOrigins: ["null"], dangerouslyAllowNullOrigin: true },
    findings: [
      err("CORS_NULL_ORIGIN", "allowOrigins[0]"),
      warn("LINT_NULL_ORIGIN", "dangerouslyAllowNullOrigin"),
    ],
  },

  // --- Plain http with credentials ------------------------------------------------------------
  {
    name: "a plain-http origin with credentials is a warning",
    policy: { allowOrigins: ["http://app.example.com"], allowCredentials: true },
    findings: [warn("LINT_INSECURE_ORIGIN_WITH_CREDENTIALS", "allowOrigins[0]")],
  },
  {
    name: "a plain-http wildcard with credentials is a warning",
    policy: { allowOrigins: ["http://*.example.com"], allowCredentials: true },
    findings: [warn("LINT_INSECURE_ORIGIN_WITH_CREDENTIALS", "allowOrigins[0]")],
  },
  {
    name: "a plain-http origin without credentials is fine",
    policy: { allowOrigins: ["http://app.example.com"] },
    findings: [],
  },
  {
    name: "plain-http loopback origins with credentials are exempt",
    policy: {
      allowOrigins: [
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:5173",
        "http://app.localhost",
      ],
      allowCredentials: true,
    },
    findings: [],
  },

  // --- Duplicates -----------------------------------------------------------------------------
  {
    name: "the same origin twice, once in capitals with its default port, is a warning",
    policy: { allowOrigins: [O, "HTTPS://APP.EXAMPLE.COM:443"] },
    findings: [warn("LINT_DUPLICATE_ORIGIN", "allowOrigins[1]")],
  },
  {
    name: "the same wildcard twice is a warning",
    policy: { allowOrigins: ["https://*.example.com", "https://*.Example.com:443"] },
    findings: [warn("LINT_DUPLICATE_ORIGIN", "allowOrigins[1]")],
  },
  {
    name: "a method listed twice (get and GET) is a warning",
    policy: { allowOrigins: [O], allowMethods: ["GET", "get"] },
    findings: [warn("LINT_DUPLICATE_NAME", "allowMethods[1]")],
  },
  {
    name: "a header listed twice in different case is a warning",
    policy: { allowOrigins: [O], allowHeaders: ["X-Sdk-Date", "x-sdk-date"] },
    findings: [warn("LINT_DUPLICATE_NAME", "allowHeaders[1]")],
  },
  {
    name: "an expose header listed twice is a warning",
    policy: { allowOrigins: [O], exposeHeaders: ["X-Request-Id", "X-REQUEST-ID"] },
    findings: [warn("LINT_DUPLICATE_NAME", "exposeHeaders[1]")],
  },

  // --- Names ----------------------------------------------------------------------------------
  {
    name: "a header name with a space is an error",
    policy: { allowOrigins: [O], allowHeaders: ["X Sdk Date"] },
    findings: [err("CORS_NAME_INVALID", "allowHeaders[0]")],
  },
  {
    name: "a method name with a space is an error",
    policy: { allowOrigins: [O], allowMethods: ["GE T"] },
    findings: [err("CORS_NAME_INVALID", "allowMethods[0]")],
  },

  // --- Names that can never work (Fetch's forbidden names; SPEC section 4) ----------------------
  {
    name: "a forbidden method in allowMethods is an error, in any case",
    policy: { allowOrigins: [O], allowMethods: ["GET", "CONNECT", "trace", "Track"] },
    findings: [
      err("CORS_FORBIDDEN_METHOD", "allowMethods[1]"),
      err("CORS_FORBIDDEN_METHOD", "allowMethods[2]"),
      err("CORS_FORBIDDEN_METHOD", "allowMethods[3]"),
    ],
  },
  {
    name: "forbidden request-header names in allowHeaders are errors, Sec- and Proxy- prefixes included",
    policy: {
      allowOrigins: [O],
      allowHeaders: [
        "Content-Type",
        "Cookie",
        "host",
        "Content-Length",
        "Origin",
        "Referer",
        "Sec-Fetch-Mode",
        "proxy-authorization",
        "Keep-Alive",
        "DNT",
      ],
    },
    findings: [
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[1]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[2]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[3]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[4]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[5]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[6]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[7]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[8]"),
      err("CORS_FORBIDDEN_HEADER", "allowHeaders[9]"),
    ],
  },
  {
    name: "headers that merely look close to forbidden ones are allowed (X-Cookie, Secret, Proxyish)",
    policy: {
      allowOrigins: [O],
      allowHeaders: ["X-Cookie", "Secret", "Proxyish", "X-Sec-Token", "Authorization"],
    },
    findings: [],
  },
  {
    name: "Set-Cookie and Set-Cookie2 in exposeHeaders are errors: no page can read them",
    policy: { allowOrigins: [O], exposeHeaders: ["X-Request-Id", "Set-Cookie", "set-cookie2"] },
    findings: [
      err("CORS_FORBIDDEN_EXPOSE_HEADER", "exposeHeaders[1]"),
      err("CORS_FORBIDDEN_EXPOSE_HEADER", "exposeHeaders[2]"),
    ],
  },

  // --- Mode, private network, no origins ------------------------------------------------------
  {
    name: "report mode is a warning",
    policy: { allowOrigins: [O], mode: "report" },
    findings: [warn("LINT_REPORT_ONLY", "mode")],
  },
  {
    name: "allowPrivateNetwork with * is an error",
    policy: { allowOrigins: ["*"], allowPrivateNetwork: true },
    findings: [err("CORS_PRIVATE_NETWORK_ANY_ORIGIN", "allowPrivateNetwork")],
  },
  {
    name: "allowPrivateNetwork with listed origins is fine",
    policy: { allowOrigins: [O, "https://*.example.com"], allowPrivateNetwork: true },
    findings: [],
  },
  {
    name: "a policy that lists no origin is a warning (only applications' origins are allowed)",
    policy: {},
    findings: [warn("LINT_NO_ORIGINS", "allowOrigins")],
  },

  // --- Everything at once ---------------------------------------------------------------------
  {
    name: "several problems in one policy are all reported at once",
    policy: {
      allowOrigins: [
        "*",
        `${O}/`,
        "https://*.co.uk",
        "https://api.*.com",
        "null",
        "http://legacy.example.com",
      ],
      allowOriginPatterns: ["example\\.com", "^(a)\\1$"],
      allowMethods: ["GET", "*"],
      allowHeaders: ["*", "X Bad"],
      exposeHeaders: ["*"],
      allowCredentials: true,
      maxAge: 86401,
      allowPrivateNetwork: true,
      mode: "report",
      dangerouslyAllowNullOrigin: true,
    },
    findings: [
      err("CORS_WILDCARD_WITH_CREDENTIALS", "allowOrigins[0]"),
      err("CORS_ORIGIN_HAS_PATH", "allowOrigins[1]"),
      err("CORS_WILDCARD_PUBLIC_SUFFIX", "allowOrigins[2]"),
      err("CORS_WILDCARD_INVALID", "allowOrigins[3]"),
      err("CORS_NULL_ORIGIN", "allowOrigins[4]"),
      warn("LINT_INSECURE_ORIGIN_WITH_CREDENTIALS", "allowOrigins[5]"),
      err("CORS_PATTERN_UNANCHORED", "allowOriginPatterns[0]"),
      err("CORS_PATTERN_NOT_LINEAR", "allowOriginPatterns[1]"),
      err("CORS_WILDCARD_WITH_CREDENTIALS", "allowMethods[1]"),
      err("CORS_WILDCARD_WITH_CREDENTIALS", "allowHeaders[0]"),
      err("CORS_NAME_INVALID", "allowHeaders[1]"),
      err("CORS_WILDCARD_WITH_CREDENTIALS", "exposeHeaders[0]"),
      err("CORS_MAX_AGE_RANGE", "maxAge"),
      err("CORS_PRIVATE_NETWORK_ANY_ORIGIN", "allowPrivateNetwork"),
      warn("LINT_NULL_ORIGIN", "dangerouslyAllowNullOrigin"),
      warn("LINT_REPORT_ONLY", "mode"),
    ],
  },
];

const key = (f: Finding) => f.join(" ");

describe("compilePolicy: errors refuse a policy, warnings come with it", () => {
  it("has uniquely named cases", () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const input: CorsPolicyInput = { name: "p", ...c.policy };
      const r = compilePolicy(input);
      const problems: readonly Problem[] = r.ok ? r.warnings : r.problems;
      const got = problems.map((p): Finding => [p.severity, p.code, p.path]);
      expect(got.map(key).sort()).toEqual(c.findings.map(key).sort());
      // Errors and only errors refuse the policy.
      expect(r.ok).toBe(!c.findings.some(([severity]) => severity === "error"));
      for (const p of problems) {
        expect(p.reason.length).toBeGreaterThan(0);
        expect(p).toHaveProperty("value");
      }
    });
  }

  it("reports the offending value with each problem", () => {
    const r = compilePolicy({ name: "p", allowOrigins: [O, "https://*.com"], maxAge: 99999 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.path, p.value])).toEqual([
      ["allowOrigins[1]", "https://*.com"],
      ["maxAge", 99999],
    ]);
  });

  it("an invalid pattern is reported with the regular expression parser's reason", () => {
    const r = compilePolicy({ name: "p", allowOriginPatterns: ["^https://(app\\.example\\.com$"] });
    expect(r.ok ? [] : r.problems.map((p) => p.reason)).toEqual([
      "is not a valid regular expression: unterminated group at position 9",
    ]);
  });

  it("additional origins do not silence the no-origins warning of the policy itself", () => {
    const r = compilePolicy(
      { name: "p" },
      { additionalOrigins: [{ origin: "https://partner.example.net", source: "app partner" }] },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.code)).toEqual(["LINT_NO_ORIGINS"]);
  });
});

describe("compilePolicy: the normalized export (source)", () => {
  it("normalizes origins, wildcards and methods, drops duplicates and fills defaults", () => {
    const r = compilePolicy({
      name: "web",
      allowOrigins: [
        "HTTPS://App.Example.COM:443",
        "https://app.example.com",
        "https://*.Example.com:443",
        "http://x.test:80",
      ],
      allowMethods: ["get", "put", "PATCH", "PUT"],
      allowHeaders: ["X-Sdk-Date", "x-sdk-date"],
      timingAllowOrigins: ["HTTPS://APP.EXAMPLE.COM:443"],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.source).toEqual({
      name: "web",
      allowOrigins: ["https://app.example.com", "https://*.example.com", "http://x.test"],
      allowOriginPatterns: [],
      allowMethods: ["GET", "PUT", "PATCH"],
      allowHeaders: ["X-Sdk-Date"],
      exposeHeaders: [],
      allowCredentials: false,
      allowPrivateNetwork: false,
      onDisallowedOrigin: "reject",
      mode: "enforce",
      backendCorsHeaders: "override",
      timingAllowOrigins: ["https://app.example.com"],
      dangerouslyAllowNullOrigin: false,
    });
  });

  it("makes the default methods explicit: GET, HEAD, POST", () => {
    const r = compilePolicy({ name: "p", allowOrigins: [O] });
    expect(r.ok && r.policy.source.allowMethods).toEqual(["GET", "HEAD", "POST"]);
  });
});
