import { dirname, resolve } from "node:path";
import { loadConfigFile } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { Snapshot } from "../config/snapshot.js";
import { watchFile } from "../config/watch.js";
import type { Logger } from "../logger.js";
import type { Problem } from "../problems.js";
import { formatProblem } from "../problems.js";
import type { ConfigSource, SourceStatus } from "./config-source.js";

export interface FileSourceOptions {
  readonly logger: Logger;
  /** `crossgate start --listen`: whether certificate problems are errors (https) or warnings. */
  readonly listen?: string | undefined;
  /** Reload when the file changes (default true); SIGHUP reloads either way (`reload()`). */
  readonly watch?: boolean;
}

export type FileSourceResult =
  | { readonly ok: true; readonly source: FileSource; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * A configuration file as the source of what is served (file mode): read-only through the admin API,
 * reloaded when the file changes and on `reload()` (SIGHUP); a reload with errors is refused whole and
 * the configuration being served keeps serving.
 */
export class FileSource implements ConfigSource {
  readonly #path: string;
  readonly #options: FileSourceOptions;
  readonly #listeners: ((snapshot: Snapshot) => void)[] = [];
  #snapshot: Snapshot;
  #reloading: Promise<void> = Promise.resolve();
  #watcher: { close(): void } | undefined;

  private constructor(path: string, snapshot: Snapshot, options: FileSourceOptions) {
    this.#path = path;
    this.#snapshot = snapshot;
    this.#options = options;
  }

  /** Loads the file (every problem at once when it cannot be served) and starts watching it. */
  static async open(path: string, options: FileSourceOptions): Promise<FileSourceResult> {
    const loaded = await loadConfigFile(path, { listen: options.listen });
    if (!loaded.ok) return loaded;
    const source = new FileSource(path, loaded.snapshot, options);
    if (options.watch !== false) source.#watcher = watchFile(path, () => void source.reload("file changed"));
    return { ok: true, source, warnings: loaded.warnings };
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

  get description(): string {
    return `the file ${this.#path}`;
  }

  get file(): string {
    return this.#path;
  }

  get baseDir(): string {
    return dirname(resolve(this.#path));
  }

  status(): SourceStatus {
    return { ready: true, revision: 0, source: "file", file: this.#path };
  }

  onChange(listener: (snapshot: Snapshot) => void): void {
    this.#listeners.push(listener);
  }

  /** Reads the file again; serves it when it is valid, logs every problem and keeps serving when not. */
  reload(trigger: string): Promise<void> {
    const logger = this.#options.logger;
    this.#reloading = this.#reloading.then(async () => {
      const next = await loadConfigFile(this.#path, { listen: this.#options.listen });
      if (!next.ok) {
        logger.error(
          { trigger, problems: next.problems.map(formatProblem) },
          "configuration refused; the previous configuration keeps serving",
        );
        return;
      }
      this.#snapshot = next.snapshot;
      for (const listener of this.#listeners) listener(next.snapshot);
      logger.info(
        { trigger, apis: next.snapshot.apis.length, warnings: next.warnings.map(formatProblem) },
        "configuration reloaded",
      );
    });
    return this.#reloading;
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    await this.#reloading;
  }
}
