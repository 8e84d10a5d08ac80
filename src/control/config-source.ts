import type { Config } from "../config/schema.js";
import type { Snapshot } from "../config/snapshot.js";
import type { ControlPlane } from "./control-plane.js";

/** What /readyz answers about a configuration source. */
export interface SourceStatus {
  /** Serving what the source holds: a file, or a reachable store with a configuration. */
  readonly ready: boolean;
  /** The revision served; 0 for a file, and for an empty store. */
  readonly revision: number;
  /** file; store; cache (the store is unreachable: its last good configuration, cached on disk); none (an empty store). */
  readonly source: "file" | "store" | "cache" | "none";
  readonly storeReachable?: boolean;
  readonly file?: string;
  readonly lastError?: string;
}

/**
 * Where the served configuration comes from: a file (read-only, reloaded when it changes) or a store
 * (numbered revisions, writes through the admin API, followed across nodes). Start, reload, the admin
 * API and health work against this one interface (src/control/file-source.ts, control-plane.ts).
 */
export interface ConfigSource {
  /** The snapshot served now. */
  readonly snapshot: Snapshot;
  /** The configuration served now (API keys as hashes). */
  readonly config: Config;
  /** The revision served; undefined for a file, which keeps none. */
  readonly revision: number | undefined;
  status(): SourceStatus;
  /** Calls `listener` with every snapshot the source serves from now on (a reload, another revision). */
  onChange(listener: (snapshot: Snapshot) => void): void;
  /** The store's control plane: revisions and writes. Undefined for a file, which is read-only here. */
  readonly plane: ControlPlane | undefined;
  /** What the configuration is, for messages: `the file ./gateway.yaml`, `the store sqlite:./crossgate.db`. */
  readonly description: string;
  /** The directory the files it names are relative to (the file's directory; the working directory). */
  readonly baseDir: string;
  close(): Promise<void>;
}
