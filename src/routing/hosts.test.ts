import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HostTable, hostName } from "./hosts.js";

describe("hostName", () => {
  it.each([
    ["API.Test:8080", "api.test"],
    ["api.test", "api.test"],
    ["[::1]:8080", "[::1]"],
    ["", ""],
  ])("%s is %s", (host, name) => {
    expect(hostName(host)).toBe(name);
  });
});

describe("HostTable: a host's value, as routing picks a host's group", () => {
  const t = new HostTable<string>();
  t.add(["*.shop.test"], "wide");
  t.add(["*.eu.shop.test"], "narrow");
  t.add(["api.shop.test"], "exact");
  t.add(["quiet.shop.test"], null);
  t.add([], "any");
  t.add([], "second any");

  it.each([
    ["api.shop.test", "exact"],
    ["a.shop.test", "wide"],
    ["a.b.shop.test", "wide"],
    ["x.eu.shop.test", "narrow"],
    ["shop.test", "any"],
    ["other.test", "any"],
  ])("%s gets %s", (host, value) => {
    expect(t.get(host)).toBe(value);
  });

  it("a host served by a group without a value gets none: no wider group stands in for it", () => {
    expect(t.get("quiet.shop.test")).toBeUndefined();
  });

  it("agrees with the rule on generated tables and hosts (exact, then the longest covering *., then any)", () => {
    const label = fc.constantFrom("a", "b", "shop", "test", "eu");
    const domain = fc
      .tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 }))
      .map(([wild, labels]) => `${wild ? "*." : ""}${labels.join(".")}`);
    const entry = fc.tuple(fc.array(domain, { maxLength: 2 }), fc.option(fc.integer({ min: 0, max: 9 })));
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.array(label, { minLength: 1, maxLength: 4 }),
        (entries, labels) => {
          const table = new HostTable<number>();
          for (const [domains, value] of entries) table.add(domains, value);
          const host = labels.join(".");
          // The rule, by brute force.
          const first = (match: (d: string) => boolean) => entries.find(([ds]) => ds.some(match));
          let want: number | null | undefined;
          const exact = first((d) => d === host);
          if (exact) want = exact[1];
          else {
            let best: [string[], number | null] | undefined;
            let bestLength = -1;
            for (const e of entries) {
              for (const d of e[0]) {
                if (!d.startsWith("*.")) continue;
                const suffix = d.slice(2);
                if (host.endsWith(`.${suffix}`) && suffix.length > bestLength) {
                  best = e;
                  bestLength = suffix.length;
                }
              }
            }
            want = best ? best[1] : entries.find(([ds]) => ds.length === 0)?.[1];
          }
          expect(table.get(host)).toBe(want ?? undefined);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
