import { fstatSync, write, writeSync } from "node:fs";

/**
 * Where access log lines go: each line is written by its maker into the sink's buffer, one complete
 * line at a time, newline included, of ASCII characters only (the access log escapes everything else,
 * ./access-log.ts), so that a character is a byte. The maker reserves room for the most bytes the line
 * can take (its escapes included) and commits what it wrote.
 */
export interface LineSink {
  /**
   * Room for one line of at most `max` bytes in `buffer`: returns the offset to write it at, or -1 when
   * the line must be dropped (the sink's bound on memory; it counts the drop). The caller writes the
   * line there, ASCII only, newline included, and calls `commit` with the offset after its last byte
   * before it reserves again.
   */
  reserve(max: number): number;
  /** Where the line reserved goes: valid from `reserve` to `commit`. */
  readonly buffer: Buffer;
  commit(end: number): void;
  /** Resolves once every line committed so far is written. */
  drain(): Promise<void>;
  /** Writes what is left, synchronously: the last resort at process exit. */
  flushSync(): void;
}

/** Hands a line made as a string to a sink (tests, and anything not on the hot path). */
export function pushLine(sink: LineSink, line: string): void {
  const at = sink.reserve(line.length);
  if (at < 0) return;
  sink.commit(at + sink.buffer.write(line, at, "latin1"));
}

export interface FdSinkOptions {
  /**
   * Bytes held while the destination is slower than the traffic; a line that might not fit (by the
   * room it reserves) is dropped and counted.
   */
  readonly maxBufferedBytes?: number;
  /** How long a line may wait for others to share its write. */
  readonly flushMs?: number;
  /** The size of a chunk (one write), in place of the destination's: 256 KiB to a file, 4 KiB to a pipe. */
  readonly chunkBytes?: number;
  /** Called with the number of lines dropped so far, each time one is. */
  readonly onDropped?: (total: number) => void;
}

/** A pipe or a socket interleaves writers' data above PIPE_BUF: keep every write below it there. */
const PIPE_CHUNK = 4096;
/**
 * A write has a fixed cost beyond its bytes (the thread pool's round, the switches, the caches refilled
 * after them) that showed in throughput: 16 KiB chunks measured 4% slower than 64 KiB, 256 KiB 0.5-2.4%
 * faster in five paired sets, 1 MiB no better (docs/benchmarks.md, the access log's change 7).
 */
const FILE_CHUNK = 256 * 1024;

const EMPTY = Buffer.alloc(0);

/**
 * Access log lines written the way nginx writes its buffered access log: collected in memory and
 * written in large chunks, off the request path (fs.write runs on libuv's thread pool, so the event
 * loop never waits for the disk or a slow reader of the pipe). Writes to a pipe or socket stay under
 * PIPE_BUF, so lines of several workers sharing one stdout never interleave; every write holds whole
 * lines. The memory held is bounded: when the destination stays slower than the traffic, new lines
 * are dropped and counted (`onDropped`), never held without limit.
 *
 * Lines are written by their maker straight into the chunk being filled, a reused buffer: no line is
 * a string held until its write (docs/benchmarks.md, the access log's change 9).
 */
export class FdSink implements LineSink {
  readonly #fd: number;
  readonly #chunk: number;
  readonly #maxBuffered: number;
  readonly #flushMs: number;
  readonly #onDropped: ((total: number) => void) | undefined;
  /** The chunk being filled, and its bytes so far. */
  #buffer: Buffer = EMPTY;
  #used = 0;
  /** Filled chunks, oldest first, waiting for their write, and the bytes of each. */
  #queue: Buffer[] = [];
  #queueBytes: number[] = [];
  #queuedBytes = 0;
  /** The chunk of the write in flight (undefined when none), and what of it is left to write. */
  #writing: Buffer | undefined = undefined;
  #writingFrom = 0;
  #writingTo = 0;
  /** Written chunks, kept for the next ones (a chunk's worth of memory is not worth a collection). */
  #spare: Buffer[] = [];
  #timer: NodeJS.Timeout | undefined = undefined;
  #drains: (() => void)[] = [];
  /** `drain()` was called: write what is held now, chunk after chunk, instead of waiting for a full one. */
  #draining = false;
  readonly #afterWrite = (error: NodeJS.ErrnoException | null, written: number): void =>
    this.#written(error, written);
  dropped = 0;

  constructor(fd: number, options: FdSinkOptions = {}) {
    this.#fd = fd;
    let stream = true;
    try {
      const stat = fstatSync(fd);
      stream = stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice();
    } catch {
      // Unknown: the pipe's limit is the safe one.
    }
    this.#chunk = options.chunkBytes ?? (stream ? PIPE_CHUNK : FILE_CHUNK);
    this.#maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#flushMs = options.flushMs ?? 50;
    this.#onDropped = options.onDropped;
  }

  /** Bytes held, not yet handed to a write. */
  get bufferedBytes(): number {
    return this.#queuedBytes + this.#used;
  }

  get buffer(): Buffer {
    return this.#buffer;
  }

