/**
 * Properties of the engine, checked with fast-check:
 * (a) an origin that no rule admits is never granted Access-Control-Allow-Origin, against an
 *     independent reference oracle (string operations and the platform's RegExp, not the engine's matcher);
 * (b) exporting a compiled policy and compiling it again gives the same policy;
 * (c) parseRequestHeaderList never throws and ignores whitespace, empty items and case;
 * (d) parseOrigin's normalized form parses to itself.
 * No timing assertions: the 8 KiB inputs only show the parsers finish.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile.js";
import type { CompiledPolicy } from "./compiled-policy.js";
import { decide } from "./decide.js";
import {
  MAX_REQUEST_HEADER_NAMES,
  MAX_REQUEST_HEADERS_LENGTH,
  parseRequestHeaderList,
} from "./header-list.js";
import { isToken } from "./methods.js";
import { isParseError, parseOrigin } from "./origin.js";
import type { CorsDecision, CorsPolicyInput, CorsReason, CorsRequest } from "./types.js";

const RUNS = 1000;

// ---------------------------------------------------------------------------------------------
// Generators over a small alphabet, so that random origins often hit, or nearly hit, the rules.

const LABELS = ["a", "b", "app", "api", "example", "evil", "x1"] as const;
const TLDS = ["com", "org", "test"] as const;
const SCHEMES = ["http", "https"] as const;
/** "" is the scheme's default port; 80 and 443 are default for one scheme and not the other. */
const PORTS = ["", "80", "443", "8080"] as const;
const DEFAULT_PORT: Record<string, string> = { http: "80", https: "443" };

const label = fc.constantFrom(...LABELS);
/** A registrable-looking domain: one or two labels under a TLD (never a public suffix). */
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 2 }), fc.constantFrom(...TLDS))
  .map(([ls, tld]) => [...ls, tld].join("."));

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The oracle's own normalization: lowercase scheme and host (already lowercase here), default port dropped. */
function canonical(scheme: string, host: string, port: string): string {
  return port === "" || port === DEFAULT_PORT[scheme] ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}
const effectivePort = (scheme: string, port: string) => (port === "" ? (DEFAULT_PORT[scheme] ?? "") : port);

interface ExactRule {
  readonly kind: "exact";
  readonly scheme: string;
  readonly host: string;
  readonly port: string;
}
interface WildcardRule {
  readonly kind: "wildcard";
  readonly scheme: string;
  readonly domain: string;
  readonly port: string;
}
interface PatternRule {
  readonly kind: "pattern";
  readonly source: string;
  /** The domain the pattern was built over, for deriving near-miss origins. */
  readonly domain: string;
}
type Rule = ExactRule | WildcardRule | PatternRule;

const exactRule: fc.Arbitrary<ExactRule> = fc.record({
  kind: fc.constant("exact" as const),
  scheme: fc.constantFrom(...SCHEMES),
  host: domain,
  port: fc.constantFrom(...PORTS),
});
const wildcardRule: fc.Arbitrary<WildcardRule> = fc.record({
  kind: fc.constant("wildcard" as const),
  scheme: fc.constantFrom(...SCHEMES),
  domain,
  port: fc.constantFrom(...PORTS),
});
const patternRule: fc.Arbitrary<PatternRule> = fc
  .tuple(fc.constantFrom(...SCHEMES), domain, fc.integer({ min: 0, max: 3 }), label, label)
  .map(([scheme, d, shape, l1, l2]) => {
    const tail = `\\.${escapeRegex(d)}`;
    const sources = [
      `^${scheme}://[a-z0-9]+${tail}$`,
      `^${scheme}://(?:${l1}|${l2})${tail}$`,
      `^${scheme}://([a-z0-9-]+\\.)*${escapeRegex(d)}(:8080)?$`,
      `^https?://${escapeRegex(l1)}${tail}$|^${scheme}://${escapeRegex(d)}$`,
    ];
    return { kind: "pattern" as const, source: sources[shape] as string, domain: d };
  });
const rule: fc.Arbitrary<Rule> = fc.oneof(exactRule, wildcardRule, patternRule);

