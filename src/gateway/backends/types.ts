import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

import type { HeaderBag } from "../../plan/types.js";

export type { HeaderBag };

/** What a backend answers: the gateway adds CORS and its own headers before writing it. */
export interface BackendResponse {
  readonly status: number;
  readonly headers: HeaderBag;
  /** A complete body, or a stream piped to the client as it arrives. */
  readonly body: Buffer | string | Readable | null;
  /** Called once the response is finished or the client went away, to release the upstream. */
  readonly dispose?: () => void;
}

export interface BackendRequest {
  readonly req: IncomingMessage;
  readonly requestId: string;
  /** The normalized request path (no query): what the gateway routed (src/routing/normalize-path.ts). */
  readonly path: string;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The normalized path after the API's prefix (reserved characters still percent-encoded); "" when nothing follows. */
  readonly remainder: string;
  /** The query string with its "?", or "". */
  readonly query: string;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export interface Backend {
  call(request: BackendRequest): Promise<BackendResponse>;
  /** Releases pooled connections when a configuration is retired. */
  close?(): Promise<void>;
}