  reserve(max: number): number {
    if (this.#queuedBytes + this.#used + max > this.#maxBuffered) {
      this.dropped++;
      this.#onDropped?.(this.dropped);
      return -1;
    }
    if (this.#used + max > this.#buffer.length) {
      if (this.#used > 0) this.#seal();
      else this.#recycle(this.#buffer);
      // A line that may need more than a chunk gets a buffer of its own, written as soon as it is committed.
      this.#buffer =
        max > this.#chunk ? Buffer.allocUnsafe(max) : (this.#spare.pop() ?? Buffer.allocUnsafe(this.#chunk));
    }
    return this.#used;
  }

  commit(end: number): void {
    this.#used = end;
    if (this.#buffer.length > this.#chunk) this.#seal();
    if (this.#writing === undefined) this.#schedule();
  }

  /** Queues the chunk being filled, and starts the next. */
  #seal(): void {
    if (this.#used === 0) return;
    this.#queue.push(this.#buffer);
    this.#queueBytes.push(this.#used);
    this.#queuedBytes += this.#used;
    this.#buffer = EMPTY;
    this.#used = 0;
  }

  #recycle(buffer: Buffer): void {
    if (buffer.length === this.#chunk && this.#spare.length < 2) this.#spare.push(buffer);
  }

  /**
   * Writes at once when a whole chunk is sealed, else within `flushMs`: under load every write
   * carries a full chunk (a write per line, or per few lines, is what made a log line cost as much
   * as the request it records).
   */
  #schedule(): void {
    if (this.#queue.length > 0 || this.#draining) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#write();
    } else if (this.#timer === undefined && this.#used > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.#writing === undefined) this.#write();
      }, this.#flushMs);
      this.#timer.unref();
    }
  }

  #write(): void {
    if (this.#queue.length === 0) this.#seal();
    const chunk = this.#queue.shift();
    if (chunk === undefined) {
      this.#draining = false;
      this.#settle();
      return;
    }
    const bytes = this.#queueBytes.shift() as number;
    this.#queuedBytes -= bytes;
    this.#writing = chunk;
    this.#writingFrom = 0;
    this.#writingTo = bytes;
    this.#send();
  }

  #send(): void {
    const chunk = this.#writing as Buffer;
    write(this.#fd, chunk, this.#writingFrom, this.#writingTo - this.#writingFrom, null, this.#afterWrite);
  }

  #written(error: NodeJS.ErrnoException | null, written: number): void {
    if (error !== null && error.code === "EAGAIN") {
      // A non-blocking pipe that is full: the reader is slow. Try again shortly; new lines queue up
      // behind this write until the bound drops them.
      setTimeout(() => this.#send(), 10).unref();
      return;
    }
    // A short write of a regular file or pipe: write the rest before anything else.
    if (error === null && this.#writingFrom + written < this.#writingTo) {
      this.#writingFrom += written;
      this.#send();
      return;
    }
    this.#recycle(this.#writing as Buffer);
    this.#writing = undefined;
    if (this.#queue.length === 0 && this.#used === 0) {
      this.#draining = false;
      this.#settle();
    } else this.#schedule();
  }

  #settle(): void {
    const waiting = this.#drains;
    this.#drains = [];
    for (const resolve of waiting) resolve();
  }

  drain(): Promise<void> {
    if (this.#writing === undefined && this.#queue.length === 0 && this.#used === 0) {
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => this.#drains.push(resolve));
    this.#draining = true;
    if (this.#writing === undefined) this.#schedule();
    return done;
  }

  flushSync(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    // A write still in flight when the process exits may never happen: write its data too. Its lines
    // may then appear twice, never not at all (this runs only on an exit that could not wait for `drain`).
    this.#seal();
    const chunks = this.#queue;
    const ends = this.#queueBytes;
    const starts = ends.map(() => 0);
    if (this.#writing !== undefined) {
      chunks.unshift(this.#writing);
      starts.unshift(this.#writingFrom);
      ends.unshift(this.#writingTo);
    }
    this.#queue = [];
    this.#queueBytes = [];
    this.#queuedBytes = 0;
    this.#writing = undefined;
    try {
      for (let i = 0; i < chunks.length; i++) {
        let at = starts[i] as number;
        const end = ends[i] as number;
        while (at < end) at += writeSync(this.#fd, chunks[i] as Buffer, at, end - at);
      }
    } catch {
      // Nowhere left to report it: the process is exiting.
    }
  }
}

/** Each line handed to a function as a string, as it is committed (tests and in-process gateways). */
export class CallbackSink implements LineSink {
  buffer = Buffer.allocUnsafe(4096);

  constructor(readonly onLine: (line: string) => void) {}

  reserve(max: number): number {
    if (max > this.buffer.length) this.buffer = Buffer.allocUnsafe(max);
    return 0;
  }

  commit(end: number): void {
    this.onLine(this.buffer.toString("latin1", 0, end));
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  flushSync(): void {}
}

/** Lines written to a stream as they come (tests and in-process gateways). */
export class StreamSink extends CallbackSink {
  constructor(readonly stream: NodeJS.WritableStream) {
    super((line) => stream.write(line));
  }
}