function ruleText(r: ExactRule | WildcardRule, upper: boolean, explicitDefault: boolean): string {
  const host = r.kind === "exact" ? r.host : `*.${r.domain}`;
  const port = r.port !== "" ? `:${r.port}` : explicitDefault ? `:${DEFAULT_PORT[r.scheme]}` : "";
  const text = `${r.scheme}://${host}${port}`;
  return upper ? text.toUpperCase() : text;
}

interface PolicyModel {
  readonly input: CorsPolicyInput;
  readonly rules: readonly Rule[];
  readonly any: boolean;
  readonly allowNull: boolean;
  readonly apps: readonly ExactRule[];
}

const methodList = fc.subarray(["GET", "PUT", "PATCH", "DELETE", "put", "patch"]);
const headerList = fc.subarray(["X-A", "Content-Type", "Authorization", "x-b"]);

/** Enforce-mode policies from random rules; `*` only without credentials, private network only without `*`. */
const policyModel: fc.Arbitrary<PolicyModel> = fc
  .record({
    rules: fc.array(rule, { maxLength: 4 }),
    /** `*` in about one policy in ten: it admits everything, so the property is trivial then. */
    any: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    credentials: fc.boolean(),
    allowNull: fc.boolean(),
    methods: methodList,
    anyMethod: fc.boolean(),
    headers: headerList,
    anyHeader: fc.boolean(),
    privateNetwork: fc.boolean(),
    omit: fc.boolean(),
    maxAge: fc.option(fc.integer({ min: 0, max: 7200 }), { nil: undefined }),
    apps: fc.array(exactRule, { maxLength: 2 }),
    upper: fc.boolean(),
    explicitDefault: fc.boolean(),
  })
  .map((g) => ({ ...g, any: g.any && !g.credentials }))
  .map((g): PolicyModel => {
    const allowOrigins: string[] = [];
    for (const r of g.rules)
      if (r.kind !== "pattern") allowOrigins.push(ruleText(r, g.upper, g.explicitDefault));
    if (g.any) allowOrigins.push("*");
    const wild = !g.credentials;
    const input: CorsPolicyInput = {
      name: "p",
      allowOrigins,
      allowOriginPatterns: g.rules.flatMap((r) => (r.kind === "pattern" ? [r.source] : [])),
      allowMethods: g.anyMethod && wild ? [...g.methods, "*"] : g.methods,
      allowHeaders: g.anyHeader && wild ? ["*", ...g.headers] : g.headers,
      exposeHeaders: ["X-Request-Id"],
      allowCredentials: g.credentials,
      ...(g.maxAge === undefined ? {} : { maxAge: g.maxAge }),
      allowPrivateNetwork: g.privateNetwork && !g.any,
      onDisallowedOrigin: g.omit ? "omit" : "reject",
      dangerouslyAllowNullOrigin: g.allowNull,
    };
    return { input, rules: g.rules, any: g.any, allowNull: g.allowNull, apps: g.apps };
  });

// ---------------------------------------------------------------------------------------------
// Origins to try: near every rule (subdomains, the bare domain, lookalikes), random, null, malformed.

type OriginModel =
  | {
      readonly kind: "ok";
      readonly scheme: string;
      readonly host: string;
      readonly port: string;
      readonly text: string;
    }
  | { readonly kind: "null" }
  | { readonly kind: "malformed"; readonly text: string };

function hostsNear(d: string): string[] {
  const first = d.split(".")[0] as string;
  const rest = d.slice(first.length);
  return [
    d,
    `x1.${d}`,
    `a.b.${d}`,
    `evil-${d}`,
    `evil${d}`,
    `${d}.evil.com`,
    `${first}x${rest}`,
    `${d.replace(/\./g, "-")}.test`,
  ];
}

function okOrigin(
  scheme: string,
  host: string,
  port: string,
  upper: boolean,
  explicitDefault: boolean,
): OriginModel {
  const shownPort = port !== "" ? `:${port}` : explicitDefault ? `:${DEFAULT_PORT[scheme]}` : "";
  const text = `${upper ? scheme.toUpperCase() : scheme}://${upper ? host.toUpperCase() : host}${shownPort}`;
  return { kind: "ok", scheme, host, port: effectivePort(scheme, port), text };
}

