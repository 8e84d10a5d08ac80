import { type BuildResult, compileConfig } from "../config/compile.js";
import type { Config } from "../config/schema.js";
import { redactKeys, type Snapshot } from "../config/snapshot.js";
import { soundTlsSections } from "../config/tls-material.js";
import type { Logger } from "../logger.js";
import type { Problem } from "../problems.js";
import { type RevisionMeta, StaleRevisionError, type Store, type StoreWatch } from "../store/index.js";
import type { ConfigSource, SourceStatus } from "./config-source.js";
import { readCache, writeCache } from "./snapshot-cache.js";

export type ApplyResult =
  | { readonly ok: true; readonly revision: RevisionMeta; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly reason: "invalid"; readonly problems: readonly Problem[] }
  | { readonly ok: false; readonly reason: "stale"; readonly current: number };

/**
 * The store failed a commit: the change was not applied. Only this failure of `apply` means the
 * store is unavailable; any other exception is a bug, not an outage (issue 10).
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "StoreUnavailableError";
  }
}

export interface ControlPlaneStatus {
  /** Whether the last contact with the store succeeded. */
  readonly storeReachable: boolean;
  /** The revision being served (0: nothing yet). */
  readonly revision: number;
  /** Where the served configuration came from; none: the store is empty, so nothing is served. */
  readonly source: "store" | "cache" | "none";
  readonly lastError?: string;
}

export interface ControlPlaneOptions {
  readonly logger: Logger;
  /** Called with every new snapshot to serve, in revision order (the first one included). */
  readonly onSnapshot?: (snapshot: Snapshot, revision: number) => void;
  /** The store, as messages name it (`sqlite:./crossgate.db`, without credentials). */
  readonly description?: string;
  /**
   * The configuration to store as revision 1 when the store is empty (first start). Without one, an empty
   * store serves the empty configuration (revision 0: every request answers 404) until one is stored.
   */
  readonly seed?: () => Promise<Config | null>;
  /** Where the last served configuration is cached on disk. */
  readonly cacheFile?: string;
  /** How often the head revision is checked, besides change notifications (default 1000 ms). */
  readonly checkIntervalMs?: number;
  /** Where the files a configuration names are checked before it is stored (function modules): the working directory. */
  readonly baseDir?: string;
  /**
   * Validation that reads files or the store, run before a configuration is stored (the certificates
   * it names: SPEC section 10); its errors refuse the configuration, its warnings are reported.
   */
  readonly materialChecks?: (config: Config) => Promise<Problem[]>;
}

/**
 * The seed could not be stored (unreadable, invalid): a start error of its own, never taken for an
 * unreachable store. The message is the seed's own.
 */
export class SeedFailedError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "SeedFailedError";
  }
}

/**
 * The control plane of one node: keeps the served snapshot equal to the store's head revision.
 * Changes arrive by the store's notifications (PostgreSQL LISTEN/NOTIFY, SQLite polling) and by a
 * periodic head check, so that none is missed across reconnects. When the store is unreachable the
 * node keeps serving its last good configuration and catches up when the store returns; a node that
 * starts while the store is down serves the configuration it cached on disk.
 */
export class ControlPlane implements ConfigSource {
  readonly #store: Store;
  readonly #listeners: ((snapshot: Snapshot) => void)[] = [];
  readonly #options: ControlPlaneOptions;
  #revision = 0;
  #config: Config | undefined;
  #snapshot: Snapshot | undefined;
  #source: ControlPlaneStatus["source"] = "none";
  #reachable = false;
  #lastError: string | undefined;
  #watch: StoreWatch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #syncing: Promise<void> = Promise.resolve();
  #migrated = false;

  private constructor(store: Store, options: ControlPlaneOptions) {
    this.#store = store;
    this.#options = options;
  }

