import type { ApiRuntime } from "../../config/snapshot.js";
import { FunctionBackend } from "./function.js";
import { HttpBackend } from "./http.js";
import { type BackendLogger, consoleBackendLogger } from "./log.js";
import { MockBackend } from "./mock.js";
import type { Backend } from "./types.js";

export interface BuildBackendsOptions {
  /** The configuration file's directory, where function modules are resolved from (default: the working directory). */
  readonly baseDir?: string;
  /** Where backend failures are logged with their detail (default console.error); a pino Logger fits. */
  readonly logger?: BackendLogger;
  /** The gateway-wide request body ceiling, `snapshot.limits.maxBodyBytes`: mock and function backends never read more. */
  readonly maxBodyBytes?: number;
}

/**
 * Builds the backend of every API of a snapshot; one Backend per API index. Http backends borrow
 * pooled connections shared per upstream origin, so build the new generation before closing the old.
 *
 * ```ts
 * const backends = buildBackends(snapshot.apis, {
 *   baseDir: dirname(resolve(configFile)),
 *   logger,
 *   maxBodyBytes: snapshot.limits.maxBodyBytes,
 * });
 * ```
 */
export function buildBackends(apis: readonly ApiRuntime[], options: BuildBackendsOptions = {}): Backend[] {
  const baseDir = options.baseDir ?? process.cwd();
  const log = options.logger ?? consoleBackendLogger;
  const built: Backend[] = [];
  try {
    for (const api of apis) {
      const config = api.backend;
      switch (config.type) {
        case "mock":
          built.push(new MockBackend(config, options.maxBodyBytes));
          break;
        case "http":
          built.push(new HttpBackend(config, log, baseDir));
          break;
        case "function":
          built.push(
            new FunctionBackend(config, {
              baseDir,
              segments: api.segments,
              log,
              maxBodyBytes: options.maxBodyBytes,
            }),
          );
          break;
      }
    }
  } catch (error) {
    // Give back the pools borrowed so far: a failed build must not keep connections open.
    for (const b of built) void b.close?.();
    throw error;
  }
  return built;
}