const MALFORMED = [
  (o: string) => `${o}/`,
  (o: string) => `${o}/path`,
  (o: string) => `${o}?q`,
  (o: string) => o.replace("://", "://user@"),
  (o: string) => `${o}:99999`,
  (o: string) => `${o}:`,
  (o: string) => `${o} `,
  (o: string) => ` ${o}`,
  (o: string) => o.replace("://", ":/"),
  (o: string) => o.slice(o.indexOf("://") + 3),
  (o: string) => o.replace(".", " ."),
  (o: string) => `${o.replace("://", "://".padEnd(1030, "a"))}`,
  (o: string) => `${o}, ${o}`,
];

function originsFor(model: PolicyModel): fc.Arbitrary<OriginModel> {
  const domains = [
    ...model.rules.map((r) => (r.kind === "exact" ? r.host : r.domain)),
    ...model.apps.map((a) => a.host),
    "example.com",
  ];
  const host = fc.oneof(
    fc.constantFrom(...domains).chain((d) => fc.constantFrom(...hostsNear(d))),
    fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom(...TLDS))
      .map(([ls, t]) => [...ls, t].join(".")),
  );
  const ok = fc
    .tuple(fc.constantFrom(...SCHEMES), host, fc.constantFrom(...PORTS), fc.boolean(), fc.boolean())
    .map(([s, h, p, up, ed]) => okOrigin(s, h, p, up, ed));
  const malformed = fc.tuple(ok, fc.integer({ min: 0, max: MALFORMED.length - 1 })).map(
    ([o, i]): OriginModel => ({
      kind: "malformed",
      text: (MALFORMED[i] as (o: string) => string)(o.kind === "ok" ? o.text : ""),
    }),
  );
  return fc.oneof(
    { arbitrary: ok, weight: 8 },
    { arbitrary: malformed, weight: 2 },
    { arbitrary: fc.constant<OriginModel>({ kind: "null" }), weight: 1 },
  );
}

/** The reference oracle: does some rule of the policy (or an application) admit this origin? */
function admitted(model: PolicyModel, o: OriginModel): boolean {
  if (model.any) return true; // `*` admits every Origin value, null and garbage included
  if (o.kind === "null") return model.allowNull;
  if (o.kind === "malformed") return false;
  const c = canonical(o.scheme, o.host, o.port);
  for (const a of model.apps) if (canonical(a.scheme, a.host, a.port) === c) return true;
  for (const r of model.rules) {
    if (r.kind === "exact" && canonical(r.scheme, r.host, r.port) === c) return true;
    if (
      r.kind === "wildcard" &&
      r.scheme === o.scheme &&
      effectivePort(r.scheme, r.port) === o.port &&
      o.host.endsWith(`.${r.domain}`)
    ) {
      return true;
    }
    if (r.kind === "pattern" && new RegExp(r.source).test(c)) return true;
  }
  return false;
}

const ORIGIN_REFUSALS: ReadonlySet<CorsReason> = new Set([
  "ORIGIN_NOT_ALLOWED",
  "ORIGIN_MALFORMED",
  "NULL_ORIGIN_NOT_ALLOWED",
]);

const requestExtras = fc.record({
  preflight: fc.boolean(),
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "OPTIONS", "patch", "PATCH"),
  requestMethod: fc.constantFrom("GET", "HEAD", "POST", "PUT", "put", "PATCH", "patch", "DELETE", "PURGE"),
  requestHeaders: fc.option(
    fc.subarray(["x-a", "Content-Type", "authorization", "X-B", "x-c", "", " "]).map((hs) => hs.join(", ")),
    { nil: undefined },
  ),
  privateNetwork: fc.boolean(),
  self: fc.constantFrom("none", "gateway", "same"),
});

function compileModel(model: PolicyModel): CompiledPolicy | undefined {
  const r = compilePolicy(model.input, {
    additionalOrigins: model.apps.map((a) => ({
      origin: canonical(a.scheme, a.host, a.port),
      source: "app",
    })),
  });
  return r.ok ? r.policy : undefined;
}

const acaoOf = (d: CorsDecision) =>
  d.headers.filter(([n]) => n === "access-control-allow-origin").map(([, v]) => v);