  /**
   * Connects to the store (migrating and seeding it when needed) and serves its head; falls back
   * to the disk cache when the store cannot be reached, and keeps trying in the background.
   */
  static async start(store: Store, options: ControlPlaneOptions): Promise<ControlPlane> {
    const plane = new ControlPlane(store, options);
    try {
      await plane.#connect();
      await plane.#pull();
      if (plane.#snapshot === undefined) plane.#serveEmpty();
    } catch (error) {
      if (error instanceof SeedFailedError) {
        await store.close().catch(() => {});
        throw error;
      }
      plane.#unreachable(error);
      const cached = options.cacheFile ? readCache(options.cacheFile) : null;
      if (cached === null)
        throw new Error(`the store is unreachable and no cached configuration exists: ${plane.#lastError}`);
      const built = compileConfig(cached.config);
      if (!built.ok) throw new Error("the cached configuration is no longer valid");
      plane.#serve(cached.config, built.snapshot, cached.revision, "cache");
      options.logger.warn(
        { revision: cached.revision, error: plane.#lastError },
        "store unreachable: serving the cached configuration",
      );
    }
    plane.#timer = setInterval(() => void plane.sync(), options.checkIntervalMs ?? 1000);
    plane.#timer.unref();
    return plane;
  }

  async #connect(): Promise<void> {
    if (!this.#migrated) {
      await this.#store.migrate();
      this.#migrated = true;
    }
    if ((await this.#store.headNumber()) === 0 && this.#options.seed) {
      let seed: Config | null;
      try {
        seed = await this.#options.seed();
      } catch (error) {
        throw new SeedFailedError(error);
      }
      if (seed) {
        const result = await this.apply(seed, { actor: "crossgate", summary: "seeded on first start" }, 0);
        if (!result.ok && result.reason === "invalid") {
          throw new SeedFailedError(
            `the seed configuration is invalid: ${result.problems.map((p) => `${p.path}: ${p.reason}`).join("; ")}`,
          );
        }
      }
    }
    this.#watch ??= await this.#store.watch(
      () => void this.sync(),
      (error) => this.#unreachable(error),
    );
  }

  /** Whether the served configuration is the empty one of an empty store (nothing stored yet). */
  get empty(): boolean {
    return this.#revision === 0 && this.#source === "none";
  }

  get revision(): number {
    return this.#revision;
  }

  /** The configuration being served (API keys as hashes). */
  get config(): Config {
    if (!this.#config) throw new Error("no configuration is being served yet");
    return this.#config;
  }

  get snapshot(): Snapshot {
    if (!this.#snapshot) throw new Error("no configuration is being served yet");
    return this.#snapshot;
  }

  get store(): Store {
    return this.#store;
  }

  status(): ControlPlaneStatus & SourceStatus {
    return {
      ready: this.#reachable && this.#revision > 0,
      revision: this.#revision,
      storeReachable: this.#reachable,
      source: this.#source,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  onChange(listener: (snapshot: Snapshot) => void): void {
    this.#listeners.push(listener);
  }

  /** The store is the source of truth, and takes writes: this control plane. */
  get plane(): ControlPlane {
    return this;
  }

  get description(): string {
    return this.#options.description ?? "the store";
  }

  get baseDir(): string {
    return this.#options.baseDir ?? process.cwd();
  }

  /** Validates and compiles a configuration without storing it. */
  check(config: Config): BuildResult {
    return compileConfig(config, { baseDir: this.#options.baseDir });
  }

  /**
   * Applies a whole configuration atomically: validated and compiled first, then committed as a new
   * revision (refused when `expected` is given and stale), then served. Nothing partial is stored.
   * Throws StoreUnavailableError when the store fails the commit.
   */
  async apply(
    config: Config,
    meta: { actor: string; summary: string },
    expected?: number,
  ): Promise<ApplyResult> {
    const built = this.check(config);
    if (!built.ok) {
      // The certificates' errors in the same pass, when the sections naming them are sound.
      const sections = soundTlsSections(config, built.problems);
      const material =
        sections !== undefined && this.#options.materialChecks !== undefined
          ? await this.#options.materialChecks(sections)
          : [];
      const materialErrors = material.filter((p) => p.severity === "error");
      return { ok: false, reason: "invalid", problems: [...built.problems, ...materialErrors] };
    }
    const material = (await this.#options.materialChecks?.(built.snapshot.config)) ?? [];
    const materialErrors = material.filter((p) => p.severity === "error");
    const warnings = [...built.warnings, ...material.filter((p) => p.severity === "warning")];
    if (materialErrors.length > 0)
      return { ok: false, reason: "invalid", problems: [...materialErrors, ...warnings] };
    const stored = redactKeys(built.snapshot.config);
    let revision: RevisionMeta;
    try {
      revision = await this.#store.commit(stored, meta, expected);
    } catch (error) {
      if (error instanceof StaleRevisionError) return { ok: false, reason: "stale", current: error.current };
      throw new StoreUnavailableError(error);
    }
    this.#reachable = true;
    await this.#serveIfNewer(stored, built.snapshot, revision.number);
    return { ok: true, revision, warnings };
  }

  /** Brings the served configuration up to the store's head (called on notifications and periodically). */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#syncOnce()).catch(() => {});
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    if (this.#closed) return;
    try {
      // Not connected yet (the store was down at start): migrate, seed and watch first.
      if (!this.#migrated || this.#watch === undefined) await this.#connect();
      await this.#pull();
    } catch (error) {
      this.#unreachable(error);
    }
  }

  /** Serves the store's head revision if it is newer than the one being served. */
  async #pull(): Promise<void> {
    const head = await this.#store.headNumber();
    if (!this.#reachable && this.#lastError !== undefined)
      this.#options.logger.info({ revision: head }, "store reachable again");
    this.#reachable = true;
    this.#lastError = undefined;
    if (head <= this.#revision) return;
    const stored = await this.#store.head();
    if (stored === null || stored.meta.number <= this.#revision) return;
    const built = compileConfig(stored.config);
    if (!built.ok) {
      this.#options.logger.error(
        { revision: stored.meta.number, problems: built.problems.map((p) => `${p.path}: ${p.reason}`) },
        "the store's head revision does not compile here; the previous configuration keeps serving",
      );
      this.#revision = stored.meta.number;
      return;
    }
    await this.#serveIfNewer(stored.config, built.snapshot, stored.meta.number);
  }

  async #serveIfNewer(config: Config, snapshot: Snapshot, revision: number): Promise<void> {
    if (revision <= this.#revision) return;
    this.#serve(config, snapshot, revision, "store");
  }

  #serve(config: Config, snapshot: Snapshot, revision: number, source: "store" | "cache"): void {
    this.#config = config;
    this.#snapshot = snapshot;
    this.#revision = revision;
    this.#source = source;
    this.#options.onSnapshot?.(snapshot, revision);
    for (const listener of this.#listeners) listener(snapshot);
    this.#options.logger.info({ revision, source, apis: snapshot.apis.length }, "configuration applied");
    if (this.#options.cacheFile && source === "store") {
      try {
        writeCache(this.#options.cacheFile, { revision, config });
      } catch (error) {
        this.#options.logger.warn({ err: error }, "could not cache the configuration on disk");
      }
    }
  }

  /** An empty store: serve the empty configuration at revision 0 (not cached: there is nothing to keep). */
  #serveEmpty(): void {
    const empty: Config = {};
    const built = compileConfig(empty);
    if (!built.ok) throw new Error("the empty configuration does not compile");
    this.#config = built.snapshot.config;
    this.#snapshot = built.snapshot;
    this.#options.onSnapshot?.(built.snapshot, 0);
  }

  #unreachable(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.#reachable || this.#lastError === undefined) {
      this.#options.logger.warn({ error: message }, "store unreachable: serving the last good configuration");
    }
    this.#reachable = false;
    this.#lastError = message;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#syncing;
    await this.#watch?.close();
    await this.#store.close();
  }
}
