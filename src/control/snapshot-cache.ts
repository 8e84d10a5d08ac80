import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../config/schema.js";

/**
 * The last configuration a node served, kept on disk so that a node starting while the store is
 * unreachable still serves it. Written atomically (temporary file, then rename).
 */
export interface CachedConfig {
  readonly revision: number;
  readonly config: Config;
}

export function writeCache(path: string, cached: CachedConfig): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cached));
  renameSync(tmp, path);
}

export function readCache(path: string): CachedConfig | null {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as CachedConfig;
    return typeof parsed.revision === "number" && typeof parsed.config === "object" ? parsed : null;
  } catch {
    return null;
  }
}