describe("property (a): an origin no rule admits is never granted Access-Control-Allow-Origin", () => {
  it("agrees with the reference oracle on every request", () => {
    let compiled = 0;
    let granted = 0;
    let refusedCount = 0;
    fc.assert(
      fc.property(
        policyModel.chain((m) => fc.tuple(fc.constant(m), originsFor(m), requestExtras)),
        ([model, origin, x]) => {
          const policy = compileModel(model);
          // Random rules can collide with the public suffix list; such policies never go live.
          if (policy === undefined) return;
          compiled++;
          const text = origin.kind === "null" ? "null" : origin.text;
          const sameOrigin = x.self === "same" && origin.kind === "ok";
          const req: CorsRequest = {
            method: x.preflight ? "OPTIONS" : x.method,
            origin: text,
            accessControlRequestMethod: x.preflight ? x.requestMethod : undefined,
            accessControlRequestHeaders: x.requestHeaders,
            accessControlRequestPrivateNetwork: x.preflight && x.privateNetwork,
            selfOrigin: sameOrigin
              ? canonical(origin.scheme, origin.host, origin.port)
              : x.self === "gateway"
                ? "http://gateway.test"
                : undefined,
          };
          const d = decide(policy, req);
          const acao = acaoOf(d);
          const ok = admitted(model, origin) || sameOrigin;
          if (ok) granted++;
          else refusedCount++;

          // Exactly one value, `*` or the request's own origin; `*` only for a credential-less `*` policy.
          expect(acao.length).toBeLessThanOrEqual(1);
          if (acao[0] !== undefined) {
            expect(acao[0] === text || (acao[0] === "*" && model.any && !model.input.allowCredentials)).toBe(
              true,
            );
          }
          if (!ok) {
            expect(acao).toEqual([]);
            expect(d.headers).toEqual([]);
            expect(ORIGIN_REFUSALS.has(d.reason)).toBe(true);
          } else {
            // And the other way round: the engine admits what the oracle admits.
            expect(ORIGIN_REFUSALS.has(d.reason)).toBe(false);
            if (d.status === 0 && !sameOrigin) expect(acao.length).toBe(1);
            if (d.status === 200) expect(acao.length).toBe(1);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Most random policies must compile, or the property says little.
    expect(compiled).toBeGreaterThan(2000);
    // Both sides of the oracle are exercised, not just refusals of random noise.
    expect(granted).toBeGreaterThan(compiled / 10);
    expect(refusedCount).toBeGreaterThan(compiled / 10);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) Export and compile again

const anyPolicyInput: fc.Arbitrary<CorsPolicyInput> = fc
  .record({
    model: policyModel,
    dupes: fc.subarray([
      "https://app.example.com",
      "HTTPS://APP.EXAMPLE.COM:443",
      "https://*.example.com",
      "http://x1.test:80",
    ]),
    methods: fc.subarray(["GET", "get", "PUT", "put", "PATCH", "patch", "DELETE"]),
    headers: fc.subarray(["X-A", "x-a", "Content-Type", "content-type"]),
    expose: fc.subarray(["X-Request-Id", "x-request-id", "Server-Timing"]),
    mode: fc.constantFrom("enforce", "report", undefined),
    backend: fc.constantFrom("override", "keep", undefined),
    timing: fc.option(fc.subarray(["*", "https://app.example.com", "HTTPS://App.Example.com:443"]), {
      nil: undefined,
    }),
    description: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  })
  .map(({ model, dupes, methods, headers, expose, mode, backend, timing, description }) => {
    const p: { -readonly [K in keyof CorsPolicyInput]: CorsPolicyInput[K] } = {
      ...model.input,
      allowOrigins: [...(model.input.allowOrigins ?? []), ...dupes],
      allowMethods: [...(model.input.allowMethods ?? []), ...methods],
      allowHeaders: [...(model.input.allowHeaders ?? []), ...headers],
      exposeHeaders: expose,
    };
    if (mode !== undefined) p.mode = mode;
    if (backend !== undefined) p.backendCorsHeaders = backend;
    if (timing !== undefined) p.timingAllowOrigins = timing;
    if (description !== undefined) p.description = description;
    return p;
  });

const sampleRequest: fc.Arbitrary<CorsRequest> = fc
  .tuple(
    fc.constantFrom(
      "https://app.example.com",
      "HTTPS://APP.EXAMPLE.COM:443",
      "https://x1.example.com",
      "https://evil-example.com",
      "http://x1.test",
      "null",
      "https://app.example.com/",
      undefined,
    ),
    requestExtras,
  )
  .map(([origin, x]) => ({
    method: x.preflight ? "OPTIONS" : x.method,
    origin,
    accessControlRequestMethod: x.preflight ? x.requestMethod : undefined,
    accessControlRequestHeaders: x.requestHeaders,
    accessControlRequestPrivateNetwork: x.privateNetwork,
    selfOrigin: x.self === "same" ? origin : undefined,
  }));

/** The compiled policy without the matcher's class instances and provenance strings. */
function shape(p: CompiledPolicy) {
  const { origins, source: _source, ...rest } = p;
  const rules = origins.rules;
  return {
    ...rest,
    methods: [...p.methods].sort(),
    headers: [...p.headers].sort(),
    timingAllowOrigins: [...p.timingAllowOrigins].sort(),
    origins: {
      any: rules.any,
      allowNull: rules.allowNull,
      exact: [...rules.exact.keys()].sort(),
      wildcards: rules.wildcards.map((w) => [w.scheme, w.port, w.suffix]),
      patterns: rules.patterns.map((r) => r.regex.source),
    },
  };
}

describe("property (b): exporting a compiled policy and compiling it again changes nothing", () => {
  it("gives the same source, the same compiled form and the same decisions", () => {
    let compiled = 0;
    fc.assert(
      fc.property(
        anyPolicyInput,
        fc.array(sampleRequest, { minLength: 1, maxLength: 8 }),
        (input, requests) => {
          const first = compilePolicy(input);
          if (!first.ok) return;
          compiled++;
          const second = compilePolicy(first.policy.source);
          expect(second.ok).toBe(true);
          if (!second.ok) return;
          expect(second.policy.source).toEqual(first.policy.source);
          expect(shape(second.policy)).toEqual(shape(first.policy));
          // Exported once more, still the same: the export is a fixed point.
          const third = compilePolicy(second.policy.source);
          expect(third.ok && third.policy.source).toEqual(first.policy.source);
          for (const req of requests) {
            expect(decide(second.policy, req)).toEqual(decide(first.policy, req));
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(compiled).toBeGreaterThan(RUNS / 2);
  });
});

// ---------------------------------------------------------------------------------------------
// (c) Access-Control-Request-Headers

const tokenName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/);
const ows = fc.array(fc.constantFrom(" ", "\t"), { maxLength: 3 }).map((a) => a.join(""));

describe("property (c): parseRequestHeaderList", () => {
  it("never throws, on any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (s) => {
        const r = parseRequestHeaderList(s);
        if (r.ok) {
          for (const n of r.names) {
            expect(isToken(n)).toBe(true);
            expect(n).toBe(n.toLowerCase());
          }
        } else {
          expect(["TOO_LONG", "TOO_MANY", "INVALID_NAME"]).toContain(r.reason);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws on separator-heavy strings up to 8 KiB", () => {
    const piece = fc.constantFrom(",", " ", "\t", ", ", "a", "X-Y", ",,", "\u00e9", "\u0000");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 3000 }), (parts) => {
        const s = parts.join("").slice(0, MAX_REQUEST_HEADERS_LENGTH);
        expect(() => parseRequestHeaderList(s)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  it("handles adversarial 8 KiB inputs (all commas, all spaces, one long name, many short names)", () => {
    const n = MAX_REQUEST_HEADERS_LENGTH;
    expect(parseRequestHeaderList(",".repeat(n))).toEqual({ ok: true, names: [] });
    expect(parseRequestHeaderList(" ".repeat(n))).toEqual({ ok: true, names: [] });
    expect(parseRequestHeaderList("\t, ".repeat(n / 4).padEnd(n, " "))).toEqual({ ok: true, names: [] });
    expect(parseRequestHeaderList("x".repeat(n))).toEqual({ ok: true, names: ["x".repeat(n)] });
    expect(parseRequestHeaderList(`,${" ".repeat(n - 3)}a,`)).toEqual({ ok: true, names: ["a"] });
    const many = parseRequestHeaderList("a,".repeat(n / 2));
    expect(many.ok === false && many.reason).toBe("TOO_MANY");
    const long = parseRequestHeaderList(",".repeat(n + 1));
    expect(long.ok === false && long.reason).toBe("TOO_LONG");
  });

  it("ignores whitespace around items, empty items, case and how the lines were joined", () => {
    const item = fc.record({
      name: tokenName,
      flips: fc.array(fc.boolean(), { maxLength: 16 }),
      before: ows,
      after: ows,
    });
    const empties = fc.array(ows, { maxLength: 2 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(item, empties), { maxLength: MAX_REQUEST_HEADER_NAMES }),
        empties,
        fc.constantFrom(",", ", ", " ,"),
        (items, trailing, sep) => {
          const names = items.map(([i]) => i.name);
          const plain = parseRequestHeaderList(names.join(","));
          expect(plain).toEqual({ ok: true, names: names.map((n) => n.toLowerCase()) });
          const parts: string[] = [];
          for (const [i, empty] of items) {
            parts.push(...empty);
            const flipped = [...i.name]
              .map((c, k) => (i.flips[k] ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c))
              .join("");
            parts.push(`${i.before}${flipped}${i.after}`);
          }
          parts.push(...trailing);
          const noisy = parts.join(sep);
          expect(noisy.length).toBeLessThanOrEqual(MAX_REQUEST_HEADERS_LENGTH);
          expect(parseRequestHeaderList(noisy)).toEqual(plain);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (d) parseOrigin

const anyCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(""));

const structuredOrigin = fc
  .tuple(
    fc.constantFrom("http", "https", "ws", "wss", "chrome-extension", "app+x"),
    fc.oneof(
      fc
        .array(fc.stringMatching(/^[a-z0-9](?:[a-z0-9_-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 4 })
        .map((ls) => ls.join(".")),
      fc.ipV4(),
      fc.ipV6().map((a) => `[${a}]`),
    ),
    fc.oneof(
      fc.constant(""),
      fc.integer({ min: 0, max: 65535 }).map(String),
      fc.constantFrom("80", "443", "0080", "00443"),
    ),
  )
  .chain(([scheme, host, port]) => anyCase(`${scheme}://${host}${port === "" ? "" : `:${port}`}`));

describe("property (d): parseOrigin's normalized form parses to itself", () => {
  const roundTrip = (s: string) => {
    const p = parseOrigin(s);
    if (isParseError(p)) return false;
    const again = parseOrigin(p.normalized);
    expect(isParseError(again)).toBe(false);
    expect(again).toEqual(p);
    expect(p.normalized).toBe(p.normalized.toLowerCase());
    expect(p.normalized.length).toBeLessThanOrEqual(s.length);
    return true;
  };

  it("for well-formed origins in any case, with any port", () => {
    let parsed = 0;
    fc.assert(
      fc.property(structuredOrigin, (s) => {
        if (roundTrip(s)) parsed++;
      }),
      { numRuns: RUNS },
    );
    expect(parsed).toBeGreaterThan(RUNS * 0.9);
  });

  it("for arbitrary strings over the characters of origins", () => {
    const chars = fc.constantFrom(..."hHtTpPsS:/.[]@0189aAz-_ \t?#%");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(chars, { maxLength: 40 }).map((a) => a.join("")),
          fc.string({ maxLength: 60 }),
        ),
        (s) => {
          roundTrip(s);
          roundTrip(`https://${s}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("never accepts what the SPEC calls malformed: paths, userinfo, bad ports, spaces, over-long", () => {
    for (const bad of [
      "https://a.com/",
      "https://a.com/x",
      "https://u@a.com",
      "https://a.com:65536",
      "https://a.com:-1",
      "https://a .com",
      "a.com",
      "://a.com",
      `https://${"a.".repeat(520)}com`,
    ]) {
      expect(isParseError(parseOrigin(bad)), bad).toBe(true);
    }
  });
});
