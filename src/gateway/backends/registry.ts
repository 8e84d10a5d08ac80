import type { ApiRuntime } from "../../config/snapshot.js";
import { MockBackend } from "./mock.js";
import type { Backend } from "./types.js";

/** Builds the backend of every API of a snapshot; one Backend per API index. */
export function buildBackends(apis: readonly ApiRuntime[]): Backend[] {
  return apis.map((api) => {
    const config = api.backend;
    switch (config.type) {
      case "mock":
        return new MockBackend(config);
      default:
        throw new Error(`backend type ${config.type} is not available yet`);
    }
  });
}
