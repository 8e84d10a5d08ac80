import type { MockBackendConfig } from "../../config/schema.js";
import type { Backend, BackendResponse, HeaderBag } from "./types.js";

/** A static response, prepared once: every call returns the same status, headers and body. */
export class MockBackend implements Backend {
  readonly #status: number;
  readonly #headers: HeaderBag;
  readonly #body: Buffer;

  constructor(config: MockBackendConfig) {
    this.#status = config.status ?? 200;
    const headers: HeaderBag = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.#headers = headers;
    this.#body = Buffer.from(config.body ?? "", "utf8");
  }

  async call(): Promise<BackendResponse> {
    // A fresh header object per call: the gateway adds its own headers to it.
    return { status: this.#status, headers: { ...this.#headers }, body: this.#body };
  }
}
