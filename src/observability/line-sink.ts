import { fstatSync, write, writeSync } from "node:fs";

/** Where access log lines go: each `push` is one complete line, newline included. */
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
const FILE_CHUNK = 64 * 1024;

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
  /** Lines not yet handed to a write, as one string: appending builds a rope, flattened once by the write. */
  #pending = "";
  /** The data of the write in flight, or undefined. */
  #writing: string | undefined = undefined;
  #timer: NodeJS.Timeout | undefined = undefined;
  #drains: (() => void)[] = [];
  /** `drain()` was called: write what is pending now, chunk after chunk, instead of waiting for a full one. */
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

  /** Bytes held, not yet handed to a write (lines are ASCII-safe JSON but may hold UTF-8: an estimate). */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  push(line: string): void {
    if (this.#pending.length + line.length > this.#maxBuffered) {
      this.dropped++;
      this.#onDropped?.(this.dropped);
      return;
    }
    this.#pending += line;
    if (this.#writing === undefined) this.#schedule();
  }

  /**
   * Writes at once when a whole chunk is pending, else within `flushMs`: under load every write
   * carries a full chunk (a write per line, or per few lines, is what made a log line cost as much
   * as the request it records).
   */
  #schedule(): void {
    if (this.#pending.length >= this.#chunk || this.#draining) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#write();
    } else if (this.#timer === undefined && this.#pending !== "") {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.#writing === undefined) this.#write();
      }, this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Takes whole lines from the front, up to one chunk (or one longer line). */
  #take(): string {
    const all = this.#pending;
    if (all.length <= this.#chunk) {
      this.#pending = "";
      return all;
    }
    let end = all.lastIndexOf("\n", this.#chunk - 1) + 1;
    if (end === 0) end = all.indexOf("\n") + 1 || all.length;
    this.#pending = all.slice(end);
    return all.slice(0, end);
  }

  #write(): void {
    if (this.#pending === "") {
      this.#draining = false;
      this.#settle();
      return;
    }
    const data = this.#take();
    this.#writing = data;
    write(this.#fd, data, null, "utf8", (error, written) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === "EAGAIN") {
        // A non-blocking pipe that is full: the reader is slow. Try again shortly; new lines queue up
        // behind this one until the bound drops them.
        setTimeout(() => this.#retry(data), 10).unref();
        return;
      }
      this.#writing = undefined;
      // A short write of a regular file or pipe: write the rest before anything else.
      if (error === null && written < Buffer.byteLength(data)) {
        this.#pending = Buffer.from(data).subarray(written).toString("utf8") + this.#pending;
      }
      if (this.#pending === "") {
        this.#draining = false;
        this.#settle();
      } else this.#schedule();
    });
  }

  #retry(data: string): void {
    this.#writing = undefined;
    this.#pending = data + this.#pending;
    this.#write();
  }

  #settle(): void {
    const waiting = this.#drains;
    this.#drains = [];
    for (const resolve of waiting) resolve();
  }

  drain(): Promise<void> {
    if (this.#writing === undefined && this.#pending === "") return Promise.resolve();
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
    const rest = (this.#writing ?? "") + this.#pending;
    this.#pending = "";
    this.#writing = undefined;
    if (rest === "") return;
    try {
      writeSync(this.#fd, rest);
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
