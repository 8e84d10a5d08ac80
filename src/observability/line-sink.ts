import { fstatSync, write, writeSync } from "node:fs";

/**
 * Where access log lines go: each `push` is one complete line, newline included, of ASCII characters
 * only (the access log escapes everything else, ./access-log.ts), so that a line's length is its size.
 */
export interface LineSink {
  push(line: string): void;
  /** Resolves once every line pushed so far is written. */
  drain(): Promise<void>;
  /** Writes what is left, synchronously: the last resort at process exit. */
  flushSync(): void;
}

export interface FdSinkOptions {
  /** Lines held while the destination is slower than the traffic; beyond this, lines are dropped and counted. */
  readonly maxBufferedBytes?: number;
  /** How long a line may wait for others to share its write. */
  readonly flushMs?: number;
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

/**
 * Access log lines written the way nginx writes its buffered access log: collected in memory and
 * written in large chunks, off the request path (fs.write runs on libuv's thread pool, so the event
 * loop never waits for the disk or a slow reader of the pipe). Writes to a pipe or socket stay under
 * PIPE_BUF, so lines of several workers sharing one stdout never interleave; every write holds whole
 * lines. The memory held is bounded: when the destination stays slower than the traffic, new lines
 * are dropped and counted (`onDropped`), never held without limit.
 */
export class FdSink implements LineSink {
  readonly #fd: number;
  readonly #chunk: number;
  readonly #maxBuffered: number;
  readonly #flushMs: number;
  readonly #onDropped: ((total: number) => void) | undefined;
  /**
   * The lines of the chunk being filled, joined into one string when the next line does not fit or when
   * it is time to write. A line is kept as the string the access log built, not copied on its own:
   * copying each line into a buffer was a native call per request (about 5% of a preflight's time),
   * where the join is one per chunk. Under load a chunk fills in milliseconds, so its lines still die
   * young; when the traffic is light, the flush timer bounds how long they live.
   */
  #lines: string[] = [];
  #used = 0;
  /** Joined chunks of whole lines, oldest first, waiting for their write. */
  #queue: string[] = [];
  #queuedBytes = 0;
  /** The data of the write in flight, or undefined. */
  #writing: string | undefined = undefined;
  #timer: NodeJS.Timeout | undefined = undefined;
  #drains: (() => void)[] = [];
  /** `drain()` was called: write what is held now, chunk after chunk, instead of waiting for a full one. */
  #draining = false;
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
    this.#chunk = stream ? PIPE_CHUNK : FILE_CHUNK;
    this.#maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#flushMs = options.flushMs ?? 50;
    this.#onDropped = options.onDropped;
  }

  /** Bytes held, not yet handed to a write. */
  get bufferedBytes(): number {
    return this.#queuedBytes + this.#used;
  }

  push(line: string): void {
    // Lines are ASCII (LineSink's contract): a character is a byte.
    const bytes = line.length;
    if (this.#queuedBytes + this.#used + bytes > this.#maxBuffered) {
      this.dropped++;
      this.#onDropped?.(this.dropped);
      return;
    }
    if (this.#used > 0 && this.#used + bytes > this.#chunk) this.#seal();
    this.#lines.push(line);
    this.#used += bytes;
    if (this.#writing === undefined) this.#schedule();
  }

  /** Queues the lines being collected as one chunk, and starts the next. */
  #seal(): void {
    if (this.#used === 0) return;
    this.#queue.push(this.#lines.join(""));
    this.#queuedBytes += this.#used;
    this.#lines = [];
    this.#used = 0;
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
    const data = this.#queue.shift();
    if (data === undefined) {
      this.#draining = false;
      this.#settle();
      return;
    }
    this.#queuedBytes -= data.length;
    this.#send(data);
  }

  #send(data: string): void {
    this.#writing = data;
    write(this.#fd, data, null, "latin1", (error, written) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === "EAGAIN") {
        // A non-blocking pipe that is full: the reader is slow. Try again shortly; new lines queue up
        // behind this write until the bound drops them.
        setTimeout(() => this.#send(data), 10).unref();
        return;
      }
      this.#writing = undefined;
      // A short write of a regular file or pipe: write the rest before anything else (latin1: a
      // character is a byte, so the rest starts at character `written`).
      if (error === null && written < data.length) {
        this.#send(data.slice(written));
        return;
      }
      if (this.#queue.length === 0 && this.#used === 0) {
        this.#draining = false;
        this.#settle();
      } else this.#schedule();
    });
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
    const rest = this.#writing === undefined ? this.#queue : [this.#writing, ...this.#queue];
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#writing = undefined;
    try {
      for (let data of rest) {
        while (data.length > 0) data = data.slice(writeSync(this.#fd, data, null, "latin1"));
      }
    } catch {
      // Nowhere left to report it: the process is exiting.
    }
  }
}

/** Lines written to a stream as they come (tests and in-process gateways). */
export class StreamSink implements LineSink {
  constructor(readonly stream: NodeJS.WritableStream) {}

  push(line: string): void {
    this.stream.write(line);
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  flushSync(): void {}
}
