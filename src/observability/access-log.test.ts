import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AccessEntry, AccessLog } from "./access-log.js";
import { CallbackSink } from "./line-sink.js";

function collecting(): { sink: CallbackSink; lines: string[] } {
  const lines: string[] = [];
  return { lines, sink: new CallbackSink((line) => lines.push(line)) };
}

const entry = (over: Partial<AccessEntry> = {}): AccessEntry => ({
  requestId: "460b7e8e515b58130812c5ed27cd84e6",
  method: "OPTIONS",
  protocol: "1.1",
  host: "api.example.com",
  path: "/v1/items",
  origin: "https://app.example.com",
  api: "items",
  status: 200,
  cors: { verdict: "allowed", reason: "ORIGIN_ALLOWED", preflight: true },
  durationMs: 0.25,
  upstreamMs: undefined,
  ...over,
});

const ascii = (line: string) => /^[\x20-\x7e]*\n$/.test(line);

describe("AccessLog: one JSON line per exchange", () => {
  it("writes the fields in pino's shape, with the bindings, as one ASCII line", () => {
    const { sink, lines } = collecting();
    const log = new AccessLog(sink, { worker: 2 });
    log.write(entry({ upstreamMs: 1.5 }));
    log.flush();
    expect(lines).toHaveLength(1);
    expect(ascii(lines[0] as string)).toBe(true);
    const parsed = JSON.parse(lines[0] as string);
    expect(parsed).toMatchObject({
      level: 30,
      service: "crossgate",
      worker: 2,
      log: "access",
      requestId: "460b7e8e515b58130812c5ed27cd84e6",
      method: "OPTIONS",
      protocol: "1.1",
      host: "api.example.com",
      path: "/v1/items",
      origin: "https://app.example.com",
      api: "items",
      status: 200,
      cors: { verdict: "allowed", reason: "ORIGIN_ALLOWED", preflight: true },
      durationMs: 0.25,
      upstreamMs: 1.5,
      msg: "request",
    });
    expect(Number.isNaN(Date.parse(parsed.time))).toBe(false);
  });

  it("logs any value a client can send as the same string, in a line that stays ASCII and one line (property)", () => {
    const value = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string());
    fc.assert(
      fc.property(value, value, value, value, value, value, (method, host, path, origin, api, requestId) => {
        const { sink, lines } = collecting();
        const log = new AccessLog(sink);
        log.write(entry({ method, host, path, origin, api, requestId }));
        log.flush();
        const line = lines[0] as string;
        expect(ascii(line)).toBe(true);
        const parsed = JSON.parse(line);
        expect([parsed.method, parsed.host, parsed.path, parsed.origin, parsed.requestId]).toEqual([
          method,
          host,
          path,
          origin,
          requestId,
        ]);
        expect(parsed.api).toBe(api === "" ? undefined : api);
      }),
      { numRuns: 2000 },
    );
  });

  it("never writes a remembered value for another one: alternating hosts, origins and methods", () => {
    const { sink, lines } = collecting();
    const log = new AccessLog(sink);
    const hosts = ["a.test", "b.test", "a.test", "é.test", "a.test"];
    for (const [i, host] of hosts.entries()) {
      log.write(entry({ host, origin: `https://${host}`, method: i % 2 ? "GET" : "PUT" }));
    }
    log.flush();
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.host)).toEqual(hosts);
    expect(parsed.map((p) => p.origin)).toEqual(hosts.map((h) => `https://${h}`));
    expect(parsed.map((p) => p.method)).toEqual(["PUT", "GET", "PUT", "GET", "PUT"]);
  });

  it("writes each line of a sequence with its own values, whatever repeats from the line before (property)", () => {
    // Small pools, so that runs of equal values (which the log remembers) and changes alternate.
    const text = fc.oneof(fc.constantFrom("a.test", "b.test", "é.test", 'q"uote', ""), fc.string());
    const optional = fc.option(text, { nil: undefined });
    const cors = fc.option(
      fc.record({
        verdict: fc.constantFrom("allowed", "refused", "report-only"),
        reason: fc.constantFrom("ORIGIN_ALLOWED", "ORIGIN_NOT_ALLOWED", "METHOD_NOT_ALLOWED"),
        preflight: fc.boolean(),
      }),
      { nil: undefined },
    );
    const anEntry = fc.record({
      method: fc.option(fc.constantFrom("GET", "OPTIONS", "PUT"), { nil: undefined }),
      protocol: fc.option(fc.constantFrom("1.1", "2.0"), { nil: undefined }),
      host: optional,
      path: optional,
      origin: optional,
      api: fc.constantFrom("", "items", "orders"),
      status: fc.constantFrom(200, 204, 403, 404),
      cors,
      upstreamMs: fc.option(fc.constantFrom(0, 1.5, 12.25), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(anEntry, { minLength: 1, maxLength: 12 }), (entries) => {
        const { sink, lines } = collecting();
        const log = new AccessLog(sink, { worker: 1 });
        for (const e of entries) log.write(entry(e));
        log.flush();
        expect(lines).toHaveLength(entries.length);
        for (const [i, e] of entries.entries()) {
          const line = lines[i] as string;
          expect(ascii(line)).toBe(true);
          const parsed = JSON.parse(line);
          const expected: Record<string, unknown> = {
            level: 30,
            time: parsed.time,
            service: "crossgate",
            worker: 1,
            log: "access",
            requestId: "460b7e8e515b58130812c5ed27cd84e6",
          };
          for (const key of ["method", "protocol", "host", "path", "origin"] as const) {
            if (e[key] !== undefined) expected[key] = e[key];
          }
          if (e.api !== "") expected.api = e.api;
          expected.status = e.status;
          if (e.cors !== undefined) expected.cors = e.cors;
          expected.durationMs = 0.25;
          if (e.upstreamMs !== undefined) expected.upstreamMs = e.upstreamMs;
          expected.msg = "request";
          // The same fields in the same order: the line is the one a JSON serializer would write.
          expect(Object.entries(parsed)).toEqual(Object.entries(expected));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("prints durations as Math.round(ms * 1000) / 1000 prints them (property)", () => {
    const { sink, lines } = collecting();
    const log = new AccessLog(sink);
    const ms = fc.oneof(
      fc.double({ min: 0, max: 1e7, noNaN: true }),
      fc.integer({ min: 0, max: 10_000_000 }).map((micros) => micros / 1000),
      fc.constantFrom(0, 0.0004, 0.0005, 0.1, 0.12, 1.0005, 2.675, 1e12 + 0.5),
    );
    fc.assert(
      fc.property(ms, (durationMs) => {
        lines.length = 0;
        log.write(entry({ durationMs }));
        log.flush();
        const text = /"durationMs":([^,}]+)/.exec(lines[0] as string)?.[1];
        expect(text).toBe(String(Math.round(durationMs * 1000) / 1000));
      }),
      { numRuns: 5000 },
    );
  });

  it("writes a WebSocket tunnel's record", () => {
    const { sink, lines } = collecting();
    const log = new AccessLog(sink);
    log.write(
      entry({ websocket: { tunnel: true, closedBy: "client", bytesFromClient: 12, bytesFromBackend: 34 } }),
    );
    log.flush();
    expect(JSON.parse(lines[0] as string).websocket).toEqual({
      tunnel: true,
      closedBy: "client",
      bytesFromClient: 12,
      bytesFromBackend: 34,
    });
  });

  describe("lines built at the end of the event loop's turn", () => {
    const turn = () => new Promise((resolve) => setImmediate(resolve));

    it("holds the turn's entries and builds their lines, in order, when the turn ends", async () => {
      const { sink, lines } = collecting();
      const log = new AccessLog(sink);
      for (const host of ["a.test", "b.test", "c.test"]) log.write(entry({ host }));
      expect(lines).toHaveLength(0);
      await turn();
      expect(lines.map((l) => JSON.parse(l).host)).toEqual(["a.test", "b.test", "c.test"]);
      log.write(entry({ host: "d.test" }));
      await turn();
      expect(lines).toHaveLength(4);
    });

    it("never holds more than 64 entries, however long the turn", () => {
      const { sink, lines } = collecting();
      const log = new AccessLog(sink);
      for (let i = 0; i < 150; i++) log.write(entry({ status: 200 + (i % 3) }));
      expect(lines).toHaveLength(128);
      expect(lines.map((l) => JSON.parse(l).status)).toEqual(
        Array.from({ length: 128 }, (_, i) => 200 + (i % 3)),
      );
    });

    it("stamps each line with the time its exchange was logged, not the time it was built", async () => {
      const { sink, lines } = collecting();
      const log = new AccessLog(sink);
      const now = Date.now;
      try {
        Date.now = () => Date.parse("2026-12-07T10:00:00.001Z");
        log.write(entry());
        Date.now = () => Date.parse("2026-12-07T10:00:00.002Z");
        log.write(entry());
        Date.now = () => Date.parse("2026-12-07T11:00:00.000Z");
        await turn();
      } finally {
        Date.now = now;
      }
      expect(lines.map((l) => JSON.parse(l).time)).toEqual([
        "2026-12-07T10:00:00.001Z",
        "2026-12-07T10:00:00.002Z",
      ]);
    });

    it("drain and flushSync hand the held lines to the sink before asking it to write them", async () => {
      const events: string[] = [];
      const sink = new (class extends CallbackSink {
        override async drain(): Promise<void> {
          events.push("drain");
        }
        override flushSync(): void {
          events.push("flushSync");
        }
      })((line) => events.push(`line ${JSON.parse(line).status}`));
      const log = new AccessLog(sink);
      log.write(entry({ status: 201 }));
      await log.drain();
      log.write(entry({ status: 202 }));
      log.flushSync();
      expect(events).toEqual(["line 201", "drain", "line 202", "flushSync"]);
      await turn();
      expect(events).toHaveLength(4);
    });
  });
});
