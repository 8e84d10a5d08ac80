import type { Config } from "../config/schema.js";
import type { Snapshot } from "../config/snapshot.js";
import type { ConfigSource, SourceStatus } from "./config-source.js";

/**
 * A read-only source over a snapshot held in memory: what the admin API's OpenAPI document is generated
 * against, and what tests serve. `set` stands for a reload.
 */
export class StaticSource implements ConfigSource {
  #snapshot: Snapshot;
  readonly #listeners: ((snapshot: Snapshot) => void)[] = [];

  constructor(
    snapshot: Snapshot,
    readonly description = "a configuration held in memory",
    readonly baseDir = process.cwd(),
  ) {
    this.#snapshot = snapshot;
  }

  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  get config(): Config {
    return this.#snapshot.config;
  }

  get revision(): undefined {
    return undefined;
  }

  get plane(): undefined {
    return undefined;
  }

  status(): SourceStatus {
    return { ready: true, revision: 0, source: "file", file: this.description };
  }

  onChange(listener: (snapshot: Snapshot) => void): void {
    this.#listeners.push(listener);
  }

  set(snapshot: Snapshot): void {
    this.#snapshot = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
  }

  async close(): Promise<void> {}
}
