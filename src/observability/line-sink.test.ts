import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { AccessLog } from "./access-log.js";
import { CallbackSink, FdSink, pushLine } from "./line-sink.js";

const files: string[] = [];
afterAll(() => {
  for (const f of files) rmSync(f, { force: true });
});

function tempFile(name: string): { path: string; fd: number } {
  const path = join(tmpdir(), `crossgate-sink-${process.pid}-${name}`);
  files.push(path);
  return { path, fd: openSync(path, "w") };
}

const line = (i: number) => `{"n":${i},"pad":"${"x".repeat(i % 300)}"}\n`;

describe("FdSink: the access log's buffered destination", () => {
  it("writes every line, whole and in order, off the request path, and drain() waits for them", async () => {
    const { path, fd } = tempFile("order");
    const sink = new FdSink(fd, { flushMs: 5 });
    for (let i = 0; i < 5000; i++) pushLine(sink, line(i));
    await sink.drain();
    closeSync(fd);
    const written = readFileSync(path, "utf8").split("\n").slice(0, -1);
    expect(written).toHaveLength(5000);
    written.forEach((text, i) => {
      expect(JSON.parse(text).n).toBe(i);
    });
  });

  it("writes an access log's lines byte for byte: the file holds the lines the log made, in order", async () => {
    const { path, fd } = tempFile("access");
    const sink = new FdSink(fd, { flushMs: 5 });
    const log = new AccessLog(sink, { worker: 3 });
    const oneByOne: string[] = [];
    const reference = new AccessLog(new CallbackSink((line) => oneByOne.push(line)), { worker: 3 });
    const time = Date.now;
    Date.now = () => 1_700_000_000_000; // both logs print the same time
    try {
      for (let i = 0; i < 3000; i++) {
        const entry = {
          requestId: `${i.toString(16).padStart(32, "0")}`,
          method: i % 3 === 0 ? "GET" : "OPTIONS",
          protocol: "1.1",
          host: i % 5 === 0 ? "é.test" : "a.test",
          path: `/items/${i % 7}`,
          origin: i % 11 === 0 ? undefined : "https://app.test",
          api: i % 2 === 0 ? "items" : "",
          status: i % 13 === 0 ? 403 : 200,
          cors: { verdict: "allowed", reason: "ORIGIN_ALLOWED", preflight: i % 3 !== 0 },
          durationMs: i / 97,
          upstreamMs: i % 4 === 0 ? i / 89 : undefined,
        };
        log.write(entry);
        reference.write(entry);
      }
    } finally {
      Date.now = time;
    }
    await sink.drain();
    closeSync(fd);
    expect(readFileSync(path, "latin1")).toBe(oneByOne.join(""));
    expect(oneByOne).toHaveLength(3000);
  });

  it("writes the access log's lines whatever their values, those that may need more than a chunk included (property)", async () => {
    // The log reserves room for the most a line can take (every character escaped); a line whose
    // room exceeds a chunk gets a buffer of its own. Small chunks make that common: the file must
    // still hold exactly the lines the log makes for a collecting sink, in order.
    const text = fc.oneof(
      fc.constantFrom("a.test", "/items/1", "https://app.test", ""),
      // Escaped to 1,500 bytes: a line longer than the smaller chunks.
      fc.constantFrom('é"\\'.repeat(150), "\u0001".repeat(256)),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ maxLength: 300 }),
    );
    const anEntry = fc.record({
      requestId: fc.oneof(fc.constant("460b7e8e515b58130812c5ed27cd84e6"), fc.string({ maxLength: 40 })),
      method: fc.option(fc.constantFrom("GET", "OPTIONS"), { nil: undefined }),
      protocol: fc.constant("1.1"),
      host: fc.option(text, { nil: undefined }),
      path: fc.option(text, { nil: undefined }),
      origin: fc.option(text, { nil: undefined }),
      api: fc.constantFrom("", "items"),
      status: fc.constantFrom(200, 403),
      cors: fc.constant(undefined),
      durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
      upstreamMs: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(anEntry, { minLength: 1, maxLength: 200 }),
        fc.constantFrom(512, 2048, 4096),
        async (entries, chunkBytes) => {
          const { path, fd } = tempFile(`log-${run++}`);
          const log = new AccessLog(new FdSink(fd, { flushMs: 5, chunkBytes }));
          const expected: string[] = [];
          const reference = new AccessLog(new CallbackSink((line) => expected.push(line)));
          const time = Date.now;
          Date.now = () => 1_700_000_000_000;
          try {
            for (const e of entries) {
              log.write(e);
              reference.write(e);
            }
          } finally {
            Date.now = time;
          }
          await log.drain();
          reference.flush();
          closeSync(fd);
          expect(readFileSync(path, "latin1")).toBe(expected.join(""));
          rmSync(path);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("writes lines of any size, those longer than a write's buffer included, whole and in order", async () => {
    // Lines are joined into chunks of up to 256 KiB for a file; a line larger than that is a chunk of
    // its own. Whatever the mix, with or without a drain midway or writes finishing between lines (so
    // that lines arrive while a write is in flight, and timed partial chunks mix with full ones), the
    // file is the lines pushed.
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { weight: 20, arbitrary: fc.integer({ min: 0, max: 600 }) },
            { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 300_000 }) },
          ),
          { minLength: 1, maxLength: 3000 },
        ),
        fc.constantFrom("none", "drain midway", "let writes finish"),
        async (sizes, pause) => {
          const { path, fd } = tempFile(`sizes-${run++}`);
          const sink = new FdSink(fd, { flushMs: 5 });
          const pushed: string[] = [];
          for (const [i, size] of sizes.entries()) {
            const text = `${i} ${String.fromCharCode(97 + (i % 26)).repeat(size)}\n`;
            pushed.push(text);
            pushLine(sink, text);
            if (pause === "drain midway" && i === sizes.length >> 1) await sink.drain();
            if (pause === "let writes finish" && i % 97 === 0) await new Promise((r) => setTimeout(r, 1));
          }
          await sink.drain();
          closeSync(fd);
          expect(readFileSync(path, "latin1")).toBe(pushed.join(""));
          rmSync(path);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("writes a few lines after a short wait, without being asked to drain", async () => {
    const { path, fd } = tempFile("timer");
    const sink = new FdSink(fd, { flushMs: 5 });
    pushLine(sink, line(1));
    pushLine(sink, line(2));
    await expect.poll(() => readFileSync(path, "utf8").split("\n").length - 1).toBe(2);
    closeSync(fd);
  });

  it("flushSync writes what is pending at once (the exit handler's last resort)", () => {
    const { path, fd } = tempFile("sync");
    const sink = new FdSink(fd, { flushMs: 60_000 });
    for (let i = 0; i < 10; i++) pushLine(sink, line(i));
    sink.flushSync();
    closeSync(fd);
    expect(readFileSync(path, "utf8").split("\n").length - 1).toBeGreaterThanOrEqual(10);
  });

  it("holds at most maxBufferedBytes while the destination is slow, counting every line it drops", async () => {
    // A pipe nobody reads: the kernel takes 64 KiB, then writes wait (EAGAIN) and lines pile up.
    const { spawn } = await import("node:child_process");
    const child = spawn("sleep", ["30"], { stdio: ["pipe", "ignore", "ignore"] });
    const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const dropped: number[] = [];
    const sink = new FdSink(fd, {
      maxBufferedBytes: 32 * 1024,
      flushMs: 1,
      onDropped: (n) => dropped.push(n),
    });
    try {
      const started = Date.now();
      let pushed = 0;
      // Bounded in count and time: 20,000 lines or 5 s.
      while (pushed < 20_000 && Date.now() - started < 5000) {
        pushLine(sink, line(pushed));
        pushed++;
        if (pushed % 500 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      expect(sink.bufferedBytes).toBeLessThanOrEqual(32 * 1024);
      expect(sink.dropped).toBeGreaterThan(0);
      expect(dropped.at(-1)).toBe(sink.dropped);
      expect(dropped).toEqual(dropped.map((_, i) => i + 1));
    } finally {
      child.kill();
    }
  });
});
