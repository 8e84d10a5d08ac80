import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type DecisionEvent,
  DecisionWindow,
  MAX_ORIGINS,
  mergeSummaries,
  OTHER_ORIGINS,
} from "./decisions.js";

function event(over: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    requestId: "0".repeat(32),
    method: "GET",
    host: "api.test",
    path: "/x",
    origin: "http://a.test",
    api: "x",
    status: 200,
    preflight: false,
    verdict: "allowed",
    reason: "ORIGIN_ALLOWED",
    ...over,
  };
}

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("DecisionWindow", () => {
  it("counts refusals by reason per bucket, and report mode apart", () => {
    const c = clock();
    const w = new DecisionWindow({ now: c.now, bucketSeconds: 60, buckets: 5 });
    w.record(
      event({ verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", origin: "http://evil.test", status: 403 }),
    );
    w.record(
      event({ verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", origin: "http://evil.test", status: 403 }),
    );
    c.advance(60_000);
    w.record(event({ verdict: "refused", reason: "METHOD_NOT_ALLOWED", status: 405, preflight: true }));
    w.record(event({ verdict: "report-only", reason: "ORIGIN_NOT_ALLOWED" }));
    w.record(event());
    const s = w.summary();
    expect(s.buckets).toHaveLength(5);
    expect(s.buckets.map((b) => b.requests)).toEqual([0, 0, 0, 2, 3]);
    expect(s.totals).toEqual({
      requests: 5,
      refused: { ORIGIN_NOT_ALLOWED: 2, METHOD_NOT_ALLOWED: 1 },
      wouldRefuse: { ORIGIN_NOT_ALLOWED: 1 },
    });
    expect(s.topRefusedOrigins).toEqual([
      { origin: "http://evil.test", count: 2, reasons: { ORIGIN_NOT_ALLOWED: 2 } },
      { origin: "http://a.test", count: 1, reasons: { METHOD_NOT_ALLOWED: 1 } },
    ]);
  });

  it("forgets buckets older than the window", () => {
    const c = clock();
    const w = new DecisionWindow({ now: c.now, bucketSeconds: 10, buckets: 3 });
    w.record(event({ verdict: "refused", reason: "ORIGIN_NOT_ALLOWED" }));
    c.advance(30_000);
    w.record(event());
    const s = w.summary();
    expect(s.totals.requests).toBe(1);
    expect(s.totals.refused).toEqual({});
    expect(s.topRefusedOrigins).toEqual([]);
  });

  it("keeps at most MAX_ORIGINS distinct refused origins per bucket, the rest counted together", () => {
    const w = new DecisionWindow({ now: clock().now });
    for (let i = 0; i < MAX_ORIGINS + 50; i++) {
      w.record(event({ verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", origin: `http://o${i}.test` }));
    }
    const s = w.summary(MAX_ORIGINS + 10);
    expect(s.topRefusedOrigins).toHaveLength(MAX_ORIGINS + 1);
    expect(s.topRefusedOrigins[0]).toEqual({
      origin: OTHER_ORIGINS,
      count: 50,
      reasons: { ORIGIN_NOT_ALLOWED: 50 },
    });
  });

  it("keeps the most recent decisions, newest first, and cuts long values", () => {
    const w = new DecisionWindow({ now: clock().now, recent: 3 });
    for (let i = 0; i < 5; i++)
      w.record(event({ requestId: String(i), path: `/${"p".repeat(i === 4 ? 2000 : 1)}` }));
    const recent = w.recent();
    expect(recent.map((r) => r.requestId)).toEqual(["4", "3", "2"]);
    expect((recent[0] as { path: string }).path.length).toBe(512);
    expect(w.recent(1)).toHaveLength(1);
  });

  it("gives back the last decisions recorded, field for field (property)", () => {
    // Whatever the ring's size, however values repeat and wrap around, what comes back is each of the
    // last decisions as it was recorded (long values cut), newest first, with its time.
    const value = fc.oneof(fc.constantFrom("a", "b", "é"), fc.string({ maxLength: 600 }));
    const optional = fc.option(value, { nil: undefined });
    const arbitraryEvent = fc.record({
      requestId: fc.string({ minLength: 1, maxLength: 32 }),
      method: fc.constantFrom("GET", "OPTIONS", "PUT"),
      host: value,
      path: value,
      origin: optional,
      requestMethod: optional,
      requestHeaders: optional,
      api: fc.constantFrom("", "x", "y"),
      status: fc.integer({ min: 100, max: 599 }),
      preflight: fc.option(fc.boolean(), { nil: undefined }),
      verdict: fc.constantFrom("allowed", "refused", "report-only", "none" as const),
      reason: fc.constantFrom("ORIGIN_NOT_ALLOWED", "ORIGIN_ALLOWED", ""),
    });
    const cut = (s: string | undefined) => (s === undefined || s.length <= 512 ? s : `${s.slice(0, 511)}…`);
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        (events, size) => {
          const c = clock();
          const w = new DecisionWindow({ now: c.now, recent: size });
          const expected = events.map((e, i) => {
            c.advance(7);
            w.record(e);
            return {
              ...e,
              host: cut(e.host),
              path: cut(e.path),
              origin: cut(e.origin),
              requestMethod: cut(e.requestMethod),
              requestHeaders: cut(e.requestHeaders),
              time: 1_700_000_000_000 + 7 * (i + 1),
            };
          });
          expect(w.recent()).toEqual(expected.slice(-size).reverse());
          expect(w.recent(2)).toEqual(expected.slice(-Math.min(size, 2)).reverse());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stays bounded whatever is recorded (property)", () => {
    const arbitraryEvent = fc.record({
      origin: fc.option(fc.string({ maxLength: 2000 }), { nil: undefined }),
      path: fc.string({ maxLength: 2000 }),
      verdict: fc.constantFrom("allowed", "refused", "report-only", "none" as const),
      reason: fc.constantFrom("ORIGIN_NOT_ALLOWED", "METHOD_NOT_ALLOWED", ""),
      advance: fc.integer({ min: 0, max: 120_000 }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 300 }), (events) => {
        const c = clock();
        const w = new DecisionWindow({ now: c.now, bucketSeconds: 60, buckets: 4, recent: 20 });
        for (const e of events) {
          c.advance(e.advance);
          w.record(event({ origin: e.origin, path: e.path, verdict: e.verdict, reason: e.reason }));
        }
        const s = w.summary(1000);
        expect(s.buckets.length).toBe(4);
        expect(w.recent().length).toBeLessThanOrEqual(20);
        expect(s.topRefusedOrigins.length).toBeLessThanOrEqual(4 * (MAX_ORIGINS + 1));
        for (const r of w.recent()) expect(r.path.length).toBeLessThanOrEqual(512);
        const refused = Object.values(s.totals.refused).reduce((a, b) => a + b, 0);
        expect(s.topRefusedOrigins.reduce((a, o) => a + o.count, 0)).toBe(refused);
      }),
      { numRuns: 200 },
    );
  });
});

describe("mergeSummaries", () => {
  it("adds the workers' windows bucket by bucket and ranks the origins again", () => {
    const c = clock();
    const a = new DecisionWindow({ now: c.now, buckets: 2 });
    const b = new DecisionWindow({ now: c.now, buckets: 2 });
    a.record(event({ verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", origin: "http://x.test" }));
    b.record(event({ verdict: "refused", reason: "ORIGIN_NOT_ALLOWED", origin: "http://x.test" }));
    b.record(event({ verdict: "refused", reason: "HEADER_NOT_ALLOWED", origin: "http://y.test" }));
    const merged = mergeSummaries([a.summary(100), b.summary(100)], 1);
    expect(merged.nodes).toBe(2);
    expect(merged.totals).toEqual({
      requests: 3,
      refused: { ORIGIN_NOT_ALLOWED: 2, HEADER_NOT_ALLOWED: 1 },
      wouldRefuse: {},
    });
    expect(merged.topRefusedOrigins).toEqual([
      { origin: "http://x.test", count: 2, reasons: { ORIGIN_NOT_ALLOWED: 2 } },
    ]);
    expect(merged.buckets.map((x) => x.requests)).toEqual([0, 3]);
    expect(mergeSummaries([]).nodes).toBe(0);
  });
});
