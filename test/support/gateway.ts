import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { compileConfig } from "../../src/config/compile.js";
import { type RunningGateway, startGateway } from "../../src/gateway/server.js";

/** Starts a gateway on 127.0.0.1, port 0, for a configuration object; throws with every problem if invalid. */
export async function startTestGateway(config: unknown): Promise<RunningGateway> {
  const built = compileConfig(config);
  if (!built.ok) {
    throw new Error(
      `invalid test configuration:\n${built.problems.map((p) => `${p.path}: ${p.reason}`).join("\n")}`,
    );
  }
  return startGateway(built.snapshot, { host: "127.0.0.1", port: 0 });
}

export interface TestResponse {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  /** Raw header lines as received: [name, value, name, value, ...] with original case. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/**
 * Sends one request with full control of the header lines (Host, Origin, repeated headers).
 * `headers` values that are arrays are sent as several header lines.
 */
export function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
): Promise<TestResponse> {
  const url = new URL(base);
  // The path goes out exactly as given: `new URL(path, base)` would resolve its dot segments first.
  const target = path.startsWith("/") ? path : `${new URL(path, base).pathname}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: target,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? "",
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** How many header lines named `name` (case-insensitive) the response carried. */
export function headerLines(res: TestResponse, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if ((res.rawHeaders[i] as string).toLowerCase() === name.toLowerCase())
      out.push(res.rawHeaders[i + 1] as string);
  }
  return out;
}

/** The CORS response headers (Access-Control-*), lowercase names, for exact comparison. */
export function corsHeaders(res: TestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (k.startsWith("access-control-")) out[k] = Array.isArray(v) ? v.join(", ") : (v ?? "");
  }
  return out;
}
