import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A host name or address as a Host header may carry it, without the port; nothing else is redirected to. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])$/;

/**
 * The https URL a plain-http request is redirected to: the same host (without its port), the https
 * listener's port unless it is 443, and the same path and query. Undefined for a Host that is no
 * host name (the listener answers 400): nothing else is ever put into Location.
 *
 * ```ts
 * httpsLocation("api.test:8080", "/v1/x?y=1", 8443) // "https://api.test:8443/v1/x?y=1"
 * ```
 */
export function httpsLocation(
  host: string | undefined,
  target: string | undefined,
  httpsPort: number,
): string | undefined {
  if (host === undefined) return undefined;
  const bracket = host.startsWith("[") ? host.indexOf("]") : -1;
  const colon = host.indexOf(":", Math.max(bracket, 0));
  const name = colon < 0 ? host : host.slice(0, colon);
  if (name.length > 255 || !HOST.test(name)) return undefined;
  let path = target ?? "/";
  // An absolute-form target (`GET http://host/path`): keep its path and query only; anything
  // else that is not a path (`*` of `OPTIONS *`) goes to the root.
  if (!path.startsWith("/")) {
    let url: URL | undefined;
    try {
      url = new URL(path);
    } catch {
      url = undefined;
    }
    path =
      url !== undefined && (url.protocol === "http:" || url.protocol === "https:")
        ? `${url.pathname}${url.search}`
        : "/";
  }
  const location = `https://${name.toLowerCase()}${httpsPort === 443 ? "" : `:${httpsPort}`}${path}`;
  // Only visible ASCII goes into a header (node:http would throw on the rest).
  return /^[\x21-\x7e]+$/.test(location) ? location : undefined;
}

/**
 * The optional plain-HTTP listener of `listen.redirect`: every request gets 308 Permanent Redirect
 * to the same URL over https (308 keeps the method and body, unlike 301). No HSTS here: browsers
 * ignore it on plain http (RFC 6797 section 8.1), so it is sent on the https answers instead.
 */
export function createRedirectServer(httpsPort: () => number): Server {
  return createServer(
    { requestTimeout: 10_000, headersTimeout: 5_000 },
    (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      const location = httpsLocation(req.headers.host, req.url, httpsPort());
      if (location === undefined) {
        const body = "Bad Request: a Host header naming the site is required\n";
        res.writeHead(400, {
          "content-type": "text/plain; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      const body = `Moved to ${location}\n`;
      res.writeHead(308, {
        location,
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      res.end(req.method === "HEAD" ? undefined : body);
    },
  );
}
