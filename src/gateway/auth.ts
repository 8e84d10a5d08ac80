import type { IncomingMessage } from "node:http";
import { type ApiRuntime, hashApiKey, type Snapshot } from "../config/snapshot.js";
import { GatewayError } from "../errors.js";

/**
 * `auth: app`: a known API key of an application authorized for the API, else 401 or 403.
 * Only the request's headers are read (a WebSocket handshake is decided from them alone).
 */
export function authenticate(
  snapshot: Snapshot,
  api: ApiRuntime,
  req: Pick<IncomingMessage, "headers">,
): string | undefined {
  if (api.auth !== "app") return undefined;
  const raw = req.headers[snapshot.apiKeyHeader];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || key === "") throw new GatewayError("AUTH_KEY_MISSING");
  const app = snapshot.appsByKeyHash.get(hashApiKey(key));
  if (app === undefined) throw new GatewayError("AUTH_KEY_INVALID");
  if (!app.apis.has(api.name)) throw new GatewayError("AUTH_APP_NOT_AUTHORIZED");
  return app.name;
}
