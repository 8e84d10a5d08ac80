import type { MockBackendConfig } from "../../config/schema.js";
import { readBody } from "./body.js";
import type { Backend, BackendRequest, BackendResponse, HeaderBag } from "./types.js";

/** A static response, prepared once: every call returns the same status, headers and body. */
export class MockBackend implements Backend {
  readonly #status: number;
  readonly #headers: HeaderBag;
  readonly #body: Buffer;
  readonly #maxBodyBytes: number;

  constructor(config: MockBackendConfig, maxBodyBytes = Number.POSITIVE_INFINITY) {
    this.#status = config.status ?? 200;
    const headers: HeaderBag = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
    this.#headers = headers;
    this.#body = Buffer.from(config.body ?? "", "utf8");
    this.#maxBodyBytes = maxBodyBytes;
  }

  async call({ req }: BackendRequest): Promise<BackendResponse> {
    // The request body is not used, but it is held to the same limit as a function backend's.
    const h = req.headers;
    if (
      h["content-length"] !== undefined ? h["content-length"] !== "0" : h["transfer-encoding"] !== undefined
    ) {
      await readBody(req, this.#maxBodyBytes, false);
    }
    // A fresh header object per call: the gateway adds its own headers to it.
    return { status: this.#status, headers: { ...this.#headers }, body: this.#body };
  }
}
