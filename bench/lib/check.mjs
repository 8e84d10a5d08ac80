/**
 * Correctness checks run before a contender is timed: a server that answers wrongly (or not at
 * all) is reported and left out, never timed. Each check returns null when it passes, or the reason.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/**
 * One request on a fresh connection; resolves with status, raw header pairs and body (5 s bound).
 * An https:// URL goes over TLS (HTTP/1.1), the bench's self-signed certificate accepted.
 */
export function send(url, { method = "GET", headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const secure = url.startsWith("https:");
    const options = {
      method,
      headers,
      agent: false,
      timeout: 5000,
      ...(secure ? { rejectUnauthorized: false } : {}),
    };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const pairs = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          pairs.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode, headers: pairs, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within 5 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** `send` over HTTP/1.1; the HTTP/2 scenarios pass their own (bench/lib/tls.mjs sendH2). */
const defaultSend = send;

const values = (res, name) => res.headers.filter(([n]) => n === name).map(([, v]) => v);
const tokens = (list) =>
  list
    .flatMap((v) => v.split(","))
    .map((t) => t.trim())
    .filter((t) => t !== "");

function exactlyOneAcao(res, origin) {
  const acao = values(res, "access-control-allow-origin");
  if (acao.length !== 1)
    return `expected exactly one Access-Control-Allow-Origin, got ${acao.length} (${JSON.stringify(acao)})`;
  if (acao[0] !== origin)
    return `Access-Control-Allow-Origin is ${JSON.stringify(acao[0])}, expected ${origin}`;
  return null;
}

function noAcao(res, origin) {
  const acao = values(res, "access-control-allow-origin");
  return acao.length === 0
    ? null
    : `a disallowed origin (${origin}) got Access-Control-Allow-Origin: ${acao.join(", ")}`;
}

async function attempt(label, fn) {
  try {
    return await fn();
  } catch (error) {
    return `${label}: ${error.message}`;
  }
}

/**
 * The preflight from an allowed origin gets 2xx, exactly one ACAO equal to the origin,
 * Allow-Methods including the requested method and Allow-Headers including the requested headers;
 * the same preflight from a disallowed origin gets no ACAO.
 */
export function checkPreflight(baseUrl, preflight, disallowedOrigin, send = defaultSend) {
  return attempt("preflight", async () => {
    const url = baseUrl + preflight.path;
    const res = await send(url, preflight);
    if (res.status < 200 || res.status > 299) return `preflight answered ${res.status}, expected 2xx`;
    const origin = preflight.headers.Origin;
    const acao = exactlyOneAcao(res, origin);
    if (acao) return `preflight: ${acao}`;
    const method = preflight.headers["Access-Control-Request-Method"];
    const methods = tokens(values(res, "access-control-allow-methods"));
    if (!methods.includes(method))
      return `Access-Control-Allow-Methods (${methods.join(",") || "absent"}) lacks ${method}`;
    const allowHeaders = tokens(values(res, "access-control-allow-headers")).map((h) => h.toLowerCase());
    for (const h of tokens([preflight.headers["Access-Control-Request-Headers"] ?? ""])) {
      if (!allowHeaders.includes(h.toLowerCase()))
        return `Access-Control-Allow-Headers (${allowHeaders.join(",") || "absent"}) lacks ${h}`;
    }
    const bad = await send(url, {
      method: preflight.method,
      headers: { ...preflight.headers, Origin: disallowedOrigin },
    });
    return noAcao(bad, disallowedOrigin);
  });
}

/**
 * A cross-origin GET from an allowed origin gets 2xx, exactly `expectedBody` and exactly one ACAO equal
 * to the origin; the same request from a disallowed origin gets no ACAO.
 */
export function checkActual(baseUrl, request, expectedBody, disallowedOrigin, send = defaultSend) {
  return attempt("GET", async () => {
    const url = baseUrl + request.path;
    const res = await send(url, request);
    if (res.status < 200 || res.status > 299)
      return `${request.method} ${request.path} answered ${res.status}, expected 2xx (${res.body.slice(0, 160)})`;
    if (res.body !== expectedBody)
      return `body is ${JSON.stringify(res.body.slice(0, 160))}, expected the backend's ${JSON.stringify(expectedBody)}`;
    const acao = exactlyOneAcao(res, request.headers.Origin);
    if (acao) return acao;
    const bad = await send(url, {
      method: request.method,
      headers: { ...request.headers, Origin: disallowedOrigin },
    });
    return noAcao(bad, disallowedOrigin);
  });
}
