/**
 * Property tests for the inputs of the TLS layer that come from outside: the server name a client
 * sends (SNI), the Host a plain-http client sends to the redirect listener, the host HSTS is chosen
 * by, and the listen address an operator types. Each is checked against a small oracle written
 * from the rule, plus the refusals.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nameCovers } from "../../src/config/tls/certificate.js";
import { HstsTable } from "../../src/gateway/listeners/hsts.js";
import { httpsLocation } from "../../src/gateway/listeners/redirect.js";
import { parseListen } from "../../src/gateway/server.js";
import { normalizeServerName, SniTable } from "../../src/gateway/tls/sni.js";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
/** Mixed case and an optional trailing dot, as clients may send a name. */
const sent = fc
  .tuple(host, fc.boolean(), fc.boolean())
  .map(([h, upper, dot]) => `${upper ? h.toUpperCase() : h}${dot ? "." : ""}`);

describe("SNI: the certificate for a server name", () => {
  it("is the exact name's, else the one-label wildcard's, else the default's (10,000 generated tables and names)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), host), { maxLength: 8 }),
        fc.array(sent, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (entries, names, withDefault) => {
          const table = new SniTable(
            entries.map(([wild, h], i) => ({ names: [wild ? `*.${h}` : h], value: i })),
            withDefault ? -1 : undefined,
          );
          for (const raw of names) {
            const name = raw.toLowerCase().replace(/\.$/, "");
            const exact = entries.findIndex(([wild, h]) => !wild && h === name);
            const wildcard = entries.findIndex(([wild, h]) => wild && nameCovers(`*.${h}`, name));
            const want = exact >= 0 ? exact : wildcard >= 0 ? wildcard : withDefault ? -1 : undefined;
            expect(table.lookup(raw)).toBe(want);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("never throws on any string a client could send, and answers garbage with the default", () => {
    const table = new SniTable([{ names: ["api.test", "*.shop.test"], value: "named" }], "default");
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const answer = table.lookup(raw);
        expect(["named", "default"]).toContain(answer);
        const normalized = normalizeServerName(raw);
        if (normalized !== undefined) expect(normalized).toBe(normalized.toLowerCase());
      }),
      { numRuns: 5_000 },
    );
    for (const garbage of ["", ".", "..", "*.shop.test", "a..shop.test", "x".repeat(254), ".api.test"])
      expect(table.lookup(garbage)).toBe("default");
    expect(new SniTable([{ names: ["api.test"], value: 1 }]).lookup("other.test")).toBeUndefined();
  });
});

describe("the redirect listener's Location", () => {
  it("is the same host (lowercase, without its port), the https port unless 443, and the same path and query", () => {
    fc.assert(
      fc.property(
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.webPath(),
        fc.option(fc.webQueryParameters(), { nil: undefined }),
        fc.integer({ min: 1, max: 65535 }),
        (h, port, path, query, httpsPort) => {
          const target = `${path.startsWith("/") ? path : `/${path}`}${query === undefined ? "" : `?${query}`}`;
          const location = httpsLocation(
            port === undefined ? h.toUpperCase() : `${h}:${port}`,
            target,
            httpsPort,
          );
          const expected = `https://${h}${httpsPort === 443 ? "" : `:${httpsPort}`}${target}`;
          if (/^[\x21-\x7e]+$/.test(expected)) expect(location).toBe(expected);
          else expect(location).toBeUndefined();
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("never puts anything but a host name and a visible-ASCII path into Location, whatever the Host and target", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (hostHeader, target) => {
        const location = httpsLocation(hostHeader, target, 8443);
        if (location === undefined) return;
        expect(location).toMatch(/^https:\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\]):8443\/[\x21-\x7e]*$/);
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses a missing Host, a Host with a path or userinfo, and control characters", () => {
    expect(httpsLocation(undefined, "/", 443)).toBeUndefined();
    expect(httpsLocation("evil.test/x", "/", 443)).toBeUndefined();
    expect(httpsLocation("user@evil.test", "/", 443)).toBeUndefined();
    expect(httpsLocation("api.test", "/a\r\nSet-Cookie: x=1", 443)).toBeUndefined();
    expect(httpsLocation("[::1]:8080", "/x", 8443)).toBe("https://[::1]:8443/x");
    expect(httpsLocation("api.test", "http://other.test/p?q=1", 443)).toBe("https://api.test/p?q=1");
  });
});

describe("HSTS by host", () => {
  it("follows routing's choice of group: an exact domain, else the longest *. domain (any depth), else a group without domains", () => {
    const domain = fc.tuple(fc.boolean(), host).map(([wild, h]) => (wild ? `*.${h}` : h));
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            domains: fc.option(fc.array(domain, { minLength: 1, maxLength: 3 }), { nil: undefined }),
            maxAge: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
          }),
          { maxLength: 5 },
        ),
        sent,
        (groups, raw) => {
          const configs = groups.map((g, i) => ({
            name: `g${i}`,
            ...(g.domains === undefined ? {} : { domains: g.domains }),
            ...(g.maxAge === undefined ? {} : { hsts: { maxAge: g.maxAge } }),
          }));
          const name = raw.toLowerCase().replace(/\.$/, "");
          const value = (i: number) =>
            groups[i]?.maxAge === undefined ? undefined : `max-age=${groups[i]?.maxAge}`;
          let want: string | undefined;
          const exact = groups.findIndex((g) => g.domains?.includes(name));
          if (exact >= 0) want = value(exact);
          else {
            let best = -1;
            let bestLength = -1;
            groups.forEach((g, i) => {
              for (const d of g.domains ?? []) {
                if (!d.startsWith("*.")) continue;
                const parent = d.slice(2);
                if (name.endsWith(`.${parent}`) && parent.length > bestLength) {
                  best = i;
                  bestLength = parent.length;
                }
              }
            });
            if (best >= 0) want = value(best);
            else {
              const any = groups.findIndex((g) => g.domains === undefined);
              want = any >= 0 ? value(any) : undefined;
            }
          }
          // The trailing dot is not part of a Host header's name; compare without it.
          expect(new HstsTable(configs).valueFor(raw.replace(/\.$/, ""))).toBe(want);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe("listen addresses", () => {
  it("round-trip host, port and scheme", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          host,
          fc.ipV4(),
          fc.ipV6().map((a) => `[${a}]`),
        ),
        fc.integer({ min: 0, max: 65535 }),
        fc.constantFrom("", "http://", "https://", "HTTPS://"),
        (h, port, scheme) => {
          const parsed = parseListen(`${scheme}${h}:${port}`);
          expect(parsed.host).toBe(h.replace(/^\[(.*)\]$/, "$1"));
          expect(parsed.port).toBe(port);
          expect(parsed.secure === true).toBe(scheme.toLowerCase() === "https://");
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("refuses another scheme, a missing or bad port, with the address in the message", () => {
    expect(() => parseListen("ftp://127.0.0.1:21")).toThrow(
      /"ftp:\/\/127.0.0.1:21": the scheme is http:\/\/ or https:\/\//,
    );
    expect(() => parseListen("https://127.0.0.1")).toThrow(/is not host:port/);
    expect(() => parseListen("https://127.0.0.1:")).toThrow(/bad port/);
    expect(() => parseListen("127.0.0.1:70000")).toThrow(/bad port/);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          const parsed = parseListen(text);
          expect(Number.isInteger(parsed.port)).toBe(true);
        } catch (error) {
          expect((error as Error).message).toMatch(/^listen address /);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
