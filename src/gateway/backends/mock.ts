import type { MockBackendConfig } from "../../config/schema.js";
import { setOwnField } from "../../own-field.js";
import { hasRequestBody, readBody } from "./body.js";
import type { Backend, BackendRequest, BackendResponse, HeaderBag } from "./types.js";

/** A static response, prepared once: every call returns the same status, headers and body. */
export class MockBackend implements Backend {
  readonly #status: number;
  /** Lowercase names and values, copied into a fresh bag per call. */
  readonly #headers: readonly (readonly [string, string])[];
  readonly #body: Buffer;
  readonly #maxBodyBytes: number;

  constructor(config: MockBackendConfig, maxBodyBytes = Number.POSITIVE_INFINITY) {
    this.#status = config.status ?? 200;
    const headers = new Map<string, string>();
    for (const [name, value] of Object.entries(config.headers ?? {})) headers.set(name.toLowerCase(), value);
    this.#headers = [...headers];
    this.#body = Buffer.from(config.body ?? "", "utf8");
    this.#maxBodyBytes = maxBodyBytes;
  }

  async call({ req }: BackendRequest): Promise<BackendResponse> {
    // The request body is not used, but it is held to the same limit as a function backend's.
    if (hasRequestBody(req)) await readBody(req, this.#maxBodyBytes, false);
    // A fresh header object per call: the gateway adds its own headers to it. Copied property by
    // property: Node 20's V8 gives an object made by spread (`{ ...headers }`) a map of its own, so
    // each property the gateway then adds allocated a new map in the old generation (5 µs a request,
    // and ~1.4 MB promoted per scavenge under load; docs/benchmarks.md, optimization 13).
    const headers: HeaderBag = {};
    for (const [name, value] of this.#headers) setOwnField(headers, name, value);
    return { status: this.#status, headers, body: this.#body };
  }
}
