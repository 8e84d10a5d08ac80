import type { IncomingMessage } from "node:http";
import type { CorsRequest } from "../cors/index.js";

/** Splits a request target into its path (duplicate slashes collapsed) and query ("?..." or ""). */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  const target = url ?? "/";
  const q = target.indexOf("?");
  let path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q);
  if (path.includes("//")) path = path.replace(/\/{2,}/g, "/");
  if (!path.startsWith("/")) path = `/${path}`;
  return { path, query };
}

/** The Host header's name, lowercase, without the port: `API.Test:8080` is `api.test`. */
export function hostName(host: string | undefined): string {
  if (host === undefined || host === "") return "";
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return (close < 0 ? host : host.slice(0, close + 1)).toLowerCase();
  }
  const colon = host.indexOf(":");
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The engine's small view of a node:http request. */
export function corsView(req: IncomingMessage): CorsRequest {
  const h = req.headers;
  return {
    method: req.method ?? "GET",
    origin: single(h.origin),
    accessControlRequestMethod: single(h["access-control-request-method"]),
    accessControlRequestHeaders: single(h["access-control-request-headers"]),
    accessControlRequestPrivateNetwork: h["access-control-request-private-network"] === "true",
    selfOrigin: h.host === undefined ? undefined : `http://${h.host}`,
  };
}
